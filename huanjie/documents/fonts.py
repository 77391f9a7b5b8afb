"""Which real face draws each 公文 font, chosen by measuring what the faces can draw.

GB/T 9704-2012 names four faces: 方正小标宋简体 (titles, 红头), 仿宋_GB2312 (body), 楷体_GB2312
(二级标题, 签发人's name), 黑体 (一级标题); page numbers are 宋体. The documents name them (a
.docx opened in an office with the licensed fonts shows them as they are). For PDF, each role
is drawn by the first face in its preference list that

1. is installed: the licensed faces from ``<data dir>/fonts`` (the office copies its 方正 /
   中易 files there) come first, then the free Debian faces;
2. covers every character of GB 2312 (6,763 汉字), measured on the face's cmap: a face that
   cannot draw a common character is never chosen. Measured here: cwTeX 仿宋 (the only free
   仿宋, fonts-cwtex-fs) draws 4,384 of 6,763 (a traditional-character face: no 乡, 书, 东), so
   the body falls back to the free face nearest 仿宋's thin, even stroke that covers GB 2312.

A free face in CFF outlines (Noto CJK) is used as a TrueType copy made once: its SC face taken
out of the collection, cut to GB 2312 and ASCII, converted to quadratic outlines (fontTools) and
kept in ``~/.cache/huanjie/fonts``. LibreOffice embeds a CFF font as Type 1, whose encryption
starts with random bytes (the same document would never give the same PDF twice), and from a
.ttc it embeds the first face, the Japanese one, whose glyphs differ from the Chinese forms.

``coverage_gaps`` names every character of a document its faces cannot draw.
"""

from __future__ import annotations

import functools
import glob
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

# role -> official name written in the .docx (docx_writer) and its aliases
ROLES = {
    "title": ("方正小标宋简体", "方正小标宋_GBK", "小标宋", "FZXiaoBiaoSong-B05S"),
    "body": ("仿宋_GB2312", "仿宋", "FangSong_GB2312", "FangSong"),
    "kai": ("楷体_GB2312", "楷体", "KaiTi_GB2312", "KaiTi"),
    "hei": ("黑体", "SimHei"),
    "song": ("宋体", "SimSun", "Times New Roman"),
}
ROLE_LABELS = {"title": "小标宋（标题、红头）", "body": "仿宋（正文）", "kai": "楷体", "hei": "黑体",
               "song": "宋体（页码）"}
# free faces in order of likeness to the official one, per role: (family, style or None, file glob)
FREE = {
    "title": [("Noto Serif CJK SC", "Bold", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"),
              ("Noto Serif CJK SC", "SemiBold", "/usr/share/fonts/opentype/noto/NotoSerifCJK-SemiBold.ttc"),
              ("AR PL UMing CN", None, "/usr/share/fonts/truetype/arphic/uming.ttc")],
    "body": [("cwTeXFangSong", None, "/usr/share/fonts/truetype/cwtex/cwfs.ttf"),
             ("AR PL SungtiL GB", None, "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
             ("AR PL UMing CN", None, "/usr/share/fonts/truetype/arphic/uming.ttc")],
    "kai": [("AR PL KaitiM GB", None, "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"),
            ("AR PL UKai CN", None, "/usr/share/fonts/truetype/arphic/ukai.ttc")],
    "hei": [("WenQuanYi Zen Hei", None, "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
            ("Noto Sans CJK SC", "Medium", "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc")],
    "song": [("AR PL SungtiL GB", None, "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
             ("AR PL UMing CN", None, "/usr/share/fonts/truetype/arphic/uming.ttc")],
}
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc", ".TTF", ".OTF", ".TTC")


@functools.cache
def gb2312_hanzi() -> frozenset[str]:
    out = set()
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return frozenset(out)


@dataclass(frozen=True)
class Face:
    role: str
    family: str        # the family name fontconfig matches
    style: str | None  # e.g. Black for a heavy weight of a family; None = the family's regular
    path: str
    postscript: str    # as a PDF names the embedded font (after the subset tag)
    licensed: bool
    gb2312_missing: int

    def can_draw(self, ch: str) -> bool:
        return ord(ch) in _cmap(self.path, self.postscript)

    @property
    def cff(self) -> bool:
        return not self.licensed and self.path.lower().endswith((".ttc", ".otc", ".otf")) and "CFF " in \
            _font(self.path, self.postscript)

    def fontconfig_edits(self) -> str:
        """The fontconfig <edit>s that make a request for this role match this face."""
        family = self.family if self.style in (None, "Regular", "Bold") else f"{self.family} {self.style}"
        if self.path.startswith(str(cache_dir())):
            family = self.family
        edits = f'<edit name="family" mode="assign" binding="strong"><string>{family}</string></edit>'
        if self.style == "Bold":
            edits += '<edit name="weight" mode="assign"><const>bold</const></edit>'
        return edits

    def label(self) -> str:
        return self.family + (f" {self.style}" if self.style else "")


def _fonts_in(path: str) -> list[TTFont]:
    if path.lower().endswith((".ttc", ".otc")):
        return list(TTCollection(path, lazy=True).fonts)
    return [TTFont(path, lazy=True)]


def _names(font: TTFont, name_id: int) -> set[str]:
    out = set()
    for rec in font["name"].names:
        if rec.nameID == name_id:
            try:
                out.add(rec.toUnicode().strip())
            except UnicodeDecodeError:
                pass
    return out


def _font(path: str, postscript: str) -> TTFont:
    for font in _fonts_in(path):
        if postscript in _names(font, 6):
            return font
    raise LookupError(postscript)


@functools.cache
def _cmap(path: str, postscript: str) -> frozenset[int]:
    try:
        return frozenset(_font(path, postscript).getBestCmap())
    except LookupError:
        return frozenset()


@functools.cache
def _measure(path: str, family: str, style: str | None) -> tuple[str, int] | None:
    """(PostScript name, GB 2312 characters missing) of ``family``/``style`` in the file, or None."""
    if not os.path.exists(path):
        return None
    hanzi = gb2312_hanzi()
    for font in _fonts_in(path):
        families = _names(font, 1) | _names(font, 16)
        full = _names(font, 4)
        if family not in families and not any(f.startswith(family) for f in full):
            continue
        if style and not any(style in n for n in full | _names(font, 2) | _names(font, 17)):
            continue
        if not style and family not in families:
            continue
        ps = next(iter(sorted(_names(font, 6))), family)
        cmap = font.getBestCmap()
        return ps, sum(1 for c in hanzi if ord(c) not in cmap)
    return None


def _licensed(folder: Path | None) -> list[tuple[str, str, str]]:
    """(official family, file, PostScript name) of the licensed faces found in ``folder``."""
    if folder is None or not folder.is_dir():
        return []
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix in FONT_SUFFIXES):
        try:
            fonts = _fonts_in(str(path))
        except Exception:  # not a font file: ignored, named by `huanjie docs fonts`
            continue
        for font in fonts:
            families = _names(font, 1) | _names(font, 4)
            ps = next(iter(sorted(_names(font, 6))), "")
            out.extend((name, str(path), ps) for name in families)
    return out


@functools.cache
def _choose(folder: str | None) -> tuple[Face, ...]:
    licensed = _licensed(Path(folder) if folder else None)
    chosen = []
    for role, official in ROLES.items():
        face = None
        for family, path, ps in licensed:
            if family in official:
                cmap = frozenset(_cmap(path, ps)) if ps else frozenset()
                missing = sum(1 for c in gb2312_hanzi() if ord(c) not in cmap)
                face = Face(role, family, None, path, ps, True, missing)
                break
        if face is None:
            for family, style, pattern in FREE[role]:
                for path in sorted(glob.glob(pattern)):
                    measured = _measure(path, family, style)
                    if measured and measured[1] == 0:
                        face = Face(role, family, style, path, measured[0], False, 0)
                        break
                if face:
                    break
        if face is None:
            raise LookupError(f"没有可用于“{ROLE_LABELS[role]}”的中文字体：请安装 Debian 软件包 "
                              "fonts-noto-cjk、fonts-noto-cjk-extra、fonts-arphic-gbsn00lp、fonts-arphic-gkai00mp")
        chosen.append(face)
    return tuple(chosen)


def faces(fonts_dir: Path | None = None) -> dict[str, Face]:
    """The face drawing each role, licensed ones from ``fonts_dir`` first; CFF faces as their
    TrueType copies (made once, see the module's docstring)."""
    folder = str(fonts_dir.resolve()) if fonts_dir and fonts_dir.is_dir() else None
    return {f.role: (truetype_copy(f) if f.cff else f) for f in _choose(folder)}


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "huanjie" / "fonts"


def gb2312_chars() -> set[int]:
    chars = set(range(0x20, 0x7F))
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return chars


@functools.cache
def truetype_copy(face: Face) -> Face:
    """``face`` (CFF outlines) as a TrueType font cut to GB 2312, made once and cached."""
    postscript = f"{face.postscript}-GB"
    family = f"{face.label()} GB"
    target = cache_dir() / f"{postscript}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _convert(face, family, postscript, target)
    return replace(face, family=family, style=None, path=str(target), postscript=postscript)


def _convert(face: Face, family: str, postscript: str, target: Path) -> None:
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    font = _fonts_in(face.path)[[i for i, f in enumerate(_fonts_in(face.path))
                                 if face.postscript in _names(f, 6)][0]]
    options = subset.Options()
    options.layout_features, options.hinting, options.notdef_outline = [], False, True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=gb2312_chars())
    subsetter.subset(font)
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = font.getGlyphOrder(), {}
    for name in font.getGlyphOrder():
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxPoints", "maxContours",
                 "maxCompositePoints", "maxCompositeContours", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 2
    font["head"].indexToLocFormat, font["head"].glyphDataFormat = 1, 0
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17)]
    for name_id, value in ((1, family), (2, "Regular"), (3, postscript), (4, family), (6, postscript)):
        name.setName(value, name_id, 3, 1, 0x409)
    font.sfntVersion = "\x00\x01\x00\x00"
    partial = target.with_suffix(f".{os.getpid()}.part")
    font.save(str(partial))
    partial.replace(target)  # two processes converting at once both end with a whole file


def measurements() -> list[tuple[str, str, int | None]]:
    """(role, free face, GB 2312 characters missing or None if not installed) for every candidate."""
    out = []
    for role, candidates in FREE.items():
        for family, style, pattern in candidates:
            paths = sorted(glob.glob(pattern))
            measured = _measure(paths[0], family, style) if paths else None
            out.append((role, family + (f" {style}" if style else ""), measured[1] if measured else None))
    return out


def role_of(east_asian_font: str) -> str:
    for role, names in ROLES.items():
        if east_asian_font in names:
            return role
    return "body"


def coverage_gaps(texts_by_role: dict[str, str], chosen: dict[str, Face]) -> dict[str, str]:
    """{role: characters its face cannot draw} for the characters each role prints (CJK only)."""
    gaps = {}
    for role, text in texts_by_role.items():
        face = chosen[role]
        missing = sorted({c for c in text if ord(c) > 0x2E7F and not c.isspace() and not face.can_draw(c)})
        if missing:
            gaps[role] = "".join(missing)
    return gaps


_PARA = re.compile(r"<w:p[ >].*?</w:p>", re.S)
_STYLE = re.compile(r'<w:pStyle w:val="(\w+)"/>')
_RUN = re.compile(r"<w:r>(.*?)</w:r>", re.S)
_TEXT = re.compile(r"<w:t[^>]*>([^<]*)</w:t>")
STYLE_ROLES = {"HjTitle": "title", "HjMasthead": "title", "HjCertTitle": "title", "HjH1": "hei", "HjH2": "kai",
               "HjCert": "kai"}


def texts_by_role(docx: bytes) -> dict[str, str]:
    """The characters of a .docx by the role of the face that draws them."""
    import io
    import zipfile
    from html import unescape

    xml = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode("utf-8")
    out: dict[str, list[str]] = {}
    for para in _PARA.findall(xml):
        style = _STYLE.search(para)
        role = STYLE_ROLES.get(style.group(1), "body") if style else "body"
        for run in _RUN.findall(para):
            run_role = "kai" if 'w:eastAsia="楷体_GB2312"' in run else role
            out.setdefault(run_role, []).extend(unescape(t) for t in _TEXT.findall(run))
    return {role: "".join(parts) for role, parts in out.items()}


def coverage_warnings(docx: bytes, fonts_dir: Path | None = None) -> list[str]:
    """A sentence for each face that cannot draw some characters of the document, naming them."""
    chosen = faces(fonts_dir)
    gaps = coverage_gaps(texts_by_role(docx), chosen)
    return [f"{ROLE_LABELS[role]}字体 {chosen[role].label()} 没有字符“{'、'.join(chars)}”：PDF 中将以其他字体显示；"
            f"如需统一字形，请把有授权的公文字体放入数据目录的 fonts 文件夹" for role, chars in gaps.items()]
