"""Every page as each role, at 1366×768 and in a narrow (420 px) window: it answers, nothing spills out of
the window, every control has a label, the text is Chinese (no stray English words, no raw JSON or event
kinds), and a screenshot is saved for a person to look at (tests/web/artifacts/walk_*.png). One main path,
login → inbox → approve, is walked with the keyboard only; the same approval works without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import ARTIFACTS, login, new_page
from tests.web.world import APPROVER, AUDITOR, CLERK, COUNTY, PASSWORD, PROBE

WIDTHS = {"wide": (1366, 768), "narrow": (420, 860)}
# Latin words a township office reads every day (file formats, step codes are caught by the pattern)
ALLOWED_LATIN = {"Excel", "Word", "PDF", "CSV", "XLSX", "xlsx", "csv", "docx", "pdf", "API", "YYYY", "MM", "DD", "UTF"}
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_.\-/])[A-Za-z]{3,}(?![A-Za-z0-9_\-/])")


def _walk(server) -> dict[str, list[str]]:
    c = server.info["campaign"]
    return {
        "county": ["/board", "/inbox", "/village/V001", "/village/V001/step/P2.3", "/county",
                   f"/audit?village=V001", "/audit?view=logins", f"/audit/verify?campaign={c}"],
        "approver": ["/board", "/inbox", "/village/V001", "/village/V001/step/P2.3", "/village/V001/step/P3.1"],
        "clerk": ["/inbox", "/village/V002", "/village/V002/step/P2.2", "/village/V001/step/P3.1"],
        "auditor": ["/board", "/audit?village=V001", "/audit?village=V001&at=2026-08-16T12:00", "/audit?view=logins",
                    "/village/V001/step/P2.3"],
    }


USERS = {"county": COUNTY, "approver": APPROVER, "clerk": CLERK, "auditor": AUDITOR}

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea, button')).filter(e => {
  if (e.type === 'hidden' || e.getAttribute('aria-hidden') === 'true' || e.offsetParent === null) return false;
  const named = e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.title ||
    (e.labels && e.labels.length) || (e.tagName === 'BUTTON' && e.textContent.trim());
  return !named;
}).map(e => e.outerHTML.slice(0, 120))"""

OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _problems(page, where: str) -> list[str]:
    found = []
    if page.evaluate(OVERFLOW) > 1:
        found.append(f"{where}: the page is wider than the window")
    if unlabelled := page.evaluate(UNLABELLED):
        found.append(f"{where}: controls without a label: {unlabelled}")
    text = page.inner_text("body").replace(PROBE, "")  # the XSS probe village's name is data, shown as text
    if latin := sorted({w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN}):
        found.append(f"{where}: English words on the page: {latin}")
    if re.search(r"[{\[]\s*[\"']\w+[\"']\s*:", text):
        found.append(f"{where}: raw JSON on the page")
    if re.search(r"\b(auth|step|gate|access)\.[a-z_]+\b", text):
        found.append(f"{where}: a raw event kind on the page")
    return found


def _check(page, where: str) -> None:
    assert _problems(page, where) == []


@pytest.mark.parametrize("role", ["county", "approver", "clerk", "auditor"])
def test_every_page_as_each_role_wide_and_narrow(server, browser, role):
    ARTIFACTS.mkdir(exist_ok=True)
    found = []
    for width_name, (w, h) in WIDTHS.items():
        page = new_page(browser, w, h)
        try:
            login(page, server.base, USERS[role], PASSWORD)
            for path in _walk(server)[role]:
                answer = page.goto(server.base + path)
                assert answer.status == 200, (role, path)
                name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
                page.screenshot(path=str(ARTIFACTS / f"walk_{role}_{width_name}_{name}.png"), full_page=True)
                found += _problems(page, f"{role} {width_name} {path}")
        finally:
            page.context.close()
    assert not found, "\n".join(found)


def test_login_and_error_pages_wide_and_narrow(server, browser):
    for width_name, (w, h) in WIDTHS.items():
        page = new_page(browser, w, h)
        try:
            page.goto(server.base + "/login")
            _check(page, f"login {width_name}")
            page.screenshot(path=str(ARTIFACTS / f"walk_login_{width_name}.png"))
            login(page, server.base, CLERK, PASSWORD)
            assert page.goto(server.base + "/village/X001").status == 404
            _check(page, f"404 {width_name}")
            page.screenshot(path=str(ARTIFACTS / f"walk_404_{width_name}.png"))
        finally:
            page.context.close()


def _tab_to(page, predicate: str, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``predicate`` (a JS expression on ``e``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const e = document.activeElement; return !!e && ({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached {predicate}")


def test_keyboard_only_login_inbox_approve(server, browser):
    page = new_page(browser, 1366, 768)
    try:
        page.goto(server.base + "/login")
        _tab_to(page, "e.id === 'name'")
        page.keyboard.type(APPROVER)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/(board|inbox)"))
        page.wait_for_load_state()
        _tab_to(page, "e.tagName === 'A' && e.textContent.trim() === '我的待办'")
        page.keyboard.press("Enter")
        page.wait_for_url("**/inbox")
        _tab_to(page, "e.tagName === 'BUTTON' && (e.getAttribute('aria-label') || '').includes('东湖村 P2.3')")
        focused = page.evaluate("document.activeElement.getBoundingClientRect().width")
        assert focused > 0
        page.screenshot(path=str(ARTIFACTS / "walk_keyboard_inbox_focus.png"))
        page.keyboard.press("Enter")
        expect(page.locator(".notice")).to_contain_text("已批准 V001 P2.3")
        expect(page.locator("#inbox-results tr", has_text="东湖村").filter(has_text="P2.3")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "walk_keyboard_approved.png"))
    finally:
        page.context.close()
    with server.ctx().engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT s.status FROM step_state s JOIN \"case\" c ON c.id = s.case_id JOIN "
                                      "village v ON v.id = c.village_id WHERE v.code = 'V001' AND s.step_key = 'P2.3'"
                                      ).scalar()
    assert status == "done"
