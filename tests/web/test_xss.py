"""XSS probe: `<script>` and `{{7*7}}` in a village name, a person's name and a fact are plain text everywhere."""

from __future__ import annotations

import io
import zipfile

import httpx
from docx import Document
from openpyxl import load_workbook

from tests.web.conftest import login
from tests.web.world import APPROVER, COUNTY, PASSWORD, PROBE

RAW = "<script>alert(1)</script>"
PAGES = ["/board", "/inbox", "/village/V003", "/village/V003/step/P2.2", "/village/V003/step/P2.3",
         "/village/V003/step/P3.1", "/audit?village=V003", "/audit?village=V003&at=2026-08-16T12:00",
         "/county"]


def test_probe_is_inert_on_every_page_and_download(server, page):
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
        if path.startswith("/village/V003") or path in ("/board",) or path.startswith("/audit"):
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
