"""A clerk walks a village through a whole election from `huanjie step template` files alone:
for every step the template names the facts, the clerk fills it in (from the village's notebook,
plain YAML data), and `record` takes the file; gates are approved; every step completes and
every document is made. Once for the Party election, once for the villager committee's."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlmodel import select
from typer.testing import CliRunner

from huanjie.cli.main import app
from huanjie.service.fact_files import load_yaml, read_fact_input
from huanjie.service.facts import step_facts
from huanjie.service.records import record_facts
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages
from huanjie.store.db import reading
from huanjie.store.document_models import RenderedDocument
from tests.factories import make_campaign
from tests.fixtures.scenario import RECORDER_BY_ACTOR, VillageDriver, add_staff, launch_all

DATA = Path(__file__).parent / "data"


def notebook(election: str) -> dict:
    return yaml.safe_load((DATA / f"{election}_notebook.yaml").read_text(encoding="utf-8"))


def fill(template_text: str, values: dict) -> str:
    """The clerk's filled file: the template's comments kept, each fact it names given a value."""
    named = load_yaml(template_text, "template.yaml").facts
    unknown = set(values) - set(named)
    assert not unknown, f"the notebook has facts the template does not name: {unknown}"
    comments = [line for line in template_text.splitlines() if line.startswith("#")]
    body = yaml.safe_dump({k: values[k] for k in named if k in values}, allow_unicode=True, sort_keys=False)
    return "\n".join(comments) + "\n" + body


def approve_waiting_gates(driver) -> None:
    while waiting := [k for k, st in driver.states().items() if st.status == "awaiting"]:
        for key in waiting:
            driver.approve(key)
        driver.run()


@pytest.mark.parametrize("election", ["party", "vc"])
def test_a_whole_election_from_step_templates_alone(ctx, clock, tmp_path, election):
    book = notebook(election)
    campaign = make_campaign(ctx)
    save_villages(ctx, campaign_code=campaign.code, rows=[VillageRow(2, "W001", "南山村", "城关镇", 100, 4)])
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "W001")
    runner = CliRunner()
    other = notebook("party") if election == "vc" else {}
    steps = [s for s in driver.timeline() if s.election == election or s.key in other]
    for spec in steps:
        driver.at(driver.states()[spec.key].due)
        values = book.get(spec.key, other.get(spec.key))
        out = runner.invoke(app, ["step", "template", spec.key, "--format", "yaml"])
        assert out.exit_code == 0, out.output
        assert "必填" in out.output or "选填" in out.output
        for f in step_facts(spec.key).facts:
            assert not f.required or f.key in values, (spec.key, f.key)  # the template asked for it
        path = tmp_path / f"{spec.key}.yaml"
        path.write_text(fill(out.output, values), encoding="utf-8")
        given = read_fact_input(path, schema=step_facts(spec.key))
        result = record_facts(ctx, actor_name=RECORDER_BY_ACTOR[spec.actor], village_code="W001",
                              step_key=spec.key, facts=given.facts, lines=given.lines)
        assert result.failures == [], (spec.key, result.failures)
        driver.run()
        states = driver.states()
        if states[spec.key].status != "done":  # it waits for an earlier step still open (due later)
            waiting = [r for r in spec.requires if states[r].status not in ("done", "skipped")]
            assert waiting or states[spec.key].status == "awaiting", (spec.key, states[spec.key].status)
        approve_waiting_gates(driver)
    states = driver.states()
    prefix = "P" if election == "party" else "V"
    open_steps = [k for k, s in states.items() if k.startswith(prefix) and s.status not in ("done", "skipped")]
    assert open_steps == []
    expected = {(code, s.key) for s in driver.env.catalogue.steps(election) for code in s.documents
                if states[s.key].status == "done"}
    with reading(ctx.engine) as s:
        made = {(r.code, r.step_key) for r in s.exec(select(RenderedDocument))}
    assert expected <= made
