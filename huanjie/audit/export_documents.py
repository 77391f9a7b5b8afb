"""The rendered documents in an audit archive, and their check against the hash chain.

Every document the store holds for the archive's scope goes into ``documents/`` as issued
(.docx and HTML, the bytes whose SHA-256 the ``document.rendered`` event recorded). The
manifest lists each with its village, code, step, attempt and hash; ``verify-export`` checks
the bytes against the manifest (like every member) and, beyond that, that each document's hash
is the one its ``document.rendered`` event in the hash-chained events recorded: a document
cannot be swapped even by someone who could rewrite the manifest's hashes.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator

import orjson
from sqlmodel import select

from huanjie.store.document_models import RenderedDocument
from huanjie.store.models import Campaign, Village

FORMATS = ("docx", "html")


def stored_documents(session, campaign: Campaign, village_code: str | None) -> Iterator[tuple[str, bytes, dict]]:
    """(file name, bytes, manifest fields) of every document rendered in the scope, oldest first."""
    query = (select(RenderedDocument, Village.code).join(Village, Village.id == RenderedDocument.village_id)
             .where(RenderedDocument.campaign_id == campaign.id).order_by(RenderedDocument.id))
    if village_code:
        query = query.where(Village.code == village_code)
    for row, code in session.exec(query):
        for fmt in FORMATS:
            data = row.docx if fmt == "docx" else row.html
            name = f"{code}_{row.code}_{row.step_key}_{row.attempt}.{fmt}"
            yield name, data, {"village": code, "code": row.code, "step": row.step_key, "attempt": row.attempt,
                               "format": fmt, "number": row.number, "title": row.title}


MAX_LINE = 16 * 1024 * 1024  # as export_check: one event a line
CHUNK = 1024 * 1024


def rendered_hashes(zf: zipfile.ZipFile, events_name: str) -> set[tuple]:
    """(village, step, code, format, sha256) of every document.rendered event in the archive."""
    out = set()
    with zf.open(events_name) as f:
        while line := f.readline(MAX_LINE + 1):
            if b'"document.rendered"' not in line:
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # reported by the chain check
            payload = record.get("payload") if isinstance(record, dict) else None
            if not isinstance(payload, dict):
                continue
            for fmt in FORMATS:
                out.add((record.get("village_code"), record.get("step_key"), payload.get("code"), fmt,
                         payload.get(f"{fmt}_sha256")))
    return out


def _sha256(zf: zipfile.ZipFile, name: str) -> str:
    sha = hashlib.sha256()
    with zf.open(name) as f:
        while chunk := f.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def document_problems(zf: zipfile.ZipFile, manifest: dict, events_name: str) -> list[str]:
    """Each listed document whose bytes are not those its document.rendered event recorded."""
    listed = manifest.get("documents")
    if not isinstance(listed, list):
        return ["manifest.json 的 documents 应为列表"]
    listed = [d for d in listed if isinstance(d, dict) and d.get("code")]
    if not listed:
        return []
    recorded = rendered_hashes(zf, events_name)
    names = set(zf.namelist())
    problems = []
    for d in listed:
        path = d.get("path")
        if not isinstance(path, str) or path not in names:
            continue  # a missing member is reported by the member check
        digest = _sha256(zf, path)
        if (d.get("village"), d.get("step"), d.get("code"), d.get("format"), digest) not in recorded:
            problems.append(f"文书 {path}（{d.get('code')}，步骤 {d.get('step')}）的 SHA-256 {digest[:16]}… "
                            "与审计事件记录的生成哈希不符：文书被改动或不是系统生成的")
    return problems
