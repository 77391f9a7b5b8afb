"""The small markup every document template renders to, and its parsed form.

A template (templates/Dnn.xml.j2) is Jinja2 with autoescaping on, so a fact can never add
markup: ``<script>`` in a name arrives here as text. The parsed :class:`Page` feeds both the
.docx writer and the HTML writer, so the two always say the same thing.

Tags: <masthead issuer number signer/> (版头; ``signer`` = 签发人 of an upward document),
<title>, <number>, <to>, <p align indent size after>, <h1>, <h2>, <sign>, <date>, <remark> (附注),
<colophon copy printer printed/> (版记), <note>, <blank/>, <pagebreak/>, <section kind/>,
<table widths fixed borderless heavy small cut keep> with <tr repeat height> and
<td span align head caption size>; <br/> breaks a line (in a cell: a paragraph).

The closing block (署名, 成文日期, 附注) is kept on one page with the last lines before it
(GB/T 9704-2012 7.3.5: no page holds only the signature or the date).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from huanjie.documents.identity import mask_id

_SPACE = re.compile(r"\s*\n\s*")
MASTHEAD_SPACE_TWIPS = round((35 - 6.4) * 56.6929)
KINDS = ("official", "notice", "form", "ballot", "card", "certificate")


@dataclass
class Para:
    text: str
    style: str | None = None  # title | masthead | h1 | h2 | cell | small | remark | cert_* | None (body)
    align: str | None = None  # center | right | None (justified)
    bold: bool = False
    indent_chars: int = 0
    left_chars: int = 0
    right_chars: float = 0
    keep_next: bool = False
    page_break_before: bool = False
    rule: bool = False  # the red separator line under a masthead
    signer: str | None = None  # 签发人 on the 发文字号 line of an upward document
    closing: bool = False      # part of the closing block (署名, 成文日期, 附注)
    space_before_twips: int = 0
    space_after_twips: int = 0
    size_half_points: int = 0  # 0: the style's


@dataclass
class Cell:
    paras: list[Para]
    span: int = 1
    align: str | None = None
    head: bool = False
    vmerge: str | None = None  # restart | continue: one cell over several rows (a ballot's 职务)

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
    fixed: bool = False       # widths as the template gives them (ballots, cards); else from content
    borderless: bool = False
    heavy: bool = False
    small: bool = False
    cut: bool = False         # cards: dashed cut lines between cells
    keep_together: bool = False  # never split across pages (a per-person form)


@dataclass
class Colophon:
    """版记 (GB/T 9704-2012 7.4): 抄送, 印发机关 and 印发日期 between separator lines."""

    copy_to: str
    printer: str
    printed: str


@dataclass
class Section:
    """Starts a new section of another kind (e.g. the cards after a notice)."""

    kind: str


Block = Para | Table | Colophon | Section


@dataclass
class Page:
    title: str
    day: dt.date
    public: bool
    kind: str = "notice"
    blocks: list[Block] = field(default_factory=list)

    def texts(self) -> list[str]:
        out = []
        for b in self.blocks:
            if isinstance(b, Table):
                out.extend(c.text for r in b.rows for c in r.cells)
            elif isinstance(b, Para):
                out.append(b.text)
            elif isinstance(b, Colophon):
                out.extend((b.copy_to, b.printer, b.printed))
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


def text_em(text: str, narrow: float = 0.5) -> float:
    """Width of ``text`` in em: CJK and full-width characters 1, others (digits, Latin) ``narrow``."""
    return sum(1.0 if ord(c) > 0x2E7F else narrow for c in text)


class _Parser:
    def __init__(self, public: bool, kind: str) -> None:
        self.public, self.kind = public, kind
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

    def sealed(self) -> bool:
        return self.kind in ("official", "notice", "form", "certificate")

    def element(self, el: ET.Element) -> None:
        tag, a = el.tag, el.attrib
        if tag == "masthead":
            issuer = mask_id(a["issuer"]) if self.public else a["issuer"]
            # its top edge 35 mm below the 版心's top edge (GB/T 9704-2012 7.2.2): the line's own
            # room above the glyphs (measured in LibreOffice's PDF, tests/documents/test_visual.py) is taken off
            self.add(Para(issuer, style="masthead", space_before_twips=int(a.get("space", MASTHEAD_SPACE_TWIPS))))
            signer = a.get("signer") or None
            number = a.get("number", "")
            if signer:  # 上行文: 发文字号 left, 签发人 right, each one character in (7.2.6)
                self.add(Para(number, signer=signer, left_chars=1, right_chars=1, rule=True,
                              space_before_twips=579))
            else:
                self.add(Para(number, align="center", rule=True, space_before_twips=579))
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
            self.add(Para(self.text(el), align=a.get("align"), indent_chars=indent, bold=a.get("bold") == "1",
                          style="small" if a.get("size") == "small" else None,
                          space_after_twips=int(a.get("after", "0"))))
        elif tag in ("h1", "h2"):
            self.add(Para(self.text(el), style=tag, indent_chars=2, keep_next=True))
        elif tag == "sign":
            self.closing_gap()
            self.add(Para(self.text(el), align="right", right_chars=float(a.get("right", "4")), closing=True,
                          style=self.closing_style()))
        elif tag == "date":
            if not self.blocks or not (isinstance(self.blocks[-1], Para) and self.blocks[-1].closing):
                self.closing_gap()
            self.add(Para(self.text(el), align="right", right_chars=float(a.get("right", "4")), closing=True,
                          style=self.closing_style()))
            self.centre_signature()
        elif tag == "remark":  # 附注: 居左空二字加圆括号, the line below 成文日期 (7.3.7)
            self.add(Para(f"（{self.text(el)}）", indent_chars=2, closing=True))
        elif tag == "colophon":
            self.add(Colophon(a.get("copy", ""), a.get("printer", ""), a.get("printed", "")))
        elif tag == "certtitle":
            self.add(Para(self.text(el), style="cert_title", space_before_twips=int(a.get("space", "200"))))
            self.add(Para(""))
        elif tag == "cert":
            self.add(Para(self.text(el), style="cert", indent_chars=int(a.get("indent", "0"))))
        elif tag == "blank":
            self.add(Para(""))
        elif tag == "pagebreak":
            self.break_next = True
        elif tag == "section":
            self.blocks.append(Section(a["kind"]))
        elif tag == "table":
            self.add(self.table(el))
        else:
            raise ValueError(f"unknown tag <{tag}> in a document template")

    def closing_style(self) -> str | None:
        return {"certificate": "cert", "ballot": "small"}.get(self.kind)

    def closing_gap(self) -> None:
        """Room for the seal: its top within one line of the text (7.3.5.1), the signature in its lower half."""
        while self.blocks and isinstance(self.blocks[-1], Para) and not self.blocks[-1].text \
                and not self.blocks[-1].page_break_before:
            self.blocks.pop()
        for _ in range(2 if self.sealed() else 1):
            self.add(Para(""))

    def centre_signature(self) -> None:
        """署名 centred over 成文日期, which stands four characters from the right (7.3.5.1)."""
        date = self.blocks[-1]
        sign = self.blocks[-2] if len(self.blocks) > 1 else None
        if not (isinstance(sign, Para) and sign.closing and not sign.text.startswith("（")):
            return
        gap = (text_em(date.text) - text_em(sign.text)) / 2
        sign.right_chars = max(0.0, date.right_chars + gap)

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
                                  head=td.get("head") == "1", vmerge=td.get("vmerge")))
            rows.append(Row(cells, repeat=tr.get("repeat") == "1", min_height_twips=int(tr.get("height", "0"))))
        widths = [int(w) for w in a["widths"].split()]
        for i, row in enumerate(rows):
            if sum(c.span for c in row.cells) != len(widths):
                raise ValueError(f"table row {i + 1} has {sum(c.span for c in row.cells)} columns, not {len(widths)}")
        return Table(widths, rows, fixed=a.get("fixed") == "1" or self.kind in ("ballot", "card"),
                     borderless=a.get("borderless") == "1", heavy=a.get("heavy") == "1", small=a.get("small") == "1",
                     cut=a.get("cut") == "1", keep_together=a.get("keep") == "1")


def parse_page(markup: str, *, title: str, day: dt.date, public: bool, kind: str = "notice") -> Page:
    root = ET.fromstring(markup)
    parser = _Parser(public, kind)
    for el in root:
        parser.element(el)
    blocks = parser.blocks
    while blocks and isinstance(blocks[-1], Para) and not blocks[-1].text:
        blocks.pop()
    return Page(title, day, public, kind, blocks)
