"""Prefect mode's pieces that need no Prefect server: a flow-run process builds its own
context from its settings; PREFECT_API_URL selects submission; a submitter's claim is taken
up by the flow run under the same owner; idle cases get no flow run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from huanjie.errors import InvalidInput
from huanjie.service.claims import claim_cases
from huanjie.settings import load_settings
from huanjie.store.db import reading
from huanjie.store.models import Case
from tests.fixtures.scenario import launched_county


def test_a_process_without_a_driver_builds_its_context_from_its_settings_once(db_url, tmp_path):
    code = ("import json; from huanjie.flows import runtime; a = runtime.current(); b = runtime.current();"
            "print(json.dumps({'same': a is b, 'url': str(a.engine.url), 'batch': a.batch_size,"
            " 'submits': a.submits}))")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HUANJIE_", "PREFECT_API"))},
           "HUANJIE_DATABASE_URL": db_url, "HUANJIE_BATCH_SIZE": "17", "PREFECT_API_URL": "http://127.0.0.1:9/api"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == {"same": True, "url": db_url, "batch": 17, "submits": True}


def test_prefect_api_url_decides_in_process_or_submitted(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert not load_settings().prefect.submits
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect:4200/api")
    monkeypatch.setenv("HUANJIE_PREFECT_TOWNSHIP_LIMIT", "3")
    settings = load_settings().prefect
    assert settings.submits and settings.township_limit == 3 and settings.work_pool == "huanjie"


def test_a_bad_prefect_setting_names_the_variable_in_chinese(monkeypatch):
    monkeypatch.setenv("HUANJIE_PREFECT_TOWNSHIP_LIMIT", "0")
    with pytest.raises(InvalidInput) as err:
        load_settings()
    assert [p.field for p in err.value.problems] == ["HUANJIE_PREFECT_TOWNSHIP_LIMIT"]
    assert "应不小于 1" in err.value.problems[0].message


def test_the_flow_run_takes_up_its_submitters_claim_and_no_one_else_can(ctx):
    launched_county(ctx)
    with reading(ctx.engine) as s:
        ids = list(s.exec(Case.__table__.select().with_only_columns(Case.id)).scalars())
    submitted = claim_cases(ctx, ids, owner="submit:a", seconds=600)
    assert len(submitted) == len(ids)
    assert claim_cases(ctx, ids, owner="someone-else") == []  # held while it waits in its queue
    taken_up = claim_cases(ctx, ids, owner="submit:a")  # the flow run, same owner: renewed to a run lease
    assert [c.case_id for c in taken_up] == sorted(ids)
    with reading(ctx.engine) as s:
        until = {c.lease_until for c in s.exec(Case.__table__.select()).all()}
    assert len(until) == 1


def test_claimed_cases_with_nothing_to_move_are_marked_run_without_a_flow_run(ctx):
    from huanjie.flows.deploy import _without_idle, claimable

    launched_county(ctx)  # just launched: no facts, nothing can move
    groups = claimable(ctx)
    assert set(groups) == {"城关镇", "清溪镇"}  # per township
    ids = [c for town in groups.values() for c in town]
    claims = claim_cases(ctx, ids, owner="submit:b")
    assert _without_idle(ctx, claims, "submit:b") == []
    assert claimable(ctx) == {}
    with reading(ctx.engine) as s:
        rows = s.exec(Case.__table__.select()).all()
    assert all(r.ran == r.wake and r.lease_owner is None for r in rows)


def test_township_queue_names_are_valid_prefect_names():
    from huanjie.flows.deploy import township_queue

    assert township_queue("城关镇") == "乡镇-城关镇"
    assert "/" not in township_queue("甲/乙%丙") and "%" not in township_queue("甲/乙%丙")
