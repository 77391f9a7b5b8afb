"""A village driven through both elections: every document produced, stored, hashed and complete."""

from __future__ import annotations

import pytest

from huanjie.documents.docx_writer import write_docx
from huanjie.documents.produce import source_for
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import page, prepare, render_html, sha256
from huanjie.steps.state import case_id_for, load_case
from huanjie.store.db import reading
from huanjie.store.models import Village
from tests.documents.support import FULL_ID, MASKED_ID, docx_text


@pytest.fixture(scope="session")
def texts(produced):
    return {(r.code, r.step_key): docx_text(r.docx) for r in produced}


def test_every_one_of_the_27_documents_is_produced_by_its_steps(produced, document_events):
    assert {r.code for r in produced} == set(DOCUMENTS)
    assert [e.payload for e in document_events if e.kind != "document.rendered"] == []
    for r in produced:
        assert r.step_key in DOCUMENTS[r.code].steps
    rendered = {(e.payload["code"], e.step_key): e.payload for e in document_events}
    assert len(rendered) == len(produced)
    for r in produced:
        event = rendered[(r.code, r.step_key)]
        assert (event["number"], event["docx_sha256"], event["html_sha256"]) == (
            r.number, sha256(r.docx), sha256(r.html))


def test_each_docx_opens_and_says_what_it_must(produced, texts):
    for r in produced:
        text = texts[(r.code, r.step_key)]
        missing = [w for w in DOCUMENTS[r.code].must_contain if w not in text]
        assert not missing, f"{r.code}@{r.step_key} lacks {missing}"
        assert "东湖村" in text
        if r.number:
            assert r.number in text


def test_numbers_per_issuing_body_run_without_gaps(produced):
    by_prefix: dict[str, list[int]] = {}
    for r in produced:
        if r.number:
            prefix, rest = r.number.split("〔")
            year, seq = rest.rstrip("号").split("〕")
            assert year == "2026"
            by_prefix.setdefault(prefix, []).append(int(seq))
    assert set(by_prefix) == {"东湖村支字", "城关镇选字", "城关镇政字", "东湖村选委字", "东湖村村委字"}
    for seqs in by_prefix.values():
        assert sorted(seqs) == list(range(1, len(seqs) + 1))


def test_the_facts_are_in_the_documents(village_run, texts):
    _, driver = village_run
    f = driver.facts
    doc = lambda code, step: texts[(code, step)]  # noqa: E731
    assert "2026年9月15日" in doc("D01", "P2.2") and "委员五名" in doc("D01", "P2.2")
    assert all(p.name in doc("D03", "P3.1") for p in f.cast.members)
    p52 = f.for_step("P5.2", driver.states()["P5.2"].done_on)
    tally = doc("D13", "P5.2")
    for key in ("expected_voters", "present_voters", "ballots_issued", "ballots_valid"):
        assert str(p52[key]) in tally
    assert all(c["name"] in tally and str(c["votes"]) in tally for c in p52["party_candidates"])
    assert all(p.name in doc("D10", "P6.1") for p in f.party_elected)
    voters = f.voters()
    assert f"共{len(voters)}名" in doc("D18", "V3.2")
    assert doc("D20", "V3.4").count("编号：") == len(voters) and all(v.name in doc("D20", "V3.4") for v in voters)
    assert "2026年10月12日" in doc("D17", "V2.3") and "第十二届" in doc("D17", "V2.3")
    results = f.results(len(voters) - 12)
    assert all(r["name"] in doc("D25", "V6.2") and str(r["votes"]) in doc("D25", "V6.2")
               for r in results if r["elected"])
    assert doc("D26", "V6.3").count("当选证书") == sum(r["elected"] for r in results)


def test_public_notices_mask_every_id_and_internal_forms_keep_them(produced, texts):
    for r in produced:
        text = texts[(r.code, r.step_key)]
        if DOCUMENTS[r.code].public:
            assert not FULL_ID.search(text), r.code
            assert not FULL_ID.search(r.html.decode()), r.code
    for code, step in (("D07", "P4.3"), ("D18", "V3.2"), ("D21", "V4.3")):
        assert MASKED_ID.search(texts[(code, step)]), code


def test_ballots_and_lists_follow_stroke_order(village_run, texts):
    from huanjie.documents.strokes import stroke_order

    _, driver = village_run
    names = [p.name for p in driver.facts.party_candidates]
    ballot = texts[("D09", "P5.1")]
    expected = stroke_order(names).ordered
    assert [n for n in sorted(names, key=ballot.index)] == list(expected)


def test_the_same_facts_render_the_same_bytes(village_run, produced):
    ctx, _ = village_run
    with reading(ctx.engine) as session:
        for r in produced:
            village = session.get(Village, r.village_id)
            view = load_case(session, case_id_for(session, village, "party" if r.step_key[0] == "P" else "vc"))
            again = page(prepare(r.code, source_for(session, view, r.step_key, r.issued_on)), r.number)
            assert sha256(write_docx(again)) == r.docx_sha256, r.code
            assert sha256(render_html(again)) == r.html_sha256, r.code
