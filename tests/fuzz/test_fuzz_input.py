"""Fuzzing the village CSV and the CLI's argument values (hypothesis): every input gets exit 0
or exit 2 with a Chinese message, never a traceback, and on exit 2 the store is what it was (on
SQLite byte for byte). (Fact files are fuzzed with their loader, in tests/steps/facts.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.store.db import reading
from tests.factories import make_campaign, make_villages

FUZZ = settings(max_examples=120, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# cells: what offices' spreadsheets hold, and what breaks parsers
nasty = st.sampled_from(["", " ", "0", "-1", "1e3", "²", "３", "99999999999999999999999", "9" * 5000, str(2**64),
                         "\x00", "\x0b", "\x1b[2J", "\u202e", "\u2028", "\r\n", '"', '""', ",", "[/x]", "镇" * 101,
                         "城关镇", "东湖村", "V001", "330102195001011234", "\ufeff", "\ud7ff", "null"])
cell = st.one_of(nasty, st.text(max_size=30), st.integers(min_value=-10, max_value=2**70).map(str))
# rows mostly shaped like a village list (so the fuzz reaches each column's checks), some not at all
count = st.one_of(st.integers(min_value=-5, max_value=2**70).map(str), nasty, st.just("9" * 5000))
shaped = st.tuples(st.one_of(st.from_regex(r"\A[0-9A-Za-z-]{1,12}\Z"), cell), cell, cell, count, count).map(list)
row = st.one_of(shaped, shaped, st.lists(cell, min_size=0, max_size=7))
encoding = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "shift_jis", "big5", "utf-16", "latin-1"])


@pytest.fixture
def store(ctx, tmp_path, monkeypatch):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    monkeypatch.setattr(common, "_context", ctx)
    monkeypatch.chdir(tmp_path)
    with reading(ctx.engine) as s:
        tables = sorted(sa.inspect(s.connection()).get_table_names())
    return ctx, campaign.code, CliRunner(), tables


def _file(ctx) -> str:
    """A SQLite store as stored: the main file and its write-ahead log."""
    path = Path(ctx.engine.url.database)
    digest = hashlib.sha256()
    for part in (path, path.with_name(path.name + "-wal")):
        if part.exists():
            digest.update(part.read_bytes())
    return digest.hexdigest()


def _invoke(store, args):
    ctx, _, runner, tables = store
    sqlite = ctx.engine.dialect.name == "sqlite"
    before, rows_before = _file(ctx) if sqlite else None, _rows(ctx, tables, but_access=True)
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 2), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "错误" in result.output or "Error" in result.output or "用法" in result.output, result.output
        # only a refusal writes on failure: its event in the access chain (on SQLite: what changed the file)
        if not sqlite or _file(ctx) != before:
            assert _rows(ctx, tables, but_access=True) == rows_before, (args, result.output)
        if sqlite and _file(ctx) != before:
            assert _rows(ctx, tables) != rows_before
    return result


def _rows(ctx, tables, but_access: bool = False) -> str:
    digest = hashlib.sha256()
    with reading(ctx.engine) as s:
        for table in tables:
            where = " WHERE chain != 'access'" if but_access and table in ("event", "chain_head") else ""
            for r in s.execute(sa.text(f'SELECT * FROM "{table}"{where} ORDER BY 1')):
                digest.update(repr(tuple(r)).encode())
    return digest.hexdigest()


def _csv(rows: list[list[str]]) -> str:
    def quote(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\r\n') else c

    return "\n".join(",".join(quote(c) for c in r) for r in rows) + "\n"


@FUZZ
@given(rows=st.lists(row, min_size=0, max_size=6), enc=encoding,
       header=st.sampled_from(["code,name,township,households,groups", "村代码,村名,乡镇,户数,村民小组数",
                               "code,name,township", "", "code,code,name,township,households,groups"]))
def test_village_csv_rows(store, rows, enc, header):
    _, code, _, _ = store
    text = header + "\n" + _csv(rows)
    try:
        data = text.encode(enc)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
    Path("fuzz.csv").write_bytes(data)
    _invoke(store, ["village", "import", "fuzz.csv", "--campaign", code])


value = st.one_of(nasty, st.text(max_size=20), st.integers(min_value=-(2**70), max_value=2**70).map(str))
COMMANDS = [
    lambda v, w: ["calendar", "add-workdays", v, w],
    lambda v, w: ["calendar", "period-end", "2026-09-28", w],
    lambda v, w: ["calendar", "latest-before", v, "5"],
    lambda v, w: ["calendar", "workday", v],
    lambda v, w: ["plan", "--village", v],
    lambda v, w: ["status", "--township", v, "--village", w],
    lambda v, w: ["campaign", "create", "--name", v, "--county", w, "--profile", "ZJ", "--party-day", "2026-09-15",
                  "--vc-day", "2026-10-12"],
    lambda v, w: ["campaign", "move", "--campaign", "HJ2026-001", "--vc-day", v],
    lambda v, w: ["user", "add", v, "--role", "county_office", "--county", w],
    lambda v, w: ["audit", "log", "--village", "V001", "--since", v, "--person", w],
    lambda v, w: ["audit", "replay", "--village", v, "--at", w],
    lambda v, w: ["gate", "approve", v, "--village", w],
    lambda v, w: ["digest", "--week", v],
    lambda v, w: ["chart", "--village", v, "--output", "x.svg"],
]


@FUZZ
@given(command=st.sampled_from(COMMANDS), v=value, w=value)
def test_cli_argument_values(store, command, v, w):
    _invoke(store, command(v, w))  # a value that looks like an option is the parser's to refuse (exit 2)
