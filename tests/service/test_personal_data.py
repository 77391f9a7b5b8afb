"""身份证号 never unmasked in messages: check failures, errors, the audit log, SQL tracebacks."""

from __future__ import annotations

import pendulum
import pytest
from sqlalchemy.exc import IntegrityError

from huanjie.audit import village_log
from huanjie.errors import InvalidInput, Problem
from huanjie.privacy import mask
from huanjie.store.db import transaction
from huanjie.store.events import EventDraft, append
from huanjie.store.models import Village
from tests.checks.support import messages
from tests.factories import make_campaign, make_villages

ID = "330102195001011234"
MASKED = "330102********1234"


def test_a_check_failure_quoting_a_person_masks_the_id():
    [text] = messages("party_committee_seats", {"formal_members": {"name": "张三", "id": ID}, "committee_seats": 3})
    assert MASKED in text and ID not in text


def test_an_id_read_as_an_integer_is_masked_too():
    [text] = messages("party_committee_seats", {"formal_members": {"name": "张三", "id": int(ID)},
                                                "committee_seats": 3})
    assert MASKED in text and ID not in text
    assert mask({"people": [{"id": int(ID)}, {"id": "11010519491231002X"}], "n": 5, "ok": True}) == {
        "people": [{"id": MASKED}, {"id": "110105********002X"}], "n": 5, "ok": True}


def test_errors_mask_ids_where_they_are_made():
    error = InvalidInput(f"身份证号“{ID}”校验码错误", [Problem(f"候选人 {ID} 不在名单中", field="candidates")])
    assert ID not in str(error) and MASKED in error.message and MASKED in error.problems[0].message
    assert ID not in repr(error.as_dict())


def test_the_audit_log_masks_an_id_stored_as_an_integer(ctx):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    with transaction(ctx.engine) as s:  # as a YAML reader once turned an unquoted 身份证号 into a number
        append(s, campaign.code, EventDraft("step.recorded", "村文书", "village_clerk", pendulum.now("UTC"),
                                            {"facts": {"candidates": [{"name": "张三", "id": int(ID)}]}},
                                            village_code="V001", election="vc", step_key="V4.1"))
    entries = village_log(ctx, village_code="V001")
    text = repr([e.as_dict() for e in entries])
    assert ID not in text and MASKED in text


def test_sql_parameters_never_reach_a_traceback(ctx):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    with pytest.raises(IntegrityError) as raised:
        with transaction(ctx.engine) as s:
            s.add(Village(campaign_id=campaign.id, township_id=1, code="V001", name=f"张三{ID}", households=1, groups=1))
    assert ID not in str(raised.value) and "hidden" in str(raised.value)
