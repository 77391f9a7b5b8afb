"""Documents for people: one document in a format, or every document of a village in a zip.

.docx and HTML are the stored bytes of the document as issued (the hashes in the audit
events); a PDF is converted from the stored .docx on demand. A document of a step done
before documents existed is produced now, numbered and recorded like any other.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from huanjie.documents.produce import produce_documents
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import FORMATS, sha256
from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.service.context import Context
from huanjie.service.villages import find_village
from huanjie.steps.state import load_case
from huanjie.store.db import reading, transaction
from huanjie.store.document_models import RenderedDocument
from huanjie.store.models import Case, StepState

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class DocumentFile:
    code: str
    step: str
    title: str
    number: str | None
    fmt: str
    data: bytes
    warnings: list[str] = field(default_factory=list)  # characters the PDF's faces cannot draw

    @property
    def sha256(self) -> str:
        return sha256(self.data)

    @property
    def filename(self) -> str:
        return f"{self.code}_{self.step}_{self.title}.{self.fmt}"


def _latest(session: Session, village_id: int) -> dict[tuple[str, str], RenderedDocument]:
    rows = session.exec(select(RenderedDocument).where(RenderedDocument.village_id == village_id)
                        .order_by(RenderedDocument.id)).all()
    return {(r.code, r.step_key): r for r in rows}  # the newest attempt wins


def _produce_missing(ctx: Context, village_code: str, campaign_code: str | None, code: str, step: str) -> None:
    """Produce a document of a step completed before documents were rendered (or that failed)."""
    with transaction(ctx.engine) as session:
        _, village = find_village(session, village_code, campaign_code)
        row = session.exec(select(StepState, Case).join(Case, Case.id == StepState.case_id).where(
            Case.village_id == village.id, StepState.step_key == step)).first()
        if row is None or row[0].status != "done":
            raise InvalidInput(f"{code}《{DOCUMENTS[code].title}》由步骤 {step} 产生，该步骤尚未完成",
                               [Problem("请先完成该步骤", field="step")])
        state, case = row
        view = load_case(session, case.id, lock=True)
        drafts: list = []
        produce_documents(session, view, view.steps[step], ctx.clock.now(), drafts)
        view.write(session, drafts)
    for d in drafts:
        if d.kind in ("document.incomplete", "document.failed"):
            problems = [Problem(m["message"], field=m["field"]) for m in d.payload.get("missing", [])]
            raise InvalidInput(d.payload.get("message") or f"{code} 生成失败：{d.payload.get('error')}", problems)


def _document_spec(code: str, fmt: str):
    """The document's code (upper case) and spec, refusing an unknown document or format."""
    code = code.upper()
    if code not in DOCUMENTS:
        raise InvalidInput(f"没有文书 {code}", [Problem("文书编号为 D01–D27", field="doc")])
    if fmt not in FORMATS:
        raise InvalidInput(f"不支持的格式 {fmt}", [Problem("格式为 docx、pdf 或 html", field="format")])
    return code, DOCUMENTS[code]


def render_document(ctx: Context, *, village_code: str, code: str, fmt: str, step: str | None = None,
                    campaign_code: str | None = None) -> DocumentFile:
    code, spec = _document_spec(code, fmt)
    if step is None:
        if len(spec.steps) > 1:
            with reading(ctx.engine) as session:
                _, village = find_village(session, village_code, campaign_code)
                made = [s for (c, s) in _latest(session, village.id) if c == code]
            if len(made) != 1:
                raise InvalidInput(f"{code} 由多个步骤产生（{'、'.join(spec.steps)}），请用 --step 指定",
                                   [Problem(f"已生成：{'、'.join(made) or '无'}", field="step")])
            step = made[0]
        else:
            step = spec.steps[0]
    if step not in spec.steps:
        raise InvalidInput(f"{code} 不由步骤 {step} 产生", [Problem(f"应为 {'、'.join(spec.steps)}", field="step")])
    with reading(ctx.engine) as session:
        _, village = find_village(session, village_code, campaign_code)
        row = _latest(session, village.id).get((code, step))
    if row is None:
        _produce_missing(ctx, village_code, campaign_code, code, step)
        with reading(ctx.engine) as session:
            row = _latest(session, village.id)[(code, step)]
    return _file(row, fmt)


def _file(row: RenderedDocument, fmt: str) -> DocumentFile:
    return _as_format(row.code, row.step_key, row.title, row.number, fmt, row.docx, row.html)


def _as_format(code, step, title, number, fmt, docx: bytes, html: bytes) -> DocumentFile:
    if fmt == "pdf":
        from huanjie.documents.fonts import coverage_warnings
        from huanjie.documents.pdf import default_fonts_dir, docx_to_pdf

        fonts = default_fonts_dir()
        return DocumentFile(code, step, title, number, fmt, docx_to_pdf(docx, fonts_dir=fonts),
                            coverage_warnings(docx, fonts))
    return DocumentFile(code, step, title, number, fmt, docx if fmt == "docx" else html)


def preview_document(ctx: Context, *, village_code: str, code: str, fmt: str, step: str | None = None,
                     campaign_code: str | None = None) -> DocumentFile:
    """The document as the campaign's templates render it now from the recorded facts, without
    storing it or using a 文号 (a county checks its own templates with this before a step completes)."""
    from huanjie.documents.county import load_county_templates
    from huanjie.documents.produce import source_for
    from huanjie.documents.render import page, prepare, render_html
    from huanjie.documents.docx_writer import write_docx
    from huanjie.steps.state import case_id_for

    code, spec = _document_spec(code, fmt)
    step = step or spec.steps[0]
    if step not in spec.steps:
        raise InvalidInput(f"{code} 不由步骤 {step} 产生", [Problem(f"应为 {'、'.join(spec.steps)}", field="step")])
    with reading(ctx.engine) as session:
        campaign, village = find_village(session, village_code, campaign_code)
        case_id = case_id_for(session, village, "party" if step.startswith("P") else "vc")
        if case_id is None:
            raise NotFound(f"村 {village_code} 尚未启动该项选举", [Problem("请先启动流程", field="village")])
        view = load_case(session, case_id)
        state = view.steps.get(step)
        day = state.done_on if state is not None and state.done_on else ctx.clock.now().date()
        templates = load_county_templates(campaign.code)
        number = _latest(session, village.id).get((code, step))
        doc = prepare(code, source_for(session, view, step, day), templates)
    p = page(doc, number.number if number and number.number else ("（预览：文号在生成时编定）" if doc.issuer else None))
    return _as_format(code, step, doc.title, None, fmt, write_docx(p), render_html(p))


def export_templates(target: Path) -> list[Path]:
    """The 27 default templates and an organs.toml example, for a county to copy and edit."""
    from huanjie.documents.county import export_defaults

    if target.exists() and not target.is_dir():
        raise InvalidInput(f"{target} 不是目录", [Problem("请给出一个目录", field="dir")])
    return export_defaults(target)


def check_templates(ctx: Context, *, campaign_code: str) -> dict:
    """Where the campaign's templates live and what they override; InvalidInput lists every problem."""
    from huanjie.documents.county import folder_for, load_county_templates
    from huanjie.service.campaigns import get_campaign

    with reading(ctx.engine) as session:
        campaign = get_campaign(session, campaign_code)
    templates = load_county_templates(campaign.code)
    return {"campaign": campaign.code, "folder": str(folder_for(campaign.code)),
            "exists": templates.folder is not None, "overrides": list(templates.overrides),
            "organs": sorted(templates.organs.tables)}


def bundle(ctx: Context, *, village_code: str, campaign_code: str | None = None, pdf: bool = True) -> bytes:
    """A zip of every document produced so far (.docx, .html and, by default, .pdf) with manifest.json."""
    with reading(ctx.engine) as session:
        campaign, village = find_village(session, village_code, campaign_code)
        rows = sorted(_latest(session, village.id).values(), key=lambda r: (r.code, r.step_key))
    if not rows:
        raise NotFound(f"村 {village_code} 尚未生成任何文书", [Problem("文书在步骤完成时生成", field="village")])
    files = [DocumentFile(r.code, r.step_key, r.title, r.number, fmt, r.docx if fmt == "docx" else r.html)
             for r in rows for fmt in ("docx", "html")]
    if pdf:
        from huanjie.documents.pdf import docx_many_to_pdf

        files += [DocumentFile(r.code, r.step_key, r.title, r.number, "pdf", data)
                  for r, data in zip(rows, docx_many_to_pdf([r.docx for r in rows]))]
    manifest = {"campaign": campaign.code, "village": village.code, "village_name": village.name, "documents": [
        {"code": r.code, "step": r.step_key, "title": r.title, "number": r.number,
         "issued_on": r.issued_on.isoformat(), "docx_sha256": r.docx_sha256, "html_sha256": r.html_sha256,
         "files": {f.fmt: {"name": f.filename, "sha256": f.sha256} for f in files
                   if (f.code, f.step) == (r.code, r.step_key)}} for r in rows]}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(files, key=lambda f: f.filename):
            z.writestr(zipfile.ZipInfo(f.filename, date_time=ZIP_TIME), f.data, zipfile.ZIP_DEFLATED)
        z.writestr(zipfile.ZipInfo("manifest.json", date_time=ZIP_TIME),
                   json.dumps(manifest, ensure_ascii=False, indent=2), zipfile.ZIP_DEFLATED)
    return out.getvalue()
