"""Settings, one model per concern (pydantic-settings), built in the entrypoint and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
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


class CheckpointSettings(BaseSettings):
    """The daily signed checkpoint of the audit chains (huanjie.audit.checkpoint), by the scheduler."""

    model_config = SettingsConfigDict(env_prefix="HUANJIE_CHECKPOINT_", extra="ignore")

    key: Path | None = Field(default=None, description="The county's Ed25519 private key (PEM) that signs "
                             "checkpoints; unset means the scheduler writes none.")
    dir: Path | None = Field(default=None, description="Directory the daily checkpoint files go to (copy them "
                             "off the machine: the auditor keeps them).")
    hour: int = Field(default=0, ge=0, le=23, description="Hour (Asia/Shanghai) of the daily checkpoint.")
    minute: int = Field(default=5, ge=0, le=59, description="Minute of the daily checkpoint.")
