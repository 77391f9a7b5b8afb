"""The small markup every document template renders to, and its parsed form.

A template (templates/Dnn.xml.j2) is Jinja2 with autoescaping on, so a fact can never add
markup: ``<script>`` in a name arrives here as text. The parsed :class:`Page` feeds both the
.docx writer and the HTML writer, so the two always say the same thing.

Tags: <masthead issuer number/>, <title>, <number>, <to>, <p align indent>, <h1>, <h2>,
<sign>, <date>, <note>, <blank/>, <pagebreak/>, <table widths borderless heavy small> with
<tr repeat height> and <td span align head caption>; <br/> breaks a line (in a cell: a paragraph).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from huanjie.documents.identity import mask_id

_SPACE = re.compile(r"\s*\n\s*")


@dataclass
class Para:
    text: str
    style: str | None = None  # title | masthead | h1 | h2 | cell | small | None (body)
    align: str | None = None  # center | right | None (justified)
    bold: bool = False
    indent_chars: int = 0
    left_chars: int = 0
    right_chars: int = 0
    keep_next: bool = False
    page_break_before: bool = False
    rule: bool = False  # the red separator line under a masthead


@dataclass
class Cell:
    paras: list[Para]
    span: int = 1
    align: str | None = None
    head: bool = False

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras)


@dataclass
class Row:
    cells: list[Cell]
    repeat: bool = False  # repeated at the top of every page
    min_height_twips: int = 0


@dataclass
class Table:
    widths: list[int]
    rows: list[Row]
    borderless: bool = False
    heavy: bool = False
    small: bool = False


Block = Para | Table


@dataclass
class Page:
    title: str
    day: dt.date
    public: bool
    blocks: list[Block] = field(default_factory=list)

    def texts(self) -> list[str]:
        out = []
        for b in self.blocks:
            if isinstance(b, Table):
                out.extend(c.text for r in b.rows for c in r.cells)
            else:
                out.append(b.text)
        return out


def _clean(text: str | None) -> str:
    return _SPACE.sub("", text or "")


def _content(el: ET.Element) -> list[str]:
    """The element's text split at <br/>: one string per line."""
    lines = [_clean(el.text)]
    for child in el:
        if child.tag != "br":
            raise ValueError(f"<{el.tag}> may contain only text and <br/>, not <{child.tag}>")
        lines.append(_clean(child.tail))
    return lines


class _Parser:
    def __init__(self, public: bool) -> None:
        self.public = public
        self.blocks: list[Block] = []
        self.break_next = False

    def text(self, el: ET.Element) -> str:
        value = "\n".join(_content(el))
        return mask_id(value) if self.public else value

    def add(self, block: Block) -> None:
        if self.break_next and isinstance(block, Para):
            block.page_break_before, self.break_next = True, False
        elif self.break_next:
            self.blocks.append(Para("", page_break_before=True))
            self.break_next = False
        self.blocks.append(block)

    def element(self, el: ET.Element) -> None:
        tag, a = el.tag, el.attrib
        if tag == "masthead":
            issuer = mask_id(a["issuer"]) if self.public else a["issuer"]
            self.add(Para(issuer, style="masthead"))
            self.add(Para(a.get("number", ""), align="center", rule=True))
            self.add(Para(""))
        elif tag == "title":
            self.add(Para(self.text(el), style="title", keep_next=True))
            self.add(Para(""))
        elif tag == "number":
            self.add(Para(self.text(el), align="center"))
        elif tag == "to":
            self.add(Para(self.text(el)))
        elif tag in ("p", "note"):
            indent = int(a.get("indent", "2"))
            self.add(Para(self.text(el), align=a.get("align"), indent_chars=indent, bold=a.get("bold") == "1"))
        elif tag in ("h1", "h2"):
            self.add(Para(self.text(el), style=tag, indent_chars=2, keep_next=True))
        elif tag in ("sign", "date"):
            self.add(Para(self.text(el), align="right", right_chars=int(a.get("right", "4"))))
        elif tag == "blank":
            self.add(Para(""))
        elif tag == "pagebreak":
            self.break_next = True
        elif tag == "table":
            self.add(self.table(el))
        else:
            raise ValueError(f"unknown tag <{tag}> in a document template")

    def table(self, el: ET.Element) -> Table:
        a = el.attrib
        rows = []
        for tr in el:
            cells = []
            for td in tr:
                lines = [mask_id(t) if self.public else t for t in _content(td)]
                paras = [Para(t) for t in lines]
                if td.get("caption") == "1":  # the first line is the form's name: centred, bold
                    paras[0].align, paras[0].bold = "center", True
                cells.append(Cell(paras, span=int(td.get("span", "1")), align=td.get("align"),
                                  head=td.get("head") == "1"))
            rows.append(Row(cells, repeat=tr.get("repeat") == "1", min_height_twips=int(tr.get("height", "0"))))
        widths = [int(w) for w in a["widths"].split()]
        for i, row in enumerate(rows):
            if sum(c.span for c in row.cells) != len(widths):
                raise ValueError(f"table row {i + 1} has {sum(c.span for c in row.cells)} columns, not {len(widths)}")
        return Table(widths, rows, borderless=a.get("borderless") == "1", heavy=a.get("heavy") == "1",
                     small=a.get("small") == "1")


def parse_page(markup: str, *, title: str, day: dt.date, public: bool) -> Page:
    root = ET.fromstring(markup)
    parser = _Parser(public)
    for el in root:
        parser.element(el)
    return Page(title, day, public, parser.blocks)
