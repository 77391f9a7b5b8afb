"""Benchmark: rendering all 27 .docx of one village (400 voters) must take <= 1 s.

Run: ./dev bench (or python -m pytest bench/bench_documents.py -o addopts= --benchmark-enable)

One round is what completing the steps does for the documents: for each of D01–D27 (one
producing step each) check the facts and build the context, render the Jinja2 template,
parse the markup and write the .docx. The facts are the demo generator's for a village of
320 households and 400 registered voters, so D18 (voter list) and D20 (400 voter cards) are
full size. The HTML preview is timed alongside, for information.
"""

from __future__ import annotations

from huanjie.documents.docx_writer import base_package, write_docx
from huanjie.documents.registry import DOCUMENTS
from huanjie.documents.render import page, prepare, render_html
from tests.documents.support import all_facts, source

LIMIT_SECONDS = 1.0


def _sources():
    facts, _ = all_facts()
    return [(code, source(next(s for s in spec.steps if s in facts))) for code, spec in DOCUMENTS.items()]


def _render_all(sources, with_html: bool = False) -> int:
    size = 0
    for code, src in sources:
        src.problems.clear()
        p = page(prepare(code, src), "东湖村选委字〔2026〕1号")
        size += len(write_docx(p))
        if with_html:
            size += len(render_html(p))
    return size


def test_all_27_docx_of_one_village(benchmark):
    sources = _sources()
    base_package()  # built once per process, like the templates
    _render_all(sources)
    benchmark.pedantic(lambda: _render_all(sources), rounds=5, iterations=1, warmup_rounds=1)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info["seconds"] = round(seconds, 3)
    print(f"\n27 documents (.docx): best {seconds:.3f} s, median {benchmark.stats.stats.median:.3f} s")
    assert seconds <= LIMIT_SECONDS


def test_all_27_docx_and_html_of_one_village(benchmark):
    sources = _sources()
    benchmark.pedantic(lambda: _render_all(sources, with_html=True), rounds=3, iterations=1, warmup_rounds=1)
    print(f"\n27 documents (.docx + HTML): median {benchmark.stats.stats.median:.3f} s")
