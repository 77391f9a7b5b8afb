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

``coverage_gaps`` names every character of a document its faces cannot draw.
"""

from __future__ import annotations

import functools
import glob
import os
from dataclasses import dataclass
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
              ("Noto Serif CJK SC", "Black", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Black.ttc"),
              ("AR PL UMing CN", None, "/usr/share/fonts/truetype/arphic/uming.ttc")],
    "body": [("cwTeXFangSong", None, "/usr/share/fonts/truetype/cwtex/cwfs.ttf"),
             ("AR PL SungtiL GB", None, "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf"),
             ("AR PL UMing CN", None, "/usr/share/fonts/truetype/arphic/uming.ttc")],
    "kai": [("AR PL KaitiM GB", None, "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf"),
            ("AR PL UKai CN", None, "/usr/share/fonts/truetype/arphic/ukai.ttc")],
    "hei": [("Noto Sans CJK SC", "Medium", "/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc"),
            ("Noto Sans CJK SC", "Regular", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            ("WenQuanYi Zen Hei", None, "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")],
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

    def fontconfig_edits(self) -> str:
        """The fontconfig <edit>s that make a request for this role match this face."""
        family = self.family if self.style in (None, "Regular", "Bold") else f"{self.family} {self.style}"
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


@functools.cache
def _cmap(path: str, postscript: str) -> frozenset[int]:
    for font in _fonts_in(path):
        if postscript in _names(font, 6):
            return frozenset(font.getBestCmap())
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
    """The face drawing each role, licensed ones from ``fonts_dir`` first."""
    folder = str(fonts_dir.resolve()) if fonts_dir and fonts_dir.is_dir() else None
    return {f.role: f for f in _choose(folder)}


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
