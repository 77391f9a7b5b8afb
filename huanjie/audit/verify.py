"""Walking the hash chains: the first broken link of each chain, or its intact head.

Each event's hash is recomputed from its stored fields and its stored ``prev_hash``; each
``prev_hash`` must equal the previous event's hash, sequence numbers must run 1, 2, 3… with
no gap, and the last event must be the one ``chain_head`` records. Editing an event shows as
a hash mismatch at that event; rewriting it *and* its hash shows as a ``prev_hash`` mismatch
at the next one; deleting one shows as a missing sequence number, or at the end as a head
mismatch. (Rewriting a whole chain and its head is caught by comparing with a head hash kept
outside the database: a signed export, or the head printed by last night's run.)

A long chain is cut into sequence ranges walked by worker processes (huanjie.audit.ranges)
and stitched back: each range's first ``prev_hash`` must be the previous range's last hash.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from hashlib import sha256
from pathlib import Path

import orjson

from huanjie.audit.access import audit_session, require_campaign, visible_chains
from huanjie.audit.completeness import Finding, completeness, protection
from huanjie.audit.encoding import canonical_row
from huanjie.audit.rows import chain_head, chain_names, event_batches, last_seq
from huanjie.service.context import Context
from huanjie.service.roles import serves_county
from huanjie.store.events import GENESIS

PER_WORKER_MIN = 100_000  # below this many events per process, one process is faster


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int                 # the event where the break shows
    problem: str             # hash | prev_hash | missing | head
    message: str             # Chinese, names the event and what differs
    event_id: int | None = None
    kind: str | None = None
    village_code: str | None = None
    step_key: str | None = None
    stored: str | None = None    # the stored value that does not match
    expected: str | None = None  # what it should have been


@dataclass
class ChainReport:
    chain: str
    events: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    broken: ChainBreak | None = None
    first_prev: str | None = None  # a range walk: the first row's stored prev_hash, for stitching
    first_row: tuple | None = None

    @property
    def intact(self) -> bool:
        return self.broken is None


@dataclass
class VerifyReport:
    chains: list[ChainReport] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # completeness, protection, checkpoint
    checkpoint: dict | None = None  # {"signed_at", "chains", "newer"}: what a checkpoint covered

    @property
    def intact(self) -> bool:
        return all(c.intact for c in self.chains) and not self.findings

    @property
    def events(self) -> int:
        return sum(c.events for c in self.chains)

    def as_dict(self) -> dict:
        return {"intact": self.intact, "events": self.events,
                "chains": [{"chain": c.chain, "events": c.events, "head_seq": c.head_seq, "head_hash": c.head_hash,
                            "intact": c.intact, "broken": asdict(c.broken) if c.broken else None}
                           for c in self.chains],
                "findings": [f.as_dict() for f in self.findings], "checkpoint": self.checkpoint}


def verify(ctx: Context, *, actor_name: str | None = None, campaign_code: str | None = None,
           workers: int | None = None, checkpoint: Path | None = None, public_key: Path | None = None) -> VerifyReport:
    """Verify every chain the actor may see (or one campaign's), with up to ``workers`` processes per
    chain; that every campaign and case has its chain; that events are still protected; and, given
    a signed ``checkpoint`` and its ``public_key``, that the store still agrees with it."""
    from huanjie.audit import checkpoint as checkpoints
    from huanjie.errors import InvalidInput, Problem

    workers = workers or len(os.sched_getaffinity(0))
    signed = None
    if checkpoint is not None:
        if public_key is None:
            raise InvalidInput("核对检查点须提供签名公钥", [Problem("请用 --public-key 指定县（区）签名密钥的公钥",
                                                          field="public_key")])
        signed = checkpoints.load(checkpoint, public_key)
    with audit_session(ctx, actor_name) as (session, actor):
        campaigns = _campaigns(session, actor, campaign_code)
        chains = visible_chains(session, actor, chain_names(session))
        if campaign_code:
            chains = [campaign_code]
        report = VerifyReport([verify_chain(session, chain, workers=workers) for chain in chains])
        report.findings += completeness(session, campaigns, chains)
        report.findings += protection(session)
        if signed is not None:
            known = set(chain_names(session))
            covered = {c: h for c, h in signed.heads.items()
                       if (c in chains) or (c not in known and not campaign_code)}
            report.findings += checkpoints.compare(session, replace(signed, heads=covered), chains)
            newer = {c.chain: c.head_seq - covered[c.chain]["seq"] for c in report.chains
                     if c.chain in covered and c.head_seq > covered[c.chain]["seq"]}
            report.checkpoint = {"signed_at": signed.signed_at, "chains": len(covered), "newer": newer,
                                 "not_covered": [c.chain for c in report.chains
                                                 if c.chain not in covered and c.events]}
        return report


def _campaigns(session, actor, campaign_code: str | None) -> list[tuple[int, str]]:
    from sqlmodel import select

    from huanjie.service.campaigns import get_campaign
    from huanjie.store.models import Campaign

    if campaign_code:
        campaign = get_campaign(session, campaign_code)
        require_campaign(actor, campaign)
        return [(campaign.id, campaign.code)]
    return [(c.id, c.code) for c in session.exec(select(Campaign).order_by(Campaign.code))
            if serves_county(actor, c.county)]


def verify_chain(session, chain: str, *, workers: int = 1, per_worker_min: int = PER_WORKER_MIN) -> ChainReport:
    last = last_seq(session, chain)
    parts = max(1, min(workers, last // per_worker_min))
    if parts == 1:
        report = walk(chain, event_batches(session, chain))
    else:
        from huanjie.audit.ranges import walk_in_parallel

        report = walk_in_parallel(session, chain, last, parts)
    if report.broken is None:
        report.broken = head_break(chain, report, chain_head(session, chain))
    return report


def walk(chain: str, batches: Iterable[list[tuple]], *, start_seq: int = 1, prev: str | None = GENESIS,
         end_seq: int | None = None) -> ChainReport:
    """Check rows ``(id, seq, kind, actor, role, at, village, election, step, payload_json, prev_hash, hash)``.

    ``prev=None`` (a range that does not start the chain) takes the first row's ``prev_hash``
    as given and returns it as ``first_prev``; ``end_seq`` makes missing rows at the end a break.
    """
    loads, dumps, sort = orjson.loads, orjson.dumps, orjson.OPT_SORT_KEYS
    expected, count, first_prev, first_row = start_seq, 0, None, None
    for rows in batches:
        if first_row is None and rows:
            first_row = rows[0]
            if prev is None and rows[0][1] == start_seq:
                prev = first_prev = rows[0][10]
        for row in rows:
            _, seq, kind, actor, role, at, village, election, step, payload, prev_hash, stored = row
            # canonical_row, inlined: this loop runs once per event of the store
            if seq != expected or prev_hash != prev or sha256(dumps(
                    {"actor": actor, "at": at, "chain": chain, "election": election, "kind": kind,
                     "payload": loads(payload), "prev_hash": prev_hash, "role": role, "seq": seq, "step_key": step,
                     "village_code": village}, option=sort)).hexdigest() != stored:
                broken = row_break(chain, row, expected, prev)
                return ChainReport(chain, count, expected - 1, prev, broken, first_prev, first_row)
            prev, expected, count = stored, expected + 1, count + 1
    broken = None
    if end_seq is not None and expected <= end_seq:
        broken = missing_break(chain, expected, end_seq, None, None)
    return ChainReport(chain, count, expected - 1, prev, broken, first_prev, first_row)


def _where(chain: str, row: tuple) -> str:
    eid, seq, kind, village, step = row[0], row[1], row[2], row[6], row[8]
    return (f"链 {chain} 第 {seq} 号事件（{kind}" + (f"，村 {village}" if village else "")
            + (f"，步骤 {step}" if step else "") + f"，编号 {eid}）")


def _named(row: tuple) -> dict:
    return dict(event_id=row[0], kind=row[2], village_code=row[6], step_key=row[8])


def missing_break(chain: str, first: int, last: int, row: tuple | None, before: int | None) -> ChainBreak:
    gap = f"第 {first} 号" if first == last else f"第 {first}–{last} 号"
    seen = f"（第 {first - 1} 号之后读到的是第 {before} 号）" if before else ""
    return ChainBreak(chain, first, "missing", f"链 {chain} 缺少{gap}事件{seen}：事件被删除",
                      stored=str(before) if before else None, expected=str(first), **(_named(row) if row else {}))


def row_break(chain: str, row: tuple, expected: int, prev: str | None) -> ChainBreak:
    _, seq, kind, actor, role, at, village, election, step, payload, prev_hash, stored = row
    if seq != expected:
        return missing_break(chain, expected, seq - 1, row, seq)
    if prev_hash != prev:
        return prev_hash_break(chain, row, prev)
    computed = sha256(canonical_row(chain, seq, kind, actor, role, at, village, election, step,
                                    orjson.loads(payload), prev_hash)).hexdigest()
    return ChainBreak(chain, seq, "hash", f"{_where(chain, row)}的内容与其哈希不符：该事件在写入后被改动",
                      stored=stored, expected=computed, **_named(row))


def prev_hash_break(chain: str, row: tuple, prev: str | None) -> ChainBreak:
    seq = row[1]
    return ChainBreak(chain, seq, "prev_hash", f"{_where(chain, row)}记录的前一哈希与第 {seq - 1} 号事件的哈希不符："
                      f"第 {seq - 1} 号事件被改写并重算了哈希，或本事件的前一哈希被改动",
                      stored=row[10], expected=prev, **_named(row))


def head_break(chain: str, report: ChainReport, head: tuple[int, str] | None) -> ChainBreak | None:
    last = (report.head_seq, report.head_hash)
    if head == last or (head is None and report.events == 0):  # equal, or a chain never begun
        return None
    if head is None:
        return ChainBreak(chain, report.head_seq, "head",
                          f"链 {chain} 没有链头记录（chain_head），而事件表中有 {report.events} 条事件",
                          expected=f"{last[0]}:{last[1]}")
    return ChainBreak(chain, head[0], "head", f"链 {chain} 的链头记录为第 {head[0]} 号（{head[1][:16]}…），而事件表最后"
                      f"一条为第 {last[0]} 号（{last[1][:16]}…）：末尾事件被删除，或链头被改动",
                      stored=f"{head[0]}:{head[1]}", expected=f"{last[0]}:{last[1]}")
