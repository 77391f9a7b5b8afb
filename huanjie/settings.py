"""Settings, one model per concern (pydantic-settings), built in the entrypoint and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class StoreSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUANJIE_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory of the embedded SQLite database and rendered files (default ./data).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the store; unset means the SQLite file <data_dir>/huanjie.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'huanjie.db').resolve()}"


class ClockSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUANJIE_", extra="ignore")

    now: str | None = Field(
        default=None,
        description="Pin the clock to this Asia/Shanghai time (ISO 8601) for scripted runs; "
        "unset means the system clock.",
    )

    @field_validator("now")
    @classmethod
    def _a_time(cls, value: str | None) -> str | None:
        import pendulum

        if value:
            try:
                pendulum.parse(value)
            except Exception:
                raise ValueError("time") from None
        return value


class CheckpointSettings(BaseSettings):
    """The daily signed checkpoint of the audit chains (huanjie.audit.checkpoint), by the scheduler."""

    model_config = SettingsConfigDict(env_prefix="HUANJIE_CHECKPOINT_", extra="ignore")

    key: Path | None = Field(default=None, description="The county's Ed25519 private key (PEM) that signs "
                             "checkpoints; unset means the scheduler writes none.")
    dir: Path | None = Field(default=None, description="Directory the daily checkpoint files go to (copy them "
                             "off the machine: the auditor keeps them).")
    hour: int = Field(default=0, ge=0, le=23, description="Hour (Asia/Shanghai) of the daily checkpoint.")
    minute: int = Field(default=5, ge=0, le=59, description="Minute of the daily checkpoint.")


class EngineSettings(BaseSettings):
    """How workers take and run woken cases (huanjie.flows.driver, huanjie.service.claims)."""

    model_config = SettingsConfigDict(env_prefix="HUANJIE_", extra="ignore")

    batch_size: int = Field(default=200, ge=1, le=10_000, description="Cases claimed and run together in one "
                            "flow run (one claim, one lease renewal and one 'ran' mark per batch).")
    lease_seconds: float = Field(default=60.0, ge=1, le=86_400, description="How long a worker's claim on a case "
                                 "lasts without renewal: a crashed worker's cases are taken up after this.")
    poll_interval: float = Field(default=0.25, gt=0, le=3_600, description="Seconds between a worker's rounds "
                                 "(looking for woken cases and overdue steps).")


class PrefectSettings(BaseSettings):
    """Where flows run (huanjie.flows.deploy). Without ``PREFECT_API_URL`` the embedded default:
    each process runs its flows itself (a temporary Prefect API of its own). With it, the
    operator runs a Prefect server and Prefect workers (``huanjie worker``) on a process work
    pool: launch, gate decisions and the web server submit flow runs of the deployment."""

    model_config = SettingsConfigDict(env_prefix="HUANJIE_PREFECT_", extra="ignore")

    api_url: str | None = Field(default=None, validation_alias=AliasChoices("PREFECT_API_URL"),
                                description="Prefect's own variable: the API of a standing Prefect server "
                                "(http://host:4200/api). Set: flow runs are submitted to the work pool.")
    work_pool: str = Field(default="huanjie", min_length=1, max_length=100,
                           description="The process work pool the deployment runs on (created if missing).")
    deployment: str = Field(default="cases", min_length=1, max_length=100,
                            description="Name of the deployment of the cases flow.")
    township_limit: int = Field(default=2, ge=1, le=1_000, description="Flow runs of one township at once "
                                "(a Prefect global concurrency limit per township): one township's burst "
                                "does not starve the rest.")
    worker_limit: int = Field(default=2, ge=1, le=1_000, description="Flow runs one huanjie worker runs at "
                              "once (each in a process of its own).")
    queued_seconds: float = Field(default=1_800, ge=1, le=86_400, description="How long submitted cases stay "
                                  "claimed before their run starts (a run waiting in its township's queue is not "
                                  "lost with a worker; once running, the run's own lease applies).")
    query_seconds: float = Field(default=0.5, gt=0, le=600, description="How often a worker asks Prefect "
                                 "for flow runs to start (Prefect's PREFECT_WORKER_QUERY_SECONDS).")

    @property
    def submits(self) -> bool:
        """Flow runs go to the work pool (else they run in the process that wants them)."""
        return bool(self.api_url)


class Settings(BaseModel):
    """Everything the composition root (huanjie.service.context.build_context) needs, one model
    per concern; each reads its HUANJIE_* variables when built, tests pass their own."""

    store: StoreSettings = Field(default_factory=StoreSettings, description="Where the store is.")
    clock: ClockSettings = Field(default_factory=ClockSettings, description="The campaign clock.")
    engine: EngineSettings = Field(default_factory=EngineSettings, description="Claiming and running cases.")
    prefect: PrefectSettings = Field(default_factory=PrefectSettings, description="In-process or submitted runs.")


_ENV = {StoreSettings: "HUANJIE_", ClockSettings: "HUANJIE_", EngineSettings: "HUANJIE_",
        CheckpointSettings: "HUANJIE_CHECKPOINT_", PrefectSettings: "HUANJIE_PREFECT_"}


def load_settings() -> Settings:
    """The settings of this process from its HUANJIE_* variables; a bad value is an
    ``InvalidInput`` naming the variable and the rule (in Chinese), never a traceback."""
    from huanjie.errors import InvalidInput, Problem

    models = {}
    problems = []
    for name, model in (("store", StoreSettings), ("clock", ClockSettings), ("engine", EngineSettings),
                        ("prefect", PrefectSettings)):
        try:
            models[name] = model()
        except ValidationError as exc:
            for error in exc.errors():
                loc = str(error["loc"][0])
                var = loc if loc.startswith("PREFECT_") else _ENV[model] + loc.upper()
                problems.append(Problem(f"环境变量 {var} 的值无效：{_rule(error)}", field=var))
    if problems:
        raise InvalidInput("设置有误，未执行任何操作", problems)
    return Settings(**models)


def _rule(error: dict) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "int_parsing":
        return "应为整数"
    if kind == "float_parsing":
        return "应为数字"
    if kind == "greater_than_equal":
        return f"应不小于 {ctx.get('ge'):g}"
    if kind == "greater_than":
        return f"应大于 {ctx.get('gt'):g}"
    if kind == "less_than_equal":
        return f"应不大于 {ctx.get('le'):g}"
    if kind in ("string_too_short", "string_too_long"):
        return "长度应为 1–100 个字符"
    if kind == "value_error":
        return "应为 ISO 8601 时间，如 2026-07-20T10:00:00"
    return "格式不对"
