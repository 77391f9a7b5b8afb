"""Reaching Prefect's API before flows run: retries, a generous start, then a Chinese answer.

Without ``PREFECT_API_URL`` Prefect starts a temporary server of its own on first use; on a
busy two-core machine that can take longer than Prefect's default 20 s, so huanjie allows
more (``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``, set in huanjie.flows). With
``PREFECT_API_URL`` the server may be down or restarting: the health check is retried with
a pause before huanjie gives up. Nothing is lost either way: facts, decisions and the audit
trail are in huanjie's store and the next run carries on.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

from huanjie.errors import EngineUnavailable, HuanjieError, Problem

log = logging.getLogger(__name__)
TRIES = 4
PAUSE_SECONDS = 2.0


def check_api(*, tries: int = TRIES, pause: float = PAUSE_SECONDS, sleep: Callable[[float], None] = time.sleep) -> None:
    """Raise ``EngineUnavailable`` (in Chinese) if Prefect's API cannot be reached after ``tries``."""
    last: BaseException | None = None
    for attempt in range(1, tries + 1):
        try:
            failure = _health()
        except HuanjieError:  # e.g. stopped by a signal: not an API failure
            raise
        except Exception as exc:  # the temporary server did not start, or the client could not be built
            failure = exc
        if failure is None:
            return
        last = failure
        log.debug("Prefect API not reachable (try %s of %s): %r", attempt, tries, failure)
        if attempt < tries:
            sleep(pause * attempt)
    raise unavailable(last, tries)


def _health() -> BaseException | None:
    from prefect.client.orchestration import get_client

    from huanjie.flows.server_lifetime import install

    install()  # the temporary server this may start must not outlive a killed process

    with get_client(sync_client=True) as client:
        return client.api_healthcheck()


def unavailable(exc: BaseException | None, tries: int | None = None) -> EngineUnavailable:
    """The Chinese answer for a Prefect API that cannot be reached."""
    url = os.environ.get("PREFECT_API_URL")
    retried = f"已重试 {tries} 次。" if tries else ""
    keep = "已填报的事实、审批决定和审计记录均已保存，本次未运行的流程下次运行时继续。"
    if url:
        return EngineUnavailable(
            f"无法连接 Prefect 服务器（PREFECT_API_URL={url}）：{_reason(exc)}",
            [Problem(f"{retried}请确认 Prefect 服务器已启动且地址正确（prefect server start），"
                     "或取消 PREFECT_API_URL，改用 huanjie 自带的临时服务", field="PREFECT_API_URL"),
             Problem(keep)])
    timeout = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "")
    return EngineUnavailable(
        f"Prefect 临时服务未能启动：{_reason(exc)}",
        [Problem(f"{retried}机器繁忙时启动较慢：可设置 PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
                 f"（当前 {timeout or 20} 秒）加长等待，或设置 PREFECT_API_URL 使用常驻的 Prefect 服务器",
                 field="PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"),
         Problem(keep)])


def _reason(exc: BaseException | None) -> str:
    import httpx

    text = str(exc or "")
    if isinstance(exc, httpx.ConnectError) or "reach API" in text or "Connection refused" in text:
        return "连接被拒绝或无法建立"
    if isinstance(exc, httpx.TimeoutException) or "Timed out" in text:
        return "等待超时"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"服务器返回 HTTP {exc.response.status_code}"
    return "服务不可用"


def is_api_failure(exc: BaseException) -> bool:
    """Did a flow run fail because Prefect's API went away (not because of a step)?"""
    import httpx

    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, httpx.TransportError | httpx.HTTPStatusError):
            return True
        if isinstance(exc, RuntimeError) and ("reach API" in str(exc) or "ephemeral Prefect API" in str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def warm_up() -> None:
    """Run one empty flow, so that the worker's first real run does not pay Prefect's start-up
    (≈4 s on a busy machine: imports, the flow engine, the first API calls)."""
    from prefect import flow

    @flow(name="huanjie-warm-up", validate_parameters=False)
    def _warm_up() -> None:
        return None

    try:
        _warm_up()
    except Exception as exc:
        if is_api_failure(exc):
            raise unavailable(exc) from None
        raise
