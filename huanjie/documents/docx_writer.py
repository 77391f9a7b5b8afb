"""A document (huanjie.documents.markup) as a .docx in the GB/T 9704-2012 layout.

python-docx builds the base package once (A4, margins 37/35/28/26 mm, a 22 × 28 grid, the
official font names, "— N —" page numbers right on odd pages and left on even ones); each
document then only writes its own ``word/document.xml`` and core properties into a copy of
that package, zipped with fixed timestamps, so the same content always gives the same bytes.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from huanjie.documents.markup import Block, Cell, Page, Para, Table

FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312", "宋体"
LINE_TWIPS = 579            # 225 mm of type area / 22 lines
TEXT_WIDTH_TWIPS = 8844     # 156 mm
CHAR_TWIPS = 320            # one 三号 (16 pt) character
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
}


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
        if centred:
            style.element.get_or_add_pPr().append(parse_xml(f'<w:jc {nsdecls("w")} w:val="center"/>'))
        if style_id in ("HjCell", "HjSmall", "HjFooter"):
            style.element.get_or_add_pPr().append(parse_xml(
                f'<w:spacing {nsdecls("w")} w:line="{LINE_TWIPS * 3 // 4}" w:lineRule="atLeast"/>'))
        if style_id == "HjMasthead":
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
    return parts, head, sect


# --- body ---------------------------------------------------------------------------------

def _runs(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    pieces = []
    for i, line in enumerate(text.split("\n")):
        if i:
            pieces.append("<w:r><w:br/></w:r>")
        if line:
            pieces.append(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>')
    return "".join(pieces)


def _para(p: Para) -> str:
    props = []
    style = {"title": "HjTitle", "masthead": "HjMasthead", "h1": "HjH1", "h2": "HjH2",
             "cell": "HjCell", "small": "HjSmall"}.get(p.style)
    if style:
        props.append(f'<w:pStyle w:val="{style}"/>')
    if p.keep_next:
        props.append("<w:keepNext/>")
    if p.page_break_before:
        props.append("<w:pageBreakBefore/>")
    if p.rule:
        props.append('<w:pBdr><w:bottom w:val="single" w:sz="12" w:space="4" w:color="C00000"/></w:pBdr>')
    if p.style in ("title", "masthead") or p.align == "center":
        props.append('<w:jc w:val="center"/>')
    elif p.align == "right":
        props.append('<w:jc w:val="right"/>')
    chars = {"right": p.right_chars, "left": p.left_chars}
    ind = []
    # the *Chars attributes are Word's; the twips beside them are what LibreOffice reads
    if p.indent_chars:
        ind.append(f'w:firstLine="{p.indent_chars * CHAR_TWIPS}" w:firstLineChars="{p.indent_chars * 100}"')
    if chars["left"]:
        ind.append(f'w:left="{chars["left"] * CHAR_TWIPS}" w:leftChars="{chars["left"] * 100}"')
    if chars["right"]:
        ind.append(f'w:right="{chars["right"] * CHAR_TWIPS}" w:rightChars="{chars["right"] * 100}"')
    if ind:
        props.append(f"<w:ind {' '.join(ind)}/>")
    ppr = f"<w:pPr>{''.join(props)}</w:pPr>" if props else ""
    return f"<w:p>{ppr}{_runs(p.text, p.bold)}</w:p>"


def _cell(cell: Cell, width: int, size: str) -> str:
    span = f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else ""
    shade = '<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>' if cell.head else ""
    paras = cell.paras or [Para("")]
    body = "".join(_para(Para(p.text, style=size, align=p.align or cell.align, bold=p.bold or cell.head))
                   for p in paras)
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{span}{shade}<w:vAlign w:val="center"/>'
            f"</w:tcPr>{body}</w:tc>")


def _table(t: Table) -> str:
    total = sum(t.widths)
    widths = [TEXT_WIDTH_TWIPS * w // total for w in t.widths]
    border = "" if t.borderless else "".join(
        f'<w:{side} w:val="single" w:sz="{12 if t.heavy else 6}" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    rows = []
    for row in t.rows:
        cells, col = [], 0
        for cell in row.cells:
            cells.append(_cell(cell, sum(widths[col:col + cell.span]), "small" if t.small else "cell"))
            col += cell.span
        height = f'<w:trHeight w:val="{row.min_height_twips}"/>' if row.min_height_twips else ""
        header = "<w:tblHeader/>" if row.repeat else ""
        rows.append(f"<w:tr><w:trPr><w:cantSplit/>{header}{height}</w:trPr>{''.join(cells)}</w:tr>")
    return (f'<w:tbl><w:tblPr><w:tblW w:w="{TEXT_WIDTH_TWIPS}" w:type="dxa"/><w:jc w:val="center"/>'
            f"<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>"
            '<w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl><w:p/>")


def _block(block: Block) -> str:
    return _table(block) if isinstance(block, Table) else _para(block)


def write_docx(page: Page) -> bytes:
    parts, head, sect = base_package()
    body = "".join(_block(b) for b in page.blocks)
    document = f"{head}<w:body>{body}{sect}</w:body></w:document>"
    core = CORE.format(title=escape(page.title), day=page.day.isoformat())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name == "word/document.xml":
                data = document.encode("utf-8")
            elif name == "docProps/core.xml":
                data = core.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return out.getvalue()
