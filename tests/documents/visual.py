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



_DARK = bytes(49 if v < 150 else 48 for v in range(256))  # b"1" for a dark pixel, b"0" for a light one


@dataclass
class Raster:
    """One page in grey (pdftoppm -gray), ``dpi`` pixels per inch, one byte a pixel."""

    width: int
    height: int
    dpi: int
    pixels: bytes

    def mm(self, px: float) -> float:
        return px * 25.4 / self.dpi

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / 25.4)

    def dark_runs(self) -> list[int]:
        """For each pixel row, its longest horizontal run of dark pixels (text, rules; red prints dark)."""
        out = []
        for y in range(self.height):
            row = self.pixels[y * self.width:(y + 1) * self.width].translate(_DARK)
            out.append(max((len(r) for r in re.findall(rb"1+", row)), default=0))
        return out


def raster(path: Path, page: int, dpi: int = 144) -> Raster:
    """Page ``page`` (1-based) of the PDF rendered by poppler as a PGM, read without an imaging library."""
    data = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path)],
                          capture_output=True, check=True, timeout=300).stdout
    m = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    width, height = int(m.group(1)), int(m.group(2))
    return Raster(width, height, dpi, data[m.end():m.end() + width * height])
