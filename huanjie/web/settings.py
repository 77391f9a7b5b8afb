"""Settings of ``huanjie serve`` (pydantic-settings; the CLI builds them and passes them down)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUANJIE_WEB_", extra="ignore")

    host: str = Field(default="127.0.0.1", description="Address to listen on.")
    port: int = Field(default=8000, description="TCP port to listen on.")
    secure_cookies: bool = Field(default=True, description="Mark cookies Secure (off only for plain-http localhost).")
    worker: bool = Field(default=True, description="Run the flow worker in the server process.")
    worker_interval: float = Field(default=0.25, description="Seconds between the worker's looks for woken cases.")
    sweep_interval: float = Field(default=30.0, description="Seconds between the worker's sweeps for overdue steps.")
    prefect: bool = Field(default=True, description="The worker runs stage flows through Prefect (else direct calls).")
    scheduler: bool = Field(default=True, description="Run the reminder scheduler in the server process.")
    audit_key: str | None = Field(default=None, description="Ed25519 private key (PEM) that signs audit exports; unset: unsigned.")
    warm_users: int = Field(default=200, description="Users whose inbox and board are derived right after start (0: none).")
    login_per_client: int = Field(default=30, description="Failed logins from one address per 10 minutes before refusing.")
