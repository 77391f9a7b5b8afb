"""Rendering one document: facts → checked context → Jinja2 markup → .docx / HTML / PDF.

``prepare`` runs the document's builder over a :class:`Source` and raises InvalidInput
listing every missing fact; ``render`` turns a prepared document and its 文号 into bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

import xml.etree.ElementTree as ET

import jinja2

from huanjie.documents.builders import BUILDERS
from huanjie.documents.chinese_dates import chinese_count, chinese_date, numeric_date
from huanjie.documents.county import NO_TEMPLATES, CountyTemplates
from huanjie.documents.dates import date_problems
from huanjie.documents.docx_writer import write_docx
from huanjie.documents.markup import Page, parse_page
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.source import Source
from huanjie.errors import InvalidInput, Problem

TEMPLATES = Path(__file__).parent / "templates"
FORMATS = ("docx", "html", "pdf")


@dataclass(frozen=True)
class Prepared:
    """A document whose facts are complete, ready to be numbered and rendered."""

    code: str
    step: str
    title: str
    day: dt.date
    public: bool
    issuer: object | None  # huanjie.documents.numbering.Issuer, for numbered documents
    context: dict
    templates: str | None = None  # the county's templates folder, None: the defaults


def prepare(code: str, src: Source, templates: CountyTemplates = NO_TEMPLATES) -> Prepared:
    """Check the facts and the dates of document ``code``; InvalidInput lists every problem."""
    spec, build = DOCUMENTS[code], BUILDERS[code]
    context = build.fn(src)
    body = context.pop("issuer_body", None) or build.issuer  # a builder may name another body
    issuer = src.issuer(body) if body else None
    day = context.pop("day", None) or src.day  # a document dated by the process, not by its step
    if not src.problems:
        src.problems.extend(date_problems(code, day, context, src))
    if src.problems:
        raise InvalidInput(f"{code}《{spec.title}》有 {len(src.problems)} 项事实缺失或有误，不能生成",
                           list(dict.fromkeys(src.problems)))
    title = context.pop("title", None) or spec.title
    context.update(v=src.village, day=day, step=src.step, anchors=src.anchors)
    return Prepared(code, src.step, title, day, spec.public, issuer, context,
                    str(templates.folder) if code in templates.overrides else None)


@functools.cache
def environment(county_folder: str | None = None) -> jinja2.Environment:
    """The templates: a county's folder first (county.py), then the defaults."""
    loader = jinja2.FileSystemLoader(str(TEMPLATES))
    if county_folder:
        loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(county_folder), loader])
    # the defaults are the program's own files; a county's may be replaced while it runs
    env = jinja2.Environment(loader=loader, autoescape=True, auto_reload=bool(county_folder),
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=False)
    env.filters.update(cn_date=chinese_date, num_date=numeric_date, cn=chinese_count,
                       names=lambda xs: "、".join(xs))
    return env


def page(doc: Prepared, number: str | None) -> Page:
    template = environment(doc.templates).get_template(f"{doc.code}.xml.j2")
    where = f"{doc.code}《{DOCUMENTS[doc.code].title}》的{'县级' if doc.templates else ''}模板"
    # 成文日期 in Arabic numerals, the year in full, no leading zeros (GB/T 9704-2012 7.3.5.1)
    try:
        markup = template.render(**doc.context, title=doc.title, number=number or "", issuer=doc.issuer,
                                 day_text=numeric_date(doc.day), day_cn=numeric_date(doc.day))
    except jinja2.TemplateError as exc:
        line = _template_line(exc, doc.code)
        raise InvalidInput(f"{where}无法生成", [Problem(f"{doc.code}.xml.j2 第 {line} 行：{exc}",
                                                     field=f"{doc.code}.xml.j2:{line}")]) from None
    try:
        return parse_page(markup, title=doc.title, day=doc.day, public=doc.public, kind=DOCUMENTS[doc.code].kind)
    except (ET.ParseError, ValueError, KeyError) as exc:
        raise InvalidInput(f"{where}生成的文书标记有误", [Problem(
            f"{doc.code}.xml.j2：{exc}（可用的标记见 huanjie/documents/markup.py）", field=f"{doc.code}.xml.j2")]) from None


def _template_line(exc: Exception, code: str) -> int:
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(f"{code}.xml.j2"):
            return frame.lineno
    return getattr(exc, "lineno", None) or 1


def render_html(p: Page) -> bytes:
    return environment().get_template("page.html.j2").render(page=p).encode("utf-8")


def render(doc: Prepared, number: str | None, fmt: str) -> bytes:
    p = page(doc, number)
    if fmt == "docx":
        return write_docx(p)
    if fmt == "html":
        return render_html(p)
    if fmt == "pdf":
        from huanjie.documents.pdf import docx_to_pdf

        return docx_to_pdf(write_docx(p))
    raise ValueError(fmt)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
