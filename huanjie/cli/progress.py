"""A rich progress bar for long commands (silent in --json mode)."""

from __future__ import annotations

from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def bar(label: str, quiet: bool, total: int | None = None):
    if quiet:
        yield lambda n=1: None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True) as p:
        task = p.add_task(label, total=total)
        yield lambda n=1: p.advance(task, n)
