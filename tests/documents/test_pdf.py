"""PDF through LibreOffice: CJK fonts embedded, the Chinese text extractable, metadata pinned.

All 27 documents (and one twice) go through ONE LibreOffice run for the whole session.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from huanjie.documents.fonts import faces
from huanjie.documents.pdf import default_fonts_dir, docx_many_to_pdf
from huanjie.documents.registry import DOCUMENTS

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdffonts") is None,
                                reason="LibreOffice and poppler-utils are installed by ./dev test")


@pytest.fixture(scope="session")
def pdfs(produced, tmp_path_factory):
    one_each = {}
    for r in produced:
        one_each.setdefault(r.code, r)
    rows = list(one_each.values())
    converted = docx_many_to_pdf([r.docx for r in rows] + [rows[0].docx])
    folder = tmp_path_factory.mktemp("pdf")
    paths = {}
    for r, data in zip(rows, converted):
        paths[r.code] = folder / f"{r.code}.pdf"
        paths[r.code].write_bytes(data)
    return rows, converted, paths


def _run(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def test_all_27_convert_with_embedded_cjk_fonts_and_extractable_text(pdfs):
    rows, _, paths = pdfs
    assert set(paths) == set(DOCUMENTS)
    for r in rows:
        fonts = [line.split() for line in _run("pdffonts", str(paths[r.code])).splitlines()[2:]]
        assert fonts and all(f[-5] == "yes" for f in fonts), r.code  # the "emb" column
        configured = {face.postscript for face in faces(default_fonts_dir()).values()}
        assert all(f[0].split("+", 1)[-1] in configured for f in fonts), (r.code, fonts)
        assert all(f[1] == "TrueType" for f in fonts), (r.code, fonts)  # byte-stable (pdf.py)
        text = _run("pdftotext", "-layout", str(paths[r.code]), "-").replace(" ", "")
        assert "东湖村" in text, r.code
        assert DOCUMENTS[r.code].must_contain[0] in text, r.code


def test_pdf_bytes_depend_on_the_content_only(pdfs):
    _, converted, _ = pdfs
    assert converted[0] == converted[-1]
    assert b"CreationDate(D:20000101000000" in converted[0].replace(b" ", b"")


def test_a_page_renders_to_an_image(pdfs, tmp_path):
    _, _, paths = pdfs
    _run("pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(paths["D09"]), str(tmp_path / "ballot"))
    [png] = tmp_path.glob("ballot*.png")
    assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 5000
