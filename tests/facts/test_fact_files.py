"""Issue 12 (fact files): YAML read as text until the schema types it; bad files answered in Chinese."""

from __future__ import annotations

import pytest

from huanjie.errors import InvalidInput
from huanjie.service.fact_files import read_fact_input
from huanjie.service.facts import step_facts


def read(tmp_path, text: str | bytes, name="f.yaml", **kw):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return read_fact_input(path, **kw)


def test_yaml_1_1_surprises_stay_text(tmp_path):
    got = read(tmp_path, "a: 12:30:00\nb: 0x1F\nid: 330102198302118831\nc: no\nd: ~\n")
    assert got.facts == {"a": "12:30:00", "b": "0x1F", "id": "330102198302118831", "c": "no", "d": None}
    assert got.lines == {"a": 1, "b": 2, "id": 3, "c": 4, "d": 5}


@pytest.mark.parametrize("text, words", [
    ("a: &x [1, 2]\nb: *x\n", "别名"),
    ("a: !!set {x: null}\n", "!!set"),
    ("a: !!binary aGVsbG8=\n", "!!binary"),
    ("a:\n" + "".join("  " * i + "- \n" for i in range(1, 40)), "嵌套过深"),
    ("a: [1\n", "格式错误"),
])
def test_bad_yaml_is_refused_with_the_line(tmp_path, text, words):
    with pytest.raises(InvalidInput) as err:
        read(tmp_path, text)
    assert words in str(err.value)


def test_big5_is_refused_with_line_and_column(tmp_path):
    text = "name: 測試選民名單資料錯誤編碼\n".encode("big5")
    with pytest.raises(InvalidInput) as err:
        read(tmp_path, b"a: 1\n" + text)
    assert "编码" in err.value.message and err.value.problems[0].line == 2 and "列" in err.value.problems[0].message


def test_gb18030_is_read(tmp_path):
    got = read(tmp_path, "plan: 一村一策\n".encode("gb18030"))
    assert got.facts == {"plan": "一村一策"}


def test_csv_person_list_with_chinese_headers(tmp_path):
    schema = step_facts("V3.1")
    text = ("姓名,身份证号,性别,出生日期,村民小组,类别,被剥夺政治权利\n"
            "陈磊娟,330102198302118831,男,1983-02-11,1,1,否\n")
    got = read(tmp_path, text, name="v.csv", field="voters", schema=schema)
    assert got.facts["voters"] == [{"name": "陈磊娟", "id": "330102198302118831", "birth_date": "1983-02-11",
                                    "group": "1", "category": "1", "deprived": "否"}]
    with pytest.raises(InvalidInput, match="性别“女”与身份证号不符"):
        read(tmp_path, text.replace(",男,", ",女,"), name="v.csv", field="voters", schema=schema)
    with pytest.raises(InvalidInput, match="表头“电话”不是"):
        read(tmp_path, "姓名,电话\n张三,1\n", name="v.csv", field="voters", schema=schema)


def test_values_the_schema_types_are_answered_with_field_and_line(ctx, clock, tmp_path):
    from huanjie.steps.catalogue import load_catalogue
    from huanjie.steps.facts.validate import Earlier, check_facts

    got = read(tmp_path, "date: 2026-02-30\nformal_members: 99999999999999999999999\ncommittee_seats: ²\n"
                         "secretary_seats: 四\n")
    checked = check_facts(load_catalogue().facts("P2.1"), got.facts, today=clock.today(), earlier=Earlier({}, {}))
    by_field = {p.field: p.message for p in checked.problems}
    assert "2026年2月30日不是存在的日期" in by_field["date"]
    assert "数值过大" in by_field["formal_members"]
    assert "非负整数" in by_field["committee_seats"]
    assert "中文数字" in by_field["secretary_seats"]
