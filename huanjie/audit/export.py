"""Signed audit archives: one village's or one campaign's record, checkable offline.

The zip holds:

- ``events.jsonl``: one event a line, in (chain, seq) order (the canonical order), each line the event's canonical
  encoding with its ``hash`` added, so a line re-encoded without ``hash`` hashes to ``hash``;
- ``links.jsonl`` (village archives only): ``{chain, seq, prev_hash, hash}`` of every other
  event of the chain, so the links from the first event to the head can be followed without
  showing other villages' content;
- ``documents/``: the rendered documents the store holds for the scope (.docx and HTML as issued),
  each listed in the manifest with its village, code, step and hash (audit/export_documents.py);
- ``manifest.json``: SHA-256 and size of every member, chain heads, versions, scope;
- ``signature``: Ed25519 over the exact bytes of ``manifest.json`` (base64), when a key is given.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path
from typing import IO

import orjson
from sqlmodel import select

from huanjie.audit.access import audit_session, require_campaign
from huanjie.audit.export_documents import stored_documents
from huanjie.audit.history import instant
from huanjie.audit.keys import fingerprint, load_private_key
from huanjie.audit.rows import chain_head, event_batches
from huanjie.audit.verify import ChainReport, head_break, walk
from huanjie.errors import InvalidInput, Problem
from huanjie.files import atomic_output
from huanjie.service.campaigns import get_campaign
from huanjie.service.context import Context
from huanjie.service.villages import find_village
from huanjie.store.events import SYSTEM_CHAIN
from huanjie.store.models import Campaign, Case, Village

FORMAT = "huanjie-audit-export"
FORMAT_VERSION = 1
EVENTS, LINKS, MANIFEST, SIGNATURE, DOCUMENTS = "events.jsonl", "links.jsonl", "manifest.json", "signature", "documents/"
VERSION_FIELDS = ("catalogue_version", "profile_version", "calendar_version")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    events: int
    links: int
    signed: bool
    manifest: dict


def event_line(chain: str, row: tuple) -> bytes:
    _, seq, kind, actor, role, at, village, election, step, payload, prev_hash, digest = row
    return orjson.dumps({"actor": actor, "at": at, "chain": chain, "election": election, "kind": kind,
                         "payload": orjson.loads(payload), "prev_hash": prev_hash, "role": role, "seq": seq,
                         "step_key": step, "village_code": village, "hash": digest},
                        option=orjson.OPT_SORT_KEYS) + b"\n"


def export_archive(ctx: Context, *, output: Path, village_code: str | None = None, campaign_code: str | None = None,
                   key_path: Path | None = None, actor_name: str | None = None,
                   documents: Iterable[tuple] | None = None) -> ExportResult:
    """Write the archive of one village (with ``campaign_code`` only to tell villages apart) or campaign."""
    if village_code is None and campaign_code is None:
        raise InvalidInput("请指定导出范围", [Problem("--village 或 --campaign 二者选其一", field="scope")])
    key = load_private_key(key_path) if key_path else None
    with audit_session(ctx, actor_name) as (session, actor):
        if village_code:
            campaign, _village = find_village(session, village_code, campaign_code)
        else:
            campaign = get_campaign(session, campaign_code)
        require_campaign(actor, campaign)
        if documents is None:  # the documents the store holds for the scope
            documents = stored_documents(session, campaign, village_code)
        # written beside the output and renamed when complete: a killed export leaves nothing there
        with atomic_output(output) as file:
            result = _write(session, file, campaign, village_code, key, documents, {
                "exported_at": instant(ctx.clock.now()), "exported_by": {"name": actor.name, "role": actor.role}})
        return replace(result, path=output)


def _write(session, output: IO[bytes], campaign: Campaign, village_code: str | None, key, documents, provenance: dict):
    stamp = dt.datetime.fromisoformat(provenance["exported_at"]).timetuple()[:6]
    members, chains, listed = {}, {}, []
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        events = _Member(zf.open(_info(EVENTS, stamp), "w", force_zip64=True))
        # a zip takes one writer at a time: the links wait in a temporary file
        links = _Member(tempfile.TemporaryFile()) if village_code else None
        for chain in sorted((campaign.code, SYSTEM_CHAIN)):  # canonical order: (chain, seq)
            chains[chain] = _export_chain(session, chain, village_code if chain != SYSTEM_CHAIN else None,
                                          events, links)
        members[EVENTS] = events.close()
        if links:
            links.file.seek(0)
            with zf.open(_info(LINKS, stamp), "w", force_zip64=True) as out:
                shutil.copyfileobj(links.file, out)
            members[LINKS] = links.close()
        zf.writestr(zipfile.ZipInfo(DOCUMENTS, stamp), b"")
        for name, data, *meta in documents:
            if "/" in name or "\\" in name or name.startswith("."):
                raise InvalidInput(f"文书文件名“{name}”不合规", [Problem("文书以单层文件名放入 documents/", field="documents")])
            path = DOCUMENTS + name
            zf.writestr(_info(path, stamp), data)
            members[path] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            listed.append({"path": path, **members[path], **(meta[0] if meta else {})})
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "scope": {"kind": "village" if village_code else "campaign", "campaign": campaign.code,
                      "village": village_code},
            **provenance,
            "versions": _versions(session, campaign, village_code),
            "chains": chains, "members": members, "documents": listed,
            "signing_key": fingerprint(key.public_key()) if key else None,
        }
        body = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
        zf.writestr(_info(MANIFEST, stamp), body)
        if key:
            zf.writestr(zipfile.ZipInfo(SIGNATURE, stamp), base64.b64encode(key.sign(body)) + b"\n")
    return ExportResult(output, events.lines, links.lines if links else 0, key is not None, manifest)


def _info(name: str, stamp: tuple) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, stamp)
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


class _Member:
    """A member written line by line, hashed as it goes (a campaign can hold millions of events)."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self._sha, self.size, self.lines = hashlib.sha256(), 0, 0

    def write(self, line: bytes) -> None:
        self.file.write(line)
        self._sha.update(line)
        self.size += len(line)
        self.lines += 1

    def close(self) -> dict:
        self.file.close()
        return {"sha256": self._sha.hexdigest(), "bytes": self.size}


def _export_chain(session, chain: str, village_code: str | None, events: _Member, links: _Member | None) -> dict:
    """Write the chain's rows (a village's own and campaign-wide ones, or all) and verify it on the way."""
    written = 0

    def rows():
        nonlocal written
        for batch in event_batches(session, chain):
            for row in batch:
                if village_code is None or row[6] in (None, village_code):
                    events.write(event_line(chain, row))
                    written += 1
                else:
                    links.write(orjson.dumps({"chain": chain, "hash": row[11], "prev_hash": row[10], "seq": row[1]},
                                             option=orjson.OPT_SORT_KEYS) + b"\n")
            yield batch

    batches = rows()
    report: ChainReport = walk(chain, batches)
    for _ in batches:  # a break stops the walk, not the archive: it holds the record as stored
        pass
    broken = report.broken or head_break(chain, report, chain_head(session, chain))
    return {"head_seq": report.head_seq, "head_hash": report.head_hash, "events": written,
            "complete": village_code is None, "intact": broken is None,
            "broken": broken.message if broken else None}


def _versions(session, campaign: Campaign, village_code: str | None) -> dict:
    query = select(Case.catalogue_version, Case.profile_version, Case.calendar_version).where(
        Case.campaign_id == campaign.id)
    if village_code:
        query = query.join(Village, Village.id == Case.village_id).where(Village.code == village_code)
    cases: dict[tuple, int] = {}
    for row in session.exec(query):
        cases[tuple(row)] = cases.get(tuple(row), 0) + 1
    return {"huanjie": version("huanjie"), "profile_code": campaign.profile_code,
            "campaign": {k: getattr(campaign, k) for k in VERSION_FIELDS},
            "cases": [{**dict(zip(VERSION_FIELDS, k)), "count": n} for k, n in sorted(cases.items())]}
