from __future__ import annotations

from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = ChineseTyper(no_args_is_help=True)
VillageOpt = Annotated[str, typer.Option("--village", help="村代码")]
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="换届代码（村代码重复时）")]


@app.command("list")
@command
def list_(as_: AsOpt = None, campaign: CampaignOpt = None, json_out: JsonOpt = False) -> None:
    """列出等待该用户审批的事项。"""
    from huanjie.service.gates import waiting_gates

    gates = waiting_gates(context(), actor_name=as_, campaign_code=campaign)
    if json_out:
        print_json([g.__dict__ for g in gates])
        return
    if not gates:
        console.print("没有等待审批的事项")
    for g in gates:
        mark = "" if g.may_decide else f"（{g.why_not}）"
        console.print(f"{plain(g.township)} {plain(g.village_name)}（{plain(g.village)}） {plain(g.step)} {plain(g.step_name)}  期限 {plain(g.due)}  "
                      f"填报人 {plain(g.recorded_by or '-')}{plain(mark)}")


def _decide(approve: bool, step: str, village: str, as_: str | None, reason: str | None, campaign: str | None,
            json_out: bool) -> None:
    from huanjie.cli.follow_up import follow_up
    from huanjie.service.gates import decide_gate

    state = decide_gate(context(), actor_name=as_, village_code=village, step_key=step, approve=approve,
                        reason=reason, campaign_code=campaign)
    from huanjie.cli.engine_cmd import _submit

    _submit(context(), case_ids=[state.case_id])  # Prefect mode: its flow run goes to the work pool now
    if json_out:
        move = follow_up(village, step, campaign, json_out=True)
        print_json({"village": village, "step": step, "status": state.status, "attempt": state.attempt,
                    "next": move.as_dict()})
        return
    if approve:
        console.print(f"已批准 {plain(village)} {plain(step)}" + ("（逾期完成）" if state.late else ""))
    else:
        console.print(f"已驳回 {plain(village)} {plain(step)}，退回重新办理：{plain(reason)}")
    follow_up(village, step, campaign)


@app.command("approve")
@command
def approve(step: Annotated[str, typer.Argument(help="步骤编号")], village: VillageOpt, as_: AsOpt = None,
            reason: Annotated[str | None, typer.Option("--reason", help="意见（可选）")] = None,
            campaign: CampaignOpt = None, json_out: JsonOpt = False) -> None:
    """批准审批环节。"""
    _decide(True, step, village, as_, reason, campaign, json_out)


@app.command("reject")
@command
def reject(step: Annotated[str, typer.Argument(help="步骤编号")], village: VillageOpt, as_: AsOpt = None,
           reason: Annotated[str | None, typer.Option("--reason", help="驳回理由（必填）")] = None,
           campaign: CampaignOpt = None, json_out: JsonOpt = False) -> None:
    """驳回审批环节（须说明理由），步骤退回重新办理。"""
    _decide(False, step, village, as_, reason, campaign, json_out)
