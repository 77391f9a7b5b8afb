"""Signed archives verify offline with only the public key; any changed byte fails."""

import base64
import io
import json
import zipfile

import pytest

from huanjie.audit.export import export_archive
from huanjie.audit.export_check import verify_export
from huanjie.audit.keys import generate_keypair
from huanjie.errors import Conflict
from tests.audit.scenario import AUDITOR


@pytest.fixture
def keys(tmp_path):
    return generate_keypair(tmp_path / "keys")


@pytest.fixture
def village_zip(story, keys, tmp_path):
    path = tmp_path / "V001.zip"
    result = export_archive(story.ctx, output=path, village_code="V001", key_path=keys[0], actor_name=AUDITOR)
    return path, result


def _members(path):
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _rezip(path, members, out):
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out


def test_a_village_archive_verifies_offline(village_zip, keys, story):
    path, result = village_zip
    check = verify_export(path, keys[1])
    assert check.ok, check.problems
    members = _members(path)
    documents = {n for n in members if n.startswith("documents/") and n != "documents/"}
    assert set(members) - documents == {"events.jsonl", "links.jsonl", "documents/", "manifest.json", "signature"}
    manifest = json.loads(members["manifest.json"])
    assert manifest["scope"] == {"kind": "village", "campaign": story.campaign, "village": "V001"}
    assert manifest["exported_by"] == {"name": AUDITOR, "role": "auditor"}
    chain = manifest["chains"][story.campaign]
    assert chain["intact"] and not chain["complete"] and chain["events"] == result.events - manifest["chains"]["system"]["events"]
    assert manifest["versions"]["cases"][0]["count"] == 2 and manifest["versions"]["profile_code"] == "national"
    assert {d["path"] for d in manifest["documents"]} == documents and manifest["signing_key"]
    assert all(d["village"] == "V001" and d["path"].startswith(f"documents/V001_{d['code']}_{d['step']}_")
               for d in manifest["documents"])
    events = [json.loads(line) for line in members["events.jsonl"].splitlines()]
    assert [(e["chain"], e["seq"]) for e in events] == sorted((e["chain"], e["seq"]) for e in events)
    assert {e["village_code"] for e in events if e["chain"] == story.campaign} == {None, "V001"}
    links = [json.loads(line) for line in members["links.jsonl"].splitlines()]
    assert links and set(links[0]) == {"chain", "seq", "prev_hash", "hash"}  # other villages: links only
    assert len(events) - manifest["chains"]["system"]["events"] + len(links) == chain["head_seq"]


def test_a_campaign_archive_holds_every_event(story, keys, tmp_path):
    result = export_archive(story.ctx, output=tmp_path / "c.zip", campaign_code=story.campaign, key_path=keys[0],
                            actor_name="县办")
    assert result.links == 0 and result.manifest["chains"][story.campaign]["complete"]
    assert result.events == sum(c["head_seq"] for c in result.manifest["chains"].values())
    assert verify_export(tmp_path / "c.zip", keys[1]).ok


def test_one_changed_byte_in_the_archive_fails(village_zip, keys, tmp_path):
    path, _ = village_zip
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("events.jsonl")
    raw = bytearray(path.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + info.compress_size // 2] ^= 0x01  # inside the compressed data
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(raw))
    check = verify_export(broken, keys[1])
    assert not check.ok and check.problems[-1].startswith("导出包损坏或无法读取"), check.problems


def test_a_changed_event_line_fails_even_when_the_zip_is_rebuilt(village_zip, keys, tmp_path):
    path, _ = village_zip
    members = _members(path)
    members.pop("documents/")
    events = bytearray(members["events.jsonl"])
    at = events.index(b'"households":320')
    events[at + len(b'"households":3')] = ord("9")  # 320 -> 390: one byte
    members["events.jsonl"] = bytes(events)
    check = verify_export(_rezip(path, members, tmp_path / "edited.zip"), keys[1])
    assert any(p.startswith("文件 events.jsonl 的 SHA-256 与清单不符") for p in check.problems)
    assert any("village.created）的内容与其哈希不符" in p for p in check.problems)
    # updating the manifest's hash too breaks the signature instead
    manifest = json.loads(members["manifest.json"])
    import hashlib

    manifest["members"]["events.jsonl"]["sha256"] = hashlib.sha256(members["events.jsonl"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    check = verify_export(_rezip(path, members, tmp_path / "edited2.zip"), keys[1])
    assert check.problems[0].startswith("签名无效")


def test_wrong_key_missing_signature_and_extra_files_fail(village_zip, keys, tmp_path):
    path, _ = village_zip
    other = generate_keypair(tmp_path / "other")
    assert verify_export(path, other[1]).problems[0].startswith("签名无效")
    members = _members(path)
    unsigned = {k: v for k, v in members.items() if k != "signature"}
    assert "导出包未签名（缺少 signature）" in verify_export(_rezip(path, unsigned, tmp_path / "u.zip"), keys[1]).problems
    extra = dict(members, **{"documents/插入.pdf": b"%PDF"})
    assert "导出包含有清单未列出的文件 documents/插入.pdf" in \
        verify_export(_rezip(path, extra, tmp_path / "x.zip"), keys[1]).problems
    dropped = {k: v for k, v in members.items() if k != "links.jsonl"}
    assert "导出包缺少清单列出的文件 links.jsonl" in verify_export(_rezip(path, dropped, tmp_path / "d.zip"), keys[1]).problems
    assert base64.b64decode(members["signature"])  # text, for people to look at


def test_documents_are_listed_and_hashed(story, keys, tmp_path):
    result = export_archive(story.ctx, output=tmp_path / "d.zip", village_code="V001", key_path=keys[0],
                            actor_name=AUDITOR, documents=[("D18 选民名单公告.pdf", b"%PDF-1.7 ...")])
    assert result.manifest["documents"][0]["path"] == "documents/D18 选民名单公告.pdf"
    assert verify_export(tmp_path / "d.zip", keys[1]).ok
    members = _members(tmp_path / "d.zip")
    members["documents/D18 选民名单公告.pdf"] = b"%PDF-1.7 ..!"
    check = verify_export(_rezip(tmp_path / "d.zip", members, tmp_path / "d2.zip"), keys[1])
    assert check.problems[0].startswith("文件 documents/D18 选民名单公告.pdf 的 SHA-256 与清单不符")


def test_keygen_never_overwrites(keys):
    with pytest.raises(Conflict, match="已存在"):
        generate_keypair(keys[0].parent)
    assert oct(keys[0].stat().st_mode & 0o777) == "0o600"
    assert io.BytesIO(keys[1].read_bytes()).read().startswith(b"-----BEGIN PUBLIC KEY-----")
