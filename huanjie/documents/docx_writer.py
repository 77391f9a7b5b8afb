"""A document (huanjie.documents.markup) as a .docx, laid out for its kind.

python-docx builds the base package once (styles with the official font names, "— N —" page
numbers right on odd pages and left on even ones, an empty footer); each document then only
writes its own ``word/document.xml`` and core properties into a copy of that package, zipped
with fixed timestamps, so the same content always gives the same bytes.

Page set-up per kind (:data:`SETUPS`): 公文, 公告 and 表格 in the GB/T 9704-2012 版心 (A4,
margins 37/35/28/26 mm, 22 lines × 28 characters of 三号), a table too wide for it turns
the page to landscape; 选票 and 证件 on sheets without page numbers; 证书 landscape inside
a red double border. Column widths come from the cells' content, header rows repeat on
every page, rows never split, and the closing block stays with the lines before it.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from huanjie.documents.markup import Block, Cell, Colophon, Page, Para, Section, Table, text_em

FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
LINE_TWIPS = 579            # 225 mm of type area / 22 lines
TEXT_WIDTH_TWIPS = 8844     # 156 mm
CHAR_TWIPS = 320            # one 三号 (16 pt) character
MM = 56.6929                # twips per millimetre
CELL_MARGIN_TWIPS = 80


@dataclass(frozen=True)
class Setup:
    """A page set-up: size and margins in mm, page numbers or not, page border or not."""

    width_mm: int
    height_mm: int
    top: int
    bottom: int
    left: int
    right: int
    numbered: bool = True
    border: bool = False
    grid: bool = True  # the 22-line grid of the 版心; sheets (ballots, cards, certificates) have none

    @property
    def text_width_twips(self) -> int:
        return round((self.width_mm - self.left - self.right) * MM)

    @property
    def text_height_twips(self) -> int:
        return round((self.height_mm - self.top - self.bottom) * MM)

    def landscape(self) -> "Setup":
        # GB/T 9704-2012 10.2: a table turned sideways keeps the 版心's margins on its sides
        return Setup(self.height_mm, self.width_mm, self.left, self.right, self.top, self.bottom,
                     self.numbered, self.border, self.grid)


SETUPS = {
    "official": Setup(210, 297, 37, 35, 28, 26),
    "notice": Setup(210, 297, 37, 35, 28, 26),
    "form": Setup(210, 297, 37, 35, 28, 26),
    "ballot": Setup(210, 297, 20, 20, 22, 22, numbered=False, grid=False),
    "card": Setup(210, 297, 12, 12, 12, 12, numbered=False, grid=False),
    "certificate": Setup(297, 210, 30, 28, 35, 35, numbered=False, border=True, grid=False),
}
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:creator>huanjie</dc:creator><cp:lastModifiedBy>huanjie</cp:lastModifiedBy>"
    "<cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{day}T00:00:00Z</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{day}T00:00:00Z</dcterms:modified>'
    "</cp:coreProperties>"
)
# paragraph style id -> (east-Asian font, size in half-points, bold, centred)
STYLES = {
    "HjTitle": (XIAOBIAOSONG, 44, False, True),
    "HjMasthead": (XIAOBIAOSONG, 52, False, True),
    "HjH1": (HEITI, 32, False, False),
    "HjH2": (KAITI, 32, False, False),
    "HjCell": (FANGSONG, 28, False, False),
    "HjSmall": (FANGSONG, 24, False, False),
    "HjFooter": (SONGTI, 28, False, False),
    "HjColophon": (FANGSONG, 28, False, False),
    "HjCertTitle": (XIAOBIAOSONG, 96, False, True),
    "HjCert": (KAITI, 40, False, False),
}
EMPTY_FOOTER = ("<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
                '<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p/></w:ftr>')
EMPTY_FOOTER_ID = "rIdHjEmptyFooter"


def _fonts(element, east_asia: str) -> None:
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = parse_xml(f"<w:rFonts {nsdecls('w')}/>")
        rpr.insert(0, rfonts)
    for attr, value in (("w:ascii", "Times New Roman"), ("w:hAnsi", "Times New Roman"), ("w:eastAsia", east_asia)):
        rfonts.set(qn(attr), value)


def _page_number_footer(footer, align: str) -> None:
    indent = "w:right" if align == "right" else "w:left"
    footer.paragraphs[0]._p.getparent().replace(footer.paragraphs[0]._p, parse_xml(
        f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="HjFooter"/><w:jc w:val="{align}"/>'
        f'<w:ind {indent}="280"/></w:pPr>'
        '<w:r><w:t xml:space="preserve">— </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r>'
        '</w:fldSimple><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p>'))


@functools.cache
def base_package() -> tuple[dict[str, bytes], str, str]:
    """(parts of the base .docx, the document.xml head up to <w:body>, the section properties)."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Pt(14)  # page number 7 mm below the type area
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    _fonts(normal.element, FANGSONG)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    normal.element.get_or_add_pPr().append(parse_xml(
        f'<w:spacing {nsdecls("w")} w:line="{LINE_TWIPS}" w:lineRule="exact"/>'))
    normal.element.get_or_add_pPr().append(parse_xml(f'<w:jc {nsdecls("w")} w:val="both"/>'))
    for style_id, (font, half_points, bold, centred) in STYLES.items():
        style = doc.styles.add_style(style_id, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(half_points / 2)
        style.font.bold = bold
        _fonts(style.element, font)
        if style_id in ("HjCell", "HjSmall", "HjFooter", "HjColophon", "HjCertTitle", "HjCert"):
            # off the 22-line grid: a table row or a small line takes its own height, not a whole line
            style.element.get_or_add_pPr().append(parse_xml(f'<w:snapToGrid {nsdecls("w")} w:val="0"/>'))
            line = {"HjCert": 580, "HjCertTitle": 1000}.get(style_id, LINE_TWIPS * 3 // 4)
            style.element.get_or_add_pPr().append(parse_xml(
                f'<w:spacing {nsdecls("w")} w:line="{line}" w:lineRule="atLeast"/>'))
        if centred:  # after the spacing: Word reads pPr children in schema order
            style.element.get_or_add_pPr().append(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))
        if style_id in ("HjMasthead", "HjCertTitle"):
            style.font.color.rgb = None
            style.element.get_or_add_rPr().append(parse_xml(f'<w:color {nsdecls("w")} w:val="C00000"/>'))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, "right")
    _page_number_footer(section.even_page_footer, "left")
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del package.rels[rid]
    doc.core_properties.author = "huanjie"
    buffer = io.BytesIO()
    doc.save(buffer)
    with zipfile.ZipFile(buffer) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    head = xml[: xml.index("<w:body>")]
    sect = re.search(r"<w:sectPr.*</w:sectPr>", xml, re.S).group(0)
    # an empty footer part, for the sections without page numbers after one with them
    parts["word/footer_empty.xml"] = EMPTY_FOOTER.encode("utf-8")
    rels = parts["word/_rels/document.xml.rels"].decode("utf-8")
    parts["word/_rels/document.xml.rels"] = rels.replace("</Relationships>", (
        f'<Relationship Id="{EMPTY_FOOTER_ID}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/footer" Target="footer_empty.xml"/></Relationships>')).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    parts["[Content_Types].xml"] = types.replace("</Types>", (
        '<Override PartName="/word/footer_empty.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.footer+xml"/></Types>')).encode("utf-8")
    return parts, head, sect


def section_properties(setup: Setup, *, first: bool) -> str:
    """<w:sectPr> of a section laid out by ``setup`` (footers from the base package)."""
    _, _, base = base_package()
    footers = re.findall(r"<w:footerReference [^>]*/>", base)
    if not setup.numbered:
        footers = [] if first else [f'<w:footerReference w:type="{t}" r:id="{EMPTY_FOOTER_ID}"/>'
                                    for t in ("default", "even")]
    w, h = round(setup.width_mm * MM), round(setup.height_mm * MM)
    orient = ' w:orient="landscape"' if setup.width_mm > setup.height_mm else ""
    footer_at = round((setup.bottom - 7) * MM) - 280 if setup.numbered else 0  # "— N —" 7 mm below the 版心
    border = ""
    if setup.border:
        side = '<w:{} w:val="thinThickSmallGap" w:sz="24" w:space="24" w:color="C00000"/>'
        border = ('<w:pgBorders w:offsetFrom="page">' + "".join(side.format(s) for s in
                                                               ("top", "left", "bottom", "right")) + "</w:pgBorders>")
    return (f'<w:sectPr>{"".join(footers)}<w:pgSz w:w="{w}" w:h="{h}"{orient}/>'
            f'<w:pgMar w:top="{round(setup.top * MM)}" w:right="{round(setup.right * MM)}" '
            f'w:bottom="{round(setup.bottom * MM)}" w:left="{round(setup.left * MM)}" w:header="720" '
            f'w:footer="{max(footer_at, 400)}" w:gutter="0"/>{border}<w:cols w:space="720"/>'
            + (f'<w:docGrid w:type="lines" w:linePitch="{LINE_TWIPS}"/>' if setup.grid else
               '<w:docGrid w:linePitch="360"/>') + '</w:sectPr>')


# --- body ---------------------------------------------------------------------------------

def _runs(text: str, bold: bool = False, font: str | None = None, size: int = 0) -> str:
    props = ("<w:b/>" if bold else "") + (
        f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}"/>' if font else "") + (
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    pieces = []
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("<w:r><w:br/></w:r>")
        if line:
            pieces.append(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>')
    return "".join(pieces)


CHAR_UNITS = {"cell": 280, "small": 240, "colophon": 280, "cert": 400, "cert_title": 960}
STYLE_IDS = {"title": "HjTitle", "masthead": "HjMasthead", "h1": "HjH1", "h2": "HjH2", "cell": "HjCell",
             "small": "HjSmall", "colophon": "HjColophon", "cert_title": "HjCertTitle", "cert": "HjCert"}


def _para(p: Para, *, keep_next: bool = False, width_twips: int = TEXT_WIDTH_TWIPS) -> str:
    props = []
    style = STYLE_IDS.get(p.style)
    if style:
        props.append(f'<w:pStyle w:val="{style}"/>')
    if p.keep_next or keep_next:
        props.append("<w:keepNext/>")
    if p.page_break_before:
        props.append("<w:pageBreakBefore/>")
    if p.rule:
        props.append('<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="C00000"/></w:pBdr>')
    if p.signer is not None:  # 发文字号 left, 签发人 right-aligned at a tab (GB/T 9704-2012 7.2.6)
        props.append(f'<w:tabs><w:tab w:val="right" w:pos="{width_twips - CHAR_TWIPS * 2}"/></w:tabs>')
    if p.space_before_twips or p.space_after_twips:
        props.append("<w:spacing" + (f' w:before="{p.space_before_twips}"' if p.space_before_twips else "")
                     + (f' w:after="{p.space_after_twips}"' if p.space_after_twips else "") + "/>")
    jc = ""
    if p.style in ("title", "masthead", "cert_title") or p.align == "center":
        jc = '<w:jc w:val="center"/>'
    elif p.align == "right":
        jc = '<w:jc w:val="right"/>'
    elif p.signer is not None:
        jc = '<w:jc w:val="left"/>'
    ind = []
    unit = CHAR_UNITS.get(p.style, CHAR_TWIPS)  # one character of the paragraph's size
    # the *Chars attributes are Word's; the twips beside them are what LibreOffice reads
    if p.indent_chars:
        ind.append(f'w:firstLine="{p.indent_chars * unit}" w:firstLineChars="{p.indent_chars * 100}"')
    if p.left_chars:
        ind.append(f'w:left="{p.left_chars * unit}" w:leftChars="{p.left_chars * 100}"')
    if p.right_chars:
        ind.append(f'w:right="{round(p.right_chars * unit)}" w:rightChars="{round(p.right_chars * 100)}"')
    if ind:
        props.append(f"<w:ind {' '.join(ind)}/>")
    if jc:  # after <w:ind>: the schema's order
        props.append(jc)
    ppr = f"<w:pPr>{''.join(props)}</w:pPr>" if props else ""
    runs = _runs(p.text, p.bold, size=p.size_half_points)
    if p.signer is not None:
        runs += ("<w:r><w:tab/></w:r>" + _runs("签发人：") + _runs(p.signer, font=KAITI)) if p.signer else ""
    return f"<w:p>{ppr}{runs}</w:p>"


# --- tables: widths from content --------------------------------------------------------------

def _needs(t: Table, em_twips: int, long_min: float = 2.0) -> tuple[list[float], list[float]]:
    """(least, wanted) width of each column in twips: least keeps short items, numbers and dates
    on one line (an 18-digit ID, "出生年月", "序号") and gives running text ``long_min`` em;
    wanted holds every cell on one line."""
    n = len(t.widths)
    least, wanted = [0.0] * n, [0.0] * n
    pad = 2 * CELL_MARGIN_TWIPS + 120
    for row in t.rows:
        col = 0
        for cell in row.cells:
            if cell.span == 1:
                for line in cell.text.split("\n"):
                    em = text_em(line, narrow=0.6)  # a CJK face's digits run wider than half an em
                    runs = re.findall(r"[0-9A-Za-z*X.\-:]+", line)
                    unbreakable = em if em <= 6 or (len(line) <= 12 and any(ch.isdigit() for ch in line)) \
                        else max([text_em(r, narrow=0.6) for r in runs] + [long_min])
                    least[col] = max(least[col], unbreakable * em_twips + pad)
                    wanted[col] = max(wanted[col], em * em_twips + pad)
            col += cell.span
    return least, wanted


def column_widths(t: Table, available: int, em_twips: int, memo: dict | None = None) -> list[int] | None:
    """Widths filling ``available`` twips, or None when even the least widths do not fit.

    ``memo``: the widths already found for this page's tables (one page asks for a table's
    widths when choosing its section's orientation and again when writing it)."""
    if memo is not None:
        key = (id(t), available, em_twips)
        if key not in memo:
            memo[key] = column_widths(t, available, em_twips)
        return memo[key]
    if t.fixed:
        total = sum(t.widths)
        return [available * w // total for w in t.widths]
    least, wanted = _needs(t, em_twips, long_min=5.0)  # running text gets five characters a line…
    if sum(least) > available:
        least, wanted = _needs(t, em_twips)  # …unless the table cannot give them
    if sum(least) > available:
        return None
    if sum(wanted) <= available:  # everything on one line: share the rest by the template's weights
        extra = available - sum(wanted)
        total = sum(t.widths)
        widths = [w + extra * weight / total for w, weight in zip(wanted, t.widths)]
    else:  # short columns get what they need, the long ones share the rest by how much they hold
        widths = list(least)
        rest = available - sum(least)
        grow = [max(0.0, w - m) for w, m in zip(wanted, least)]
        total = sum(grow) or 1.0
        widths = [m + rest * g / total for m, g in zip(least, grow)]
    out = [int(w) for w in widths]
    out[-1] += available - sum(out)
    return out


def _cell(cell: Cell, width: int, size: str, keep_next: bool) -> str:
    span = f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
    if cell.vmerge:
        span += f'<w:vMerge w:val="{cell.vmerge}"/>' if cell.vmerge == "restart" else "<w:vMerge/>"
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>' if cell.head else ""
    paras = cell.paras or [Para("")]
    body = "".join(_para(Para(p.text, style=size, align=p.align or cell.align, bold=p.bold or cell.head),
                         keep_next=keep_next) for p in paras)
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{shade}<w:vAlign w:val="center"/>'
            f"</w:tcPr>{body}</w:tc>")


def _table(t: Table, widths: list[int], keep_with_next: bool) -> str:
    if t.cut:
        border = "".join(f'<w:{side} w:val="dashed" w:sz="6" w:space="0" w:color="808080"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    elif t.borderless:
        border = ""
    else:
        border = "".join(f'<w:{side} w:val="single" w:sz="{12 if t.heavy else 6}" w:space="0" w:color="000000"/>'
                         for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    header_rows = sum(1 for r in t.rows if r.repeat)
    last = len(t.rows) - 1
    for i, row in enumerate(t.rows):
        # keep-with-next inside a table keeps rows together: the header with the first two rows,
        # a whole small form, and the last two rows with the closing block after the table
        keep = t.keep_together and i < last or (row.repeat or i < header_rows + 1 and header_rows) \
            or (keep_with_next and i >= last - 1) or (len(t.rows) > 3 and i == last - 1)  # no row alone
        cells, col = [], 0
        for cell in row.cells:
            cells.append(_cell(cell, sum(widths[col:col + cell.span]), "small" if t.small else "cell", bool(keep)))
            col += cell.span
        height = f'<w:trHeight w:val="{row.min_height_twips}"/>' if row.min_height_twips else ""
        header = "<w:tblHeader/>" if row.repeat else ""
        rows.append(f"<w:tr><w:trPr><w:cantSplit/>{header}{height}</w:trPr>{''.join(cells)}</w:tr>")
    total = sum(widths)
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
            f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
            f'<w:tblCellMar><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/><w:right w:w="{CELL_MARGIN_TWIPS}" '
            f'w:type="dxa"/></w:tblCellMar></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


COLOPHON_ROW_TWIPS = 560
EMU = 635  # EMU per twip


def _colophon_table(c: Colophon, width: int) -> str:
    """版记: 抄送 above 印发机关 (left) and 印发日期 (right), between a thick first and last separator
    line and a thin one between them, each as wide as the 版心 (GB/T 9704-2012 7.4.1)."""
    thick = '<w:{} w:val="single" w:sz="8" w:space="0" w:color="000000"/>'
    thin = '<w:{} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
    half = width // 2

    def cell(text: str, w: int, span: int, borders: str, align: str, right: bool = False) -> str:
        ind = f'<w:ind w:{"right" if right else "left"}="{280}"/>'  # 左（右）空一字 (7.4.2, 7.4.3)
        spans = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
        return (f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{spans}<w:tcBorders>{borders}</w:tcBorders>'
                f'<w:vAlign w:val="center"/></w:tcPr>'
                f'<w:p><w:pPr><w:pStyle w:val="HjColophon"/>{ind}<w:jc w:val="{align}"/></w:pPr>'
                f"{_runs(text)}</w:p></w:tc>")

    row = f'<w:tr><w:trPr><w:cantSplit/><w:trHeight w:val="{COLOPHON_ROW_TWIPS}" w:hRule="exact"/></w:trPr>'
    rows = []
    if c.copy_to:
        rows.append(row + cell(f"抄送：{c.copy_to}", width, 2, thick.format("top") + thin.format("bottom"), "left")
                    + "</w:tr>")
    first_top = thin.format("top") if c.copy_to else thick.format("top")
    rows.append(row + cell(c.printer, half, 1, first_top + thick.format("bottom"), "left")
                + cell(c.printed, width - half, 1, first_top + thick.format("bottom"), "right", right=True)
                + "</w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{width}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
            '<w:tblCellMar><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/></w:tblCellMar>'
            f'</w:tblPr><w:tblGrid><w:gridCol w:w="{half}"/><w:gridCol w:w="{width - half}"/></w:tblGrid>'
            f'{"".join(rows)}</w:tbl>')


def colophon_height_twips(c: Colophon) -> int:
    return COLOPHON_ROW_TWIPS * (2 if c.copy_to else 1)


COLOPHON_GAP_TWIPS = 240


def _colophon(c: Colophon, setup: "Setup") -> str:
    """The 版记 as a text box anchored to the foot of the 版心, its last separator line on the
    版心's bottom edge (GB/T 9704-2012 7.4.1), held by the document's last paragraph. That paragraph
    is as high as the box (and a gap): it fits on a page only where the box has room below the
    closing block, and the closing block keeps with it, so both land on the last page together.
    Word and LibreOffice place an anchored text box by its alignment alike."""
    width = setup.text_width_twips
    height = colophon_height_twips(c)
    cx, cy = width * EMU, height * EMU
    # the box ends with a paragraph (a text box cannot end with a table): one twip high
    tail = ('<w:p><w:pPr><w:pStyle w:val="HjColophon"/><w:spacing w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')
    box = (
        '<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="2" '
        'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>'
        '<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/><wp:wrapNone/>'
        '<wp:docPr id="1" name="版记"/><wp:cNvGraphicFramePr/>'
        '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        '<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/>'
        '<a:ln><a:noFill/></a:ln></wps:spPr>'
        f'<wps:txbx><w:txbxContent>{_colophon_table(c, width)}{tail}</w:txbxContent></wps:txbx>'
        '<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="t" '
        'anchorCtr="0"><a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor>'
        '</w:drawing></w:r>')
    return (f'<w:p><w:pPr><w:pStyle w:val="HjColophon"/>'
            f'<w:spacing w:line="{height + COLOPHON_GAP_TWIPS}" w:lineRule="exact"/></w:pPr>{box}</w:p>')


def section_setups(page: Page, memo: dict | None = None) -> list[tuple[Setup, list[Block]]]:
    """The page's sections, each with its set-up (landscape when a table needs the width)."""
    sections: list[tuple[str, list[Block]]] = [(page.kind, [])]
    for b in page.blocks:
        if isinstance(b, Section):
            sections.append((b.kind, []))
        else:
            sections[-1][1].append(b)
    out = []
    for kind, blocks in sections:
        setup = SETUPS[kind]
        if kind in ("notice", "form"):
            for b in blocks:
                if isinstance(b, Table) and column_widths(b, setup.text_width_twips, _em(b), memo) is None:
                    setup = setup.landscape()
                    break
        out.append((setup, blocks))
    return out


def _em(t: Table) -> int:
    return 240 if t.small else 280


def _body(setup: Setup, blocks: list[Block], memo: dict | None = None) -> str:
    out = []
    width = setup.text_width_twips
    colophons = [b for b in blocks if isinstance(b, Colophon)]
    blocks = [b for b in blocks if not isinstance(b, Colophon)]
    closing_at = next((i for i, b in enumerate(blocks) if isinstance(b, Para) and b.closing), None)
    for i, b in enumerate(blocks):
        # the two paragraphs before the closing block (and the seal room) stay on its page
        keep = closing_at is not None and closing_at - 4 <= i < len(blocks) - (0 if colophons else 1)
        if isinstance(b, Table):
            widths = column_widths(b, width, _em(b), memo) or column_widths(
                Table(b.widths, b.rows, fixed=True), width, _em(b))
            out.append(_table(b, widths, keep))
            out.append(_para(Para(""), keep_next=keep) if keep else "<w:p/>")
        else:
            # the line introducing a table ("…如下：") stays with the table's first rows
            intro = i + 1 < len(blocks) and isinstance(blocks[i + 1], Table) and bool(b.text)
            out.append(_para(b, keep_next=keep or intro, width_twips=width))
    for c in colophons:
        out.append(_colophon(c, setup))
    return "".join(out)


def write_docx(page: Page) -> bytes:
    parts, head, _ = base_package()
    memo: dict = {}  # the page's tables live as long as it: their ids stand for them here
    sections = section_setups(page, memo)
    body = []
    for n, (setup, blocks) in enumerate(sections):
        xml = _body(setup, blocks, memo)
        props = section_properties(setup, first=n == 0)
        if n < len(sections) - 1:  # a section ends with a paragraph holding its properties
            xml += f"<w:p><w:pPr>{props}</w:pPr></w:p>"
        body.append(xml)
    document = f"{head}<w:body>{''.join(body)}{section_properties(sections[-1][0], first=len(sections) == 1)}" \
               "</w:body></w:document>"
    core = CORE.format(title=escape(page.title), day=page.day.isoformat())
    out = io.BytesIO()
    deflated = _deflated_parts()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name == "word/document.xml":
                data = document.encode("utf-8")
            elif name == "docProps/core.xml":
                data = core.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in deflated:
                blob, crc = deflated[name]
                with z.open(info, "w") as member:
                    member._compressor = _Deflated(blob)  # the same bytes zipfile would make
                    member._crc, member._file_size = crc, len(data)  # and the same CRC-32, found once
                    member.write(b"")
            else:
                z.writestr(info, data)
    return out.getvalue()


class _Deflated:
    """A zipfile compressor that hands back a part's deflated bytes, made once per process:
    the base package's styles (≈ 800 kB) are the same in every document and took most of the
    time of writing one (measured: bench/bench_engine_walk.py)."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def compress(self, _data: bytes) -> bytes:
        return self.blob

    def flush(self) -> bytes:
        return b""


@functools.cache
def _deflated_parts() -> dict[str, tuple[bytes, int]]:
    """Each constant part of the base package deflated exactly as zipfile.ZIP_DEFLATED does, with its CRC-32."""
    import zlib

    parts, _, _ = base_package()
    out = {}
    for name, data in parts.items():
        if name not in ("word/document.xml", "docProps/core.xml"):
            c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            out[name] = c.compress(data) + c.flush(), zlib.crc32(data)
    return out
