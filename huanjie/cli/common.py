"""What every command shares: --json, the context, error output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from huanjie.errors import Conflict, HuanjieError, Problem

JsonOpt = Annotated[bool, typer.Option("--json", help="以 JSON 输出，供脚本使用")]
AsOpt = Annotated[str | None, typer.Option("--as", help="以该用户身份操作（用户名）")]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

_context = None


def context():
    """The store and clock for this process (opened once)."""
    global _context
    if _context is None:
        from huanjie.clock import MovableClock
        from huanjie.service.context import open_context
        from huanjie.settings import ClockSettings

        pinned = ClockSettings().now
        _context = open_context(clock=MovableClock(pinned) if pinned else None)
    return _context


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def command(fn: Callable) -> Callable:
    """Turn HuanjieError into a Chinese message (or JSON) and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HuanjieError as exc:
            _report(exc, kwargs.get("json_out"))
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            from sqlalchemy.exc import IntegrityError, OperationalError

            if not isinstance(exc, (IntegrityError, OperationalError)):
                raise
            # another process changed the same rows at the same moment (or held the lock too
            # long): nothing of this command was written
            conflict = Conflict("数据正被其他操作同时修改，本次操作未写入任何内容",
                                [Problem("请稍后重试；如反复出现，请检查是否有长时间运行的命令")])
            _report(conflict, kwargs.get("json_out"))
            raise typer.Exit(2) from None

    return wrapper


def _report(exc: HuanjieError, json_out: bool | None) -> None:
    if json_out:
        print_json(exc.as_dict())
        return
    err_console.print(f"[bold red]错误：[/]{exc.message}")
    for problem in exc.problems:
        err_console.print(f"  - {problem.text()}", markup=False)
