"""huanjie docs: one document in a format, a village's documents in a zip, previews, county templates."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from huanjie.cli.chrome import ChineseTyper
from huanjie.cli.common import AsOpt, JsonOpt, command, console, context, print_json, plain
from huanjie.files import write_atomically

app = ChineseTyper(no_args_is_help=True)
templates_app = ChineseTyper(no_args_is_help=True, help="县级文书模板：导出默认模板、检查某换届的模板目录")
app.add_typer(templates_app, name="templates")
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
    _warn(f.warnings)


def _warn(warnings: list[str]) -> None:
    from huanjie.cli.common import err_console

    for w in warnings:
        err_console.print(f"注意：{w}", markup=False)


@app.command("preview")
@command
def preview(village: VillageOpt, doc: Annotated[str, typer.Option("--doc", help="文书编号，如 D01")], output: OutputOpt,
            fmt: Annotated[str, typer.Option("--format", help="docx、pdf 或 html")] = "pdf",
            step: Annotated[str | None, typer.Option("--step", help="产生该文书的步骤")] = None,
            campaign: CampaignOpt = None, as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """按本换届当前的模板和已记录的事实预览一份文书（不编文号、不存档）。"""
    from huanjie.documents.service import preview_document
    from huanjie.service.visibility import require_village

    require_village(context(), as_, village, campaign, "预览该村的文书")
    f = preview_document(context(), village_code=village, code=doc, fmt=fmt, step=step, campaign_code=campaign)
    write_atomically(output, f.data)
    if json_out:
        print_json({"code": f.code, "step": f.step, "title": f.title, "format": f.fmt, "output": str(output),
                    "warnings": f.warnings})
    else:
        console.print(f"{f.code}《{f.title}》预览（{f.step}，未编文号、未存档）已写入 {output}", markup=False)
    _warn(f.warnings)


@templates_app.command("export")
@command
def templates_export(directory: Annotated[Path, typer.Argument(help="导出到的目录")], json_out: JsonOpt = False) -> None:
    """把 27 份默认文书模板和 organs.toml 示例复制到目录，供县里修改后放入换届的模板目录。"""
    from huanjie.documents.service import export_templates

    written = export_templates(directory)
    if json_out:
        print_json({"directory": str(directory), "files": [str(p) for p in written]})
    else:
        console.print(f"已导出 {len(written)} 个文件到 {directory}。修改后放入 数据目录/templates/换届代码/ 即对该换届生效；"
                      "可用 huanjie docs preview 预览。", markup=False)


@templates_app.command("check")
@command
def templates_check(campaign: Annotated[str, typer.Option("--campaign", help="换届代码")],
                    as_: AsOpt = None, json_out: JsonOpt = False) -> None:
    """检查某换届的县级模板目录（语法、字段、organs.toml），列出全部问题。"""
    from huanjie.documents.service import check_templates
    from huanjie.service.visibility import acting_user, require_campaign

    actor = acting_user(context(), as_, action="检查文书模板")
    require_campaign(context(), actor, campaign, "检查该换届的文书模板")

    info = check_templates(context(), campaign_code=campaign)
    if json_out:
        print_json(info)
    elif not info["exists"]:
        console.print(f"换届 {campaign} 没有县级模板目录（{info['folder']}），使用默认模板。", markup=False)
    else:
        console.print(f"换届 {campaign} 的模板目录 {info['folder']} 检查通过：替换 "
                      f"{'、'.join(info['overrides']) or '无'}；organs.toml：{'、'.join(info['organs']) or '无'}",
                      markup=False)


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


@app.command("fonts")
@command
def fonts(json_out: JsonOpt = False) -> None:
    """列出 PDF 所用的公文字体：有授权字体时用数据目录 fonts 文件夹中的字体，否则按 GB 2312 覆盖选用免费字体。"""
    from huanjie.documents.fonts import ROLE_LABELS, faces, measurements
    from huanjie.documents.pdf import default_fonts_dir

    folder = default_fonts_dir()
    chosen = faces(folder)
    measured = measurements()
    if json_out:
        print_json({"fonts_dir": str(folder), "chosen": {r: {"face": f.label(), "licensed": f.licensed,
                                                            "postscript": f.postscript} for r, f in chosen.items()},
                    "measured": [{"role": r, "face": n, "gb2312_missing": m} for r, n, m in measured]})
        return
    console.print(f"授权字体目录：{folder}{'' if folder.is_dir() else '（不存在，使用免费字体）'}", markup=False)
    for role, face in chosen.items():
        console.print(f"  {ROLE_LABELS[role]}：{face.label()}{'（授权）' if face.licensed else ''}", markup=False)
    console.print("免费字体 GB 2312 汉字覆盖（6763 字中缺少）：", markup=False)
    for role, name, missing in measured:
        state = "未安装" if missing is None else ("完整" if missing == 0 else f"缺 {missing} 字，不选用")
        console.print(f"  {ROLE_LABELS[role]}  {name}：{state}", markup=False)
