"""Benchmark: peak memory of `huanjie audit verify-export` stays under 300 MB on the largest
archive it accepts, and on a forged 2 GB member, beside the same check of a small archive.

Run: ./dev bench bench/bench_verify_export.py  (or python -m pytest bench/bench_verify_export.py
-o addopts= --benchmark-enable -s)

"Largest accepted": a campaign archive of 300,000 events in which one event is as long as an
event line may be (huanjie.audit.export_check.MAX_LINE, 16 MB), plus a 256 MB document. The
forged archive's events member is one 2 GB line (it decompresses from a few MB), which the old
checker read into memory whole. Each check runs in a process of its own, which reports its
own peak resident set size (getrusage ru_maxrss).
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from huanjie.audit.export import DOCUMENTS, EVENTS, FORMAT, FORMAT_VERSION, MANIFEST, SIGNATURE
from huanjie.audit.export_check import MAX_LINE
from huanjie.audit.keys import fingerprint, generate_keypair, load_private_key
from huanjie.store.events import GENESIS

LIMIT_MB = 300
EVENTS_LARGE = 300_000
DOCUMENT_MB = 256
FORGED_GB = 2
CHAIN = "HJ2026-001"


class _Hashing:
    def __init__(self, out):
        self.out, self.sha, self.size = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.sha.update(data)
        self.size += len(data)


def _event(seq: int, prev: str, payload: dict) -> tuple[bytes, str]:
    record = {"actor": "李村干", "at": f"2026-08-01T01:00:{seq % 60:02d}.000000Z", "chain": CHAIN, "election": "party",
              "kind": "step.recorded", "payload": payload, "prev_hash": prev, "role": "village_clerk", "seq": seq,
              "step_key": "P5.2", "village_code": f"V{seq % 500:04d}"}
    digest = hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
    record["hash"] = digest
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS) + b"\n", digest


def build_archive(path: Path, key_path: Path, *, events: int, big_event: bool = False, document_mb: int = 0,
                  forged_gb: int = 0) -> None:
    key = load_private_key(key_path)
    members, documents = {}, []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(EVENTS, "w", force_zip64=True) as raw:
            out, prev = _Hashing(raw), GENESIS
            if forged_gb:
                block = b"0" * (1 << 20)
                for _ in range(forged_gb * 1024):
                    out.write(block)
                out.write(b"\n")
            for seq in range(1, events + 1):
                payload = {"facts": {"date": "2026-08-05", "应到会": 35, "实到会": 30 + seq % 5,
                                     "候选人": ["张三", "李四", "王五"]}, "failures": [], "attempt": 1}
                if big_event and seq == events // 2:
                    payload["facts"]["附件"] = "录" * ((MAX_LINE - 2048) // 3)  # 3 bytes a character in UTF-8
                line, prev = _event(seq, prev, payload)
                out.write(line)
        members[EVENTS] = {"sha256": out.sha.hexdigest(), "bytes": out.size}
        zf.writestr(zipfile.ZipInfo(DOCUMENTS), b"")
        if document_mb:
            name = DOCUMENTS + "D27-归档目录.pdf"
            with zf.open(name, "w", force_zip64=True) as raw:
                out = _Hashing(raw)
                block = bytes(range(256)) * 4096
                for _ in range(document_mb):
                    out.write(block)
            members[name] = {"sha256": out.sha.hexdigest(), "bytes": out.size}
            documents.append({"path": name, **members[name]})
        manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                    "scope": {"kind": "campaign", "campaign": CHAIN, "village": None},
                    "chains": {CHAIN: {"head_seq": events, "head_hash": prev, "events": events, "complete": True,
                                       "intact": True, "broken": None}},
                    "members": members, "documents": documents, "signing_key": fingerprint(key.public_key())}
        body = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        zf.writestr(MANIFEST, body)
        zf.writestr(SIGNATURE, base64.b64encode(key.sign(body)) + b"\n")


CHILD = """
import json, resource, sys, time
from pathlib import Path
from huanjie.audit.export_check import verify_export
t = time.perf_counter()
check = verify_export(Path(sys.argv[1]), Path(sys.argv[2]))
print(json.dumps({"ok": check.ok, "problems": check.problems[:3], "events": check.events,
                  "seconds": time.perf_counter() - t,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(archive: Path, public: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(archive), str(public)], capture_output=True, text=True,
                          timeout=3600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify-export")
    private, public = generate_keypair(folder / "keys")
    built = {}
    for name, kwargs in (("baseline", {"events": 100}),
                         ("largest", {"events": EVENTS_LARGE, "big_event": True, "document_mb": DOCUMENT_MB}),
                         ("forged", {"events": 10, "forged_gb": FORGED_GB})):
        built[name] = folder / f"{name}.zip"
        build_archive(built[name], private, **kwargs)
    return built, public


def test_verify_export_peak_memory(benchmark, archives):
    built, public = archives
    baseline = measure(built["baseline"], public)
    largest = benchmark.pedantic(measure, args=(built["largest"], public), rounds=1, iterations=1)
    forged = measure(built["forged"], public)
    for name, r in (("baseline (100 events)", baseline),
                    (f"largest accepted ({EVENTS_LARGE:,} events, one of 16 MB, {DOCUMENT_MB} MB document)", largest),
                    (f"forged {FORGED_GB} GB one-line member", forged)):
        print(f"\nverify-export {name}: peak {r['peak_mb']:.0f} MB, {r['seconds']:.1f} s, ok={r['ok']}")
    benchmark.extra_info.update({"baseline_peak_mb": baseline["peak_mb"], "largest_peak_mb": largest["peak_mb"],
                                 "forged_peak_mb": forged["peak_mb"]})
    assert baseline["ok"] and largest["ok"] and largest["events"] == EVENTS_LARGE, largest
    assert not forged["ok"] and any("超过" in p for p in forged["problems"]), forged
    assert largest["peak_mb"] <= LIMIT_MB and forged["peak_mb"] <= LIMIT_MB
