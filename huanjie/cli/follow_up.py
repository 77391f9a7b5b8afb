"""What the CLI prints after a change: the step's new state, or what will move it."""

from __future__ import annotations

from rich.markup import escape

from huanjie.cli.common import console


def follow_up(village: str, step: str, campaign: str | None, *, json_out: bool = False):
    """Ask what moves the step now (waiting briefly for a live worker) and print it."""
    from huanjie.cli.common import context
    from huanjie.service.follow_up import next_move

    if json_out:
        return next_move(context(), village_code=village, step_key=step, campaign_code=campaign)
    with console.status("正在查看流程是否推进……"):
        move = next_move(context(), village_code=village, step_key=step, campaign_code=campaign)
    show(move)
    return move


def show(move) -> None:
    console.print(escape(f"{move.step} 现在：{move.status_label}"))
    for hold in move.holds:
        console.print(escape(f"  · {hold['text']}"))
    for nxt in move.next_steps:
        holds = "；".join(h["text"] for h in nxt["holds"]) or "—"
        console.print(escape(f"  下一步 {nxt['step']} {nxt['name']}（{nxt['status_label']}）：{holds}"))
    if move.message:
        console.print(f"[yellow]  ! {escape(move.message)}[/]")
