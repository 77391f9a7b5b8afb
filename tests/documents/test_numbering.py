"""文号: one sequence per issuing body and year, no gaps and no duplicates under concurrency."""

from __future__ import annotations

import threading
import time

import pytest

from huanjie.documents.numbering import Issuer, next_number
from huanjie.store.db import transaction

TOWN = Issuer("示范县/城关镇/党委", "中共城关镇委员会", "城关镇选字")
VILLAGE = Issuer("示范县/城关镇/V001/选委会", "东湖村村民选举委员会", "东湖村选委字")


def test_numbers_count_per_body_and_year_and_a_rollback_leaves_no_gap(ctx):
    with transaction(ctx.engine) as s:
        assert next_number(s, TOWN, 2026) == "城关镇选字〔2026〕1号"
        assert next_number(s, TOWN, 2026) == "城关镇选字〔2026〕2号"
        assert next_number(s, VILLAGE, 2026) == "东湖村选委字〔2026〕1号"
        assert next_number(s, TOWN, 2027) == "城关镇选字〔2027〕1号"
    with pytest.raises(RuntimeError):
        with transaction(ctx.engine) as s:
            next_number(s, TOWN, 2026)
            raise RuntimeError("the document could not be stored")
    with transaction(ctx.engine) as s:
        assert next_number(s, TOWN, 2026) == "城关镇选字〔2026〕3号"


def _race(ctx, workers: int = 4, each: int = 15) -> list[str]:
    numbers: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def work():
        try:
            for _ in range(each):
                with transaction(ctx.engine) as s:
                    number = next_number(s, TOWN, 2026)
                    time.sleep(0.002)  # hold the counter while "rendering"
                with lock:
                    numbers.append(number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    return numbers


def _seqs(numbers: list[str]) -> list[int]:
    return sorted(int(n.split("〕")[1].rstrip("号")) for n in numbers)


def test_concurrent_renders_on_sqlite_get_distinct_gap_free_numbers(ctx):
    assert _seqs(_race(ctx)) == list(range(1, 61))


def test_concurrent_renders_on_postgresql_get_distinct_gap_free_numbers(pg_ctx):
    assert _seqs(_race(pg_ctx)) == list(range(1, 61))
