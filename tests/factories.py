"""Plain factories for tests: make_campaign(ctx, **overrides), make_villages(ctx, ...)."""

from __future__ import annotations

import datetime as dt

from huanjie.service.campaigns import create_campaign
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages

D_P = dt.date(2026, 9, 15)
D_V = dt.date(2026, 10, 12)


def make_campaign(ctx, **overrides):
    args = dict(name="2026年村两委换届", county="示范县", profile="national", party_day=D_P, vc_day=D_V)
    args.update(overrides)
    return create_campaign(ctx, **args)


def make_villages(ctx, campaign, rows=(("V001", "东湖村", "城关镇"), ("V002", "西塘村", "城关镇"),
                                       ("V003", "上林村", "清溪镇"))):
    save_villages(ctx, campaign_code=campaign.code,
                  rows=[VillageRow(i + 2, code, name, town, 320, 6) for i, (code, name, town) in enumerate(rows)])
