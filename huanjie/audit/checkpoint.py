"""Signed checkpoints of the chain heads, kept off the machine by the auditor.

Like Certificate Transparency's signed tree heads: ``audit checkpoint`` writes, for every chain,
its head (sequence number, hash and the time of its last event), signed with the county's
Ed25519 key. The auditor keeps the file elsewhere. ``audit verify --checkpoint FILE`` then holds
the store to it: a chain the checkpoint knows must still be there (not deleted as a whole),
still reach the checkpoint's sequence number (not truncated), and its event at that number must
still have the checkpoint's hash (a rewritten chain shows here even when every hash in it was
recomputed: the hash of event N covers events 1..N). Events after the checkpoint must be newer
than it: one dated before it was appended afterwards with a false date (a forged append).

The file is JSON: ``{"checkpoint": {...}, "signature": base64}``; the signature covers the
canonical encoding (orjson, sorted keys) of ``checkpoint``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature

from huanjie.audit.completeness import Finding
from huanjie.audit.keys import fingerprint, load_private_key, load_public_key
from huanjie.audit.rows import dialect
from huanjie.errors import InvalidInput, Problem
from huanjie.files import write_atomically

FORMAT = "huanjie-audit-checkpoint"
FORMAT_VERSION = 1
MAX_BYTES = 16 * 1024 * 1024  # a checkpoint of many thousands of chains is still far smaller


@dataclass(frozen=True)
class Checkpoint:
    signed_at: str                 # ISO 8601 (UTC) of the clock when signed
    heads: dict[str, dict]         # chain -> {"seq", "hash", "at"}
    signing_key: str               # fingerprint of the public key
    county: str | None = None

    def body(self) -> dict:
        return {"format": FORMAT, "format_version": FORMAT_VERSION, "signed_at": self.signed_at,
                "county": self.county, "heads": self.heads, "signing_key": self.signing_key}


def _q(session, sql: str) -> str:
    return sql if dialect(session) == "sqlite" else sql.replace("?", "%s")


def current_heads(session, chains: list[str]) -> dict[str, dict]:
    from huanjie.audit.rows import chain_head

    heads = {}
    for chain in chains:
        head = chain_head(session, chain)
        if head is None or head[0] == 0:
            continue
        at = session.connection().exec_driver_sql(
            _q(session, "SELECT at FROM event WHERE chain = ? AND seq = ?"), (chain, head[0])).scalar()
        heads[chain] = {"seq": head[0], "hash": head[1], "at": _iso(at)}
    return heads


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(dt.timezone.utc).isoformat()


def sign(heads: dict[str, dict], key_path: Path, now: dt.datetime, county: str | None) -> bytes:
    key = load_private_key(key_path)
    cp = Checkpoint(_iso(now), heads, fingerprint(key.public_key()), county)
    body = cp.body()
    signature = base64.b64encode(key.sign(orjson.dumps(body, option=orjson.OPT_SORT_KEYS))).decode()
    return orjson.dumps({"checkpoint": body, "signature": signature}, option=orjson.OPT_INDENT_2) + b"\n"


def load(path: Path, public_key_path: Path) -> Checkpoint:
    """Read and check a checkpoint file; InvalidInput when it is unreadable or its signature fails."""
    key = load_public_key(public_key_path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidInput(f"检查点文件 {path.name} 过大", [Problem(f"不超过 {MAX_BYTES // 1024 // 1024} MB",
                                                                  field="checkpoint")])
        raw = orjson.loads(path.read_bytes())
        body, signature = raw["checkpoint"], base64.b64decode(raw["signature"], validate=True)
        if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
            raise KeyError("format")
        key.verify(signature, orjson.dumps(body, option=orjson.OPT_SORT_KEYS))
        heads = body["heads"]
        for chain, head in heads.items():
            if not (isinstance(chain, str) and isinstance(head, dict) and isinstance(head.get("seq"), int)
                    and isinstance(head.get("hash"), str)):
                raise KeyError("heads")
        return Checkpoint(body["signed_at"], heads, body["signing_key"], body.get("county"))
    except OSError as exc:
        raise InvalidInput(f"无法读取检查点文件 {path}（{exc.strerror}）", [Problem("请检查路径", field="checkpoint")]) from None
    except InvalidSignature:
        raise InvalidInput(f"检查点文件 {path.name} 的签名无效",
                           [Problem("文件在签名后被改动，或所给公钥不是签名所用密钥的公钥", field="checkpoint")]) from None
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError, binascii.Error):
        raise InvalidInput(f"{path.name} 不是有效的检查点文件",
                           [Problem("请使用 huanjie audit checkpoint 生成的文件", field="checkpoint")]) from None


def compare(session, checkpoint: Checkpoint, chains: list[str]) -> list[Finding]:
    """What the store no longer agrees with in ``checkpoint`` (the chains the actor may see)."""
    findings = []
    visible = set(chains)
    for chain, head in sorted(checkpoint.heads.items()):
        seq, digest = head["seq"], head["hash"]
        conn = session.connection()
        last = conn.exec_driver_sql(_q(session, "SELECT coalesce(max(seq), 0) FROM event WHERE chain = ?"),
                                    (chain,)).scalar()
        if chain not in visible and not last:
            findings.append(Finding("checkpoint_deleted", f"检查点记录链 {chain} 至第 {seq} 号事件，而库中已没有这条链："
                                                          f"整条链被删除", chain, seq))
            continue
        if chain not in visible:
            continue
        if last < seq:
            findings.append(Finding("checkpoint_truncated", f"检查点记录链 {chain} 至第 {seq} 号事件，而库中只到第 {last} 号："
                                                            f"链被截断（末尾事件被删除）", chain, last + 1))
            continue
        stored = conn.exec_driver_sql(_q(session, "SELECT hash FROM event WHERE chain = ? AND seq = ?"),
                                      (chain, seq)).scalar()
        if stored != digest:
            findings.append(Finding("checkpoint_rewritten", f"链 {chain} 第 {seq} 号事件的哈希与签名检查点不符"
                                                            f"（检查点 {digest[:16]}…，库中 {str(stored)[:16]}…）："
                                                            f"链在检查点之前的部分被改写（即使哈希自洽）", chain, seq))
            continue
        signed_at = dt.datetime.fromisoformat(checkpoint.signed_at)
        for later_seq, at in conn.exec_driver_sql(
                _q(session, "SELECT seq, at FROM event WHERE chain = ? AND seq > ? ORDER BY seq"), (chain, seq)):
            when = dt.datetime.fromisoformat(_iso(at))
            if when < signed_at:
                findings.append(Finding("checkpoint_forged", f"链 {chain} 第 {later_seq} 号事件在签名检查点（{signed_at:%Y-%m-%d %H:%M}"
                                                             f" UTC）之后追加，却注明为更早的 {when:%Y-%m-%d %H:%M} UTC：伪造的追加事件",
                                        chain, later_seq))
                break
    return findings


def write_checkpoint(ctx, *, output: Path, key_path: Path, actor_name: str | None = None) -> dict:
    """Sign the heads of every chain ``actor_name`` may audit into ``output`` (written atomically)."""
    from huanjie.audit.access import audit_session, visible_chains
    from huanjie.audit.rows import chain_names

    with audit_session(ctx, actor_name) as (session, actor):
        heads = current_heads(session, visible_chains(session, actor, chain_names(session)))
    data = sign(heads, key_path, ctx.clock.now(), actor.county)
    write_atomically(output, data)
    return {"path": str(output), "chains": len(heads), "heads": heads,
            "signed_at": orjson.loads(data)["checkpoint"]["signed_at"]}


def checkpoint_name(now: dt.datetime) -> str:
    return f"checkpoint-{now.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}.json"
