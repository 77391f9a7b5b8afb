"""PDF from .docx with LibreOffice headless, the official font names mapped to free CJK fonts.

The documents name 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312 and 宋体 (GB/T 9704); those
fonts are licensed, so a fontconfig file given to LibreOffice only maps them to Debian's
TrueType CJK fonts (fonts-arphic-uming, fonts-arphic-ukai, fonts-wqy-zenhei). TrueType, not
Noto CJK: LibreOffice embeds a CFF font such as Noto as Type 1, whose eexec encryption starts
with random bytes, so the same document would never give the same PDF twice. Each process converts with its own LibreOffice
profile (``-env:UserInstallation``) so that workers never share one. LibreOffice stamps
the time of conversion, a random file ID and a checksum into the PDF: all are pinned (same length,
so the cross-reference offsets stay valid) to make the bytes depend on the content only.
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

SERIF, SANS, KAI = "AR PL UMing CN", "WenQuanYi Zen Hei", "AR PL UKai CN"
ALIASES = {  # official name -> (free family, bold)
    "仿宋_GB2312": (SERIF, False), "仿宋": (SERIF, False), "FangSong": (SERIF, False),
    "方正小标宋简体": (SERIF, True), "方正小标宋_GBK": (SERIF, True), "小标宋": (SERIF, True),
    "黑体": (SANS, False), "SimHei": (SANS, False),
    "楷体_GB2312": (KAI, False), "楷体": (KAI, False), "KaiTi": (KAI, False),
    "宋体": (SERIF, False), "SimSun": (SERIF, False), "Times New Roman": (SERIF, False),
}
_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:[0-9+\-Z']+\)")
_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")
_CHECKSUM = re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)")
_PROFILE: Path | None = None


def fontconfig_xml() -> str:
    rules = []
    for official, (family, bold) in ALIASES.items():
        weight = '<edit name="weight" mode="assign"><const>bold</const></edit>' if bold else ""
        rules.append(f'<match target="pattern"><test name="family"><string>{official}</string></test>'
                     f'<edit name="family" mode="assign" binding="strong"><string>{family}</string></edit>'
                     f"{weight}</match>")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' + "\n".join(rules) + "\n</fontconfig>\n")


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise Conflict("无法生成 PDF：本机未安装 LibreOffice", [Problem(
            "请安装 Debian 软件包 libreoffice-writer-nogui、fonts-noto-cjk、fonts-arphic-ukai", field="format")])
    return found


def _profile() -> Path:
    """This process's LibreOffice profile and fontconfig file (made once, reused)."""
    global _PROFILE
    if _PROFILE is None or not _PROFILE.exists():
        root = Path(tempfile.mkdtemp(prefix=f"huanjie-lo-{os.getpid()}-"))
        (root / "fonts.conf").write_text(fontconfig_xml(), encoding="utf-8")
        _PROFILE = root
    return _PROFILE


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


def docx_many_to_pdf(documents: Sequence[bytes], *, timeout: int = 600) -> list[bytes]:
    """Convert several .docx in one LibreOffice run (≈1 s start-up, then fast per document)."""
    if not documents:
        return []
    profile = _profile()
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


def docx_to_pdf(document: bytes) -> bytes:
    return docx_many_to_pdf([document])[0]
