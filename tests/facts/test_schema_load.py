"""The fact schema is data, checked with the catalogue: a check or a document reading an
undeclared fact makes the catalogue refuse to load, listing every such read at once."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from huanjie.steps.catalogue import DEFAULT_PATHS, CatalogueError, load_catalogue
from huanjie.steps.checks import CHECKS
from huanjie.steps.facts.spec import DEFAULT_FACT_PATHS


def _write_facts(tmp_path: Path, edit) -> list[Path]:
    out = []
    for path in DEFAULT_FACT_PATHS:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        target = tmp_path / path.name
        target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        out.append(target)
    return out


def _load(paths, **kw):
    return load_catalogue(DEFAULT_PATHS, fact_paths=paths, **kw)


def test_every_step_has_its_facts_declared():
    catalogue = load_catalogue()
    for spec in catalogue.steps():
        facts = catalogue.facts(spec.key)
        assert facts.get("date") is not None, spec.key
        for f in facts.facts:
            assert f.label and f.label != f.key, (spec.key, f.key)


def test_a_check_reading_an_undeclared_fact_fails_the_load(tmp_path):
    def drop(data):
        if data["election"] == "party":
            del data["steps"]["P5.2"]["facts"]["present_voters"]   # read by party_quorum
            del data["steps"]["P2.1"]["facts"]["formal_members"]   # read by party_committee_seats and D01
    with pytest.raises(CatalogueError) as err:
        _load(_write_facts(tmp_path, drop), check_registry=CHECKS)
    text = str(err.value)
    assert "步骤 P5.2 的检查 party_quorum 读取事实 present_voters" in text
    assert "步骤 P2.1 的检查 party_committee_seats 读取事实 formal_members" in text
    assert "文书 D01" in text and "P2.1 的事实 formal_members" in text  # documents too, in the same list


def test_a_document_reading_an_undeclared_column_fails_the_load(tmp_path):
    def drop(data):
        if data["election"] == "vc":  # D22 prints each proxy's relation
            del data["steps"]["V5.2"]["facts"]["proxies"]["columns"]["relation"]
    with pytest.raises(CatalogueError, match="V5.2 的 proxies 的列 relation"):
        _load(_write_facts(tmp_path, drop))


def test_schema_rows_are_validated(tmp_path):
    def spoil(data):
        if data["election"] == "party":
            facts = data["steps"]["P4.1"]["facts"]
            facts["committee_seats"]["type"] = "number"
            facts["party_candidates"]["columns"]["name"]["ref"] = "P9.9.nobody"
            facts["recommend_ballots_cast"]["same_as"] = "P6.1.report_sent"
    with pytest.raises(CatalogueError) as err:
        _load(_write_facts(tmp_path, spoil))
    text = str(err.value)
    assert "未知类型 number" in text and "P9.9.nobody 不存在" in text and "不是整数" in text


def test_json_schema_export_is_valid_draft_2020_12():
    from huanjie.service.facts import step_schema

    for spec in load_catalogue().steps():
        schema = step_schema(spec.key)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["additionalProperties"] is False and schema["title"].startswith(spec.key)
    p41 = step_schema("P4.1")
    cand = p41["properties"]["party_candidates"]
    assert cand["x-huanjie-type"] == "records" and cand["items"]["properties"]["name"]["x-huanjie-ref"] == "P3.1.members"
    assert cand["title"] and "votes" in cand["items"]["required"]
    risk = step_schema("P1.1")["properties"]["risk_level"]
    assert risk["enum"] == ["green", "yellow", "red"] and risk["x-huanjie-labels"]["red"].startswith("红")
    assert step_schema("P4.1")["properties"]["date"]["format"] == "date"


def test_unknown_step_is_a_chinese_not_found():
    from huanjie.errors import NotFound
    from huanjie.service.facts import step_schema

    with pytest.raises(NotFound, match="没有步骤 P9.9"):
        step_schema("P9.9")
