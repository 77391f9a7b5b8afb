"""XSS probe: `<script>` and `{{7*7}}` in a village name, a person's name and a fact are plain text everywhere."""

from __future__ import annotations

import io
import subprocess
import zipfile

import httpx
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import text

from tests.web.conftest import login, page_routes
from tests.web.world import APPROVER, COUNTY, PASSWORD, PROBE

RAW = "<script>alert(1)</script>"
PAGES = ["/board", "/inbox", "/village/V003", "/village/V003/step/P2.2", "/village/V003/step/P2.3",
         "/village/V003/step/P3.1", "/audit?village=V003", "/audit?village=V003&at=2026-08-16T12:00",
         "/county", "/audit?view=logins", "/board?township=城关镇&state=blocked", "/inbox?township=城关镇"]


def test_probe_is_inert_on_every_page_and_download(server, page, tmp_path):
    alerts = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    login(page, server.base, COUNTY, PASSWORD)
    for path in PAGES:
        answer = page.goto(server.base + path)
        assert answer.status == 200, path
        html = page.content()
        assert RAW not in html, path
        assert "alert(1)" not in page.evaluate("Array.from(document.scripts).map(s => s.textContent).join()"), path
        text = page.inner_text("main")
        if path.startswith(("/village/V003", "/board", "/audit?village")):
            assert PROBE in text, path   # shown as the text it is: never evaluated to 49
    assert alerts == []

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    get = lambda p: httpx.get(server.base + p, cookies=cookies, timeout=120)  # noqa: E731
    preview = get("/village/V003/doc/D01/P2.2.html")
    assert preview.status_code == 200 and RAW not in preview.text and "&lt;script&gt;" in preview.text
    assert "sandbox" in preview.headers["content-security-policy"]
    docx = get("/village/V003/doc/D01/P2.2.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert PROBE in text and "49" not in text.replace("2026", "")
    # the PDF carries the probe as text, never as anything run
    pdf = get("/village/V003/doc/D01/P2.2.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert b"/JavaScript" not in pdf.content and b"/JS" not in pdf.content
    path = tmp_path / "probe.pdf"
    path.write_bytes(pdf.content)
    pdf_text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "<script>" in pdf_text.replace(" ", "") or "alert(1)" in pdf_text
    # the charts, the digest preview and the verification page: data as text
    for path in ("/village/V003/timeline.svg", f"/campaign/{server.info['campaign']}/timeline.svg",
                 f"/county/digest?campaign={server.info['campaign']}", f"/audit/verify?campaign={server.info['campaign']}",
                 "/api/villages/V003/timeline.svg"):
        answer = get(path)
        assert answer.status_code == 200 and RAW not in answer.text, path
    assert RAW not in get(f"/county/digest?campaign={server.info['campaign']}&township=城关镇").text
    for path in ("/board.xlsx", "/api/board.xlsx"):
        sheet = load_workbook(io.BytesIO(get(path).content)).active
        assert any(PROBE in str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None), path
    sheet = load_workbook(io.BytesIO(get("/board.xlsx").content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any(PROBE in c for c in cells)
    assert not any(c.startswith("=") for c in cells)
    api = get("/api/villages/V003").json()
    assert api["ref"]["name"].startswith(RAW)            # JSON carries the data as data
    assert get("/api/villages/V003").headers["content-type"].startswith("application/json")
    export = get("/audit/export?village=V003")
    with zipfile.ZipFile(io.BytesIO(export.content)) as z:
        assert any(PROBE.encode() in z.read(n) or b"\\u003cscript" in z.read(n) or b"<script>" in z.read(n)
                   for n in z.namelist() if n.endswith(".jsonl"))


def test_probe_in_a_person_name_is_plain_text_in_the_form(server, page):
    login(page, server.base, APPROVER, PASSWORD)
    page.goto(server.base + "/village/V003/step/P3.1")
    assert page.locator("text=" + PROBE).count() >= 1 or PROBE in page.inner_text("main")
    assert RAW not in page.content()


POSTS = ["/logout", "/county/campaign", "/county/import", "/county/users", "/county/users/联审员/password",
         "/county/users/联审员/disable", "/county/move", "/county/rest-day", "/county/digest/send",
         "/village/V001/step/P2.3/record", "/village/V001/step/P2.3/decide"]


def test_every_post_without_the_csrf_token_is_refused(server, page):
    """Every form's POST (the county office may make them all) is refused without its CSRF token,
    nothing written; and every page POST route is in this list."""
    routes = {path for path, methods in page_routes() if "POST" in methods and path != "/login"}
    listed = {p.replace("联审员", "{name}").replace("V001", "{code}").replace("P2.3", "{step}") for p in POSTS}
    assert routes == listed
    login(page, server.base, COUNTY, PASSWORD)
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    # what the refused requests could have written: events in the county office's name (the server's own
    # worker may still be walking the world's woken cases meanwhile, under its own name)
    written = text("SELECT count(*) FROM event WHERE kind NOT LIKE 'access.%' AND actor = :actor")
    with server.ctx().engine.connect() as conn:
        before = conn.execute(written, {"actor": COUNTY}).scalar()
    for path in POSTS:
        for form in ({}, {"csrf": "forged"}):
            answer = httpx.post(server.base + path, data={**form, "decision": "approve", "name": "x"}, cookies=cookies,
                                timeout=120, follow_redirects=False)
            assert answer.status_code == 403 and "CSRF" in answer.text, (path, form, answer.status_code)
    with server.ctx().engine.connect() as conn:
        after = conn.execute(written, {"actor": COUNTY}).scalar()
    assert after == before
