"""A browser test leaves no asyncio loop behind: a later test (a Prefect flow, the driver) may call
asyncio.run. The two tests below run in this order (pytest keeps a module's order); the first drives
the real browser, the second needs a thread with no running loop."""

from __future__ import annotations

import asyncio


def test_a_browser_test_runs_first(page):
    page.set_content("<main><h1>换届</h1></main>")
    assert page.locator("h1").inner_text() == "换届"


def test_then_asyncio_run_works_in_the_same_process():
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert asyncio._get_running_loop() is None
    assert asyncio.run(answer()) == 42
