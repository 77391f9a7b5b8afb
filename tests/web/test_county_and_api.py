"""County office pages (import with row errors, election-day move preview) and the JSON API."""

from __future__ import annotations

import csv
import io
import time

import httpx
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from huanjie.service.accounts import create_token
from tests.web.conftest import login, page_routes, shot
from tests.web.world import APPROVER, AUDITOR, CLERK, COUNTY, PASSWORD, REVIEWER


def _villages(server) -> set[str]:
    with server.ctx().engine.connect() as conn:
        return {c for (c,) in conn.exec_driver_sql("SELECT code FROM village")}


def test_import_shows_row_errors_and_imports_nothing_then_an_xlsx_imports(server, page, tmp_path):
    before = _villages(server)
    bad = tmp_path / "村名单.csv"
    bad.write_text("村代码,村名,乡镇,户数,村民小组数\nV101,新村,城关镇,200,4\nV102,,城关镇,二百,4\n", encoding="gb18030")
    login(page, server.base, COUNTY, PASSWORD)
    page.goto(server.base + "/county")
    page.set_input_files("#i-file", str(bad))
    page.get_by_role("button", name="导入").click()
    alert = page.locator("#error-import")
    expect(alert).to_contain_text("未导入任何村")
    expect(alert).to_contain_text("第 3 行")
    assert _villages(server) == before
    wb = Workbook()
    wb.active.append(["村代码", "村名", "乡镇", "户数", "村民小组数"])
    wb.active.append(["V101", "新村", "城关镇", 200, 4])
    good = tmp_path / "村名单.xlsx"
    wb.save(good)
    page.set_input_files("#i-file", str(good))
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".notice")).to_contain_text("新增 1 个村")
    assert _villages(server) == before | {"V101"}


def test_moving_an_election_day_is_previewed_then_needs_a_reason(server, page):
    login(page, server.base, COUNTY, PASSWORD)
    page.goto(server.base + "/county#move")
    page.fill("#m-vc", "2026-10-19")
    move = page.locator("#move")
    move.get_by_role("button", name="预览").click()
    expect(move).to_contain_text("个期限将调整")
    with server.ctx().engine.connect() as conn:
        assert str(conn.exec_driver_sql("SELECT vc_day FROM campaign WHERE county = '示范县'").scalar()) == "2026-10-12"
    move.get_by_role("button", name="确认调整").click()
    expect(page.locator("#error-move")).to_contain_text("须说明原因")
    page.fill("#m-reason", "台风预警")
    move.get_by_role("button", name="确认调整").click()
    expect(page.locator(".notice")).to_contain_text("已调整选举日")
    with server.ctx().engine.connect() as conn:
        assert str(conn.exec_driver_sql("SELECT vc_day FROM campaign WHERE county = '示范县'").scalar()) == "2026-10-19"


def test_clerk_and_auditor_cannot_open_county_pages(server, page):
    login(page, server.base, AUDITOR, PASSWORD)
    assert page.goto(server.base + "/county").status == 403
    assert page.goto(server.base + "/audit?village=V001").status == 200
    page.context.clear_cookies()
    login(page, server.base, APPROVER, PASSWORD)
    assert page.goto(server.base + "/audit").status == 403


def test_api_with_a_token_and_with_a_session(server):
    ctx = server.ctx()
    token = create_token(ctx, name=APPROVER, actor_name=COUNTY, label="测试")
    headers = {"Authorization": f"Bearer {token}"}
    api = httpx.Client(base_url=server.base, timeout=120)
    assert api.get("/api/inbox").status_code == 401
    items = api.get("/api/inbox", headers=headers).json()
    assert any(i["step"] == "P2.3" and i["village"] == "V001" and i["action"] == "decide" for i in items)
    assert api.get("/api/villages/X001", headers=headers).status_code == 404
    refused = api.post("/api/villages/V001/steps/P2.3/decision", headers=headers, json={"decision": "reject"})
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "reason"
    board = api.get("/api/board", headers=headers).json()
    assert {v["code"] for v in board["villages"]} == {"V001", "V002", "V003"}
    ok = api.post("/api/villages/V001/steps/P2.3/decision", headers=headers, json={"decision": "approve"})
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    # a session needs its CSRF token in a header for writes
    login = httpx.Client(base_url=server.base, timeout=120)
    form = login.get("/login")
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    login.post("/login", data={"name": COUNTY, "password": PASSWORD, "csrf": csrf, "next": "/"})
    me = login.get("/api/me").json()
    assert me["name"] == COUNTY
    body = {"day": "2026-09-01", "label": "本地休息日"}
    assert login.post("/api/campaigns/" + server.info["campaign"] + "/rest-days", json=body).status_code == 403
    assert login.post("/api/campaigns/" + server.info["campaign"] + "/rest-days", json=body,
                      headers={"X-CSRF-Token": me["csrf"]}).status_code == 200
    docs = login.get("/api/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "/api/villages/{code}/steps/{step}/facts" in login.get("/api/openapi.json").json()["paths"]


def test_board_export_and_screenshot(server, page):
    login(page, server.base, COUNTY, PASSWORD)
    page.goto(server.base + "/board")
    expect(page.locator("table.board")).to_contain_text("东湖村")
    shot(page, "board")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()
    from openpyxl import load_workbook

    assert info.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(open(info.value.path(), "rb").read())).active
    assert sheet["A2"].value == "乡镇" and {sheet.cell(r, 3).value for r in range(3, 7)} >= {"东湖村", "西塘村"}


def test_the_server_worker_beats_so_the_cli_sees_it(server):
    """``huanjie serve`` registers its worker thread like ``huanjie worker`` (record/gate approve ask for one)."""
    from huanjie.service.workers import live_workers
    from huanjie.store.db import reading
    from huanjie.store.worker_models import WorkerHeartbeat

    ctx = server.ctx()
    deadline = time.monotonic() + 120
    while not live_workers(ctx) and time.monotonic() < deadline:
        time.sleep(0.5)
    live = live_workers(ctx)
    assert live, "the server's worker thread wrote no heartbeat"
    with reading(ctx.engine) as session:
        kinds = {session.get(WorkerHeartbeat, w.id).kind for w in live}
    assert kinds == {"serve"}


# every page action has its API call (the pages' POST routes and downloads, by what they do)
PAGE_ACTIONS_IN_API = {
    "/county": ("get", "/api/users"),
    "/village/{code}/step/{step}": ("get", "/api/steps/{step}/schema"),
    "/village/{code}/step/{step} (history)": ("get", "/api/villages/{code}/history"),
    "/county/campaign": ("post", "/api/campaigns"),
    "/county/import": ("post", "/api/campaigns/{code}/villages"),
    "/county/users": ("post", "/api/users"),
    "/county/users/{name}/password": ("post", "/api/users/{name}/password"),
    "/county/users/{name}/disable": ("post", "/api/users/{name}/disable"),
    "/county/move": ("post", "/api/campaigns/{code}/move"),
    "/county/rest-day": ("post", "/api/campaigns/{code}/rest-days"),
    "/county/digest": ("get", "/api/campaigns/{code}/digest"),
    "/county/digest/send": ("post", "/api/campaigns/{code}/digest/send"),
    "/village/{code}/step/{step}/record": ("post", "/api/villages/{code}/steps/{step}/facts"),
    "/village/{code}/step/{step}/record (upload)": ("post", "/api/villages/{code}/steps/{step}/facts/upload"),
    "/village/{code}/step/{step}/decide": ("post", "/api/villages/{code}/steps/{step}/decision"),
    "/village/{code}/doc/{doc}/{step}.{fmt}": ("get", "/api/villages/{code}/documents/{doc}/{step}.{fmt}"),
    "/village/{code}/timeline.svg": ("get", "/api/villages/{code}/timeline.svg"),
    "/campaign/{code}/timeline.svg": ("get", "/api/campaigns/{code}/timeline.svg"),
    "/board": ("get", "/api/board"),
    "/board.xlsx": ("get", "/api/board.xlsx"),
    "/inbox": ("get", "/api/inbox"),
    "/village/{code}": ("get", "/api/villages/{code}"),
    "/audit": ("get", "/api/audit/villages/{code}/log"),
    "/audit?at=": ("get", "/api/audit/villages/{code}/replay"),
    "/audit/verify": ("get", "/api/audit/verify"),
    "/audit/export": ("get", "/api/audit/export"),
}


def test_every_page_action_has_its_api_call_documented_locally(server):
    pages = {path for path, _ in page_routes() if path not in ("/", "/login", "/logout")}
    listed = {p.split(" ")[0].split("?")[0] for p in PAGE_ACTIONS_IN_API}
    assert pages - listed == set(), "a page route without its API call: add it to the API and this table"
    spec = httpx.get(server.base + "/api/openapi.json", timeout=120).json()["paths"]
    for page_path, (method, api_path) in PAGE_ACTIONS_IN_API.items():
        assert method in spec.get(api_path, {}), (page_path, api_path)
        assert spec[api_path][method]["summary"], api_path  # described, in Chinese


def test_api_calls_added_for_page_actions(server):
    ctx = server.ctx()
    county = httpx.Client(base_url=server.base, timeout=120, headers={
        "Authorization": f"Bearer {create_token(ctx, name=COUNTY, actor_name=COUNTY, label='测试')}"})
    campaign = server.info["campaign"]
    sheet = load_workbook(io.BytesIO(county.get("/api/board.xlsx").content)).active
    assert any("东湖村" in str(c.value) for row in sheet.iter_rows() for c in row)
    for path in ("/api/villages/V001/timeline.svg", f"/api/campaigns/{campaign}/timeline.svg"):
        chart = county.get(path)
        assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml"), path
    assert county.get("/api/campaigns/NOPE/timeline.svg").status_code == 404
    sent = county.post(f"/api/campaigns/{campaign}/digest/send", json={})
    assert sent.status_code == 200 and sent.json()["sent_before"] is False, sent.text
    assert county.post(f"/api/campaigns/{campaign}/digest/send", json={}).json()["sent_before"] is True

    # a person list uploaded from CSV with Chinese headers replaces that list, the other facts stay
    from huanjie.service.facts import step_schema

    clerk = httpx.Client(base_url=server.base, timeout=120, headers={
        "Authorization": f"Bearer {create_token(ctx, name=CLERK, actor_name=COUNTY, label='测试')}"})
    p31 = next(s for s in clerk.get("/api/villages/V001").json()["steps"] if s["step"] == "P3.1")
    columns = step_schema("P3.1")["properties"]["members"]["items"]["properties"]
    members = p31["facts"]["members"][:-1]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.get("title", k) for k, c in columns.items()])
    for m in members:
        writer.writerow(["、".join(map(str, m[k])) if isinstance(m.get(k), list) else
                         ({True: "是", False: "否"}.get(m[k], m[k]) if k in m else "") for k in columns])
    upload = clerk.post("/api/villages/V001/steps/P3.1/facts/upload", params={"field": "members"},
                        files={"file": ("名单.csv", out.getvalue().encode("utf-8-sig"), "text/csv")})
    assert upload.status_code == 200, upload.text
    p31 = next(s for s in clerk.get("/api/villages/V001").json()["steps"] if s["step"] == "P3.1")
    assert [m["name"] for m in p31["facts"]["members"]] == [m["name"] for m in members]
    wrong = clerk.post("/api/villages/V001/steps/P3.1/facts/upload", params={"field": "date"},
                       files={"file": ("名单.csv", b"x\n1\n", "text/csv")})
    assert wrong.status_code == 400 and wrong.json()["problems"][0]["field"] == "field"

    # a password reset by the county office lets the user in; a disabled user no longer can
    assert county.post(f"/api/users/{REVIEWER}/password", json={"password": "new-horse-77x"}).status_code == 200
    assert _logs_in(server, REVIEWER, "new-horse-77x")
    assert clerk.post(f"/api/users/{REVIEWER}/disable").status_code == 403  # only the county office
    assert county.post(f"/api/users/{REVIEWER}/disable").status_code == 200
    assert not _logs_in(server, REVIEWER, "new-horse-77x")


def _logs_in(server, name: str, password: str) -> bool:
    web = httpx.Client(base_url=server.base, timeout=120)
    csrf = web.get("/login").text.split('name="csrf" value="')[1].split('"')[0]
    answer = web.post("/login", data={"name": name, "password": password, "csrf": csrf, "next": "/inbox"})
    return answer.status_code == 303 and "/login" not in answer.headers["location"]
