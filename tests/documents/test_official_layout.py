"""The 公文's parts in the .docx itself, as Word reads them: the 版记 anchored to the foot of the
版心 on the last page, the 红头's room above it, 签发人 and 联系人 required of the 请示."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from huanjie.documents.docx_writer import EMU, MM, SETUPS, colophon_height_twips
from huanjie.documents.markup import MASTHEAD_SPACE_TWIPS, Colophon
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import page, prepare
from huanjie.documents.docx_writer import write_docx
from huanjie.errors import InvalidInput
from huanjie.steps.catalogue import load_catalogue
from huanjie.steps.facts.validate import Earlier, check_facts
from tests.documents.support import source

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
OFFICIAL = [code for code, spec in DOCUMENTS.items() if spec.kind == "official"]


def docx(code: str, changes: dict | None = None) -> Document:
    doc = prepare(code, source(DOCUMENTS[code].steps[0], changes))
    return Document(io.BytesIO(write_docx(page(doc, "东选字〔2026〕1号"))))


@pytest.mark.parametrize("code", OFFICIAL)
def test_the_colophon_is_a_box_anchored_to_the_foot_of_the_type_area_in_the_last_paragraph(code):
    d = docx(code)
    body = list(d.element.body)
    paragraphs = [el for el in body if el.tag == W + "p"]
    anchors = list(d.element.body.iter(WP + "anchor"))
    assert len(anchors) == 1, code
    anchor = anchors[0]
    holder = paragraphs[-1]
    assert anchor in list(holder.iter(WP + "anchor")), f"{code}：版记不在最后一段"
    vertical, horizontal = anchor.find(WP + "positionV"), anchor.find(WP + "positionH")
    assert vertical.get("relativeFrom") == "margin" and vertical.find(WP + "align").text == "bottom"
    assert horizontal.get("relativeFrom") == "margin" and horizontal.find(WP + "align").text == "center"
    width = int(anchor.find(WP + "extent").get("cx"))
    assert abs(width - SETUPS["official"].text_width_twips * EMU) <= EMU  # 分隔线与版心等宽 (7.4.1)
    text = "".join(t.text for t in anchor.iter(W + "t"))
    assert text.startswith("抄送：") and text.endswith("印发"), text
    # the holding paragraph is as high as the box, so it only fits where the box has room…
    spacing = holder.find(f"{W}pPr/{W}spacing")
    assert spacing.get(W + "lineRule") == "exact"
    assert int(spacing.get(W + "line")) >= int(anchor.find(WP + "extent").get("cy")) // EMU
    # …and the closing block (署名 to 附注) keeps with it: Word moves them to a page together
    signature = next(i for i, p in enumerate(d.paragraphs) if p.alignment == WD_ALIGN_PARAGRAPH.RIGHT and p.text)
    for p in paragraphs[signature:-1]:
        assert p.find(f"{W}pPr/{W}keepNext") is not None, code


def test_the_colophon_box_is_as_high_as_its_rows():
    assert colophon_height_twips(Colophon("县委组织部", "乡镇党委", "2026年9月1日印发")) == \
        2 * colophon_height_twips(Colophon("", "乡镇党委", "2026年9月1日印发"))


@pytest.mark.parametrize("code", OFFICIAL)
def test_the_masthead_has_its_room_above(code):
    first = docx(code).paragraphs[0]
    assert first.style.style_id == "HjMasthead"
    before = first._p.find(f"{W}pPr/{W}spacing").get(W + "before")
    assert int(before) == MASTHEAD_SPACE_TWIPS
    assert 28 * MM < MASTHEAD_SPACE_TWIPS < 35 * MM  # 35 mm to the glyphs' top, less the line's own room


@pytest.mark.parametrize("code", ["D01", "D05"])
@pytest.mark.parametrize("missing", ["signer", "contact", "contact_phone"])
def test_a_request_without_its_signer_or_contact_is_refused_not_printed_blank(code, missing):
    with pytest.raises(InvalidInput) as exc:
        prepare(code, source(DOCUMENTS[code].steps[0], {"P2.2": {missing: None}}))
    assert [p.field for p in exc.value.problems] == [f"P2.2.{missing}"]
    assert "P2.2" in exc.value.problems[0].message and "未记录" in exc.value.problems[0].message


@pytest.mark.parametrize("missing", ["signer", "contact", "contact_phone"])
def test_the_step_that_makes_the_request_requires_signer_and_contact(missing):
    schema = load_catalogue().facts("P2.2")
    facts = {"on_time": True, "meeting_date": "2026-09-15", "committee_seats": 5, "nomination_method": "两推一选",
             "election_method": "差额选举", "signer": "高云娜", "contact": "高云娜", "contact_phone": "0571-88881234"}
    assert schema.get(missing).required and "（" not in schema.get(missing).label
    checked = check_facts(schema, {k: v for k, v in facts.items() if k != missing}, today=dt.date(2026, 8, 11),
                          earlier=Earlier({}, {}))
    assert [p.field for p in checked.problems] == [missing]
    assert schema.get(missing).label in checked.problems[0].message


def test_the_request_prints_its_signer_and_contact():
    d = docx("D01")
    text = "\n".join(p.text for p in d.paragraphs)
    assert "签发人：高云娜" in text.replace("\t", "")
    assert "（联系人：高云娜，联系电话：0571-88881234）" in text
    assert "＿" not in text
