"""The FastAPI application: pages, /api/, static files, the worker and scheduler in its lifespan."""

from __future__ import annotations

import logging
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from huanjie.errors import HuanjieError
from huanjie.service.accounts import AccountSettings
from huanjie.service.context import Context
from huanjie.web.deps import HERE, CsrfRefused, LoginRequired, note_refusal, render
from huanjie.web.settings import WebSettings

log = logging.getLogger(__name__)
STATUS = {"invalid": 400, "not_found": 404, "forbidden": 403, "conflict": 409, "csrf": 403}
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "frame-src 'self'; frame-ancestors 'self'; form-action 'self'; base-uri 'none'; object-src 'none'")


def create_app(ctx: Context, settings: WebSettings | None = None, accounts: AccountSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        from huanjie.service.summaries import backfill
        from huanjie.web.background import Background
        from huanjie.web.warmup import WarmUp, compile_pages

        backfill(ctx.engine)  # villages' summaries missing from a store made before them (the board reads them)
        compile_pages()  # what every first request would otherwise do
        background = Background(ctx, settings)
        background.start()
        warmup = WarmUp(ctx, settings.warm_users).start() if settings.warm_users else None
        app.state.warmup = warmup
        try:
            yield
        finally:
            if warmup is not None:
                warmup.close()
            background.close()

    app = FastAPI(title="换届 huanjie 接口", description="村“两委”换届选举流程引擎的 JSON 接口（与网页同一服务层、同一权限）",
                  version="1", lifespan=lifespan, docs_url=None, openapi_url="/api/openapi.json",
                  redoc_url=None)
    app.state.ctx, app.state.settings = ctx, settings
    app.state.accounts = accounts or AccountSettings()
    app.state.client_failures = {}
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    from huanjie.web import api
    from huanjie.web.views import audit, auth, board, county, inbox, village

    for module in (auth, board, inbox, village, county, audit):
        app.include_router(module.router)
    app.include_router(api.router)

    @app.get("/api/docs", include_in_schema=False)
    def docs():
        from fastapi.openapi.docs import get_swagger_ui_html

        page = get_swagger_ui_html(openapi_url="/api/openapi.json", title="换届 huanjie 接口文档",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")
        # the vendored Swagger UI starts from one inline script: allowed on this page only
        page.headers["Content-Security-Policy"] = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'") \
            .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        return page

    @app.middleware("http")
    async def headers(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.url.path.startswith("/api/") or request.method != "GET":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "login", "message": "请先登录（会话或接口令牌）", "problems": []}, 401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", 303)

    @app.exception_handler(HuanjieError)
    async def refused(request: Request, exc: HuanjieError):
        status = STATUS.get(exc.code, 400)
        note_refusal(request, exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.as_dict(), status)
        return render(request, "error.html", status_code=status, error=exc, status=status)

    @app.exception_handler(404)
    async def not_found(request: Request, _exc):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": "not_found", "message": "没有这个地址", "problems": []}, 404)
        from huanjie.errors import NotFound

        return render(request, "error.html", status_code=404, error=NotFound("没有这个页面"), status=404)

    _ = CsrfRefused
    return app
