"""What a campaign's cases run under: catalogue, rule profile, calendar and anchors."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from huanjie.errors import Conflict, Problem


@dataclass(frozen=True)
class CaseEnv:
    catalogue: object  # huanjie.steps.catalogue.Catalogue
    profile: object    # huanjie.rules.RuleProfile
    calendar: object   # huanjie.calendar.LegalCalendar
    anchors: dict[str, dt.date]

    def plan(self, done: dict[str, dt.date] | None = None):
        from huanjie.steps.planner import plan_steps

        return plan_steps(self, done or {})


def campaign_env(campaign) -> CaseEnv:
    rest = tuple(sorted((campaign.local_rest_days or {}).items()))
    return _env(campaign.profile_code, campaign.catalogue_version, campaign.party_day, campaign.vc_day, rest,
                campaign.calendar_version)


@functools.lru_cache(maxsize=64)
def _env(profile_code: str, catalogue_version: str, party_day: dt.date, vc_day: dt.date, rest: tuple,
         calendar_version: str = "") -> CaseEnv:
    from huanjie.calendar import load_calendar
    from huanjie.rules import load_profile
    from huanjie.steps.catalogue import load_catalogue

    catalogue = load_catalogue()
    if catalogue.version != catalogue_version:
        # A campaign stays on the catalogue version it started with (style.md 9).
        raise Conflict(
            f"本换届使用步骤目录 {catalogue_version}，当前程序只带有 {catalogue.version}",
            [Problem("请安装对应版本的程序，或为新目录版本编写迁移", field="catalogue_version")],
        )
    calendar = load_calendar()
    if rest:
        calendar = calendar.with_local_rest_days({dt.date.fromisoformat(d): label for d, label in rest})
    return CaseEnv(
        catalogue=catalogue,
        profile=load_profile(profile_code),
        calendar=calendar,
        anchors={"D_P": party_day, "D_V": vc_day},
    )
