"""What every command shares: --json, the context, error output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from huanjie.errors import HuanjieError

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
            if kwargs.get("json_out"):
                print_json(exc.as_dict())
            else:
                err_console.print(f"[bold red]错误：[/]{exc.message}")
                for problem in exc.problems:
                    err_console.print(f"  - {problem.text()}", markup=False)
            raise typer.Exit(2) from None

    return wrapper
