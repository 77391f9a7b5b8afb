"""The .docx writer deflates the base package's constant parts once per process (speed), and
must give exactly the bytes zipfile would give: stored hashes stay comparable."""

from __future__ import annotations

from huanjie.documents.docx_writer import write_docx
from huanjie.documents.render import page, prepare
from tests.documents.support import source


def test_the_base_package_deflated_once_gives_the_same_bytes_as_zipfile(monkeypatch):
    import huanjie.documents.docx_writer as writer

    doc = page(prepare("D01", source("P2.2")), None)
    fast = write_docx(doc)
    assert writer._deflated_parts()  # the cache is in use
    monkeypatch.setattr(writer, "_deflated_parts", dict)  # every part through zipfile's own compressor
    assert write_docx(doc) == fast
