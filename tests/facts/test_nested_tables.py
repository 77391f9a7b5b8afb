"""Lists inside each person (近亲属 of a candidate) from CSV and Excel: numbered column groups
(近亲属1姓名, 近亲属1关系, 近亲属2姓名…), errors with the row, and templates that say how."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from huanjie.errors import InvalidInput
from huanjie.service.fact_files import read_fact_input
from huanjie.service.facts import step_facts, template
from huanjie.service.records import _with_line
from huanjie.steps.facts.validate import Earlier, check_facts

HEAD = "姓名,身份证号,职务,近亲属1姓名,近亲属1身份证号,近亲属1关系,近亲属2姓名,近亲属2身份证号,近亲属2关系\n"
CHEN = "陈磊娟,330102198302118831,主任,陈大海,330102198403120017,父亲,王芳,330102198501010022,配偶\n"
LI = "李文超,330102197304132632,委员,,,,,,\n"


def read(tmp_path, text: str, step="V4.3", field="vc_candidates", name="c.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_fact_input(path, field=field, schema=step_facts(step))


def test_numbered_column_groups_become_each_persons_relatives(tmp_path):
    got = read(tmp_path, HEAD + CHEN + LI)
    chen, li = got.facts["vc_candidates"]
    assert chen["relatives"] == [
        {"name": "陈大海", "id": "330102198403120017", "relation": "父亲"},
        {"name": "王芳", "id": "330102198501010022", "relation": "配偶"}]
    assert "relatives" not in li  # blank groups are left out
    assert got.lines["vc_candidates[0].relatives[1]"] == 2 and got.lines["vc_candidates[1]"] == 3
    checked = check_facts(step_facts("V4.3"), {**got.facts, "seats_by_post": {"主任": 1, "委员": 1}},
                          today=dt.date(2026, 10, 7), earlier=Earlier({}, {}))
    assert not [p for p in checked.problems if p.field.startswith("vc_candidates")]


def test_a_third_group_and_spaced_or_keyed_headers_are_read(tmp_path):
    head = "姓名,身份证号,职务,近亲属3 姓名,relatives3-relation\n"
    got = read(tmp_path, head + "陈磊娟,330102198302118831,主任,陈小海,兄弟\n")
    assert got.facts["vc_candidates"][0]["relatives"] == [{"name": "陈小海", "relation": "兄弟"}]


def test_a_group_without_a_name_is_refused_with_its_row(tmp_path):
    bad = "李文超,330102197304132632,委员,,,,,,配偶\n"
    with pytest.raises(InvalidInput) as err:
        read(tmp_path, HEAD + CHEN + bad)
    [problem] = err.value.problems
    assert problem.line == 3 and problem.field == "vc_candidates[1].relatives[0].name"
    assert problem.text() == "第 3 行：第 2 人（李文超）的“近亲属2”填了关系，缺少“近亲属2姓名”"


def test_an_unknown_nested_header_lists_the_convention(tmp_path):
    with pytest.raises(InvalidInput) as err:
        read(tmp_path, "姓名,近亲属1电话\n陈磊娟,1\n")
    assert "表头“近亲属1电话”不是“正式候选人”的列" in err.value.problems[0].message
    assert "如 近亲属1姓名、近亲属2姓名…" in err.value.problems[0].message
    with pytest.raises(InvalidInput, match="表头“近亲属0姓名”"):
        read(tmp_path, "姓名,近亲属0姓名\n陈磊娟,陈大海\n")


def test_a_wrong_relative_id_is_answered_with_the_row_of_the_file(tmp_path):
    got = read(tmp_path, HEAD + LI + CHEN.replace("330102198501010022", "330102198501010031"))
    checked = check_facts(step_facts("V4.3"), {**got.facts, "seats_by_post": {"主任": 1, "委员": 1}},
                          today=dt.date(2026, 10, 7), earlier=Earlier({}, {}))
    [problem] = [_with_line(p, got.lines) for p in checked.problems if p.field.startswith("vc_candidates")]
    assert problem.field == "vc_candidates[1].relatives[1].id" and problem.line == 3
    assert "330102198501010031" not in problem.text()  # never printed in full


def test_csv_and_yaml_templates_document_the_convention_and_read_back(tmp_path):
    text = template("V4.3", "csv", "vc_candidates").decode("utf-8-sig")
    header = text.splitlines()[2]
    assert header.startswith("姓名,身份证号,职务") and "近亲属1姓名,近亲属1身份证号,近亲属1关系,近亲属2姓名" in header
    assert "近亲属：每位一组列（近亲属1姓名、近亲属1身份证号、近亲属1关系）" in text.splitlines()[1]
    filled = "\n".join(text.splitlines()[:3]) + "\n" + CHEN
    got = read(tmp_path, filled)
    assert len(got.facts["vc_candidates"][0]["relatives"]) == 2
    assert "用 CSV/Excel 填写时，近亲属：每位一组列" in template("V4.3", "yaml").decode("utf-8")


def test_the_whole_step_workbook_takes_relatives_of_the_election_committee(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template("V1.1", "xlsx")))
    ws = book["村民选举委员会成员"]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["姓名", "身份证号"] and "近亲属2关系" in headers
    assert "第 1 位近亲属的姓名" in ws.cell(row=1, column=headers.index("近亲属1姓名") + 1).comment.text
    assert any("近亲属：每位一组列" in (row[0].value or "") for row in book["说明"].iter_rows())
    ws.delete_rows(2, ws.max_row)
    row = dict.fromkeys(headers, None)
    row.update({"姓名": "徐霞", "身份证号": "330102197304132632", "近亲属1姓名": "徐明", "近亲属1关系": "兄弟",
                "近亲属1身份证号": "330102199006150022"})
    ws.append([row[h] for h in headers])
    path = tmp_path / "V1.1.xlsx"
    book.save(path)
    got = read_fact_input(path, schema=step_facts("V1.1"))
    assert got.facts["election_committee"] == [{"name": "徐霞", "id": "330102197304132632", "relatives": [
        {"name": "徐明", "id": "330102199006150022", "relation": "兄弟"}]}]
    assert got.lines["election_committee[0].relatives[0]"] == 2
