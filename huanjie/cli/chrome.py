"""The command line's own chrome (Usage, Options, errors, ``--help``) in Chinese.

Typer 0.29 carries its own copy of Click (``typer._click``) whose texts are plain English
literals, not gettext calls, so there is no catalogue to hand it. Instead the huanjie CLI is
built from the subclasses below (``ChineseTyper`` makes every group and command one of
them): their context formats usage lines in Chinese, their help option says so in Chinese,
value types are shown as Chinese labels, and the root group turns Click's usage errors into
Chinese before Typer prints them. The titles of Typer's help panels are its documented
module constants (``typer.rich_utils``), set once by ``install()``.

Rich wraps text at spaces only, so a Chinese sentence (no spaces) is one "word": it jumps
whole to the next line, leaving a ragged half-empty line, or is cut with "…" inside a table
cell. ``install()`` gives Rich's wrapper a word splitter that lets a line break between any
two Chinese characters, keeping the line-breaking rules of Chinese typesetting (标点禁则: no
line starts with ，。、；：）》 and none ends with （《“), and ASCII words whole; and it measures
a line's trailing space in cells (Rich counts characters there, and then cuts a full line of
Chinese with "…").
"""

from __future__ import annotations

import re

import typer
from typer import rich_utils
from typer._click import exceptions as click_errors
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperArgument, TyperCommand, TyperGroup

PANELS = {
    "ARGUMENTS_PANEL_TITLE": "参数",
    "OPTIONS_PANEL_TITLE": "选项",
    "COMMANDS_PANEL_TITLE": "命令",
    "ERRORS_PANEL_TITLE": "错误",
    "REQUIRED_LONG_STRING": "[必填]",
    "DEFAULT_STRING": "[默认：{}]",
    "ENVVAR_STRING": "[环境变量：{}]",
    "DEPRECATED_STRING": "（已弃用）",
    "ABORTED_TEXT": "已中止。",
    "RICH_HELP": "查看帮助：[blue]{command_path} {help_option}[/]",
}
USAGE_PREFIX = "用法："
USAGE_PIECES = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
HELP_TEXT = "显示本帮助并退出"
TYPE_LABELS = {"str": "文本", "int": "整数", "float": "数字", "Path": "路径", "datetime": "日期", "date": "日期",
               "list[str]": "文本（可重复）", "list[Path]": "路径（可重复）"}

# Click's usage errors, English pattern -> Chinese (group references keep the names and values)
_ERRORS = [
    (r"Missing option (.+)\.(?: (.*))?", r"缺少选项 \1。\2"),
    (r"Missing argument (.+)\.(?: (.*))?", r"缺少参数 \1。\2"),
    (r"Missing parameter: (.+)", r"缺少参数：\1"),
    (r"Missing command\.", "缺少命令。"),
    (r"No such command (.+)\.", r"没有命令 \1。"),
    (r"No such option: (.+)", r"没有选项 \1"),
    (r"Got unexpected extra arguments? \((.+)\)", r"多余的参数（\1）"),
    (r"Option (.+) requires an argument\.", r"选项 \1 需要一个取值。"),
    (r"Option (.+) requires (\d+) arguments\.", r"选项 \1 需要 \2 个取值。"),
    (r"Option (.+) does not take a value\.", r"选项 \1 不接受取值。"),
    (r"Invalid value for (.+?): (.*)", None),  # the reason is translated on its own
    (r"Invalid value: (.*)", None),
]
_REASONS = [
    (r"(?:Value error, )?Input should be a valid integer.*", "须为整数（阿拉伯数字）。"),
    (r"(?:Value error, )?Input should be a valid number.*", "须为数字。"),
    (r"(?:Value error, )?Input should be a valid (?:date|datetime).*", "须为日期，如 2026-09-15。"),
    (r"(?:Value error, )?Input should be a valid boolean.*", "须为是/否。"),
    (r"(?:Value error, )?(.+) does not match the formats? (.+)\.", r"\1 不符合格式 \2（如 2026-09-15）。"),
    (r"(.+) is not a valid (integer|float|boolean|int)\.?(.*)",
     lambda m: f"{m[1]} 不是有效的{ {'integer': '整数', 'int': '整数', 'float': '数字'}.get(m[2], '是/否取值')}。"),
    (r"(.+) is not one of (.+)\.", r"\1 不是可选值之一：\2。"),
    (r"(.+) is not (.+)\.", r"\1 不是可选值 \2。"),
    (r"(?:File|Path|Directory) (.+) does not exist\.", r"文件 \1 不存在。"),
    (r"(?:File|Path) (.+) is a directory\.", r"\1 是目录，不是文件。"),
    (r"(.+) is not in the range (.+)\.", r"\1 不在范围 \2 内。"),
]
_SUGGESTION = (r"\s*\(?(?:Did you mean (?:one of: )?(.+?)\?|Possible options: (.+?))\)?$", r" 是否要用：\1\2？")


def translate(message: str) -> str:
    """Click's English usage error in Chinese (unknown texts are kept as they are)."""
    message = message.strip()
    suggestion = ""
    found = re.search(_SUGGESTION[0], message)
    if found:
        suggestion = re.sub(_SUGGESTION[0], _SUGGESTION[1], found[0]).rstrip()
        message = message[:found.start()].rstrip()
    for pattern, chinese in _ERRORS:
        match = re.fullmatch(pattern, message, re.S)
        if not match:
            continue
        if chinese is None:
            if pattern.startswith("Invalid value for"):
                message = f"{match[1]} 的取值无效：{_reason(match[2])}"
            else:
                message = f"取值无效：{_reason(match[1])}"
        else:
            message = match.expand(chinese).strip()
        break
    return message + suggestion


def _reason(text: str) -> str:
    for pattern, chinese in _REASONS:
        match = re.fullmatch(pattern, text.strip(), re.S)
        if match:
            return chinese(match) if callable(chinese) else match.expand(chinese)
    return text


class ChineseFormatter(HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in USAGE_PIECES.items():
            args = args.replace(english, chinese)
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)


class ChineseContext(Context):
    formatter_class = ChineseFormatter


class _Chinese:
    """What groups and commands share: the context, the help option, type labels."""

    context_class = ChineseContext

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help, option.metavar = HELP_TEXT, ""
        return option

    def format_help(self, ctx, formatter):
        _label_types(self)
        return super().format_help(ctx, formatter)


def _label_types(command) -> None:
    for param in command.params:
        if isinstance(param, TyperArgument) and not isinstance(param, ChineseArgument):
            param.__class__ = ChineseArgument  # same object, Chinese type label (no <str>)
            continue
        if param.metavar is not None or getattr(param, "param_type_name", "") != "option":
            continue
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or descriptor.is_choice:
            continue
        if getattr(param, "is_flag", False):
            param.metavar = ""  # a switch: no value to describe
            continue
        label = TYPE_LABELS.get(param.bare_type())
        if label:
            param.metavar = label


class ChineseArgument(TyperArgument):
    """A positional argument whose type shows as a Chinese label (文本, 整数…), not ``<str>``."""

    def display_type_rich(self, ctx):
        shown = super().display_type_rich(ctx)
        return type_label(shown) if shown else shown


def type_label(shown: str) -> str:
    """Typer's ``<int>`` / ``<list[str]>`` / ``<%Y-%m-%d>`` as a Chinese label; choices stay listed."""
    bare = shown[1:-1] if shown.startswith("<") and shown.endswith(">") else shown
    if bare in TYPE_LABELS:
        return TYPE_LABELS[bare]
    if "%Y" in bare:
        return "日期"
    return bare


# --- line breaking of Chinese text in Rich -----------------------------------------------------

_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
NO_LINE_START = "，。、；：？！）》」』】〕〉”’…·%,.;:!?)]}"
NO_LINE_END = "（《「『【〔〈“‘([{"
_TOKEN = re.compile(
    rf"\s*[{re.escape(NO_LINE_END)}]*(?:[{_CJK}]|[^\s{_CJK}]+)[{re.escape(NO_LINE_START)}]*\s*")


def cjk_words(text: str):
    """Rich's ``_wrap.words`` with a break allowed between Chinese characters: (start, end, word),
    a word keeping its trailing spaces; ASCII runs stay whole, punctuation stays with its neighbour."""
    position = 0
    match = _TOKEN.match(text, position)
    while match is not None and match.end() > position:
        yield match.start(), match.end(), match.group(0)
        position = match.end()
        match = _TOKEN.match(text, position)


class ChineseCommand(_Chinese, TyperCommand):
    pass


class ChineseGroup(_Chinese, TyperGroup):
    def make_context(self, info_name, args, parent=None, **extra):
        with _chinese_errors():
            return super().make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx):
        with _chinese_errors():
            return super().invoke(ctx)


class _chinese_errors:
    """Re-raise Click's usage errors with their message in Chinese (Typer prints them)."""

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, click_errors.UsageError) and not getattr(exc, "_chinese", False):
            chinese = click_errors.UsageError(translate(exc.format_message()), ctx=exc.ctx)
            chinese.exit_code = exc.exit_code
            chinese._chinese = True
            raise chinese from None
        return False


class ChineseTyper(typer.Typer):
    """A Typer app whose groups and commands speak Chinese (see the module docstring)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(**kwargs)

    def command(self, *args, cls=None, **kwargs):
        return super().command(*args, cls=cls or ChineseCommand, **kwargs)


def install() -> None:
    """Typer's help panel titles and markers in Chinese (its module constants; idempotent)."""
    for name, text in PANELS.items():
        setattr(rich_utils, name, text)
    rich_utils.OptionHighlighter.highlights = [h.replace("Usage: ", USAGE_PREFIX)
                                              for h in rich_utils.OptionHighlighter.highlights]
    from rich import _wrap
    from rich.text import Text

    _wrap.words = cjk_words  # divide_line looks it up at each call
    Text.rstrip_end = _rstrip_end


def _rstrip_end(self, size: int) -> None:
    """Rich's ``Text.rstrip_end`` measuring in cells, not characters: a wrapped Chinese line that
    fills the width exactly keeps a trailing space otherwise, and is then cut with "…"."""
    excess = self.cell_len - size
    if excess > 0:
        found = re.search(r"\s+$", self.plain)
        if found is not None:
            self.right_crop(min(len(found.group(0)), excess))
