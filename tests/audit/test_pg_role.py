"""On PostgreSQL the application role may append events but has no right to change them."""

import pendulum
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from huanjie.audit.verify import verify
from huanjie.clock import MovableClock
from huanjie.service.context import Context
from huanjie.service.launch import launch
from huanjie.store.db import make_engine, transaction
from huanjie.store.events import EventDraft, append
from tests.factories import make_campaign, make_villages

ROLE = "huanjie_app"


@pytest.fixture
def app_ctx(pg_ctx, pg_url):
    """The same database, every connection acting as the application role."""
    engine = make_engine(pg_url)
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _as_app(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET ROLE {ROLE}")
        dbapi_conn.commit()

    yield Context(engine=engine, clock=MovableClock("2026-08-01T09:00:00"))
    engine.dispose()


def test_the_role_exists_without_update_delete_or_truncate_on_event(pg_ctx):
    with transaction(pg_ctx.engine) as s:
        rights = {r: s.execute(text(f"SELECT has_table_privilege('{ROLE}', 'event', '{r}')")).scalar_one()
                  for r in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")}
        can_update_steps = s.execute(text(f"SELECT has_table_privilege('{ROLE}', 'step_state', 'UPDATE')")).scalar_one()
    assert rights == {"SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False}
    assert can_update_steps


def test_the_application_runs_as_the_role_and_is_refused_changing_events(pg_ctx, app_ctx):
    with transaction(app_ctx.engine) as s:
        assert s.execute(text("SELECT current_user")).scalar_one() == ROLE
    campaign = make_campaign(app_ctx)  # the engine's own writes need nothing more
    make_villages(app_ctx, campaign)
    launch(app_ctx, campaign_code=campaign.code, everything=True)
    with transaction(app_ctx.engine) as s:
        append(s, "C1", EventDraft("test", "张三", "county_office", pendulum.datetime(2026, 8, 1, tz="UTC")))
    # even with the trigger gone (only the table owner can drop it), the privilege refuses
    with transaction(pg_ctx.engine) as s:
        s.execute(text("DROP TRIGGER event_append_only ON event"))
        s.execute(text("DROP TRIGGER event_no_truncate ON event"))
    for sql in ("UPDATE event SET actor = 'x'", "DELETE FROM event", "TRUNCATE event",
                "ALTER TABLE event DISABLE TRIGGER ALL"):
        with pytest.raises(DBAPIError, match="permission denied|must be owner"):
            with transaction(app_ctx.engine) as s:
                s.execute(text(sql))
    # the chains are intact, but verify notices the protection is gone (and the test chain C1 has no campaign)
    report = verify(app_ctx)
    assert all(c.intact for c in report.chains) and not report.intact
    assert sorted(f.problem for f in report.findings) == ["orphan_chain", "protection", "protection"]
    assert any("event_append_only" in f.message for f in report.findings)
