"""A county's own document templates: a folder per campaign, checked when it is loaded.

``<data dir>/templates/<campaign code>/`` may hold

- ``Dnn.xml.j2``: a template replacing the default of document Dnn (copy the defaults with
  ``huanjie docs templates export DIR`` and edit them);
- ``organs.toml``: 红头 (发文机关标志), organ names, 文号 prefixes, 抄送 and 印发机关 without
  touching a template (see :data:`ORGAN_FIELDS`; ``{county}``, ``{township}``, ``{village}``
  stand for the names).

Loading checks every file and reports every problem at once with the document and the line:
a Jinja2 syntax error, a field the document does not have, an unknown key in organs.toml.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import meta

from huanjie.documents.registry import DOCUMENTS
from huanjie.errors import InvalidInput, Problem

DEFAULTS = Path(__file__).parent / "templates"
ORGANS_FILE = "organs.toml"
BODIES = ("township", "township_government", "village_party", "election_committee", "village_committee")
BODY_LABELS = {"township": "乡镇党委", "township_government": "乡镇人民政府", "village_party": "村党组织",
               "election_committee": "村民选举委员会", "village_committee": "村民委员会"}
ORGAN_FIELDS = {  # table -> (what it sets, its keys)
    "masthead": ("红头（发文机关标志）", BODIES),
    "name": ("机关名称（署名、主送）", BODIES),
    "number_prefix": ("文号机关代字", BODIES),
    "printer": ("印发机关", BODIES),
    "copy_to": ("抄送机关（按文书编号）", tuple(DOCUMENTS)),
    "contact": ("联系人和电话", ("name", "phone")),
}
# the names every template may use besides the document's own fields (render.page)
COMMON_FIELDS = {"title", "number", "issuer", "day_text", "day_cn", "v", "day", "step", "anchors", "loop",
                 "range", "official"}
_FILE = re.compile(r"^(D\d\d)\.xml\.j2$")


@dataclass(frozen=True)
class Organs:
    """The county's names for its bodies, each a format string over county/township/village."""

    tables: dict = field(default_factory=dict)

    def get(self, table: str, key: str, names: dict[str, str]) -> str | None:
        value = (self.tables.get(table) or {}).get(key)
        return value.format(**names) if isinstance(value, str) else None


@dataclass(frozen=True)
class CountyTemplates:
    folder: Path | None
    overrides: tuple[str, ...] = ()
    organs: Organs = Organs()

    @property
    def key(self) -> str:
        return str(self.folder) if self.overrides else ""

    def environment(self) -> jinja2.Environment:
        from huanjie.documents.render import environment

        return environment(str(self.folder) if self.overrides else None)


NO_TEMPLATES = CountyTemplates(None)


def templates_root() -> Path:
    # read at every step that makes documents: the settings once per value of the variable
    return _templates_root(tuple(v for k, v in os.environ.items() if k.upper() == "HUANJIE_DATA_DIR"))


@functools.lru_cache(maxsize=8)
def _templates_root(_data_dir_env: tuple) -> Path:
    from huanjie.settings import StoreSettings

    return StoreSettings().data_dir / "templates"


def folder_for(campaign_code: str, root: Path | None = None) -> Path:
    return (root or templates_root()) / campaign_code


def load_county_templates(campaign_code: str, root: Path | None = None) -> CountyTemplates:
    """The campaign's templates (checked; InvalidInput lists every problem) or the defaults."""
    folder = folder_for(campaign_code, root)
    if not folder.is_dir():
        return NO_TEMPLATES
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()))
    return _load(str(folder.resolve()), stamp)


@functools.lru_cache(maxsize=64)
def _load(folder: str, stamp: tuple) -> CountyTemplates:
    path = Path(folder)
    problems = check_folder(path)
    if problems:
        raise InvalidInput(f"县级文书模板目录 {path} 有 {len(problems)} 处错误，请改正后再生成文书", problems)
    overrides = tuple(sorted(m.group(1) for p in path.iterdir() if (m := _FILE.match(p.name))))
    organs = Organs(_read_toml(path / ORGANS_FILE)[0]) if (path / ORGANS_FILE).exists() else Organs()
    return CountyTemplates(path, overrides, organs)


def _read_toml(path: Path) -> tuple[dict, list[Problem]]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")), []
    except UnicodeDecodeError:
        return {}, [Problem(f"{path.name} 不是 UTF-8 编码的文本", field=path.name)]
    except tomllib.TOMLDecodeError as exc:
        return {}, [Problem(f"{path.name} 格式错误：{exc}", field=path.name)]


def _line_of(source: str, name: str) -> int:
    found = re.search(rf"\b{re.escape(name)}\b", source)
    return source.count("\n", 0, found.start()) + 1 if found else 1


def _parser() -> jinja2.Environment:
    from huanjie.documents.render import environment

    return environment()


@functools.cache
def default_fields(code: str) -> frozenset[str]:
    """The fields document ``code`` offers a template: those its default template uses."""
    env = _parser()
    source = (DEFAULTS / f"{code}.xml.j2").read_text(encoding="utf-8")
    return frozenset(meta.find_undeclared_variables(env.parse(source)))


def check_template(code: str, source: str) -> list[Problem]:
    """Problems of one county template: syntax (with its line), fields the document lacks."""
    name = f"{code}.xml.j2"
    env = _parser()
    try:
        parsed = env.parse(source)
        env.compile(source)  # unknown filters and tests are found here
    except jinja2.TemplateSyntaxError as exc:
        return [Problem(f"{name}（{code}《{DOCUMENTS[code].title}》）第 {exc.lineno} 行语法错误：{exc.message}",
                        field=f"{name}:{exc.lineno}")]
    allowed = default_fields(code) | COMMON_FIELDS
    problems = []
    for unknown in sorted(meta.find_undeclared_variables(parsed) - allowed):
        line = _line_of(source, unknown)
        problems.append(Problem(
            f"{name}（{code}《{DOCUMENTS[code].title}》）第 {line} 行使用了本文书没有的字段“{unknown}”；"
            f"可用字段：{'、'.join(sorted(default_fields(code)))}", field=f"{name}:{line}"))
    return problems


def check_organs(data: dict) -> list[Problem]:
    problems = []
    for table, value in data.items():
        if table not in ORGAN_FIELDS:
            problems.append(Problem(f"{ORGANS_FILE} 有未知的表 [{table}]；可用：{'、'.join(ORGAN_FIELDS)}",
                                    field=f"{ORGANS_FILE}:{table}"))
            continue
        label, keys = ORGAN_FIELDS[table]
        if not isinstance(value, dict):
            problems.append(Problem(f"{ORGANS_FILE} 的 {table}（{label}）应为一个表", field=f"{ORGANS_FILE}:{table}"))
            continue
        for key, text in value.items():
            where = f"{ORGANS_FILE}:{table}.{key}"
            if key not in keys:
                problems.append(Problem(f"{ORGANS_FILE} 的 [{table}]（{label}）没有“{key}”；可用：{'、'.join(keys)}",
                                        field=where))
            elif not isinstance(text, str) or not text.strip():
                problems.append(Problem(f"{ORGANS_FILE} 的 {table}.{key} 应为非空文字", field=where))
            else:
                try:
                    text.format(county="县", township="乡镇", village="村")
                except (KeyError, IndexError, ValueError) as exc:
                    problems.append(Problem(f"{ORGANS_FILE} 的 {table}.{key} 只能使用 {{county}}、{{township}}、"
                                            f"{{village}}：{exc}", field=where))
    return problems


def check_folder(folder: Path) -> list[Problem]:
    problems = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() or path.name.startswith(".") or path.suffix in (".md", ".txt", ".example"):
            continue
        m = _FILE.match(path.name)
        if path.name == ORGANS_FILE:
            data, errors = _read_toml(path)
            problems.extend(errors or check_organs(data))
        elif m is None or m.group(1) not in DOCUMENTS:
            problems.append(Problem(f"{path.name} 不是文书模板：模板文件名为 D01.xml.j2 至 D27.xml.j2，"
                                    f"机关名称写在 {ORGANS_FILE}", field=path.name))
        else:
            try:
                source = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(Problem(f"{path.name} 不是 UTF-8 编码的文本", field=path.name))
                continue
            problems.extend(check_template(m.group(1), source))
    return problems


ORGANS_EXAMPLE = """\
# 县级文书设置（不改模板即可改红头、机关名称、文号代字、抄送和印发机关）。
# 可用 {county}（县名）、{township}（乡镇名）、{village}（村名）。删去行首的 # 即生效。
#
# [masthead]                      # 红头（发文机关标志）
# township = "中共{township}委员会文件"
# village_party = "中共{village}支部委员会"
#
# [name]                          # 机关名称（署名、主送）
# township = "中共{township}委员会"
#
# [number_prefix]                 # 文号机关代字：××选字〔2026〕3号
# township = "{township}委组"
#
# [printer]                       # 印发机关
# township = "中共{township}委员会党政办公室"
#
# [copy_to]                       # 抄送机关，按文书编号
# D02 = "中共{county}委组织部，{township}纪委"
#
# [contact]                       # 请示的联系人和电话（默认取 P2.2 记录的联系人）
# name = "张三"
# phone = "0571-12345678"
"""


def export_defaults(target: Path) -> list[Path]:
    """Copy the 27 default templates and an organs.toml example into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for code in DOCUMENTS:
        out = target / f"{code}.xml.j2"
        shutil.copyfile(DEFAULTS / f"{code}.xml.j2", out)
        written.append(out)
    example = target / f"{ORGANS_FILE}.example"
    example.write_text(ORGANS_EXAMPLE, encoding="utf-8")
    written.append(example)
    return written
