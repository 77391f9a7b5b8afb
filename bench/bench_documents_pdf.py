"""Benchmark: every document of one village as PDF in ONE LibreOffice run must take <= 10 s.

Run: ./dev bench (or python -m pytest bench/bench_documents_pdf.py -o addopts= --benchmark-enable -s)

One round converts the .docx of every document a finished village has (D01–D27, each from
every step producing it: 36 documents, D18 with 400 voters and D20 with 400 cards) in one
LibreOffice process. The baseline, measured in the same run, is one LibreOffice run converting
a single one-page document: LibreOffice's start-up, which every conversion pays once.
"""

from __future__ import annotations

import shutil
import time

import pytest

from huanjie.documents.docx_writer import write_docx
from huanjie.documents.pdf import docx_many_to_pdf
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import page, prepare
from tests.documents.support import all_facts, source

LIMIT_SECONDS = 10.0
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by ./dev test")


def _village_docx() -> list[bytes]:
    facts, _ = all_facts()
    return [write_docx(page(prepare(code, source(step)), "东湖村选委字〔2026〕1号"))
            for code, spec in DOCUMENTS.items() for step in spec.steps if step in facts]


def test_all_documents_of_a_village_as_pdf_in_one_run(benchmark):
    documents = _village_docx()
    one = [write_docx(page(prepare("D24", source("V6.1")), None))]
    docx_many_to_pdf(one)  # the profile and the font copy are made once per machine, not per run
    start = time.perf_counter()
    docx_many_to_pdf(one)
    baseline = time.perf_counter() - start
    benchmark.pedantic(lambda: docx_many_to_pdf(documents), rounds=2, iterations=1, warmup_rounds=0)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info.update(seconds=round(seconds, 2), baseline=round(baseline, 2), documents=len(documents))
    print(f"\n{len(documents)} documents of a village, one LibreOffice run: best {seconds:.2f} s "
          f"(baseline, one ballot in one run: {baseline:.2f} s)")
    assert seconds <= LIMIT_SECONDS
