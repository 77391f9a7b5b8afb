"""step template: the xlsx for P4.1 opens with openpyxl and, filled in, records; yaml templates
are read back by the fact-file loader and list every fact the step declares."""

from __future__ import annotations

import io

import openpyxl
import yaml

from huanjie.service.fact_files import load_yaml, read_fact_input
from huanjie.service.facts import step_facts, template
from huanjie.service.records import record_facts
from tests.facts.conftest import walk_to
from tests.fixtures.scenario import CLERK


def test_every_yaml_template_reads_back_with_every_fact():
    from huanjie.steps.catalogue import load_catalogue

    for spec in load_catalogue().steps():
        text = template(spec.key, "yaml").decode("utf-8")
        facts = load_yaml(text, "t.yaml").facts
        declared = [f.key for f in step_facts(spec.key).facts]
        assert list(facts) == declared, spec.key
        assert "#" in text and "必填" in text


def test_p41_xlsx_template_opens_and_filled_in_records(ctx, driver, tmp_path):
    walk_to(driver, "P4.1")
    book = openpyxl.load_workbook(io.BytesIO(template("P4.1", "xlsx")))
    assert book.sheetnames[0] == "事实" and "初步人选及推荐得票" in book.sheetnames
    sheet = book["事实"]
    assert [c.value for c in sheet[1]] == ["事实编号", "事实", "填写", "说明"]
    # the clerk fills the sheets from the day's tally (here: what the village's tellers counted)
    real = driver.facts.for_step("P4.1", driver.clock.today())
    for row in sheet.iter_rows(min_row=2):
        key = row[0].value
        value = real.get(key)
        row[2].value = "、".join(value) if isinstance(value, list) else value
    for key, title in (("party_candidates", "初步人选及推荐得票"), ("recommend_meetings", "推荐会议")):
        ws = book[title]
        headers = [c.value for c in ws[1]]
        columns = {c.label: c.key for c in step_facts("P4.1").get(key).columns}
        ws.delete_rows(2, ws.max_row)
        for entry in real[key]:
            ws.append([entry.get(columns[h]) for h in headers])
    path = tmp_path / "P4.1.xlsx"
    book.save(path)
    given = read_fact_input(path, schema=step_facts("P4.1"))
    result = record_facts(ctx, actor_name=CLERK, village_code="V001", step_key="P4.1", facts=given.facts,
                          lines=given.lines)
    assert result.failures == [] and result.status == "pending"
    assert driver.states()["P4.1"].facts["party_candidates"][0]["votes"] == real["party_candidates"][0]["votes"]


def test_csv_template_has_chinese_headers():
    text = template("V3.1", "csv").decode("utf-8-sig")
    assert text.splitlines()[1].startswith("姓名,身份证号,出生日期")
    assert yaml.safe_load(template("P1.1", "yaml"))["risk_level"] == "green"
