"""The huanjie command line: thin commands over huanjie.service."""

from __future__ import annotations

import typer

from huanjie.cli import (
    audit_cmd,
    calendar_cmd,
    campaign_cmd,
    chart_cmd,
    demo_cmd,
    docs_cmd,
    engine_cmd,
    gate_cmd,
    plan_cmd,
    reminder_cmd,
    serve_cmd,
    status_cmd,
    step_cmd,
    user_cmd,
    village_cmd,
)

app = typer.Typer(
    name="huanjie",
    help="村“两委”换届选举流程引擎",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(campaign_cmd.app, name="campaign", help="换届（县级）：创建、查看、调整选举日")
app.add_typer(village_cmd.app, name="village", help="村：导入村名单")
app.add_typer(calendar_cmd.app, name="calendar", help="法定期间与工作日计算")
app.add_typer(user_cmd.app, name="user", help="用户与角色")
app.add_typer(gate_cmd.app, name="gate", help="审批：待办、批准、驳回")
app.add_typer(step_cmd.app, name="step", help="步骤：说明、事实模板、JSON Schema、重新打开")
app.add_typer(audit_cmd.app, name="audit", help="审计：核验、回放、日志、导出")
app.add_typer(docs_cmd.app, name="docs", help="文书：生成、打包")
app.command("plan")(plan_cmd.plan)
app.command("launch")(engine_cmd.launch)
app.command("record")(engine_cmd.record)
app.command("run")(engine_cmd.run)
app.command("worker")(engine_cmd.worker)
app.command("status")(status_cmd.status)
app.command("digest")(reminder_cmd.digest)
app.command("reminders")(reminder_cmd.reminders)
app.command("scheduler")(reminder_cmd.scheduler)
app.command("demo")(demo_cmd.demo)
app.command("chart")(chart_cmd.chart)
app.command("serve")(serve_cmd.serve)


def main() -> None:
    app()
