"""Rendering from facts: every gap listed, names escaped in HTML and literal in .docx, forms as tables."""

from __future__ import annotations

import io

import pytest
from docx import Document

from huanjie.documents.docx_writer import write_docx
from huanjie.documents.render import page, prepare, render_html
from huanjie.errors import InvalidInput
from tests.documents.support import all_facts, docx_text, source

SCRIPT = "<script>alert(1)</script>"


def test_missing_facts_are_all_listed_in_chinese():
    with pytest.raises(InvalidInput) as exc:
        prepare("D01", source("P2.2", {"P2.2": {"nomination_method": None, "on_time": "yes"},
                                       "P2.1": {"agenda": []}}))
    fields = {p.field for p in exc.value.problems}
    assert fields == {"P2.2.nomination_method", "P2.2.on_time", "P2.1.agenda"}
    assert "D01《关于召开党员大会进行换届选举的请示》有 3 项事实缺失或有误" in exc.value.message
    messages = " ".join(p.message for p in exc.value.problems)
    assert "候选人推荐方式" in messages and "是否按期换届" in messages and "应为是/否" in messages


def test_a_document_of_a_step_not_recorded_names_the_step():
    facts, _ = all_facts()
    src = source("P6.1")
    src.facts = {k: v for k, v in facts.items() if k != "P5.3"}
    with pytest.raises(InvalidInput) as exc:
        prepare("D10", src)
    assert all("P5.3" in p.message and "尚无记录" in p.message for p in exc.value.problems)


def test_an_invalid_id_on_a_notice_blocks_it():
    facts, _ = all_facts()
    profiles = [dict(p) for p in facts["P4.3"]["candidate_profiles"]]
    profiles[0]["id"] = profiles[0]["id"][:-1] + ("0" if profiles[0]["id"][-1] != "0" else "1")
    with pytest.raises(InvalidInput) as exc:
        prepare("D07", source("P4.3", {"P4.3": {"candidate_profiles": profiles}}))
    assert "校验码错误" in exc.value.problems[0].message


def _tally_with_script_name():
    facts, _ = all_facts()
    p52 = facts["P5.2"]
    candidates = [dict(c) for c in p52["party_candidates"]]
    candidates[0]["name"] = SCRIPT
    elected = [SCRIPT if n == p52["party_candidates"][0]["name"] else n for n in p52["party_elected"]]
    return page(prepare("D13", source("P5.2", {"P5.2": {"party_candidates": candidates, "party_elected": elected}})),
                None)


def test_a_script_name_is_escaped_in_html_and_literal_in_docx():
    p = _tally_with_script_name()
    html = render_html(p).decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html
    assert SCRIPT in docx_text(write_docx(p))


def test_a_name_the_stroke_table_lacks_needs_a_manual_ballot_order():
    facts, _ = all_facts()
    candidates = [dict(c) for c in facts["P5.1"]["party_candidates"]]
    candidates[0]["name"] = SCRIPT
    with pytest.raises(InvalidInput) as exc:
        prepare("D09", source("P5.1", {"P5.1": {"party_candidates": candidates}}))
    assert "人工" in exc.value.problems[0].message and exc.value.problems[0].field == "P5.1.party_candidates"
    order = [c["name"] for c in candidates][::-1]
    text = docx_text(write_docx(page(prepare("D09", source(
        "P5.1", {"P5.1": {"party_candidates": candidates, "manual_order": order}})), None)))
    assert SCRIPT in text and text.index(order[0]) < text.index(order[-1])


def test_forms_are_tables_and_the_page_is_gb_t_9704():
    ballot = Document(io.BytesIO(write_docx(page(prepare("D24", source("V6.1")), None))))
    assert ballot.tables and ballot.tables[0].rows[0].cells[2].text == "候选人"
    assert len(ballot.tables[0].rows) == 1 + 8  # header and the eight candidates
    card = Document(io.BytesIO(write_docx(page(prepare("D20", source("V3.4")), None))))
    assert card.tables[0].rows[0].cells[0].paragraphs[0].text == "选　民　证"
    assert "PAGE" not in card.sections[0].footer._element.xml  # a sheet of cards carries no page number
    notice = Document(io.BytesIO(write_docx(page(prepare("D17", source("V2.3")), None))))
    section = notice.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m / 36000) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                       section.right_margin)] == [37, 35, 28, 26]
    styles = notice.styles.element.xml
    assert "仿宋_GB2312" in styles and "方正小标宋简体" in styles
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ") and footer.text.endswith(" —") and "PAGE" in footer._p.xml
    assert section.even_page_footer.paragraphs[0].alignment is not None


def test_dates_in_official_style():
    text = docx_text(write_docx(page(prepare("D17", source("V2.3")), "东湖村选委字〔2026〕2号")))
    # 成文日期 in Arabic numerals, the year in full, no leading zeros (GB/T 9704-2012 7.3.5.1)
    assert "2026年9月15日" in text.splitlines()[-1] and "二〇" not in text and "东湖村选委字〔2026〕2号" in text
