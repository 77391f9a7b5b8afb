"""Auditors and the county office may audit; nobody else; auditing writes nothing."""

import pytest
from sqlalchemy import text

from huanjie.audit import check_village, export_archive, replay_village, verify, verify_export, village_log
from huanjie.audit.keys import generate_keypair
from huanjie.errors import PermissionDenied
from huanjie.store.db import reading
from tests.audit.scenario import AUDITOR
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import APPROVER, CLERK, COUNTY


def _everything(ctx, who, tmp_path):
    verify(ctx, actor_name=who)
    replay_village(ctx, village_code="V001", actor_name=who)
    check_village(ctx, village_code="V001", actor_name=who)
    village_log(ctx, village_code="V001", actor_name=who)
    export_archive(ctx, output=tmp_path / f"{who}.zip", village_code="V001", actor_name=who)


def _fingerprint(ctx):
    with reading(ctx.engine) as s:
        return [s.execute(text(sql)).all() for sql in (
            "SELECT count(*), max(id) FROM event", "SELECT * FROM chain_head ORDER BY chain",
            "SELECT * FROM step_state ORDER BY id", "SELECT * FROM gate_decision ORDER BY id",
            'SELECT id, wake, ran FROM "case" ORDER BY id')]


@pytest.mark.parametrize("who", [AUDITOR, COUNTY])
def test_auditors_and_the_county_office_read_and_write_nothing(story, who, tmp_path):
    before = _fingerprint(story.ctx)
    _everything(story.ctx, who, tmp_path)
    assert _fingerprint(story.ctx) == before


@pytest.mark.parametrize("who", [CLERK, APPROVER])
def test_others_may_not_audit(story, who, tmp_path):
    for fn in (lambda: verify(story.ctx, actor_name=who),
               lambda: replay_village(story.ctx, village_code="V001", actor_name=who),
               lambda: village_log(story.ctx, village_code="V001", actor_name=who),
               lambda: export_archive(story.ctx, output=tmp_path / "x.zip", village_code="V001", actor_name=who)):
        with pytest.raises(PermissionDenied, match="不能查看审计记录"):
            fn()
    assert not (tmp_path / "x.zip").exists()


def test_before_any_user_exists_audit_runs_as_the_system(ctx, tmp_path):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    assert verify(ctx).intact
    private, public = generate_keypair(tmp_path)
    result = export_archive(ctx, output=tmp_path / "a.zip", campaign_code=campaign.code, key_path=private)
    assert result.signed and result.manifest["chains"]["system"] == {  # no user yet: an empty chain
        "head_seq": 0, "head_hash": "0" * 64, "events": 0, "complete": True, "intact": True, "broken": None}
    assert verify_export(tmp_path / "a.zip", public).ok
