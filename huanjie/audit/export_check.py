"""Checking an audit archive offline, with nothing but the archive and the public key.

The signature must cover the manifest; every member must have the manifest's SHA-256 and no
member may be missing or extra; every event line must hash to its ``hash``; and each chain,
events and links merged by sequence number, must run from the first event to the manifest's
head with every ``prev_hash`` equal to the hash before it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import heapq
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature

from huanjie.audit.export import DOCUMENTS, EVENTS, FORMAT, LINKS, MANIFEST, SIGNATURE
from huanjie.audit.export_documents import document_problems
from huanjie.audit.keys import fingerprint, load_public_key
from huanjie.store.events import GENESIS

MAX_PROBLEMS = 50
# What an archive may hold, so that checking one never needs more than a few lines in memory:
# members are read in chunks, event lines one at a time.
MAX_MANIFEST = 64 * 1024 * 1024   # a manifest lists members and chain heads: far below this
MAX_SIGNATURE = 1024
MAX_LINE = 16 * 1024 * 1024       # one event (its payload: a step's facts) per line
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024


@dataclass
class ExportCheck:
    problems: list[str] = field(default_factory=list)
    manifest: dict | None = None
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        scope = (self.manifest or {}).get("scope")
        chains = (self.manifest or {}).get("chains")
        return {"ok": self.ok, "problems": self.problems, "events": self.events, "scope": scope, "chains": chains}


def verify_export(path: Path, public_key_path: Path) -> ExportCheck:
    key = load_public_key(public_key_path)
    check = ExportCheck()
    try:
        with zipfile.ZipFile(path) as zf:
            _check(zf, key, check)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method
        check.problems.append(f"导出包损坏或无法读取：{type(exc).__name__}")
    return check


def _check(zf: zipfile.ZipFile, key, check: ExportCheck) -> None:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        check.problems.append(f"导出包有 {len(infos)} 个文件，超过 {MAX_MEMBERS} 个：不是本系统导出的包")
        return
    all_names = [i.filename for i in infos]
    duplicates = sorted({n for n in all_names if all_names.count(n) > 1}) if len(set(all_names)) < len(all_names) else []
    for name in duplicates:
        # a reader takes one of the two: the other may be the tampered one
        check.problems.append(f"导出包中 {name} 出现了 {all_names.count(name)} 次：导出包被改动（同名文件只能有一个）")
    if duplicates:
        return
    sizes = {i.filename: i.file_size for i in infos}
    names = {n for n in all_names if not n.endswith("/")}
    for folder in sorted(n for n in all_names if n.endswith("/") and n != DOCUMENTS):
        check.problems.append(f"导出包含有清单未列出的文件夹 {folder}")
    if MANIFEST not in names:
        check.problems.append(f"导出包缺少 {MANIFEST}")
        return
    if sizes[MANIFEST] > MAX_MANIFEST or sizes.get(SIGNATURE, 0) > MAX_SIGNATURE:
        check.problems.append("manifest.json 或 signature 过大：不是本系统导出的包")
        return
    body = zf.read(MANIFEST)
    if SIGNATURE not in names:
        check.problems.append("导出包未签名（缺少 signature）")
    else:
        try:
            key.verify(base64.b64decode(zf.read(SIGNATURE).strip(), validate=True), body)
        except (InvalidSignature, binascii.Error, ValueError):
            check.problems.append("签名无效：manifest.json 在签名后被改动，或签名私钥与所给公钥不配对")
    try:
        manifest = orjson.loads(body)
    except orjson.JSONDecodeError:
        check.problems.append("manifest.json 不是有效的 JSON")
        return
    shape = _manifest_problem(manifest)
    if shape:
        check.problems.append(f"manifest.json 结构不符：{shape}")
        return
    check.manifest = manifest
    if manifest.get("format") != FORMAT:
        check.problems.append(f"不是审计导出包（format 应为 {FORMAT}）")
        return
    if manifest.get("signing_key") not in (None, fingerprint(key)):
        check.problems.append("清单记录的签名公钥指纹与所给公钥不符")
    members = manifest.get("members", {})
    for name in sorted(names - set(members) - {MANIFEST, SIGNATURE}):
        check.problems.append(f"导出包含有清单未列出的文件 {name}")
    for name in sorted(set(members) - names):
        check.problems.append(f"导出包缺少清单列出的文件 {name}")
    for name in sorted(set(members) & names - {EVENTS, LINKS}):
        digest, size = _stream_hash(zf, name)
        _member_hash(name, None, members[name], check, digest, size)
    if EVENTS in names and EVENTS in members:
        _check_chains(zf, manifest, members, LINKS in names and LINKS in members, check)
        check.problems.extend(document_problems(zf, manifest, EVENTS)[:MAX_PROBLEMS])


def _manifest_problem(manifest) -> str | None:
    """What makes ``manifest`` unusable (not the shape an export writes), or None."""
    if not isinstance(manifest, dict):
        return "应为键值表"
    for key, kind in (("members", dict), ("chains", dict), ("scope", dict)):
        if key in manifest and not isinstance(manifest[key], kind):
            return f"{key} 应为键值表"
    for name, meta in manifest.get("members", {}).items():
        if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str) or \
                type(meta.get("bytes")) is not int:
            return f"members.{name} 应有 sha256（文字）与 bytes（整数）"
    for chain, head in manifest.get("chains", {}).items():
        if not isinstance(head, dict) or type(head.get("head_seq")) is not int or \
                not isinstance(head.get("head_hash"), str) or type(head.get("events")) is not int:
            return f"chains.{chain} 应有 head_seq、events（整数）与 head_hash（文字）"
    scope = manifest.get("scope", {})
    if any(not isinstance(scope.get(k), (str, type(None))) for k in ("village", "campaign", "kind")):
        return "scope 的各项应为文字"
    if not isinstance(manifest.get("signing_key"), (str, type(None))):
        return "signing_key 应为文字"
    return None


def _stream_hash(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    with zf.open(name) as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _member_hash(name: str, data: bytes | None, meta: dict, check: ExportCheck, digest: str | None = None,
                 size: int | None = None) -> None:
    digest = digest or hashlib.sha256(data).hexdigest()
    size = len(data) if size is None else size
    if (digest, size) != (meta.get("sha256"), meta.get("bytes")):
        check.problems.append(f"文件 {name} 的 SHA-256 与清单不符（清单 {str(meta.get('sha256'))[:16]}…，"
                              f"实际 {digest[:16]}…）：文件被改动")


class _Reader:
    """A member's lines as (chain, seq, is_event, record), hashing the bytes as they are read."""

    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf, self.name, self.sha, self.size = zf, name, hashlib.sha256(), 0

    def __iter__(self) -> Iterator[tuple]:
        with self.zf.open(self.name) as f:
            number = 0
            while line := f.readline(MAX_LINE + 1):
                number += 1
                self.sha.update(line)
                self.size += len(line)
                if len(line) > MAX_LINE:
                    # one line longer than any event: hash the rest without holding it, then stop
                    while chunk := f.read(CHUNK):
                        self.sha.update(chunk)
                        self.size += len(chunk)
                    yield "", 0, False, {"bad": f"{self.name} 第 {number} 行超过 {MAX_LINE // 1024 // 1024} MB："
                                                f"不是本系统导出的事件，未再读取其后内容"}
                    return
                try:
                    record = orjson.loads(line)
                    chain, seq = record["chain"], record["seq"]
                    if not isinstance(chain, str) or type(seq) is not int:
                        raise TypeError
                    yield chain, seq, self.name == EVENTS, record
                except (orjson.JSONDecodeError, KeyError, TypeError):
                    yield "", 0, False, {"bad": f"{self.name} 第 {number} 行不是有效的记录"}


def _check_chains(zf: zipfile.ZipFile, manifest: dict, members: dict, with_links: bool, check: ExportCheck) -> None:
    readers = [_Reader(zf, EVENTS)] + ([_Reader(zf, LINKS)] if with_links else [])
    scope = manifest.get("scope", {})
    heads = manifest.get("chains", {})
    state: dict[str, tuple[int, str, int]] = {}  # chain -> (last seq, last hash, events)

    def problem(text: str) -> None:
        if len(check.problems) < MAX_PROBLEMS:
            check.problems.append(text)

    for chain, seq, is_event, record in heapq.merge(*readers, key=lambda item: (item[0], item[1])):
        if "bad" in record:
            problem(record["bad"])
            continue
        last_seq, last_hash, count = state.get(chain, (0, GENESIS, 0))
        if chain not in heads:
            problem(f"链 {chain} 不在清单中")
        if seq != last_seq + 1:
            problem(f"链 {chain} 第 {last_seq + 1} 号之后读到第 {seq} 号：缺少事件")
        if record.get("prev_hash") != last_hash:
            problem(f"链 {chain} 第 {seq} 号事件的前一哈希与第 {seq - 1} 号的哈希不符")
        if is_event:
            count += 1
            stated = record.pop("hash", None)
            if hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest() != stated:
                problem(f"链 {chain} 第 {seq} 号事件（{record.get('kind')}）的内容与其哈希不符：事件被改动")
            if scope.get("village") and chain == scope.get("campaign") and \
                    record.get("village_code") not in (None, scope["village"]):
                problem(f"链 {chain} 第 {seq} 号事件属于村 {record.get('village_code')}，不在导出范围内")
            record["hash"] = stated
        state[chain] = (seq, record.get("hash"), count)
    for reader in readers:
        _member_hash(reader.name, None, members.get(reader.name, {}), check, reader.sha.hexdigest(), reader.size)
    for chain, head in heads.items():
        last_seq, last_hash, count = state.get(chain, (0, GENESIS, 0))
        if (last_seq, last_hash) != (head.get("head_seq"), head.get("head_hash")):
            problem(f"链 {chain} 的最后一条为第 {last_seq} 号，与清单记录的链头（第 {head.get('head_seq')} 号）不符")
        if count != head.get("events"):
            problem(f"链 {chain} 有 {count} 条事件，清单记录 {head.get('events')} 条")
        if not head.get("intact", True):
            problem(f"导出时链 {chain} 已不完整：{head.get('broken')}")
    check.events = sum(count for _, _, count in state.values())
