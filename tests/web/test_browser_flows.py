"""The web UI in a real browser: approvals move the flow, forms show field errors, refusals explain."""

from __future__ import annotations

import io
import re

import httpx
from docx import Document
from playwright.sync_api import expect
from sqlalchemy import text

from tests.web.conftest import login, shot
from tests.web.world import APPROVER, AUDITOR, CLERK, PASSWORD, RECORDER

WAIT = 90_000  # ms: the in-process worker moves the flow within a second; the machine may be slow


def test_approver_approves_a_gate_and_sees_the_next_step_move(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    page.goto(server.base + "/inbox")
    row = page.locator("tr", has_text="东湖村").filter(has_text="P2.3")
    expect(row).to_contain_text("审批")
    shot(page, "inbox")
    row.get_by_role("link", name="审批").click()
    expect(page.locator("h1")).to_contain_text("P2.3")
    expect(page.locator(".gate")).to_contain_text("批准后生成的文书")
    page.get_by_role("button", name="批准").click()
    expect(page.locator(".notice")).to_contain_text("已批准")
    expect(page.locator(".info")).to_contain_text("已完成")
    # P3.1 was recorded while P2.3 waited: the server's worker carries it on by itself
    page.goto(server.base + "/village/V001")
    p31 = page.locator("tr", has=page.get_by_role("link", name="P3.1", exact=True))
    deadline_ok = False
    for _ in range(60):
        if "已完成" in p31.inner_text():
            deadline_ok = True
            break
        page.wait_for_timeout(1000)
        page.reload()
    assert deadline_ok, p31.inner_text()
    shot(page, "village")


def test_clerk_fills_a_form_sees_the_field_error_corrects_it_and_downloads_the_docx(server, page):
    login(page, server.base, CLERK, PASSWORD)
    page.goto(server.base + "/village/V002/step/P2.2")
    expect(page.locator("#form-h")).to_have_text("填报事实")
    day = server.info["p22_due"].isoformat()
    page.fill("#f-date", "2026-13-45")
    page.select_option("#f-on_time", "true")
    page.fill("#f-meeting_date", "2026-09-15")
    page.fill("#f-committee_seats", "5")
    page.fill("#f-nomination_method", "两推一选")
    page.fill("#f-election_method", "差额选举")
    page.fill("#f-signer", "高云娜")  # 签发人 and 联系人 of the 请示 are required (GB/T 9704-2012 7.2.5, 7.3.7)
    page.fill("#f-contact", "高云娜")
    page.fill("#f-contact_phone", "0571-88881234")
    page.get_by_role("button", name="保存并检查").click()
    error = page.locator("#e-date")
    expect(error).to_be_visible()
    expect(error).to_contain_text("日期")
    expect(page.locator("#f-date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-nomination_method")).to_have_value("两推一选")  # nothing typed is lost
    shot(page, "step_form")
    page.fill("#f-date", day)
    page.get_by_role("button", name="保存并检查").click()
    expect(page.locator(".notice")).to_contain_text("已保存")
    link = page.get_by_role("link", name="Word")
    for _ in range(60):
        if link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator(".info")).to_contain_text("已完成")
    with page.expect_download() as info:
        link.first.click()
    data = open(info.value.path(), "rb").read()
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    assert "西塘村" in text and "两推一选" in text


def test_clerk_and_the_recorder_are_refused_the_approval(server, page):
    for name, why in ((CLERK, "须由乡镇党委"), (RECORDER, "职责分离")):
        login(page, server.base, name, PASSWORD)
        page.goto(server.base + "/village/V001/step/P2.3")
        expect(page.get_by_role("button", name="批准")).to_have_count(0)
        expect(page.locator(".gate")).to_contain_text(why)
        csrf = page.locator("input[name=csrf]").first.get_attribute("value")
        answer = page.request.post(server.base + "/village/V001/step/P2.3/decide",
                                   form={"csrf": csrf, "decision": "approve", "reason": ""})
        assert answer.status == 403
        assert why in answer.text()
        page.context.clear_cookies()
    with server.ctx().engine.connect() as conn:
        status = conn.exec_driver_sql("SELECT s.status FROM step_state s JOIN \"case\" c ON c.id = s.case_id JOIN "
                                      "village v ON v.id = c.village_id WHERE v.code = 'V001' AND s.step_key = 'P2.3'"
                                      ).scalar()
        refusals = conn.exec_driver_sql("SELECT count(*) FROM event WHERE kind = 'access.refused'").scalar()
    assert status == "awaiting"
    assert refusals >= 2


def test_five_wrong_passwords_lock_the_account_for_a_while(server, page):
    for attempt in range(1, 6):
        login(page, server.base, APPROVER, "wrong-password")
        if attempt < 5:
            expect(page.locator(".alert")).to_contain_text(f"再错 {5 - attempt} 次")
    expect(page.locator(".alert")).to_contain_text("账户已暂时锁定")
    login(page, server.base, APPROVER, PASSWORD)  # the right password, but locked
    expect(page.locator(".alert")).to_contain_text("锁定")
    assert "/login" in page.url
    with server.ctx().engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM event WHERE actor = :actor AND kind LIKE 'auth.%' "
                                                 "ORDER BY id"), {"actor": APPROVER})]
    assert kinds == ["auth.failed"] * 4 + ["auth.locked", "auth.refused"]


def test_another_countys_village_answers_404(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    answer = page.goto(server.base + "/village/X001")
    assert answer.status == 404
    expect(page.locator(".alert")).to_contain_text("找不到村 X001")
    assert page.request.get(server.base + "/village/X001/doc/D01/P2.2.docx").status == 404
    assert page.request.get(server.base + "/village/V004").status == 404  # another township of the county
    assert page.request.get(server.base + "/village/V002").status == 200


def test_an_auditors_post_is_refused(server, page):
    login(page, server.base, AUDITOR, PASSWORD)
    page.goto(server.base + "/village/V001/step/P2.3")
    expect(page.get_by_role("button", name="批准")).to_have_count(0)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    answer = page.request.post(server.base + "/village/V001/step/P2.3/decide",
                               form={"csrf": csrf, "decision": "approve"})
    assert answer.status == 403 and "只能查看" in answer.text()
    answer = page.request.post(server.base + "/village/V002/step/P2.2/record",
                               multipart={"csrf": csrf, "f.date": "2026-08-11"})
    assert answer.status == 403
    page.get_by_role("button", name="退出").click()  # an auditor may still log out
    assert "/login" in page.url


def test_a_post_without_the_csrf_token_is_refused(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    for form in ({"decision": "approve"}, {"decision": "approve", "csrf": "forged"}):
        answer = httpx.post(server.base + "/village/V001/step/P2.3/decide", data=form, cookies=cookies, timeout=60)
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    page.goto(server.base + "/village/V001/step/P2.3")
    expect(page.locator(".info")).to_contain_text("待审批")
    assert re.search("批准", page.content())
