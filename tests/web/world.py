"""A small county for the web tests, built through the service layer (as staff would, quickly).

东湖村 V001 waits at the P2.3 gate with P3.1 already recorded; 西塘村 V002 is ready for the
clerk to record P2.2; the third village's name, a person's name and a fact are XSS probes;
a village of another county (邻县) must stay invisible.
"""

from __future__ import annotations

import datetime as dt

from huanjie.service.accounts import set_password
from huanjie.service.launch import launch
from huanjie.service.users import add_user
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import APPROVER, CLERK, COUNTY, RECORDER, REVIEWER, VillageDriver

PASSWORD = "correct-horse-42"
AUDITOR = "审计员"
PROBE = "<script>alert(1)</script>{{7*7}}"
XSS_VILLAGE = f"{PROBE}村"
OTHER_COUNTY_VILLAGE = "X001"


def build_world(ctx, clock) -> dict:
    campaign = make_campaign(ctx, county="示范县")
    make_villages(ctx, campaign, rows=(("V001", "东湖村", "城关镇"), ("V002", "西塘村", "城关镇"),
                                       ("V003", XSS_VILLAGE, "城关镇"), ("V004", "上林村", "清溪镇")))
    other = make_campaign(ctx, county="邻县", name="邻县换届")
    make_villages(ctx, other, rows=((OTHER_COUNTY_VILLAGE, "邻县村", "城关镇"),))
    launch(ctx, campaign_code=other.code, everything=True)
    add_user(ctx, name=COUNTY, role="county_office", scope_kind="county", scope=None, county="示范县")
    for name, role in ((CLERK, "village_clerk"), (RECORDER, "township_approver"), (APPROVER, "township_approver"),
                       (REVIEWER, "joint_reviewer")):
        add_user(ctx, name=name, role=role, scope_kind="township", scope="城关镇", actor_name=COUNTY, county="示范县")
    add_user(ctx, name=AUDITOR, role="auditor", scope_kind="county", scope=None, actor_name=COUNTY, county="示范县")
    for name in (COUNTY, CLERK, RECORDER, APPROVER, REVIEWER, AUDITOR):
        set_password(ctx, name=name, password=PASSWORD, actor_name=COUNTY)
    launch(ctx, campaign_code=campaign.code, actor_name=COUNTY, everything=True)

    drivers = {code: VillageDriver(ctx, clock, campaign.code, code) for code in ("V001", "V002", "V003")}
    due = {k: s.due for k, s in drivers["V001"].states().items()}
    for key in ("P1.1", "P1.3", "P2.1"):
        drivers["V001"].at(due[key])
        for d in drivers.values():
            d.do_step(key)
    drivers["V001"].at(due["P2.2"])
    drivers["V001"].do_step("P2.2")
    drivers["V003"].record("P2.2", nomination_method=PROBE)
    drivers["V003"].run()
    drivers["V001"].at(due["P2.3"])
    for code in ("V001", "V003"):
        drivers[code].record("P2.3")
        drivers[code].run()
    drivers["V001"].record("P3.1")
    probe_facts = drivers["V003"].facts.for_step("P3.1", clock.today())
    probe_facts["members"][0]["name"] = PROBE
    from huanjie.service.records import record_facts

    record_facts(ctx, actor_name=CLERK, village_code="V003", step_key="P3.1", facts=probe_facts)
    return {"campaign": campaign.code, "other": other.code, "now": clock.now().isoformat(),
            "today": clock.today(), "p22_due": due["P2.2"]}


__all__ = ["APPROVER", "AUDITOR", "CLERK", "COUNTY", "PASSWORD", "PROBE", "RECORDER", "REVIEWER", "build_world", "dt"]
