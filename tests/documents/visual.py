"""Reading a PDF back with poppler: pages, words with their boxes, embedded fonts."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass
class PdfPage:
    width: float
    height: float
    words: list[Word]
    text: str  # pdftotext -layout of this page


def run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=300).stdout


def pages(path: Path) -> list[PdfPage]:
    boxes = run("pdftotext", "-bbox", str(path), "-")
    texts = run("pdftotext", "-layout", str(path), "-").split("\f")
    out = []
    for i, m in enumerate(_PAGE.finditer(boxes)):
        words = [Word(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in _WORD.findall(m.group(3))]
        out.append(PdfPage(float(m.group(1)), float(m.group(2)), words, texts[i] if i < len(texts) else ""))
    return out


def fonts(path: Path) -> list[tuple[str, str, bool]]:
    """(name without the subset tag, type, embedded) of each font of the PDF."""
    rows = []
    for line in run("pdffonts", str(path)).splitlines()[2:]:
        parts = line.split()
        name = parts[0].split("+", 1)[-1]
        emb = parts[-5] == "yes"
        rows.append((name, " ".join(parts[1:-6]).split(" (")[0], emb))
    return rows


def lines(page: PdfPage) -> list[str]:
    return [re.sub(r"\s+", "", line) for line in page.text.splitlines() if line.strip()]


def body_lines(page: PdfPage) -> list[str]:
    """The page's lines without its page number."""
    return [line for line in lines(page) if not PAGE_NUMBER.match(line)]
