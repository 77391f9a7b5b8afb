"""htmx where it helps (table rows, filters, approving from the inbox) without a page reload, the same
actions without JavaScript, and corrections while a gate waits."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.web.conftest import login, new_page, shot
from tests.web.world import APPROVER, CLERK, PASSWORD, RECORDER

HTMX = Path(__file__).parents[2] / "huanjie" / "web" / "static" / "vendor" / "htmx"
WAIT = 90_000


def _mark(page) -> None:
    page.evaluate("window.__same_page = true")


def _same_page(page) -> bool:
    return page.evaluate("window.__same_page === true")


def test_htmx_is_vendored_pinned_with_its_licence(server, page):
    assert "2.0.11" in (HTMX / "VERSION").read_text() and "0BSD" in (HTMX / "VERSION").read_text()
    assert "Zero-Clause BSD" in (HTMX / "LICENSE").read_text()
    login(page, server.base, CLERK, PASSWORD)
    page.goto(server.base + "/inbox")
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.version") == "2.0.11"
    assert page.locator("script[src^='http']").count() == 0  # nothing from a CDN


def test_table_rows_are_added_and_removed_without_a_reload(server, page):
    login(page, server.base, CLERK, PASSWORD)
    page.goto(server.base + "/village/V001/step/P3.1")
    rows = page.locator("#field-members tbody tr")
    before = rows.count()
    page.fill("#f-meeting_place", "村委会二楼会议室")  # outside the table: must survive the swap untouched
    page.fill("#f-members-0-name", "高云娜（改）")
    _mark(page)
    page.get_by_role("button", name="党员名册增加 5 行").click()
    expect(rows).to_have_count(before + 5, timeout=WAIT)
    assert _same_page(page)
    expect(page.locator("#f-members-0-name")).to_have_value("高云娜（改）")  # typed values kept
    expect(page.locator("#f-meeting_place")).to_have_value("村委会二楼会议室")
    focused = page.evaluate("document.activeElement.id")
    assert focused.startswith("f-members-") and focused.endswith("-name")  # the first empty row takes the focus
    second = page.locator("#f-members-1-name").input_value()
    page.get_by_role("button", name="删除党员名册第 1 行").click()
    expect(rows).to_have_count(before + 4, timeout=WAIT)
    assert _same_page(page)
    expect(page.locator("#f-members-0-name")).to_have_value(second)
    shot(page, "htmx_table_rows")
    # nothing was recorded by the row buttons
    with server.ctx().engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM event WHERE kind = 'step.recorded' AND step_key = 'P3.1'"
                                 ).scalar()
    assert n == 2  # V001's and V003's recordings while building the world


def test_the_same_row_buttons_work_without_javascript(server, browser):
    page = new_page(browser, java_script_enabled=False)
    try:
        login(page, server.base, CLERK, PASSWORD)
        page.goto(server.base + "/village/V001/step/P3.1")
        rows = page.locator("#field-members tbody tr")
        before = rows.count()
        page.get_by_role("button", name="党员名册增加 5 行").click()
        expect(rows).to_have_count(before + 5)
        page.get_by_role("button", name="删除党员名册第 2 行").click()
        expect(rows).to_have_count(before + 4)
    finally:
        page.context.close()


def test_inbox_filters_and_approval_without_a_reload(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    page.goto(server.base + "/inbox")
    results = page.locator("#inbox-results")
    expect(results).to_contain_text("东湖村")
    _mark(page)
    page.select_option("select[name=stage]", "P3")
    expect(results).not_to_contain_text("P2.3", timeout=WAIT)
    assert _same_page(page) and "stage=P3" in page.url  # the filtered list has its own address
    expect(page.locator("#clear-filters")).to_contain_text("清除")  # renewed with the list
    page.select_option("select[name=stage]", "")
    expect(results).to_contain_text("P2.3", timeout=WAIT)
    expect(page.locator("#clear-filters")).not_to_contain_text("清除")
    row = results.locator("tr", has_text="东湖村").filter(has_text="P2.3")
    row.get_by_role("button", name="批准").click()
    expect(page.locator(".notice")).to_contain_text("已批准 V001 P2.3", timeout=WAIT)
    expect(results.locator("tr", has_text="东湖村").filter(has_text="P2.3")).to_have_count(0)
    assert _same_page(page)
    shot(page, "htmx_inbox_approved")


def test_rejecting_from_the_inbox_needs_a_reason_with_and_without_javascript(server, page, browser):
    """Reject beside approve in the inbox: an empty reason is refused on the field (the row stays, nothing
    decided), a reason rejects it through the same service as the step page, whose history then shows it."""
    plain = new_page(browser, java_script_enabled=False)
    try:
        login(plain, server.base, APPROVER, PASSWORD)
        plain.goto(server.base + "/inbox")
        row = plain.locator("#inbox-results tr", has_text="V003").filter(has_text="P2.3")
        row.locator("summary").click()
        row.get_by_role("button", name="确认驳回").click()
        expect(plain.locator("#reason-V003-P2-3")).to_have_attribute("aria-invalid", "true")
        expect(plain.locator("#reason-e-V003-P2-3")).to_contain_text("驳回须说明理由")
    finally:
        plain.context.close()
    login(page, server.base, APPROVER, PASSWORD)
    page.goto(server.base + "/inbox")
    results = page.locator("#inbox-results")
    row = results.locator("tr", has_text="东湖村").filter(has_text="P2.3")
    _mark(page)
    row.locator("summary").click()
    row.get_by_role("button", name="确认驳回").click()
    reason = page.locator("#reason-V001-P2-3")
    expect(reason).to_have_attribute("aria-invalid", "true", timeout=WAIT)
    expect(page.locator("#reason-e-V001-P2-3")).to_contain_text("驳回须说明理由")
    assert _same_page(page)
    shot(page, "inbox_reject_needs_reason")
    reason.fill("会议记录缺少参会人数，请补充后重新提交")
    results.locator("tr", has_text="东湖村").filter(has_text="P2.3").get_by_role("button", name="确认驳回").click()
    expect(page.locator(".notice")).to_contain_text("已驳回 V001 P2.3", timeout=WAIT)
    assert _same_page(page)
    page.goto(server.base + "/village/V001/step/P2.3")
    expect(page.locator(".history")).to_contain_text("会议记录缺少参会人数")
    expect(page.locator(".gate")).to_have_count(0)
    with server.ctx().engine.connect() as conn:
        decided = conn.exec_driver_sql("SELECT count(*) FROM event WHERE kind = 'gate.decided' AND step_key = 'P2.3'"
                                       ).scalar()
    assert decided == 1  # the empty reasons decided nothing


def test_board_filters_without_a_reload(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    page.goto(server.base + "/board")
    results = page.locator("#board-results")
    expect(results).to_contain_text("西塘村")
    _mark(page)
    page.select_option("select[name=state]", "awaiting")
    expect(results).not_to_contain_text("西塘村", timeout=WAIT)
    expect(results).to_contain_text("东湖村")
    assert _same_page(page)
    assert "state=awaiting" in page.locator("#export-link").get_attribute("href")  # export follows the filter
    expect(page.locator("#clear-filters")).to_contain_text("清除")


def test_approving_from_the_inbox_works_without_javascript(server, browser):
    page = new_page(browser, java_script_enabled=False)
    try:
        login(page, server.base, APPROVER, PASSWORD)
        page.goto(server.base + "/inbox?township=城关镇")
        row = page.locator("#inbox-results tr", has_text="东湖村").filter(has_text="P2.3")
        row.get_by_role("button", name="批准").click()
        expect(page.locator(".notice")).to_contain_text("已批准 V001 P2.3")
        assert "township=" in page.url  # back to the same filtered list
    finally:
        page.context.close()


def test_a_refused_approval_from_the_inbox_shows_why(server, page):
    """The recorder of P2.3 cannot approve it (separation of duties): its inbox offers no approval, and a
    forged one answers with the step page's explanation, swapped in whole."""
    login(page, server.base, RECORDER, PASSWORD)
    page.goto(server.base + "/inbox")
    row = page.locator("#inbox-results tr", has_text="东湖村").filter(has_text="P2.3")
    expect(row.get_by_role("button", name="批准")).to_have_count(0)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(server.base + "/village/V001/step/P2.3/decide", headers={"HX-Request": "true"},
                               form={"csrf": csrf, "decision": "approve", "next": "/inbox"})
    assert answer.status == 403 and "职责分离" in answer.text()
    assert answer.headers["hx-retarget"] == "#main" and answer.headers["hx-reselect"] == "#main"


def test_a_correction_while_the_gate_waits(server, page):
    login(page, server.base, RECORDER, PASSWORD)
    page.goto(server.base + "/village/V001/step/P2.3")
    expect(page.locator(".gate")).to_be_visible()
    expect(page.locator("#form-h")).to_have_text("审批前更正事实")
    expect(page.locator("#correct-note")).to_contain_text("仍在等待")
    expect(page.locator("#correct-note")).to_contain_text("审批人看到的将是更正后的事实")
    day = page.locator("#f-date").input_value()
    items = page.locator("#f-approved_items").input_value()
    page.fill("#f-date", "2026-02-30")
    page.fill("#f-approved_items", items + "\n同意换届选举工作方案（更正）")
    page.get_by_role("button", name="保存更正并重新检查").click()
    expect(page.locator("#e-date")).to_be_visible()
    expect(page.locator("#f-date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-approved_items")).to_have_value(items + "\n同意换届选举工作方案（更正）")
    shot(page, "correction_error")
    page.fill("#f-date", day)
    page.get_by_role("button", name="保存更正并重新检查").click()
    expect(page.locator(".notice")).to_contain_text("已保存")
    page.context.clear_cookies()
    # the approver sees the corrected facts at the gate, which waits again once the worker has run
    login(page, server.base, APPROVER, PASSWORD)
    for _ in range(90):
        page.goto(server.base + "/village/V001/step/P2.3")
        if page.locator(".gate").count():
            break
        page.wait_for_timeout(1000)
    expect(page.locator(".gate")).to_contain_text("同意换届选举工作方案（更正）")
    expect(page.get_by_role("button", name="批准")).to_be_visible()
    expect(page.locator(".history")).to_contain_text("更正事实")
    shot(page, "correction_seen_by_approver")
