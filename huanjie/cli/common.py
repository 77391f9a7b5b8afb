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


def plain(value: Any) -> str:
    """Stored data for a Rich markup string: control characters replaced, markup escaped.

    Everything a user or a remote server wrote (names, reasons, webhook replies) goes through
    here before it is printed: ``[/x]`` is shown, not parsed; ESC never reaches the terminal.
    """
    from rich.markup import escape

    from huanjie.plain_text import clean

    return escape(clean("" if value is None else value))


def command(fn: Callable) -> Callable:
    """Turn HuanjieError (and the store's known failures) into a Chinese message (or JSON), exit 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except HuanjieError as exc:
            _report(exc, kwargs.get("json_out"))
            _note_refusal(exc, kwargs, command_name(fn))
            raise typer.Exit(2) from None
        except Exception as exc:
            from huanjie.store.faults import user_error

            known = user_error(exc)
            if known is None:
                raise
            _report(known, kwargs.get("json_out"))
            raise typer.Exit(2) from None

    return wrapper


TARGETS = ("campaign", "village", "township", "step", "doc", "person")


def command_name(fn: Callable) -> str:
    """``huanjie audit verify`` for huanjie.cli.audit_cmd.verify, ``huanjie status`` for a top-level one."""
    import sys

    module = sys.modules.get(fn.__module__)
    name = fn.__name__.rstrip("_").replace("_", "-")
    if module is not None and hasattr(module, "app"):
        return f"huanjie {fn.__module__.rsplit('.', 1)[-1].removesuffix('_cmd')} {name}"
    return f"huanjie {name}"


def _note_refusal(exc: HuanjieError, kwargs: dict, action: str) -> None:
    """A refused action is an audit event (who, what, why): huanjie.service.refusals."""
    from huanjie.service.refusals import is_refusal, record_refusal

    if _context is None or not is_refusal(exc):
        return
    record_refusal(_context, actor_name=kwargs.get("as_"), action=action, error=exc,
                   target={k: kwargs.get(k) for k in TARGETS})


def _report(exc: HuanjieError, json_out: bool | None) -> None:
    from huanjie.privacy import mask

    if json_out:
        print_json(mask(exc.as_dict()))
        return
    err_console.print(f"[bold red]错误：[/]{plain(mask(exc.message))}")
    for problem in exc.problems:
        err_console.print(f"  - {plain(mask(problem.text()))}")
