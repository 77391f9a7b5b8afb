"""What the web pages show, read through the service layer and cut to the user's scope.

The board rows come from ``service.status.board`` (the one derived state); the inbox is
service.todo's; a village page lists the 47 steps with what holds each one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

from sqlmodel import func, select

from huanjie.service.context import Actor, Context
from huanjie.service.roles import RECORDERS, covers, role_label
from huanjie.service.scope import VillageRef, village_in_scope, visible_campaigns
from huanjie.service.users import resolve_actor
from huanjie.store.db import reading
from huanjie.store.models import Campaign, Case, Event, StepState, Township, Village

STATUS_LABELS = {"pending": "待办理", "blocked": "检查未通过", "awaiting": "待审批", "done": "已完成",
                 "skipped": "已跳过", "planned": "未启动"}
STATE_LABELS = {"done": "已完成", "running": "进行中", "awaiting": "待审批", "blocked": "受阻", "overdue": "逾期"}
RISK_LABELS = {"green": "绿色", "yellow": "黄色", "red": "红色"}
STAGE_STATE_LABELS = {"done": "已完成", "current": "进行中", "todo": "未开始"}
FINISHED = ("done", "skipped")


def _catalogue():
    from huanjie.steps.catalogue import load_catalogue

    return load_catalogue()


# ---------------------------------------------------------------------------------------- board
@dataclass
class BoardView:
    campaign: Campaign | None
    campaigns: list[Campaign]
    townships: list[str]
    stages: list[tuple[str, str, str]]              # (key, name, election)
    rows: list                                      # VillageStatus of the page shown
    stage_counts: dict[str, Counter] = field(default_factory=dict)
    risk_counts: Counter = field(default_factory=Counter)
    state_counts: Counter = field(default_factory=Counter)
    total: int = 0                                  # villages in scope
    matching: int = 0                               # villages the filters keep
    page: int = 1
    pages: int = 1


# Events that change no village's derived state (logins, refusals): they never invalidate it.
_NEUTRAL = ("auth.", "access.", "digest.", "reminder.", "document.", "user.password_set", "user.token_issued")


class _Kept:
    """Derived data kept between requests, for the data it was derived from and the day.

    Every change to the store is written with its audit event (one transaction), so the newest
    event id names the data; events that change no village (``_NEUTRAL``) keep what was derived.
    Requests arriving together for one key derive it once. The least recently used entry goes
    first: each user keeps a few (their inbox, the villages and steps they look at), so the size
    is for a few hundred users at once.
    """

    _all: list[_Kept] = []

    def __init__(self, size: int = 1024) -> None:
        self._entries: OrderedDict[tuple, tuple[int, object]] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._key_locks: dict[tuple, threading.Lock] = {}
        _Kept._all.append(self)

    def clear(self) -> None:
        """Forget everything kept, here and in every other store of derived data (a fresh process)."""
        for kept in _Kept._all:
            with kept._lock:
                kept._entries.clear()
        with _pages_lock:
            _pages.clear()

    def get(self, ctx: Context, key: tuple, make, version: int | None = None, strict: bool = False):
        """``make()``, or what it gave for this key, the same data and the same day; ``version``: the
        data version the caller has just read (``_data_version``); ``strict``: any new event, neutral
        or not, makes it again (what shows the events themselves)."""
        key = (str(ctx.engine.url), ctx.clock.today(), *key)
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            if version is None:
                version = _data_version(ctx)  # read first: a write meanwhile is picked up next time
            with self._lock:
                found = self._entries.get(key)
            if found is not None and found[0] != version and not strict and _only_neutral_since(ctx, found[0]):
                found = (version, found[1])
            if found is None or found[0] != version:
                found = (version, make())
            with self._lock:
                self._entries[key] = found
                self._entries.move_to_end(key)
                while len(self._entries) > self._size:
                    old, _ = self._entries.popitem(last=False)
                    if old != key:
                        self._key_locks.pop(old, None)
            return found[1]


_kept = _Kept()
_shown = _Kept(size=256)  # whole rendered pages (up to some 150 kB each)


def kept_page(ctx: Context, key: tuple, make, strict: bool = False):
    """A rendered page, kept like the data it shows (``strict`` as that data's): ``make()`` again
    after a change or on a new day."""
    return _shown.get(ctx, ("page", *key), make, strict=strict)


def _data_version(ctx: Context) -> int:
    with reading(ctx.engine) as session:
        return session.exec(select(func.max(Event.id))).one() or 0


def _only_neutral_since(ctx: Context, version: int) -> bool:
    with reading(ctx.engine) as session:
        kinds = session.exec(select(Event.kind).where(Event.id > version)).all()
    return all(kind.startswith(_NEUTRAL) for kind in kinds)


def village_summaries(ctx: Context, *, campaign_code: str, township: str | None = None,
                      village: str | None = None, version: int | None = None) -> list:
    """Every launched village's state, risk and stage states in scope (service.progress_rows.load_summaries)."""
    from huanjie.service.summaries import load_summaries

    def make():
        with reading(ctx.engine) as session:
            campaign_id = session.exec(select(Campaign.id).where(Campaign.code == campaign_code)).first()
            if campaign_id is None:
                return []
            return load_summaries(session, _catalogue(), ctx.clock.today(), campaign_id=campaign_id,
                                  township=township, village=village)

    return _kept.get(ctx, ("summaries", campaign_code, township, village), make, version)


def _changed_since(ctx: Context, version: int) -> set[str] | None:
    """Villages named by the events after ``version`` that may change them; None when one names no
    village (a move, a rest day, users: every village may change) or too many do."""
    with reading(ctx.engine) as session:
        rows = session.exec(select(Event.village_code, Event.kind).where(Event.id > version)).all()
    codes: set[str] = set()
    for code, kind in rows:
        if kind.startswith(_NEUTRAL):
            continue
        if code is None:
            return None
        codes.add(code)
    return codes if len(codes) <= 200 else None


_pages: dict[tuple, tuple[int, dict]] = {}  # (store, day, campaign, codes) -> (version, code -> progress)
_pages_lock = threading.Lock()


def _progress_of(ctx: Context, campaign_code: str, codes: tuple[str, ...], version: int | None = None) -> list:
    """The full derivation (service.progress) of these villages: the rows of a board page. Kept between
    requests; after a change only the villages its events name are derived again."""
    from huanjie.service.progress_rows import load_progress

    def derive(wanted) -> dict:
        if not wanted:
            return {}
        with reading(ctx.engine) as session:
            campaign_id = session.exec(select(Campaign.id).where(Campaign.code == campaign_code)).one()
            return {p.code: p for p in load_progress(session, _catalogue(), ctx.clock.today(),
                                                     campaign_id=campaign_id, codes=wanted)}

    version = _data_version(ctx) if version is None else version
    key = (str(ctx.engine.url), ctx.clock.today(), campaign_code, codes)
    with _pages_lock:
        found = _pages.get(key)
    if found is not None and found[0] == version:
        villages = found[1]
    elif found is not None and (changed := _changed_since(ctx, found[0])) is not None:
        villages = {**found[1], **derive(tuple(c for c in codes if c in changed))}
        villages = {c: villages[c] for c in codes if c in villages}
    else:
        villages = derive(codes)
    with _pages_lock:
        if key not in _pages and len(_pages) >= 64:
            _pages.pop(next(iter(_pages)))
        _pages[key] = (version, villages)
    return list(villages.values())


def kept_todo(ctx: Context, *, actor_name: str, township: str | None = None, village: str | None = None,
              stage: str | None = None, due_before: dt.date | None = None) -> list:
    """``service.todo.todo_list`` (the inbox), kept between requests while nothing changes."""
    from huanjie.service.todo import todo_list

    return _kept.get(ctx, ("todo", actor_name, township, village, stage, due_before),
                     lambda: todo_list(ctx, actor_name=actor_name, township=township, village=village, stage=stage,
                                       due_before=due_before))


def derived_village(ctx: Context, *, campaign_code: str, township: str, village_code: str):
    """One village's derived progress; None before the village is launched."""
    from huanjie.service.status import load_villages

    found = load_villages(ctx, campaign_code=campaign_code, township=township, village=village_code)
    return found[0] if found else None


def board_view(ctx: Context, *, actor_name: str, campaign_code: str | None = None, township: str | None = None,
               risk: str | None = None, state: str | None = None, page: int | None = 1,
               per_page: int = 100) -> BoardView:
    """The board of the user's scope; ``page`` None gives every matching village (the Excel export).

    Counts and filters come from every village's summary; what holds each village (the rows)
    only for the villages shown, from the full derivation.
    """
    from huanjie.service.status import village_status

    campaigns = visible_campaigns(ctx, actor_name=actor_name)
    catalogue = _catalogue()
    stages = [(s.key, s.name, s.election) for s in catalogue.stages()]
    campaign = next((c for c in campaigns if c.code == campaign_code), campaigns[0] if campaigns else None)
    if campaign is None:
        return BoardView(None, campaigns, [], stages, [])
    with reading(ctx.engine) as session:
        who = resolve_actor(session, actor_name)
        all_towns = list(session.exec(select(Township.name).where(Township.campaign_id == campaign.id)
                                      .order_by(Township.name)))
    if who.scope_kind == "township":
        towns = [t for t in all_towns if t == who.scope]
    else:
        towns = all_towns
    scoped_town = who.scope if who.scope_kind == "township" else None
    version = _data_version(ctx)

    def counted():  # the counts and the filtered villages, kept with the summaries they come from
        summaries = village_summaries(ctx, campaign_code=campaign.code, township=scoped_town,
                                      village=who.scope if who.scope_kind == "village" else None, version=version)
        summaries = [p for p in summaries if covers(who, p.township, p.code, campaign.county)]
        risks, states = Counter(p.risk for p in summaries), Counter(p.state.value for p in summaries)
        kept = [p for p in summaries if (not township or p.township == township) and (not risk or p.risk == risk)
                and (not state or p.state.value == state)]
        by_stages = Counter(tuple(p.stages.items()) for p in kept)  # villages at one point share their stages
        counts = {key: Counter() for key, _, _ in stages}
        for items, n in by_stages.items():
            seen = dict(items)
            for key, _, _ in stages:
                counts[key][seen.get(key, "todo")] += n
        return len(summaries), risks, states, kept, counts

    total, risks, states, kept, counts = _kept.get(
        ctx, ("board", campaign.code, who.scope_kind, who.scope, who.county, township, risk, state), counted, version)
    view = BoardView(campaign, campaigns, towns, stages, [], total=total, risk_counts=Counter(risks),
                     state_counts=Counter(states), stage_counts={k: Counter(c) for k, c in counts.items()})
    view.matching = len(kept)
    if page is None:
        shown = kept
    else:
        view.pages = max(1, -(-len(kept) // per_page))
        view.page = min(max(1, page), view.pages)
        shown = kept[(view.page - 1) * per_page:view.page * per_page]
    progress = {p.code: p for p in _progress_of(ctx, campaign.code, tuple(p.code for p in shown), version)}
    view.rows = [_status(progress[p.code], village_status) for p in shown if p.code in progress]
    return view


_statuses: dict[int, tuple] = {}  # id(progress) -> (progress, its board row): progress objects never change


def _status(p, make):
    found = _statuses.get(id(p))
    if found is None or found[0] is not p:
        if len(_statuses) > 50_000:
            _statuses.clear()
        found = _statuses[id(p)] = (p, make(p))
    return found[1]


# ---------------------------------------------------------------------------------------- village
@dataclass
class StepRow:
    step: str
    name: str
    election: str
    stage: str
    stage_name: str
    due: str
    statutory: bool
    provisional: bool
    warnings: list[str]
    proposed: str | None
    status: str
    status_label: str
    why: str
    gate: str | None
    gate_label: str | None
    actor_label: str
    documents: list[tuple[str, str]]
    overdue: bool
    late: bool
    done_on: str | None
    recorded_by: str | None
    facts: dict | None
    failures: list[dict]
    note: str | None
    attempt: int
    may_record: bool
    may_decide: bool
    why_not_decide: str | None
    source: str


@dataclass
class VillagePage:
    ref: VillageRef
    steps: list[StepRow]
    documents: list[dict]
    counts: Counter


def village_page(ctx: Context, *, actor_name: str, village_code: str, campaign_code: str | None = None) -> VillagePage:
    """The village page of this user (kept between requests while nothing changes; read-only)."""
    return _kept.get(ctx, ("village", actor_name, village_code, campaign_code),
                     lambda: _village_page(ctx, actor_name=actor_name, village_code=village_code,
                                           campaign_code=campaign_code), strict=True)  # its documents too


def _village_page(ctx: Context, *, actor_name: str, village_code: str, campaign_code: str | None = None) -> VillagePage:
    from huanjie.documents.registry import DOCUMENTS
    from huanjie.service.gates import _why_not, recorders
    from huanjie.service.records import may_correct
    from huanjie.steps.env import campaign_env
    from huanjie.store.document_models import RenderedDocument

    catalogue = _catalogue()
    today = ctx.clock.today()
    with reading(ctx.engine) as session:
        who = resolve_actor(session, actor_name)
        ref = village_in_scope(session, who, village_code, campaign_code)
        campaign = session.exec(select(Campaign).where(Campaign.code == ref.campaign)).one()
        village = session.exec(select(Village).where(Village.campaign_id == campaign.id,
                                                     Village.code == village_code)).one()
        states = {s.step_key: s for s in session.exec(
            select(StepState).join(Case, Case.id == StepState.case_id).where(Case.village_id == village.id))}
        docs = session.exec(select(RenderedDocument.code, RenderedDocument.step_key, RenderedDocument.title,
                                   RenderedDocument.number, RenderedDocument.issued_on, RenderedDocument.attempt)
                            .where(RenderedDocument.village_id == village.id).order_by(RenderedDocument.id)).all()
        gate_why = {}
        for key, st in states.items():
            if st.status == "awaiting":
                gate_why[key] = _why_not(who, catalogue.step(key), recorders(session, ref.campaign, village_code, st)) \
                    if who.role != "system" else None
    progress = derived_village(ctx, campaign_code=ref.campaign, township=ref.township, village_code=village_code)
    env = campaign_env(campaign)
    plan = env.plan()
    rows = []
    counts: Counter = Counter()
    for spec in catalogue.steps():
        st, planned = states.get(spec.key), plan[spec.key]
        status = st.status if st else "planned"
        counts[status] += 1
        due = st.due if st else planned.due
        rows.append(StepRow(
            step=spec.key, name=spec.name, election=spec.election, stage=spec.stage,
            stage_name=catalogue.stage(spec.stage).name, due=due.isoformat(), statutory=planned.statutory,
            provisional=st.provisional if st else planned.provisional,
            warnings=list(st.warnings if st else planned.warnings),
            proposed=planned.proposed.isoformat() if planned.proposed else None,
            status=status, status_label=STATUS_LABELS.get(status, status),
            why=_why(catalogue, spec, st, progress),
            gate=spec.gate, gate_label=spec.gate_label,
            actor_label="、".join(role_label(r) for r in RECORDERS[spec.actor]),
            documents=[(c, DOCUMENTS[c].title) for c in spec.documents if c in DOCUMENTS],
            overdue=bool(st) and status not in FINISHED and due < today, late=bool(st and st.late),
            done_on=st.done_on.isoformat() if st and st.done_on else None,
            recorded_by=st.recorded_by if st else None, facts=st.facts if st else None,
            failures=list(st.failures) if st else [], note=st.note if st else None,
            attempt=st.attempt if st else 1,
            may_record=bool(st) and (status in ("pending", "blocked", "skipped")
                                     or status == "awaiting" and may_correct(who.role, who.name, st.recorded_by))
            and (who.role == "system" or who.role in RECORDERS[spec.actor]),
            may_decide=status == "awaiting" and gate_why.get(spec.key) is None,
            why_not_decide=gate_why.get(spec.key), source=spec.source))
    documents = [{"code": c, "step": s, "title": t, "number": n, "issued_on": i.isoformat(), "attempt": a}
                 for c, s, t, n, i, a in docs]
    return VillagePage(ref, rows, documents, counts)


def _why(catalogue, spec, st, progress) -> str:
    """What holds the step (service.progress), or how it ended."""
    if st is None:
        return "本村尚未启动该项选举"
    if st.status == "done":
        return "已完成" + ("（逾期完成）" if st.late else "")
    if st.status == "skipped":
        return f"已跳过：{st.note}" if st.note else "条件不成立，已跳过"
    holds = progress.holds(spec.key) if progress is not None and spec.key in progress.steps else []
    return "；".join(h.text for h in holds) or "事实已填报，等待流程运行"


def step_history(ctx: Context, *, actor_name: str, village_code: str, step_key: str | None = None,
                 campaign_code: str | None = None) -> list:
    """The village's audit timeline (身份证号 masked) for anyone whose scope covers the village (kept
    between requests while no event is added)."""
    return _kept.get(ctx, ("history", actor_name, village_code, step_key, campaign_code),
                     lambda: _step_history(ctx, actor_name=actor_name, village_code=village_code, step_key=step_key,
                                           campaign_code=campaign_code), strict=True)


def _step_history(ctx: Context, *, actor_name: str, village_code: str, step_key: str | None = None,
                  campaign_code: str | None = None) -> list:
    from huanjie.audit.history import village_events
    from huanjie.audit.timeline import timeline

    with reading(ctx.engine) as session:
        who = resolve_actor(session, actor_name)
        ref = village_in_scope(session, who, village_code, campaign_code)
        events = village_events(session, ref.campaign, village_code)
    return timeline(events, step=step_key)


def actor_of(ctx: Context, name: str) -> Actor:
    with reading(ctx.engine) as session:
        return resolve_actor(session, name)


def system_log(ctx: Context, *, actor_name: str, person: str | None = None, since: dt.date | None = None,
               until: dt.date | None = None, limit: int = 500) -> list[dict]:
    """登录日志 and account events (system chain), newest first, for those allowed to audit."""
    from huanjie.audit.access import audit_session
    from huanjie.audit.history import SHANGHAI, from_row
    from huanjie.audit.rows import event_batches
    from huanjie.audit.timeline import mask
    from huanjie.store.events import SYSTEM_CHAIN

    kinds = {"auth.login": "登录", "auth.logout": "退出", "auth.failed": "登录失败", "auth.locked": "连续失败，账户锁定",
             "auth.refused": "锁定期间拒绝登录", "auth.expired": "会话超时", "access.refused": "拒绝操作",
             "user.added": "登记用户", "user.password_set": "设置密码", "user.disabled": "停用用户",
             "user.token_issued": "签发接口令牌"}
    out = []
    with audit_session(ctx, actor_name) as (session, _who):
        for batch in event_batches(session, SYSTEM_CHAIN):
            for row in batch:
                e = from_row(SYSTEM_CHAIN, row)
                local = e.at.astimezone(SHANGHAI)
                if (person and e.actor != person) or (since and local.date() < since) or (until and local.date() > until):
                    continue
                detail = _account_detail(e.payload)
                out.append({"seq": e.seq, "time": local.strftime("%Y-%m-%d %H:%M:%S"), "actor": "系统" if e.actor == "system" else e.actor,
                            "role": role_label(e.role), "kind": kinds.get(e.kind, e.kind),
                            "client": e.payload.get("client", ""), "detail": mask(detail)})
    return out[::-1][:limit]


_DETAIL_KEYS = {"name": "用户", "role": "角色", "scope": "范围", "scope_kind": "范围类型", "county": "县（区）",
                "label": "说明", "action": "操作", "message": "原因", "reason": "原因", "failures": "连续失败次数",
                "idle_minutes": "闲置分钟数", "actor": "操作人"}
_DETAIL_VALUES = {"scope_kind": {"county": "全县", "township": "乡镇", "village": "村"},
                  "reason": {"password": "密码错误", "locked": "账户锁定中", "unknown": "无此用户",
                             "inactive": "用户已停用", "no_password": "未设置密码"}}


def _account_detail(payload: dict) -> dict[str, str]:
    """An account event's details with Chinese names and values (the client address is shown apart)."""
    out = {}
    for key, value in payload.items():
        if key == "client":
            continue
        if key == "role":
            value = role_label(str(value))
        elif value == "system":
            value = "系统"
        elif value is None:
            value = "—" if key != "scope" else "全县"
        else:
            value = _DETAIL_VALUES.get(key, {}).get(str(value), value)
        out[_DETAIL_KEYS.get(key, key)] = value
    return out
