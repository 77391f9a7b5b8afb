"""The audit commands on PostgreSQL: replay agrees, a break is found, an export verifies."""

import pytest
from sqlalchemy import text

from huanjie.audit import check_village, export_archive, verify, verify_export, village_log
from huanjie.audit.keys import generate_keypair
from huanjie.service.gates import decide_gate
from huanjie.store.db import transaction
from tests.audit.scenario import AUDITOR, drive_until, start
from tests.fixtures.scenario import APPROVER


@pytest.fixture
def driven(pg_ctx, clock):
    driver = start(pg_ctx, clock)
    drive_until(driver, "P2.3")
    driver.at(driver.states()["P2.3"].due)
    driver.record("P2.3")
    driver.run()
    decide_gate(pg_ctx, actor_name=APPROVER, village_code="V001", step_key="P2.3", approve=False, reason="名额有误")
    return driver


def test_replay_log_and_export_on_postgresql(pg_ctx, driven, tmp_path):
    assert check_village(pg_ctx, village_code="V001", actor_name=AUDITOR) == []
    assert any("名额有误" in e.content for e in village_log(pg_ctx, village_code="V001", actor_name=AUDITOR))
    private, public = generate_keypair(tmp_path)
    export_archive(pg_ctx, output=tmp_path / "a.zip", village_code="V001", key_path=private, actor_name=AUDITOR)
    assert verify_export(tmp_path / "a.zip", public).ok


def test_a_break_in_one_chain_leaves_the_next_checked(pg_ctx, driven):
    with transaction(pg_ctx.engine) as s:
        s.execute(text("DROP TRIGGER event_append_only ON event"))
        s.execute(text(f"DELETE FROM event WHERE chain = '{driven.campaign_code}' AND seq = 2"))
    report = verify(pg_ctx, actor_name=AUDITOR)
    by_chain = {c.chain: c for c in report.chains}
    assert by_chain[driven.campaign_code].broken.problem == "missing"
    assert by_chain["system"].intact and by_chain["system"].events == 6
