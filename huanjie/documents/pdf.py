"""PDF from .docx with LibreOffice headless, the official font names mapped to the chosen faces.

The documents name 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 and 宋体 (GB/T 9704). A fontconfig
file given to LibreOffice maps each name to the face ``huanjie.documents.fonts`` chose for its
role (the licensed face from ``<data dir>/fonts`` when the office has it, else the nearest free
face covering GB 2312). Each process converts with its own LibreOffice profile
(``-env:UserInstallation``), one per font set, so that workers never share one. LibreOffice
stamps the time of conversion, a random file ID and a checksum into the PDF: all are pinned
(same length, so the cross-reference offsets stay valid) to make the bytes depend on the
content only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from huanjie.errors import Conflict, Problem

_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[0-9+\-Z']+\)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_PROFILES: dict[str, Path] = {}


def fontconfig_xml(fonts_dir: Path | None = None) -> str:
    from xml.sax.saxutils import escape

    from huanjie.documents.fonts import ROLES, faces

    from huanjie.documents.fonts import cache_dir

    chosen = faces(fonts_dir)
    rules = [f"<dir>{escape(str(cache_dir()))}</dir>"]
    if fonts_dir is not None and fonts_dir.is_dir():
        rules.append(f"<dir>{escape(str(fonts_dir.resolve()))}</dir>")
    for role, names in ROLES.items():
        for official in names:
            rules.append(f'<match target="pattern"><test name="family"><string>{escape(official)}</string></test>'
                         f"{chosen[role].fontconfig_edits()}</match>")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise Conflict("无法生成 PDF：本机未安装 LibreOffice", [Problem(
            "请安装 Debian 软件包 libreoffice-writer-nogui、fonts-noto-cjk、fonts-arphic-ukai", field="format")])
    return found


def _profile(fonts_dir: Path | None) -> Path:
    """This process's LibreOffice profile and fontconfig file for a font set (made once, reused)."""
    config = fontconfig_xml(fonts_dir)
    key = hashlib.sha256(config.encode()).hexdigest()
    root = _PROFILES.get(key)
    if root is None or not root.exists():
        root = Path(tempfile.mkdtemp(prefix=f"huanjie-lo-{os.getpid()}-"))
        (root / "fonts.conf").write_text(config, encoding="utf-8")
        _PROFILES[key] = root
    return root


def _pinned_date(m: re.Match) -> bytes:
    whole = m.group(0)
    start = whole.index(b"(D:") + 3
    length = len(whole) - start - 1
    fixed = b"20000101000000+00'00'" if length == 21 else (b"20000101000000" + b"0" * length)[:length]
    return whole[:start] + fixed + b")"


def pin_metadata(pdf: bytes) -> bytes:
    """Replace the conversion time, the random file ID and LibreOffice's checksum over them by
    values derived from the content (same lengths: the cross-reference offsets stay valid)."""
    pdf = _DATE.sub(_pinned_date, pdf)
    ident = hashlib.sha256(_CHECKSUM.sub(b"", _ID.sub(b"", pdf))).hexdigest().upper().encode() * 4

    def same_length(m: re.Match) -> bytes:
        return m.group(0).replace(m.group(1), ident[: len(m.group(1))], 1).replace(
            m.group(2), ident[: len(m.group(2))], 1)

    pdf = _ID.sub(same_length, pdf)
    return _CHECKSUM.sub(lambda m: m.group(0).replace(m.group(1), ident[: len(m.group(1))]), pdf)


def docx_many_to_pdf(documents: Sequence[bytes], *, timeout: int = 900,
                     fonts_dir: Path | None = None) -> list[bytes]:
    """Convert several .docx in one LibreOffice run (≈1 s start-up, then fast per document)."""
    if not documents:
        return []
    if fonts_dir is None:
        fonts_dir = default_fonts_dir()
    profile = _profile(fonts_dir)
    with tempfile.TemporaryDirectory(prefix="huanjie-pdf-") as work:
        work_dir = Path(work)
        inputs = []
        for i, data in enumerate(documents):
            path = work_dir / f"d{i:04d}.docx"
            path.write_bytes(data)
            inputs.append(str(path))
        env = {**os.environ, "FONTCONFIG_FILE": str(profile / "fonts.conf"), "HOME": str(profile)}
        result = subprocess.run(
            [soffice(), f"-env:UserInstallation=file://{profile}/user", "--headless", "--norestore",
             "--nolockcheck", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work_dir / "out"), *inputs],
            env=env, capture_output=True, timeout=timeout)
        out = []
        for i in range(len(documents)):
            pdf = work_dir / "out" / f"d{i:04d}.pdf"
            if not pdf.exists():
                raise Conflict("LibreOffice 未能生成 PDF", [Problem(
                    (result.stderr or result.stdout).decode("utf-8", "replace")[-500:] or "无输出", field="format")])
            out.append(pin_metadata(pdf.read_bytes()))
        return out


def docx_to_pdf(document: bytes, *, fonts_dir: Path | None = None) -> bytes:
    return docx_many_to_pdf([document], fonts_dir=fonts_dir)[0]


def default_fonts_dir() -> Path:
    """``<data dir>/fonts``: where an office puts its licensed 公文 fonts."""
    from huanjie.settings import StoreSettings

    return StoreSettings().data_dir / "fonts"
