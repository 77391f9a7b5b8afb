"""Scopes: a township name repeats across counties; a user acts only in their own county."""

import pytest

from huanjie.errors import InvalidInput, PermissionDenied
from huanjie.service.launch import launch
from huanjie.service.records import record_facts
from huanjie.service.users import add_user
from tests.factories import make_campaign, make_villages


@pytest.fixture
def two_counties(ctx):
    a = make_campaign(ctx, county="甲县")
    make_villages(ctx, a, rows=(("A001", "东湖村", "城关镇"),))
    b = make_campaign(ctx, county="乙县")
    make_villages(ctx, b, rows=(("B001", "西塘村", "城关镇"),))
    launch(ctx, campaign_code=a.code, everything=True)  # set-up, before any user exists
    launch(ctx, campaign_code=b.code, everything=True)
    add_user(ctx, name="甲县办", role="county_office", scope_kind="county", scope=None, county="甲县")
    return a, b


def test_a_township_scope_does_not_reach_the_same_name_in_another_county(ctx, two_counties):
    with pytest.raises(InvalidInput, match="多个县"):
        add_user(ctx, name="周敏", role="township_approver", scope_kind="township", scope="城关镇", actor_name="甲县办")
    add_user(ctx, name="周敏", role="township_approver", scope_kind="township", scope="城关镇", county="甲县",
             actor_name="甲县办")
    record_facts(ctx, actor_name="周敏", village_code="A001", step_key="P1.3", facts={"plan": "一村一策"})
    with pytest.raises(PermissionDenied, match="范围"):
        record_facts(ctx, actor_name="周敏", village_code="B001", step_key="P1.3", facts={"plan": "一村一策"})


def test_a_county_office_acts_for_its_own_county_only(ctx, two_counties):
    a, b = two_counties
    with pytest.raises(PermissionDenied, match="甲县"):
        add_user(ctx, name="乙县文书", role="village_clerk", scope_kind="village", scope="B001", actor_name="甲县办")
    add_user(ctx, name="甲县文书", role="village_clerk", scope_kind="village", scope="A001", actor_name="甲县办")
    with pytest.raises(PermissionDenied, match="甲县"):
        launch(ctx, campaign_code=b.code, actor_name="甲县办", everything=True)


def test_the_scope_a_new_user_gets_follows_the_role_and_the_imported_names(ctx, two_counties):
    from huanjie.service.users import placed_scope

    assert placed_scope(ctx, "county_office", "城关镇") == ("county", None)   # county-wide whatever is typed
    assert placed_scope(ctx, "auditor", " ") == ("county", None)
    assert placed_scope(ctx, "township_approver", " 城关镇 ") == ("township", "城关镇")
    assert placed_scope(ctx, "village_clerk", "A001") == ("village", "A001")
    assert placed_scope(ctx, "joint_reviewer", "") == ("county", None)
    with pytest.raises(InvalidInput, match="既不是"):
        placed_scope(ctx, "village_clerk", "不存在镇")
