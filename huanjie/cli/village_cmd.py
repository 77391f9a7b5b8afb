from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain

app = typer.Typer(no_args_is_help=True)


@app.command("import")
@command
def import_(
    file: Annotated[Path, typer.Argument(help="CSV：code,name,township,households,groups（或 村代码,村名,乡镇,户数,村民小组数）")],
    campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
    as_: AsOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """导入村名单：逐行校验，有任何错误则一个也不导入；重复导入同一文件不改变任何数据。"""
    from huanjie.errors import InvalidInput
    from huanjie.service.villages import import_villages

    if not file.is_file():
        raise InvalidInput(f"找不到文件 {file}")
    result = import_villages(context(), campaign_code=campaign, path=file, actor_name=as_)
    if json_out:
        print_json(result.__dict__)
        return
    console.print(
        f"新增 {len(result.created)} 个村，更新 {len(result.updated)} 个，未变 {len(result.unchanged)} 个"
        + (f"；新增乡镇：{'、'.join(result.townships_created)}" if result.townships_created else "")
    )
