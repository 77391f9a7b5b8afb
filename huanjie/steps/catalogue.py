"""The step catalogue: what each step of the two elections *is*, loaded from YAML and validated.

The data lives in ``huanjie/steps/catalogue/{party,vc}.yaml``. ``load_catalogue`` checks
everything it can at once (keys, stages, deadlines, checks, conditions, documents, roles,
dependencies, cycles) and raises one :class:`CatalogueError` listing every problem.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from huanjie.errors import HuanjieError, Problem
from huanjie.steps.deadline_expr import DeadlineSyntaxError, Expr, parse

CATALOGUE_DIR = Path(__file__).with_name("catalogue")
DEFAULT_PATHS = (CATALOGUE_DIR / "party.yaml", CATALOGUE_DIR / "vc.yaml")
ELECTIONS = {"party": "村党组织换届选举", "vc": "村民委员会换届选举"}
ANCHORS = {"D_P": "党员大会日", "D_V": "村委会选举日"}
ACTORS = {"village": "村", "township": "乡镇", "committee": "村民选举委员会", "joint_review": "联审单位",
          "voters": "选民", "groups": "村民小组"}
GATE_ROLES = {"township": "乡镇党委（政府）"}
PLAN_SOURCE = "本项目默认计划"


class CatalogueError(HuanjieError):
    code = "catalogue_invalid"

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__(f"步骤目录有 {len(self.errors)} 处错误", [Problem(e) for e in self.errors])


@dataclass(frozen=True)
class Stage:
    key: str
    name: str
    election: str


@dataclass(frozen=True)
class Milestone:
    """A secondary date of a step (e.g. the end of an objection window)."""

    key: str
    name: str
    expr: Expr


@dataclass(frozen=True)
class StepSpec:
    key: str
    election: str
    stage: str
    name: str
    actor: str
    gate: str | None
    gate_label: str | None
    deadline: Expr
    statutory: bool
    source: str
    milestones: tuple[Milestone, ...]
    checks: tuple[str, ...]
    documents: tuple[str, ...]
    condition: str | None
    requires: tuple[str, ...]


@dataclass(frozen=True)
class Election:
    key: str
    anchor: str
    stages: tuple[str, ...]


class Catalogue:
    """Both elections' stages and steps, in run order (party, then vc; stage by stage)."""

    def __init__(self, version: str, elections: Sequence[Election], stages: Sequence[Stage],
                 steps: Sequence[StepSpec], facts: dict | None = None) -> None:
        self.version = version
        self._facts = dict(facts or {})  # step key -> huanjie.steps.facts.StepFacts
        self.elections = {e.key: e for e in elections}
        self._stages = tuple(stages)
        self._steps = tuple(steps)
        self._stage_by_key = {s.key: s for s in self._stages}
        self._by_key = {s.key: s for s in self._steps}
        self._order = {s.key: i for i, s in enumerate(self._steps)}
        self._required_by: dict[str, list[str]] = {s.key: [] for s in self._steps}
        for spec in self._steps:
            for r in spec.requires:
                self._required_by[r].append(spec.key)

    def stages(self, election: str | None = None) -> tuple[Stage, ...]:
        return tuple(s for s in self._stages if election in (None, s.election))

    def stage(self, key: str) -> Stage:
        return self._stage_by_key[key]

    def steps(self, election: str | None = None) -> tuple[StepSpec, ...]:
        return tuple(s for s in self._steps if election in (None, s.election))

    def step(self, key: str) -> StepSpec:
        """The step with this key; KeyError if there is none."""
        return self._by_key[key]

    def facts(self, key: str):
        """The step's fact schema (huanjie.steps.facts.StepFacts); KeyError if the step has none."""
        return self._facts[key]

    def stage_steps(self, stage_key: str) -> tuple[StepSpec, ...]:
        return tuple(s for s in self._steps if s.stage == stage_key)

    def order(self, key: str) -> int:
        """Position in run order: a sort key for step keys."""
        return self._order[key]

    def dependents(self, key: str) -> tuple[str, ...]:
        """Every step that requires ``key``, directly or through others, in run order."""
        seen: set[str] = set()
        todo = list(self._required_by[key])
        while todo:
            k = todo.pop()
            if k not in seen:
                seen.add(k)
                todo.extend(self._required_by[k])
        return tuple(sorted(seen, key=self.order))


# --- raw rows, as written in the YAML files ---------------------------------------------------

class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _StageRow(_Row):
    key: str
    name: str


class _MilestoneRow(_Row):
    key: str
    name: str
    expr: str


class _StepRow(_Row):
    key: str
    stage: str
    name: str
    actor: str
    gate: str | None = None
    gate_label: str | None = None
    deadline: str
    statutory: bool
    source: str
    milestones: list[_MilestoneRow] = []
    checks: list[str] = []
    documents: list[str] = []
    condition: str | None = None
    requires: list[str] | None = None


class _FileHead(_Row):
    version: str
    election: str
    anchor: str
    stages: list[_StageRow]
    steps: list


_PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段", "extra_forbidden": "未知字段", "string_type": "应为字符串",
    "bool_type": "应为 true 或 false", "list_type": "应为列表", "model_type": "应为映射（键: 值）",
    "dict_type": "应为映射（键: 值）",
}


def _row_errors(prefix: str, error: ValidationError) -> list[str]:
    out = []
    for e in error.errors():
        field = ".".join(str(p) for p in e["loc"]) or "（整行）"
        out.append(f"{prefix}字段 {field}：{_PYDANTIC_MESSAGES.get(e['type'], '取值无效')}")
    return out


# --- loading -------------------------------------------------------------------------------

def load_catalogue(paths: Iterable[str | Path] | None = None, *, check_keys: Iterable[str] | None = None,
                   condition_keys: Iterable[str] | None = None, document_codes: Iterable[str] | None = None,
                   param_names: Iterable[str] | None = None, fact_paths: Iterable[str | Path] | None = None,
                   check_registry: dict | None = None) -> Catalogue:
    """Load and validate the catalogue; raise CatalogueError listing every problem found.

    A registry left as None defaults to the project's own (checks, conditions, documents,
    the national rule profile's parameters); one that cannot be imported yet is not checked.
    The fact schema (``fact_paths``, default ``catalogue/facts/*.yaml``) is checked only with
    the default step files, or when given.
    """
    if paths is None and check_keys is None and condition_keys is None and document_codes is None \
            and param_names is None and fact_paths is None and check_registry is None:
        return _default_catalogue()
    return _load(paths, check_keys, condition_keys, document_codes, param_names, fact_paths, check_registry)


@functools.lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    return _load(None, None, None, None, None, None, None)


def _load(paths, check_keys, condition_keys, document_codes, param_names, fact_paths=None,
          check_registry=None) -> Catalogue:
    given = {"checks": check_keys, "conditions": condition_keys, "documents": document_codes, "params": param_names}
    builder = _Builder({name: _known_keys(value, name) for name, value in given.items()})
    for path in (DEFAULT_PATHS if paths is None else paths):
        builder.read_file(Path(path))
    if paths is None or fact_paths is not None:
        builder.read_facts(fact_paths, check_registry, with_documents=document_codes is None)
    return builder.finish()


# The project's own registries, imported lazily: some are written alongside this module.
_DEFAULT_KEYS = {
    "checks": lambda: _attribute("huanjie.steps.checks", "CHECKS"),
    "conditions": lambda: _attribute("huanjie.steps.conditions", "CONDITIONS"),
    "documents": lambda: _attribute("huanjie.documents.registry", "DOCUMENTS"),
    "params": lambda: _attribute("huanjie.rules", "load_profile")("national").params(),
}


def _known_keys(given: Iterable[str] | None, name: str) -> frozenset[str] | None:
    """The keys to validate against, or None when that registry does not exist yet (skip it)."""
    if given is not None:
        return frozenset(given)
    try:
        return frozenset(_DEFAULT_KEYS[name]())
    except ImportError:
        return None


def _attribute(module: str, name: str):
    value = getattr(importlib.import_module(module), name, None)
    if value is None:
        raise ImportError(f"{module} has no {name} yet")
    return value


class _Builder:
    """Collects rows from the files and every error found; ``finish`` validates the whole."""

    def __init__(self, known: dict[str, frozenset[str] | None]) -> None:
        self.known = known
        self.errors: list[str] = []
        self.versions: dict[str, str] = {}
        self.elections: list[Election] = []
        self.stages: dict[str, Stage] = {}
        self.rows: list[tuple[str, str, _StepRow, tuple[str, ...]]] = []  # file, election, row, requires
        self.facts: tuple | None = None  # (paths, check registry, with documents) to read in finish
        self.fact_schemas: dict = {}

    def read_file(self, path: Path) -> None:
        name = path.name
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            self.errors.append(f"{name}：无法读取或解析（{exc.__class__.__name__}）")
            return
        try:
            head = _FileHead.model_validate(data)
        except ValidationError as exc:
            self.errors.extend(_row_errors(f"{name}：", exc))
            return
        self.versions[name] = head.version
        if head.election not in ELECTIONS:
            self.errors.append(f"{name}：字段 election：未知选举类型 {head.election}，应为 party 或 vc")
        elif any(e.key == head.election for e in self.elections):
            self.errors.append(f"{name}：字段 election：选举类型 {head.election} 已由另一个文件定义")
        if head.anchor not in ANCHORS:
            self.errors.append(f"{name}：字段 anchor：未知锚点 {head.anchor}，应为 {'、'.join(ANCHORS)}")
        for stage in head.stages:
            if stage.key in self.stages:
                self.errors.append(f"{name}：阶段 {stage.key}：阶段编号重复")
            else:
                self.stages[stage.key] = Stage(stage.key, stage.name, head.election)
        self.elections.append(Election(head.election, head.anchor, tuple(s.key for s in head.stages)))
        previous: str | None = None
        for i, raw in enumerate(head.steps, start=1):
            key = raw.get("key") if isinstance(raw, dict) and isinstance(raw.get("key"), str) else None
            try:
                row = _StepRow.model_validate(raw)
            except ValidationError as exc:
                self.errors.extend(_row_errors(f"{name} 步骤 {key or f'第 {i} 个'} ", exc))
                previous = key or previous
                continue
            requires = tuple(row.requires) if row.requires is not None else ((previous,) if previous else ())
            self.rows.append((name, head.election, row, requires))
            previous = row.key

    def read_facts(self, paths, check_registry, *, with_documents: bool) -> None:
        self.facts = (paths, check_registry, with_documents)

    def _read_facts(self, specs: list[StepSpec], order: dict[str, int]) -> None:
        from huanjie.steps.facts.crosscheck import crosscheck
        from huanjie.steps.facts.spec import read_fact_files

        paths, registry, with_documents = self.facts
        schemas, errors, versions = read_fact_files(paths)
        self.errors.extend(errors)
        self.versions.update(versions)
        if registry is None and self.known["checks"] is not None:
            try:
                registry = _attribute("huanjie.steps.checks", "CHECKS")
            except ImportError:
                registry = None
        if schemas:
            known = [s for s in specs if s.key in order]
            self.errors.extend(crosscheck(schemas, known, lambda k: order.get(k, len(order)), registry,
                                          with_documents=with_documents))
        self.fact_schemas = schemas

    def finish(self) -> Catalogue:
        specs = self._specs()
        order = self._run_order(specs)
        if self.facts is not None and not self.errors:
            self._read_facts(specs, order)
        if len(set(self.versions.values())) > 1:
            listed = "、".join(f"{f} 为 {v}" for f, v in self.versions.items())
            self.errors.append(f"字段 version：各文件的目录版本不一致（{listed}）")
        all_keys = {r.key for _, _, r, _ in self.rows}
        for spec in specs:
            self._check_requires(spec, all_keys, order)
        for label, graph in (("步骤依赖（requires）", {s.key: s.requires for s in specs}),
                             ("期限引用（deadline）", {s.key: _deadline_steps(s) for s in specs})):
            for cycle in _cycles(graph, order):
                self.errors.append(f"{label}成环：{' → '.join(cycle)}")
        if self.errors:
            raise CatalogueError(self.errors)
        steps = sorted(specs, key=lambda s: order[s.key])
        stages = [self.stages[k] for e in self.elections for k in e.stages]
        return Catalogue(next(iter(self.versions.values()), ""), self.elections, stages, steps, self.fact_schemas)

    def _specs(self) -> list[StepSpec]:
        specs, seen = [], set()
        for file, election, row, requires in self.rows:
            where = f"{file} 步骤 {row.key} "
            if row.key in seen:
                self.errors.append(f"{where}字段 key：步骤编号重复")
                continue
            seen.add(row.key)
            spec = self._spec(where, election, row, requires)
            if spec is not None:
                specs.append(spec)
        return specs

    def _spec(self, where: str, election: str, row: _StepRow, requires: tuple[str, ...]) -> StepSpec | None:
        err = self.errors.append
        stage = self.stages.get(row.stage)
        if stage is None:
            err(f"{where}字段 stage：阶段 {row.stage} 未声明，步骤无法运行")
        elif stage.election != election:
            err(f"{where}字段 stage：阶段 {row.stage} 属于另一类选举（{ELECTIONS.get(stage.election)}）")
        elif not row.key.startswith(row.stage + "."):
            err(f"{where}字段 key：步骤编号应以所属阶段编号 {row.stage}. 开头")
        if row.actor not in ACTORS:
            err(f"{where}字段 actor：未知执行方 {row.actor}，应为 {'、'.join(ACTORS)}")
        if row.gate is not None and row.gate not in GATE_ROLES:
            err(f"{where}字段 gate：未知审批角色 {row.gate}，应为 {'、'.join(GATE_ROLES)} 或 null")
        if row.gate is None and row.gate_label is not None:
            err(f"{where}字段 gate_label：没有审批（gate 为 null）时不能填写审批名称")
        if row.statutory and row.source.strip() in ("", PLAN_SOURCE):
            err(f"{where}字段 source：法定期限须注明法条出处，不能是“{PLAN_SOURCE}”")
        deadline = self._expr(where + "字段 deadline：", row.deadline, row.statutory)
        milestones = []
        for m in row.milestones:
            if m.key in {x.key for x in milestones}:
                err(f"{where}字段 milestones：节点 {m.key} 重复")
            expr = self._expr(f"{where}字段 milestones.{m.key}：", m.expr, row.statutory)
            if expr is not None:
                milestones.append(Milestone(m.key, m.name, expr))
        self._check_known(where + "字段 checks：未登记的检查项", row.checks, self.known["checks"])
        self._check_known(where + "字段 documents：未登记的文书", row.documents, self.known["documents"])
        if row.condition is not None:
            self._check_known(where + "字段 condition：未登记的条件", [row.condition], self.known["conditions"])
        if deadline is None or len(milestones) != len(row.milestones):
            return None
        return StepSpec(row.key, election, row.stage, row.name, row.actor, row.gate, row.gate_label, deadline,
                        row.statutory, row.source, tuple(milestones), tuple(row.checks), tuple(row.documents),
                        row.condition, requires)

    def _expr(self, where: str, text: str, statutory: bool) -> Expr | None:
        try:
            expr = parse(text)
        except DeadlineSyntaxError as exc:
            self.errors.append(where + exc.message)
            return None
        steps = {r.key for _, _, r, _ in self.rows}
        for ref in expr.anchors():
            if ref not in ANCHORS:
                self.errors.append(f"{where}未知锚点 {ref}，应为 {'、'.join(ANCHORS)}")
        for ref in expr.step_refs():
            if ref not in steps:
                self.errors.append(f"{where}引用了不存在的步骤 {ref}")
        if self.known["params"] is not None:
            for p in expr.params():
                if p not in self.known["params"]:
                    self.errors.append(f"{where}未知的规则参数 {p}（见 huanjie.rules 的规则配置）")
        if statutory and expr.literals():
            self.errors.append(f"{where}法定期限不能写字面天数 {'、'.join(map(str, expr.literals()))}，"
                               "应使用规则参数名（如 voter_list_publish_days_before）")
        return expr

    def _check_known(self, message: str, keys: Iterable[str], known: frozenset[str] | None) -> None:
        if known is None:
            return
        for k in keys:
            if k not in known:
                self.errors.append(f"{message} {k}")

    def _run_order(self, specs: list[StepSpec]) -> dict[str, int]:
        """Elections in file order, stages in declared order, steps in file order within a stage."""
        order: dict[str, int] = {}
        for election in self.elections:
            for stage_key in election.stages:
                if not any(r.stage == stage_key for _, _, r, _ in self.rows):
                    self.errors.append(f"阶段 {stage_key}（{self.stages[stage_key].name}）没有任何步骤")
                for spec in specs:
                    if spec.stage == stage_key:
                        order.setdefault(spec.key, len(order))
        return order

    def _check_requires(self, spec: StepSpec, all_keys: set[str], order: dict[str, int]) -> None:
        where = f"步骤 {spec.key} 字段 requires："
        for r in spec.requires:
            if r not in all_keys:
                self.errors.append(f"{where}依赖的步骤 {r} 不存在")
            elif r == spec.key:
                continue  # reported as a cycle
            elif r in order and spec.key in order and order[r] > order[spec.key]:
                self.errors.append(f"{where}依赖的 {r} 在运行顺序中位于本步骤之后，本步骤永远无法开始")


def _deadline_steps(spec: StepSpec) -> tuple[str, ...]:
    """Steps whose dates this step's dates are computed from (a milestone may use its own step)."""
    refs = list(spec.deadline.step_refs())
    for m in spec.milestones:
        refs.extend(r for r in m.expr.step_refs() if r != spec.key)
    return tuple(dict.fromkeys(refs))


def _cycles(graph: dict[str, tuple[str, ...]], order: dict[str, int]) -> list[list[str]]:
    """Each distinct cycle met by a depth-first walk, named from where the walk entered it."""
    state: dict[str, str] = {}
    path: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = "open"
        path.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt):] + [nxt]
                if all(set(cycle) != set(c) for c in found):
                    found.append(cycle)
            elif nxt in graph and nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = "done"

    for node in sorted(graph, key=lambda k: order.get(k, len(order))):
        if node not in state:
            visit(node)
    return found
