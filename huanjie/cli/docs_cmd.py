"""huanjie docs: one document in a format, or a village's documents in a zip."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain
from huanjie.files import write_atomically

app = ChineseTyper(no_args_is_help=True)
VillageOpt = Annotated[str, typer.Option("--village", help="村代码")]
CampaignOpt = Annotated[str | None, typer.Option("--campaign", help="换届代码（村代码重复时）")]
OutputOpt = Annotated[Path, typer.Option("--output", help="输出文件")]


@app.command("render")
@command
def render(village: VillageOpt, doc: Annotated[str, typer.Option("--doc", help="文书编号，如 D07")], output: OutputOpt,
           fmt: Annotated[str, typer.Option("--format", help="docx、pdf 或 html")] = "docx",
           step: Annotated[str | None, typer.Option("--step", help="产生该文书的步骤（多个步骤产生同一文书时）")] = None,
           campaign: CampaignOpt = None, as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """输出一份文书（按步骤完成时记录的事实生成，带文号）。"""
    from huanjie.documents.service import render_document
    from huanjie.service.visibility import require_village

    require_village(context(), as_, village, campaign, "输出该村的文书")

    f = render_document(context(), village_code=village, code=doc, fmt=fmt, step=step, campaign_code=campaign)
    write_atomically(output, f.data)
    info = {"code": f.code, "step": f.step, "title": f.title, "number": f.number, "format": f.fmt,
            "sha256": f.sha256, "output": str(output)}
    if json_out:
        print_json(info)
    else:
        console.print(f"{plain(f.code)}《{plain(f.title)}》（{plain(f.step)}{plain('，' + f.number if f.number else '')}）已写入 {plain(output)}",
                      markup=False)
        console.print(f"SHA-256：{f.sha256}")


@app.command("bundle")
@command
def bundle(village: VillageOpt, output: OutputOpt, campaign: CampaignOpt = None,
           pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="是否包含 PDF")] = True,
           as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """把该村已生成的全部文书（docx、html、pdf）和哈希清单打包为 zip。"""
    import json
    import zipfile

    from huanjie.documents.service import bundle as make
    from huanjie.service.visibility import require_village

    require_village(context(), as_, village, campaign, "打包该村的文书")

    data = make(context(), village_code=village, campaign_code=campaign, pdf=pdf)
    write_atomically(output, data)
    with zipfile.ZipFile(output) as z:
        manifest = json.loads(z.read("manifest.json"))
    if json_out:
        print_json({"output": str(output), **manifest})
    else:
        console.print(f"村 {plain(village)}：{len(manifest['documents'])} 份文书已打包至 {plain(output)}（含 manifest.json 哈希清单）",
                      markup=False)
