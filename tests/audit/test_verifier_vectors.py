"""Test vectors for the audit verifier, in the style of transparency logs' (CT, Trillian): a
valid record and mutated ones, each verified without and with a signed checkpoint taken
before the mutation, with the verdict expected of each.

A mutation is made as an attacker with write access to the database file would make it:
drop the append-only triggers, change the rows (recomputing hashes and the chain head where
the attack calls for it), and put the triggers back so that nothing looks touched.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlmodel import select

from huanjie.audit.checkpoint import write_checkpoint
from huanjie.audit.keys import generate_keypair
from huanjie.audit.verify import verify
from huanjie.service.launch import launch
from huanjie.store.db import transaction
from huanjie.store.events import EventDraft, append, event_hash
from huanjie.store.models import Event
from huanjie.service.village_csv import VillageRow
from huanjie.service.villages import save_villages
from tests.factories import make_campaign, make_villages
from tests.fixtures.tamper import drop_a_trigger, set_households, tamper

def _head_to(ctx, chain, seq):
    return (f"UPDATE chain_head SET seq = {seq}, hash = (SELECT hash FROM event WHERE chain = '{chain}' "
            f"AND seq = {seq}) WHERE chain = '{chain}'")


def edit(ctx, chain):  # content changed, hash left as it was
    tamper(ctx, f"UPDATE event SET payload = {set_households(ctx, 999)} WHERE chain = '{chain}' AND seq = 3")


def delete(ctx, chain):
    tamper(ctx, f"DELETE FROM event WHERE chain = '{chain}' AND seq = 5")


def reorder(ctx, chain):
    tamper(ctx, f"UPDATE event SET seq = -1 WHERE chain = '{chain}' AND seq = 4",
            f"UPDATE event SET seq = 4 WHERE chain = '{chain}' AND seq = 5",
            f"UPDATE event SET seq = 5 WHERE chain = '{chain}' AND seq = -1")


def truncate(ctx, chain):  # the last two events gone, the head moved back to match
    tamper(ctx, f"DELETE FROM event WHERE chain = '{chain}' AND seq > 10", _head_to(ctx, chain, 10))


def rewrite(ctx, chain):
    """Event 3 changed and every hash from it on recomputed, the head too: hash by hash it is valid."""
    with transaction(ctx.engine) as s:
        events = list(s.exec(select(Event).where(Event.chain == chain).order_by(Event.seq)))
    statements, prev = [], None
    for e in events:
        if e.seq == 3:
            e.payload = {**e.payload, "households": 999}
        if e.seq >= 3:
            e.prev_hash = prev
            e.hash = event_hash(chain, e.seq, e, prev)
            statements.append(f"UPDATE event SET payload = '{json.dumps(e.payload, ensure_ascii=False)}', "
                              f"prev_hash = '{e.prev_hash}', hash = '{e.hash}' WHERE id = {e.id}")
        prev = e.hash
    tamper(ctx, *statements, f"UPDATE chain_head SET hash = '{prev}' WHERE chain = '{chain}'")


def _append(ctx, chain, at):
    with transaction(ctx.engine) as s:  # through the chain's own code: a valid hash and head
        append(s, chain, EventDraft("village.updated", "县办", "county_office", at, {"households": 1},
                                    village_code="V001"))


def forged_append(ctx, chain):  # added after the checkpoint, dated before it
    _append(ctx, chain, ctx.clock.now() - dt.timedelta(days=3))


def later_append(ctx, chain):  # added after the checkpoint, dated after it: what a real act looks like
    _append(ctx, chain, ctx.clock.now() + dt.timedelta(days=1))


def delete_chain(ctx, chain):  # every event and the head, the campaign left in place
    tamper(ctx, f"DELETE FROM event WHERE chain = '{chain}'", f"DELETE FROM chain_head WHERE chain = '{chain}'")


def delete_chain_and_campaign(ctx, chain):  # nothing of the campaign left at all
    tamper(ctx, f"DELETE FROM event WHERE chain = '{chain}'", f"DELETE FROM chain_head WHERE chain = '{chain}'",
            "DELETE FROM step_state", 'DELETE FROM "case"', "DELETE FROM village", "DELETE FROM township",
            f"DELETE FROM campaign WHERE code = '{chain}'")


def valid(ctx, chain):
    pass


# name, mutation, (verdict without a checkpoint, verdict with one), what shows the mutation
VECTORS = [
    ("valid", valid, ("intact", "intact"), set()),
    ("edit", edit, ("broken", "broken"), {"hash"}),
    ("delete", delete, ("broken", "broken"), {"missing"}),
    ("reorder", reorder, ("broken", "broken"), {"prev_hash"}),
    ("truncate", truncate, ("intact", "broken"), {"checkpoint_truncated"}),
    ("rewrite with valid hashes", rewrite, ("intact", "broken"), {"checkpoint_rewritten"}),
    ("forged append", forged_append, ("intact", "broken"), {"checkpoint_forged"}),
    ("later append", later_append, ("intact", "intact"), set()),
    ("whole-chain delete", delete_chain, ("broken", "broken"), {"missing_chain"}),
    ("whole-chain and campaign delete", delete_chain_and_campaign, ("intact", "broken"), {"checkpoint_deleted"}),
]


@pytest.fixture
def record(ctx, clock, tmp_path):
    """A campaign of three launched villages, two of them updated (12 events), and a checkpoint signed over it."""
    clock.set("2026-08-01T09:00:00")
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    launch(ctx, campaign_code=campaign.code, everything=True)
    save_villages(ctx, campaign_code=campaign.code, rows=[VillageRow(2, "V001", "东湖村", "城关镇", 330, 6),
                                                          VillageRow(3, "V002", "西塘村", "城关镇", 331, 6)])
    private, public = generate_keypair(tmp_path / "keys")
    clock.set("2026-08-01T10:00:00")
    write_checkpoint(ctx, output=tmp_path / "cp.json", key_path=private)
    return campaign.code, tmp_path / "cp.json", public


def _verdict(report) -> str:
    return "intact" if report.intact else "broken"


def _shown_by(report) -> set[str]:
    return {c.broken.problem for c in report.chains if c.broken} | {f.problem for f in report.findings}


@pytest.mark.parametrize("name, mutate, verdicts, shown", VECTORS, ids=[v[0] for v in VECTORS])
def test_vector(ctx, record, name, mutate, verdicts, shown):
    chain, checkpoint, public = record
    assert verify(ctx).intact and verify(ctx, checkpoint=checkpoint, public_key=public).intact
    mutate(ctx, chain)
    without = verify(ctx)
    with_checkpoint = verify(ctx, checkpoint=checkpoint, public_key=public)
    assert (_verdict(without), _verdict(with_checkpoint)) == verdicts
    if shown:
        assert shown <= _shown_by(with_checkpoint), [f.message for f in with_checkpoint.findings]
    assert not {f.problem for f in without.findings} & {"protection"}  # the triggers were put back


def test_a_later_append_is_reported_as_not_yet_covered(ctx, record):
    chain, checkpoint, public = record
    later_append(ctx, chain)
    report = verify(ctx, checkpoint=checkpoint, public_key=public)
    assert report.intact and report.checkpoint["newer"] == {chain: 1}


def test_dropped_triggers_are_noticed(ctx, record):
    name = drop_a_trigger(ctx)
    report = verify(ctx)
    assert not report.intact and [f.problem for f in report.findings] == ["protection"]
    assert name in report.findings[0].message


def test_a_case_without_its_launch_event_is_noticed(ctx, record):
    chain, _, _ = record
    tamper(ctx, f"DELETE FROM event WHERE chain = '{chain}' AND kind = 'case.launched' AND village_code = 'V003'",
            "UPDATE event SET seq = seq WHERE false")
    report = verify(ctx)
    assert any(f.problem == "missing_event" and "V003" in f.message for f in report.findings)


def test_a_tampered_or_foreign_checkpoint_is_refused(ctx, record, tmp_path):
    from huanjie.errors import InvalidInput

    _, checkpoint, public = record
    body = json.loads(checkpoint.read_text())
    body["checkpoint"]["heads"][next(iter(body["checkpoint"]["heads"]))]["seq"] = 1
    (tmp_path / "bad.json").write_text(json.dumps(body))
    with pytest.raises(InvalidInput, match="签名无效"):
        verify(ctx, checkpoint=tmp_path / "bad.json", public_key=public)
    _, other = generate_keypair(tmp_path / "other")
    with pytest.raises(InvalidInput, match="签名无效"):
        verify(ctx, checkpoint=checkpoint, public_key=other)
    (tmp_path / "junk.json").write_bytes(b"\xff\xfe not json")
    with pytest.raises(InvalidInput, match="不是有效的检查点文件"):
        verify(ctx, checkpoint=tmp_path / "junk.json", public_key=public)


def test_the_scheduler_signs_a_daily_checkpoint(ctx, record, tmp_path, monkeypatch):
    from huanjie.reminders.deliver import Notify
    from huanjie.reminders.scheduler import CHECKPOINT_JOB, bind, build_scheduler, checkpoint_job, sync_jobs

    chain, _, public = record
    monkeypatch.setenv("HUANJIE_CHECKPOINT_KEY", str(tmp_path / "keys" / "audit_private.pem"))
    monkeypatch.setenv("HUANJIE_CHECKPOINT_DIR", str(tmp_path / "daily"))
    scheduler = build_scheduler(ctx, Notify())
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, ctx, Notify())
        job = scheduler.get_job(CHECKPOINT_JOB)
        assert job is not None and "hour='0'" in str(job.trigger)
    finally:
        scheduler.shutdown(wait=False)
    bind(ctx, Notify())
    checkpoint_job()
    [daily] = list((tmp_path / "daily").glob("checkpoint-*.json"))
    assert verify(ctx, checkpoint=daily, public_key=public).intact
    truncate(ctx, chain)
    assert not verify(ctx, checkpoint=daily, public_key=public).intact
