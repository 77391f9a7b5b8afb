"""Every document of a finished village as PDF, checked from the PDF itself (poppler).

All documents go through ONE LibreOffice run for the session; the PDFs and a PNG of every
first page are kept in tests/artefacts/documents/ for people to look at.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from huanjie.documents.docx_writer import MM, SETUPS
from huanjie.documents.fonts import coverage_warnings, faces
from huanjie.documents.pdf import default_fonts_dir, docx_many_to_pdf
from huanjie.documents.registry import DOCUMENTS
from tests.documents.visual import PAGE_NUMBER, body_lines, fonts, lines, pages, raster

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                reason="LibreOffice and poppler-utils are installed by ./dev test")
ARTEFACTS = Path(__file__).resolve().parents[1] / "artefacts" / "documents"
POINTS_PER_MM = 72 / 25.4
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHEETS = {"ballot", "card", "certificate"}


@pytest.fixture(scope="session")
def rendered(produced):
    """(row, pdf path, pages) of every document of the village, converted in one run."""
    shutil.rmtree(ARTEFACTS, ignore_errors=True)
    (ARTEFACTS / "png").mkdir(parents=True)
    converted = docx_many_to_pdf([r.docx for r in produced])
    out = []
    for r, data in zip(produced, converted):
        name = f"{r.code}_{r.step_key}_{r.attempt}"
        path = ARTEFACTS / f"{name}.pdf"
        path.write_bytes(data)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path),
                        str(ARTEFACTS / "png" / name)], check=True, timeout=300)
        out.append((r, path, pages(path)))
    return out


def closing_texts(docx: bytes) -> set[str]:
    """The closing block's lines: 署名 and 成文日期 (set right), 附注, the 版记."""
    doc = Document(io.BytesIO(docx))
    out = {p.text for p in doc.paragraphs if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT or p.text.startswith("（联系人")}
    out |= set(colophon_texts(docx))
    return {re.sub(r"\s+", "", t) for t in out if t.strip()}


def colophon_texts(docx: bytes) -> list[str]:
    """The 版记's cells, from the text box that holds it."""
    doc = Document(io.BytesIO(docx))
    return ["".join(t.text or "" for t in p.iter(W + "t"))
            for box in doc.element.body.iter(W + "txbxContent") for p in box.iter(W + "p")
            if any((t.text or "").strip() for t in p.iter(W + "t"))]


def only_closing(line: str, closing: set[str]) -> bool:
    for text in sorted(closing, key=len, reverse=True):
        line = line.replace(text, "")
    return line == ""


def test_every_document_of_the_village_is_rendered(rendered):
    assert {r.code for r, _, _ in rendered} == set(DOCUMENTS)
    for r, path, _ in rendered:
        assert (ARTEFACTS / "png" / f"{path.stem}.png").read_bytes()[:4] == b"\x89PNG", path


def test_ballots_and_certificates_are_single_sheets_without_page_numbers(rendered):
    for r, path, ps in rendered:
        kind = DOCUMENTS[r.code].kind
        if kind == "ballot":
            assert len(ps) == 1, (path, len(ps))
        if kind == "certificate":
            certificates = sum(line.count("当选证书") for p in ps for line in lines(p))
            assert certificates >= 1 and len(ps) == certificates, (path, len(ps), certificates)
            assert all(sum(line.count("当选证书") for line in lines(p)) == 1 for p in ps), path
        if kind in SHEETS:
            assert not any(PAGE_NUMBER.match(line) for p in ps for line in lines(p)), path
        else:  # 公文, 公告, 表格 are numbered "— N —" (cards after a notice, as in D22, are not)
            numbered = [any(PAGE_NUMBER.match(line) for line in lines(p)) for p in ps]
            assert numbered[0] and numbered == sorted(numbered, reverse=True), path


def test_no_page_holds_only_the_closing_block(rendered):
    for r, path, ps in rendered:
        closing = closing_texts(r.docx)
        for number, p in enumerate(ps, start=1):
            body = body_lines(p)
            assert body, f"{path.name} 第 {number} 页是空白页"
            assert not all(only_closing(line, closing) for line in body), \
                f"{path.name} 第 {number} 页只有署名、日期或版记：{body}"


def type_areas(docx: bytes) -> list[tuple[float, float, float, float, bool]]:
    """(left, top, right margin, bottom margin in points, numbered) of each section of the .docx."""
    doc = Document(io.BytesIO(docx))
    out = []
    for section in doc.sections:
        if section.footer.is_linked_to_previous:
            numbered = bool(out) and out[-1][4]
        else:
            numbered = "PAGE" in section.footer._element.xml
        out.append((section.left_margin.pt, section.top_margin.pt, section.right_margin.pt, section.bottom_margin.pt,
                    numbered))
    return out


def test_no_text_outside_the_type_area(rendered):
    for r, path, ps in rendered:
        areas = type_areas(r.docx)
        for number, p in enumerate(ps, start=1):
            def inside(area) -> bool:
                left, top, right, bottom, numbered = area
                for w in p.words:
                    if numbered and w.y0 > p.height - bottom and re.fullmatch(r"—|\d+", w.text):
                        continue  # the page number, 7 mm below the 版心 (GB/T 9704-2012 7.5)
                    if not (left - 2 <= w.x0 and w.x1 <= p.width - right + 2 and top - 2 <= w.y0
                            and w.y1 <= p.height - bottom + 2):
                        return False
                return True

            assert any(inside(a) for a in areas), f"{path.name} 第 {number} 页有文字在版心外"
    official = SETUPS["official"]
    assert abs(official.text_width_twips - 156 * MM) < 2 and abs(official.text_height_twips - 225 * MM) < 2


def test_the_fonts_embedded_are_the_configured_faces(rendered):
    configured = {face.postscript for face in faces(default_fonts_dir()).values()}
    for r, path, _ in rendered:
        embedded = fonts(path)
        assert embedded and all(emb for _, _, emb in embedded), (path, embedded)
        assert {name for name, _, _ in embedded} <= configured, (path, embedded, configured)
        assert coverage_warnings(r.docx) == [], path  # every character drawn by its own face


def test_dates_are_in_arabic_numerals(rendered):
    for r, path, ps in rendered:
        text = "".join(line for p in ps for line in lines(p))
        assert not re.search(r"[〇零一二三四五六七八九]{4}年", text), path
        if DOCUMENTS[r.code].kind not in ("ballot", "card"):
            day = r.issued_on
            assert f"{day.year}年{day.month}月{day.day}日" in text, (path, day)


def test_the_closing_block_check_sees_a_lone_signature():
    closing = {"中共东湖村支部委员会", "2026年8月11日", "（联系人：高云娜，联系电话：0571-88881234）"}
    assert only_closing("中共东湖村支部委员会", closing) and only_closing("2026年8月11日", closing)
    assert not only_closing("妥否，请批示。", closing)


def official_documents(rendered):
    return [(r, path, ps) for r, path, ps in rendered if DOCUMENTS[r.code].kind == "official"]


def test_the_colophon_sits_at_the_foot_of_the_last_page(rendered):
    """GB/T 9704-2012 7.4.1: the 版记 on the last page, its last separator line on the 版心's bottom edge."""
    official = SETUPS["official"]
    checked = 0
    for r, path, ps in official_documents(rendered):
        colophon = [re.sub(r"\s+", "", t) for t in colophon_texts(r.docx)]
        assert colophon and any(t.endswith("印发") for t in colophon), path
        marks = [t for t in colophon if t.startswith("抄送：") or t.endswith("印发")]  # the 印发机关 may be the 红头
        holding = [n for n, p in enumerate(ps, start=1) if any(t in "".join(lines(p)) for t in marks)]
        assert holding == [len(ps)], f"{path.name}：版记在第 {holding} 页，不在最后一页（共 {len(ps)} 页）"
        last = raster(path, len(ps))
        runs = last.dark_runs()
        rules = [y for y, n in enumerate(runs) if n >= last.px(official.width_mm - official.left - official.right - 2)]
        assert rules, f"{path.name}：最后一页没有版记的分隔线"
        bottom = last.mm(rules[-1] + 1)
        assert abs(bottom - (official.height_mm - official.bottom)) <= 1.5, \
            f"{path.name}：版记末条分隔线在 {bottom:.1f} mm，版心下边缘在 {official.height_mm - official.bottom} mm"
        # nothing of the body runs into the 版记: its first line lies below every other line of the page
        p = ps[-1]
        first = min(w.y0 for w in p.words if w.text.startswith("抄送") or w.text.endswith("印发"))
        above = [w for w in p.words if w.y1 > first + 1 and not any(w.text in t for t in colophon)
                 and not re.fullmatch(r"—|\d+", w.text)]
        assert not above, (path.name, [w.text for w in above])
        checked += 1
    assert checked == 6  # D01, D02, D05, D06, D10, D11


def test_the_masthead_stands_35_mm_below_the_top_of_the_type_area(rendered):
    """GB/T 9704-2012 7.2.2: 发文机关标志 上边缘至版心上边缘为 35 mm (measured on the printed glyphs)."""
    official = SETUPS["official"]
    for r, path, _ in official_documents(rendered):
        first = raster(path, 1)
        top = next(y for y, n in enumerate(first.dark_runs()) if n >= 2)
        assert abs(first.mm(top) - official.top - 35) <= 1.0, f"{path.name}：红头上边缘距版心上边缘 " \
                                                             f"{first.mm(top) - official.top:.1f} mm"
