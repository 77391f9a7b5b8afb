"""The CLI's own chrome (usage, help, Click's errors) is Chinese on every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import re

from rich.cells import cell_len

from huanjie.cli.chrome import NO_LINE_START, cjk_words, translate
from huanjie.cli.main import app

ENGLISH = ("Usage:", "Options", "Commands", "Arguments", "Show this message and exit", "[required]", "Missing option",
           "No such command", "Invalid value", "Try '", "[OPTIONS]", "COMMAND [ARGS]", "<bool>")
runner = CliRunner()


def invoke(*args: str, columns: int = 100):
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


def commands(group=app) -> list[list[str]]:
    """Every command path of the app, e.g. ["gate", "approve"]."""
    paths = [[c.name or c.callback.__name__] for c in group.registered_commands]
    for sub in group.registered_groups:
        paths.append([sub.name])
        paths += [[sub.name, *p] for p in commands(sub.typer_instance)]
    return paths


def test_the_top_help_is_chinese():
    out = invoke("--help").output
    assert "用法：" in out and "[选项] 命令 [参数]..." in out
    assert "选项" in out and "命令" in out and "显示本帮助并退出" in out
    assert not [word for word in ENGLISH if word in out]


@pytest.mark.parametrize("path", commands(), ids=" ".join)
def test_every_commands_help_is_chinese(path):
    result = invoke(*path, "--help")
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output
    assert not [word for word in ENGLISH if word in result.output]


def test_clicks_errors_are_chinese():
    result = invoke("gate", "approve", "P1.1")
    assert result.exit_code == 2 and "缺少选项 '--village'。" in result.output and "查看帮助" in result.output
    result = invoke("nosuch")
    assert result.exit_code == 2 and "没有命令 'nosuch'" in result.output
    result = invoke("gate", "apprve")
    assert "是否要用：'approve'" in result.output
    result = invoke("todo", "--due-before", "2026/01/01")
    assert result.exit_code == 2 and "'--due-before' 的取值无效" in result.output and "不符合格式" in result.output
    result = invoke("calendar", "add-workdays", "2026-09-28", "五")
    assert result.exit_code == 2 and "须为整数" in result.output
    result = invoke("plan", "--villag", "V1")
    assert "没有选项 --villag" in result.output and "--village" in result.output
    for result in (invoke("gate", "approve", "P1.1"), invoke("nosuch"), invoke("todo", "--due-before", "x")):
        assert not [word for word in ENGLISH if word in result.output]


def test_an_unknown_message_is_kept():
    assert translate("Something new from Click.") == "Something new from Click."
    assert translate("Got unexpected extra arguments (a b)") == "多余的参数（a b）"


PLACEHOLDER = re.compile(r"<[A-Za-z_%][^<>\s]*>")  # Typer's <str>, <int>, <list[str]>, <%Y-%m-%d>


@pytest.mark.parametrize("path", [[], *commands()], ids=lambda p: " ".join(p) or "huanjie")
def test_every_help_reads_well_at_80_columns(path):
    result = invoke(*path, "--help", columns=80)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert not PLACEHOLDER.findall(result.output), PLACEHOLDER.findall(result.output)
    too_long = [line for line in lines if cell_len(line) > 80]
    assert not too_long, too_long
    # a wrapped line never starts with closing punctuation, and no cell is cut short with "…"
    starts = [line for line in lines if line.strip("│ ").startswith(tuple(NO_LINE_START))]
    assert not starts, starts
    assert "…" not in result.output.replace("...", "")


def test_a_chinese_sentence_breaks_between_characters_not_only_at_spaces():
    from rich.console import Console

    console = Console(width=20, record=True, file=open("/dev/null", "w"))
    console.print("演示：示范县 2 个乡镇 12 个村，时钟推进，完成选举（Ctrl-C 停止）。")
    text = console.export_text()
    lines = text.splitlines()
    assert lines[0] == "演示：示范县 2 个乡" and all(cell_len(line) <= 20 for line in lines)
    assert not [line for line in lines if line.startswith(tuple(NO_LINE_START))]
    assert "（Ctrl-C" in text  # an opening bracket stays with what follows
    words = [w for _, _, w in cjk_words("用 huanjie run，共 3 项。")]
    assert words == ["用 ", "huanjie ", "run，", "共 ", "3 ", "项。"]  # ASCII words whole
    assert "".join(w for _, _, w in cjk_words("  甲乙 abc  ")) == "  甲乙 abc  "
