"""Rendering digests and reminders from the Jinja2 templates beside this module (Simplified Chinese)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from itertools import groupby
from pathlib import Path

import pendulum
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from huanjie.clock import TZ
from huanjie.reminders.digest import Digest, week_label

TEMPLATES = Path(__file__).with_name("templates")
WEEKDAYS = "一二三四五六日"
RISK_LABELS = {"green": "绿", "yellow": "黄", "red": "红"}
ELECTION_LABELS = {"party": "党组织", "vc": "村委会"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


@functools.lru_cache(maxsize=4096)
def _day(value: dt.date) -> str:
    return f"{value.isoformat()}（周{WEEKDAYS[value.weekday()]}）"


def _moment(value: dt.datetime) -> str:
    local = pendulum.instance(value).in_timezone(TZ)
    return f"{local.format('YYYY-MM-DD HH:mm')}（周{WEEKDAYS[local.weekday()]}）"


@functools.lru_cache(maxsize=65536)
def _md(value: str) -> str:
    """Data in markdown: special characters escaped, one line (CR, LF, U+2028… and control
    characters would break a quote block or a list item open; see huanjie.plain_text)."""
    from huanjie.plain_text import clean

    return _MD_SPECIAL.sub(r"\\\1", clean(value))


@functools.lru_cache(maxsize=65536)
def _label(first: str, second: str, pattern: str) -> Markup:
    return Markup(pattern).format(first, second)  # escapes both


def _village(item) -> Markup:
    """村名（代码）, escaped once per village: a county digest prints each village many times."""
    return _label(item.village_name, item.village, "{}（{}）")


def _step(item) -> Markup:
    return _label(item.step, item.step_name, "{} {}")


def _by_village(items):
    return [(key, list(group)) for key, group in
            groupby(items, key=lambda i: (i.township, i.village, i.village_name))]


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(day=_day, moment=_moment, md=_md, by_village=_by_village, village=_village, step=_step,
                       week_label=week_label, risk=lambda r: RISK_LABELS.get(r, r), election=lambda e: ELECTION_LABELS.get(e, e))
    return env


def render_html(digest: Digest) -> str:
    return environment().get_template("digest.html.j2").render(d=digest)


def render_markdown(digest: Digest) -> str:
    return environment().get_template("digest.md.j2").render(d=digest)


def render_brief(digest: Digest, limit: int) -> str:
    return environment().get_template("digest_brief.md.j2").render(d=digest, limit=limit)


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import: only when a PDF is wanted

    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()


def render_reminder(**context) -> str:
    return environment().get_template("reminder.md.j2").render(**context)


def sha256(content: str | bytes) -> str:
    return hashlib.sha256(content.encode() if isinstance(content, str) else content).hexdigest()
