"""Is the whole record there, and still protected? Checks a hash walk cannot make.

A hash chain proves that what is there was not changed; it cannot show that a whole chain is
gone, nor that the database stopped refusing changes. So ``audit verify`` also checks that

- every campaign has its chain, beginning with its ``campaign.created`` event, and every
  launched case its ``case.launched`` event (a deleted chain, events and head together, shows
  here while the campaign row remains; with the campaign row gone too, only a signed
  checkpoint kept elsewhere shows it: huanjie.audit.checkpoint);
- every chain belongs to a campaign (or is the ``system`` or ``access`` chain);
- the database still refuses UPDATE and DELETE on events: the SQLite triggers of migration
  0001, or on PostgreSQL the triggers and the ``huanjie_app`` role's missing privileges (0002).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from huanjie.audit.rows import dialect
from huanjie.store.events import SYSTEM_CHAIN

ACCESS_CHAIN = "access"  # refused actions (huanjie.service.refusals)
SQLITE_TRIGGERS = ("event_no_update", "event_no_delete")
POSTGRES_TRIGGERS = ("event_append_only", "event_no_truncate")
APP_ROLE = "huanjie_app"


@dataclass(frozen=True)
class Finding:
    problem: str     # missing_chain | missing_event | orphan_chain | protection | checkpoint_*
    message: str     # Chinese, names what is missing and what it means
    chain: str | None = None
    seq: int | None = None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _rows(session: Session, sql: str, params: tuple = ()) -> list[tuple]:
    if dialect(session) != "sqlite":
        sql = sql.replace("?", "%s")
    return [tuple(r) for r in session.connection().exec_driver_sql(sql, params)]


def completeness(session: Session, campaigns: list[tuple[int, str]], chains: list[str]) -> list[Finding]:
    """Findings for ``campaigns`` [(id, code)] and the stored ``chains`` the actor may see."""
    findings = []
    known = {code for _, code in campaigns}
    for campaign_id, code in campaigns:
        created = _rows(session, "SELECT count(*) FROM event WHERE chain = ? AND kind = 'campaign.created'", (code,))
        head = _rows(session, "SELECT seq FROM chain_head WHERE chain = ?", (code,))
        if not created[0][0] and not head:
            count = _rows(session, "SELECT count(*) FROM event WHERE chain = ?", (code,))[0][0]
            what = "事件与链头均不存在：整条链被删除" if not count else "缺少 campaign.created 事件：链首被删除"
            findings.append(Finding("missing_chain", f"换届 {code} 的审计链不完整，{what}", code))
            continue
        if not created[0][0]:
            findings.append(Finding("missing_event", f"换届 {code} 的审计链缺少 campaign.created 事件：链首被删除", code))
        launched = set(_rows(session, "SELECT village_code, election FROM event WHERE chain = ? AND kind = 'case.launched'",
                             (code,)))
        cases = _rows(session, 'SELECT v.code, c.election FROM "case" c JOIN village v ON v.id = c.village_id '
                               "WHERE c.campaign_id = ? ORDER BY v.code, c.election", (campaign_id,))
        missing = [f"{v} {e}" for v, e in cases if (v, e) not in launched]
        if missing:
            shown = "、".join(missing[:5]) + (f" 等 {len(missing)} 个" if len(missing) > 5 else "")
            findings.append(Finding("missing_event", f"换届 {code} 有 {len(missing)} 个已启动的流程在审计链中没有"
                                                     f" case.launched 事件（{shown}）：事件被删除", code))
    for chain in chains:
        if chain not in known and chain not in (SYSTEM_CHAIN, ACCESS_CHAIN) and not _is_campaign(session, chain):
            findings.append(Finding("orphan_chain", f"链 {chain} 没有对应的换届记录：换届被删除而审计链仍在", chain))
    return findings


def _is_campaign(session: Session, code: str) -> bool:
    return bool(_rows(session, "SELECT count(*) FROM campaign WHERE code = ?", (code,))[0][0])


def protection(session: Session) -> list[Finding]:
    """Findings when the database no longer refuses changes to events."""
    if dialect(session) == "sqlite":
        present = {name for (name,) in _rows(
            session, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'event'")}
        missing = [t for t in SQLITE_TRIGGERS if t not in present]
        if missing:
            return [Finding("protection", f"事件表的保护触发器缺失：{'、'.join(missing)}（迁移 0001）：事件可被改动或删除，"
                                          f"须查明谁删除了触发器并恢复")]
        return []
    findings = []
    triggers = dict(_rows(session, "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'event'::regclass "
                                   "AND NOT tgisinternal"))
    for name in POSTGRES_TRIGGERS:
        if name not in triggers:
            findings.append(Finding("protection", f"事件表的保护触发器 {name} 缺失（迁移 0001）：事件可被改动或删除"))
        elif triggers[name] == "D":
            findings.append(Finding("protection", f"事件表的保护触发器 {name} 已被停用：事件可被改动或删除"))
    if _rows(session, "SELECT count(*) FROM pg_roles WHERE rolname = ?", (APP_ROLE,))[0][0]:
        granted = [p for p in ("UPDATE", "DELETE", "TRUNCATE") if _rows(
            session, "SELECT has_table_privilege(?, 'event', ?)", (APP_ROLE, p))[0][0]]
        if granted:
            findings.append(Finding("protection", f"应用角色 {APP_ROLE} 对事件表拥有 {'、'.join(granted)} 权限"
                                                  f"（迁移 0002 已收回）：事件可被改动或删除"))
    else:
        findings.append(Finding("protection", f"数据库中没有应用角色 {APP_ROLE}（迁移 0002）：无法确认事件表的权限"))
    return findings
