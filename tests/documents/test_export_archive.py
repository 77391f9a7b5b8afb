"""An audit export of a finished village carries its documents; one changed byte fails verification."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile

import pytest

from huanjie.audit.export import export_archive
from huanjie.audit.export_check import verify_export
from huanjie.audit.keys import generate_keypair, load_private_key
from tests.fixtures.scenario import COUNTY


@pytest.fixture(scope="module")
def archive(village_run, produced, tmp_path_factory):
    ctx, _ = village_run
    folder = tmp_path_factory.mktemp("export")
    private, public = generate_keypair(folder / "keys")
    path = folder / "V001.zip"
    export_archive(ctx, output=path, village_code="V001", key_path=private, actor_name=COUNTY)
    return path, private, public


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_the_archive_holds_every_document_with_its_hash(archive, produced):
    path, _, public = archive
    check = verify_export(path, public)
    assert check.ok, check.problems
    members = _members(path)
    manifest = json.loads(members["manifest.json"])
    listed = {(d["code"], d["step"], d["attempt"], d["format"]): d for d in manifest["documents"]}
    assert len(listed) == 2 * len(produced)
    for r in produced:
        for fmt, digest in (("docx", r.docx_sha256), ("html", r.html_sha256)):
            entry = listed[(r.code, r.step_key, r.attempt, fmt)]
            assert entry["sha256"] == digest == hashlib.sha256(members[entry["path"]]).hexdigest()


def test_one_changed_byte_of_one_document_fails_verification(archive, tmp_path):
    path, _, public = archive
    members = _members(path)
    name = next(n for n in members if n.startswith("documents/") and "_D07_" in n and n.endswith(".docx"))
    data = bytearray(members[name])
    data[len(data) // 2] ^= 0x01
    members[name] = bytes(data)
    check = verify_export(_write(tmp_path / "changed.zip", members), public)
    assert not check.ok and any(name in p and "被改动" in p for p in check.problems), check.problems


def test_a_document_swapped_with_a_re_signed_manifest_still_fails(archive, tmp_path):
    """Whoever holds the key can rewrite the manifest, not the hash-chained document.rendered events."""
    path, private, public = archive
    members = _members(path)
    name = next(n for n in members if n.startswith("documents/") and "_D02_" in n and n.endswith(".html"))
    forged = members[name].replace("同意".encode(), "不同意".encode(), 1)
    members[name] = forged
    manifest = json.loads(members["manifest.json"])
    for entry in [manifest["members"][name]] + [d for d in manifest["documents"] if d["path"] == name]:
        entry.update(sha256=hashlib.sha256(forged).hexdigest(), bytes=len(forged))
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
    members["manifest.json"] = body
    members["signature"] = base64.b64encode(load_private_key(private).sign(body)) + b"\n"
    check = verify_export(_write(tmp_path / "forged.zip", members), public)
    assert [p for p in check.problems if name in p] and all("审计事件" in p for p in check.problems), check.problems
