"""``huanjie demo``: a sample county run through both elections on a moving clock."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from huanjie.clock import MovableClock
from huanjie.demo.cast import make_cast
from huanjie.demo.county import AUDITOR, COUNTY_OFFICE, DEMO_PASSWORD, STAFF, STORIES, TOWNSHIPS, Story
from huanjie.demo.facts import StepFacts
from huanjie.errors import HuanjieError
from huanjie.service.context import Context

D_P, D_V = dt.date(2026, 9, 15), dt.date(2026, 10, 12)


@dataclass
class DemoReport:
    campaign: str
    days: int = 0
    records: int = 0
    approvals: int = 0
    refusals: list[str] = field(default_factory=list)
    board: list = field(default_factory=list)


def demo_context(data_dir: Path) -> Context:
    """A fresh database of its own under <data_dir>/demo; other data is not touched."""
    from huanjie.store.db import make_engine, upgrade

    home = data_dir / "demo"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{(home / 'huanjie.db').resolve()}")
    upgrade(engine)
    return Context(engine=engine, clock=MovableClock("2026-07-01T09:00:00"))


def run_demo(ctx: Context, *, say: Callable[[str], None], tick: Callable[[int], None] | None = None,
             days_total: Callable[[int], None] | None = None, prefect: bool = True) -> DemoReport:
    from huanjie.flows.driver import run_woken
    from huanjie.service.campaigns import create_campaign
    from huanjie.service.deadlines import sweep_overdue
    from huanjie.service.launch import launch
    from huanjie.service.status import board
    from huanjie.service.users import add_user
    from huanjie.service.village_csv import VillageRow
    from huanjie.service.villages import save_villages
    from huanjie.steps.env import campaign_env

    campaign = create_campaign(ctx, name="2026年村“两委”换届选举（演示）", county="示范县", profile="ZJ",
                               party_day=D_P, vc_day=D_V)
    rows = [VillageRow(0, code, name, town, hh, groups)
            for town, villages in TOWNSHIPS.items() for code, name, hh, groups in villages]
    save_villages(ctx, campaign_code=campaign.code, rows=rows)
    add_user(ctx, name=COUNTY_OFFICE, role="county_office", scope_kind="county", scope=None)
    for town, (clerk, recorder, approver, reviewer) in STAFF.items():
        for name, role in ((clerk, "village_clerk"), (recorder, "township_approver"),
                           (approver, "township_approver"), (reviewer, "joint_reviewer")):
            add_user(ctx, name=name, role=role, scope_kind="township", scope=town, actor_name=COUNTY_OFFICE)
    add_user(ctx, name=AUDITOR, role="auditor", scope_kind="county", scope=None, actor_name=COUNTY_OFFICE,
             county="示范县")
    set_demo_passwords(ctx)
    say(f"已创建换届 {campaign.code}：{len(TOWNSHIPS)} 个乡镇、{len(rows)} 个村，规则配置 ZJ（浙江）")
    launch(ctx, campaign_code=campaign.code, actor_name=COUNTY_OFFICE, everything=True)
    say("县换届办已启动全部村的两项选举流程")

    env = campaign_env(campaign)
    plan = env.plan()
    report = DemoReport(campaign.code)
    town_of = {row.code: row.township for row in rows}
    actors = {town: dict(zip(("clerk", "recorder", "approver", "reviewer"), staff)) for town, staff in STAFF.items()}
    facts = {row.code: StepFacts(make_cast(row.code, row.households, row.groups), env,
                                 {"households": row.households, "groups": row.groups, "name": row.name})
             for row in rows}
    stalled: dict[str, set[str]] = {row.code: set() for row in rows}  # elections a village stopped in
    rejected: set[tuple[str, str]] = set()
    steps = [s for s in env.catalogue.steps() if not s.condition]
    days = sorted({plan[s.key].due for s in steps})
    if days_total:
        days_total(len(days))
    for day in days:
        ctx.clock.set(dt.datetime(day.year, day.month, day.day, 9).isoformat())
        for spec in [s for s in steps if plan[s.key].due == day]:
            for code in facts:
                story = STORIES.get(code, Story())
                if spec.election in stalled[code] or spec.key in story.never_record:
                    stalled[code].add(spec.election)
                    continue
                who = _recorder(spec.actor, actors[town_of[code]])
                result = _try(report, lambda: _record(ctx, who, code, spec.key,
                                                      facts[code].for_step(spec.key, day, story.variants.get(spec.key))))
                report.records += 1
                if result is not None and result.status == "blocked":
                    stalled[code].add(spec.election)
        run_woken(ctx, campaign_code=campaign.code, prefect=prefect)
        _decide_gates(ctx, report, actors, town_of, stalled, rejected, env)
        report.days += 1
        if tick:
            tick(1)
    ctx.clock.set(dt.datetime(2026, 11, 20, 9).isoformat())
    run_woken(ctx, campaign_code=campaign.code, prefect=prefect)
    sweep_overdue(ctx)
    report.board = board(ctx, campaign_code=campaign.code)
    return report


def demo_accounts() -> list[tuple[str, str, str]]:
    """(name, role label, scope) of every demo account; all log in with DEMO_PASSWORD."""
    rows = [(COUNTY_OFFICE, "县换届办", "示范县")]
    for town, (clerk, recorder, approver, reviewer) in STAFF.items():
        rows += [(clerk, "村工作人员", town), (recorder, "乡镇干部（填报）", town), (approver, "乡镇审批人", town),
                 (reviewer, "联审单位", town)]
    return rows + [(AUDITOR, "审计/纪检（只读）", "示范县")]


def set_demo_passwords(ctx: Context) -> None:
    from huanjie.service.accounts import AccountSettings, set_password

    for name, _role, _scope in demo_accounts():
        set_password(ctx, name=name, password=DEMO_PASSWORD, actor_name=COUNTY_OFFICE, settings=AccountSettings())


def _recorder(actor: str, staff: dict) -> str:
    return {"township": staff["recorder"], "joint_review": staff["reviewer"]}.get(actor, staff["clerk"])


def _record(ctx, who, code, step_key, facts):
    from huanjie.service.records import record_facts

    return record_facts(ctx, actor_name=who, village_code=code, step_key=step_key, facts=facts)


def _try(report: DemoReport, action):
    try:
        return action()
    except HuanjieError as exc:
        report.refusals.append("；".join([exc.message, *(p.message for p in exc.problems)]))
        return None


def _decide_gates(ctx, report, actors, town_of, stalled, rejected, env) -> None:
    from huanjie.service.gates import decide_gate, waiting_gates

    for town, staff in actors.items():
        for gate in waiting_gates(ctx, actor_name=staff["approver"]):
            story = STORIES.get(gate.village, Story())
            election = env.catalogue.step(gate.step).election
            if gate.step in story.never_approve:
                stalled[gate.village].add(election)
                continue
            if not report.refusals:  # show once that the recorder may not approve their own step
                _try(report, lambda: decide_gate(ctx, actor_name=gate.recorded_by, village_code=gate.village,
                                                 step_key=gate.step, approve=True))
            if gate.step in story.reject_once and (gate.village, gate.step) not in rejected:
                rejected.add((gate.village, gate.step))
                decide_gate(ctx, actor_name=staff["approver"], village_code=gate.village, step_key=gate.step,
                            approve=False, reason="委员名额与党员人数不符，请核实后重报")
                who = _recorder(env.catalogue.step(gate.step).actor, staff)
                _try(report, lambda: _rerecord(ctx, who, gate))
                continue
            decide_gate(ctx, actor_name=staff["approver"], village_code=gate.village, step_key=gate.step,
                        approve=True)
            report.approvals += 1


def _rerecord(ctx, who, gate):
    """The clerk corrects and files the returned step again (here: the same facts)."""
    from sqlmodel import select

    from huanjie.store.db import reading
    from huanjie.store.models import Event

    with reading(ctx.engine) as session:
        last = session.exec(select(Event).where(Event.village_code == gate.village, Event.step_key == gate.step,
                                                Event.kind == "step.recorded").order_by(Event.id.desc())).first()
    return _record(ctx, who, gate.village, gate.step, dict(last.payload["facts"]))
