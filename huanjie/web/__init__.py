"""The web UI and JSON API (FastAPI, server-rendered Jinja2 pages): every route calls huanjie.service."""
