"""Launching: cases and every planned deadline written in bulk, no flow run per village.

The plan depends only on the campaign (anchors, profile, calendar), so it is computed once
and copied to every village. Flows pick the cases up later (worker or ``huanjie run``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import insert
from sqlmodel import select

from huanjie.errors import InvalidInput, NotFound, Problem
from huanjie.service.campaigns import county_campaign
from huanjie.service.context import Context
from huanjie.steps.env import campaign_env
from huanjie.store.db import transaction
from huanjie.store.events import EventDraft, append_many
from huanjie.store.models import ELECTIONS, Case, StepState, Township, Village

BATCH = 500


@dataclass
class LaunchResult:
    launched: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


def launch(ctx: Context, *, campaign_code: str, actor_name: str | None = None, township: str | None = None,
           village: str | None = None, everything: bool = False, progress=None) -> LaunchResult:
    if sum(x is not None and x is not False for x in (township, village, everything or None)) != 1:
        raise InvalidInput("请指定启动范围", [Problem("--township、--village、--all 三者选其一", field="scope")])
    now = ctx.clock.now()
    result = LaunchResult()
    with transaction(ctx.engine) as session:
        actor, campaign = county_campaign(session, actor_name=actor_name, action="启动换届流程",
                                          campaign_code=campaign_code, lock="share")
        env = campaign_env(campaign)
        query = select(Village.id, Village.code).join(Township, Township.id == Village.township_id).where(
            Village.campaign_id == campaign.id)
        if township:
            query = query.where(Township.name == township)
        if village:
            query = query.where(Village.code == village)
        villages = session.exec(query.order_by(Village.code)).all()
        if not villages:
            raise NotFound("没有符合条件的村", [Problem("请检查 --township / --village，或先导入村名单", field="scope")])
        launched_ids = set(session.exec(select(Case.village_id).where(Case.campaign_id == campaign.id)))
        plan = env.plan()
        by_election = {e: [s for s in env.catalogue.steps() if s.election == e] for e in ELECTIONS}
        plan_payload = {e: {s.key: {"due": plan[s.key].due, "provisional": plan[s.key].provisional,
                                    "statutory": plan[s.key].statutory, "warnings": list(plan[s.key].warnings),
                                    "milestones": plan[s.key].milestones_json()} for s in steps}
                        for e, steps in by_election.items()}
        todo = [(vid, code) for vid, code in villages if vid not in launched_ids]
        result.already = [code for vid, code in villages if vid in launched_ids]
        for start in range(0, len(todo), BATCH):
            chunk = todo[start:start + BATCH]
            _launch_chunk(session, campaign, env, plan, by_election, plan_payload, chunk, now, actor)
            result.launched.extend(code for _, code in chunk)
            if progress:
                progress(len(chunk))
    return result


def _launch_chunk(session, campaign, env, plan, by_election, plan_payload, chunk, now, actor) -> None:
    cases = [{"campaign_id": campaign.id, "village_id": vid, "election": e,
              "catalogue_version": campaign.catalogue_version, "profile_version": campaign.profile_version,
              "calendar_version": campaign.calendar_version, "launched_at": now, "wake": 1, "ran": 0}
             for vid, _ in chunk for e in ELECTIONS]
    session.execute(insert(Case), cases)
    ids = dict(((vid, e), cid) for cid, vid, e in session.exec(
        select(Case.id, Case.village_id, Case.election).where(
            Case.campaign_id == campaign.id, Case.village_id.in_([vid for vid, _ in chunk]))))
    rows = []
    for vid, _ in chunk:
        for election, steps in by_election.items():
            case_id = ids[(vid, election)]
            for spec in steps:
                p = plan[spec.key]
                rows.append({"case_id": case_id, "step_key": spec.key, "status": "pending", "due": p.due,
                             "statutory": p.statutory, "provisional": p.provisional, "warnings": list(p.warnings),
                             "milestones": p.milestones_json(), "failures": [], "attempt": 1, "late": False,
                             "overdue_noted": False, "invalidated": False})
    session.execute(insert(StepState), rows)
    drafts = [EventDraft(kind="case.launched", actor=actor.name, role=actor.role, at=now, village_code=code,
                         election=e, payload={"catalogue_version": campaign.catalogue_version,
                                              "profile": campaign.profile_code,
                                              "profile_version": campaign.profile_version,
                                              "calendar_version": campaign.calendar_version,
                                              "anchors": env.anchors, "steps": plan_payload[e]})
              for _, code in chunk for e in ELECTIONS]
    append_many(session, campaign.code, drafts)
