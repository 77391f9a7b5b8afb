"""Bad input everywhere but fact files: a Chinese error naming the field (and line, column), exit 2,
nothing written."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.errors import InvalidInput
from huanjie.service.users import add_user
from huanjie.service.villages import import_villages
from tests.factories import make_campaign

HEADER = "code,name,township,households,groups\n"


def _import(ctx, tmp_path, body: bytes):
    campaign = make_campaign(ctx)
    (tmp_path / "v.csv").write_bytes(body)
    with pytest.raises(InvalidInput) as raised:
        import_villages(ctx, campaign_code=campaign.code, path=tmp_path / "v.csv")
    return raised.value


def _problem(error) -> str:
    return "\n".join(p.text() for p in error.problems)


@pytest.mark.parametrize("households", ["99999999999999999999999", "9" * 5000, str(2**64), "²", "３００", "-5"])
def test_household_counts_out_of_any_range(ctx, tmp_path, households):
    error = _import(ctx, tmp_path, (HEADER + f"V001,东湖村,城关镇,{households},6\n").encode())
    assert "户数" in _problem(error) and "第 2 行" in _problem(error) and len(error.message) < 200


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b", "\u202e", "\u2028"])
def test_control_characters_in_names_are_refused_with_line_and_column(ctx, tmp_path, char):
    error = _import(ctx, tmp_path, (HEADER + "V001,东湖村,城关镇,320,6\n" + f"V002,西{char}塘村,城关镇,300,5\n").encode())
    text = _problem(error)
    assert "第 3 行" in text and "第 2 列（村名）第 2 个字符" in text and f"U+{ord(char):04X}" in text


def test_a_township_with_a_line_break_is_refused(ctx, tmp_path):
    error = _import(ctx, tmp_path, (HEADER + 'V001,东湖村,"城关\r\n镇",320,6\n').encode())
    assert "第 3 列（乡镇）" in _problem(error)


@pytest.mark.parametrize("codec, guess", [("shift_jis", "Shift-JIS"), ("big5", "Big5")])
def test_japanese_and_traditional_encodings_are_refused_not_imported_as_garbage(ctx, tmp_path, codec, guess):
    text = HEADER + ("V001,東京都港区村,港区,320,6\nV002,大阪府北区村,北区,300,5\n" if codec == "shift_jis"
                     else "V001,臺灣東港村,東港鎮,320,6\nV002,舊城區村,鳳山區,300,5\n")
    error = _import(ctx, tmp_path, text.encode(codec))
    assert guess in error.message and "第 2 行" in _problem(error) and "个字符" in _problem(error)


def test_gb18030_from_excel_is_still_read(ctx, tmp_path):
    campaign = make_campaign(ctx)
    (tmp_path / "v.csv").write_bytes(("村代码,村名,乡镇,户数,村民小组数\nV001,东湖村,城关镇,320,6\n").encode("gb18030"))
    assert import_villages(ctx, campaign_code=campaign.code, path=tmp_path / "v.csv").created == ["V001"]


def test_names_longer_than_the_schema_are_refused_on_sqlite_too(ctx):
    make_campaign(ctx)
    with pytest.raises(InvalidInput, match="用户名"):
        add_user(ctx, name="张" * 61, role="county_office", scope_kind="county", scope=None)
    from huanjie.service.campaigns import create_campaign

    with pytest.raises(InvalidInput) as raised:
        import datetime as dt
        create_campaign(ctx, name="换届", county="县" * 101, profile="ZJ", party_day=dt.date(2026, 9, 15),
                        vc_day=dt.date(2026, 10, 12))
    assert any(p.field == "county" for p in raised.value.problems)


def test_the_store_refuses_what_its_columns_cannot_hold(ctx):
    """The last guard (huanjie.store.limits), for writers that skip the service checks."""
    from huanjie.store.db import transaction
    from huanjie.store.models import Township

    campaign = make_campaign(ctx)
    for value, words in (("镇" * 101, "超过允许的 100 个字"), ("城关\x00镇", "空字符")):
        with pytest.raises(InvalidInput, match=words):
            with transaction(ctx.engine) as s:
                s.add(Township(campaign_id=campaign.id, name=value))
    from huanjie.store.models import Village

    with pytest.raises(InvalidInput, match="户数"):
        with transaction(ctx.engine) as s:
            s.add(Village(campaign_id=campaign.id, township_id=1, code="V1", name="村", households=2**31, groups=1))


@pytest.fixture
def cli(ctx, monkeypatch):
    monkeypatch.setattr(common, "_context", ctx)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.mark.parametrize("args", [("calendar", "add-workdays", "2026-09-28", "999999999"),
                                  ("calendar", "period-end", "2026-09-28", str(2**64)),
                                  ("calendar", "latest-before", "9999-12-31", "5"),
                                  ("calendar", "workday", "2026-02-30")])
def test_calendar_arguments_out_of_range(cli, args):
    result = cli(*args)
    assert result.exit_code == 2 and "错误" in result.output and result.exception is None or \
        isinstance(result.exception, SystemExit), result.output


def test_a_notify_config_not_in_utf8(ctx, cli, tmp_path, monkeypatch):
    make_campaign(ctx)
    (tmp_path / "notify.yaml").write_bytes("outbox: 发件箱\n".encode("gb18030"))
    monkeypatch.setenv("HUANJIE_NOTIFY_CONFIG", str(tmp_path / "notify.yaml"))
    result = cli("digest")
    out = "".join(result.output.split())
    assert result.exit_code == 2 and "不是UTF-8编码" in out and "第1行" in out, result.output



@pytest.mark.parametrize("manifest", [b"[]", b'{"format": "huanjie-audit-export", "members": []}',
                                      b'{"format": "huanjie-audit-export", "members": {"events.jsonl": 5}}',
                                      b'{"format": "huanjie-audit-export", "chains": {"C": {"head_seq": "x"}}}',
                                      b'{"format": "huanjie-audit-export", "scope": {"village": 5}}'])
def test_malformed_export_manifests(tmp_path, manifest):
    import zipfile

    from huanjie.audit import verify_export
    from huanjie.audit.keys import generate_keypair

    _, public = generate_keypair(tmp_path / "k")
    with zipfile.ZipFile(tmp_path / "a.zip", "w") as z:
        z.writestr("manifest.json", manifest)
        z.writestr("events.jsonl", b'{"chain": "C", "seq": "1"}\n{"chain": 5, "seq": 1}\n')
    check = verify_export(tmp_path / "a.zip", public)
    assert not check.ok and any("manifest.json" in p for p in check.problems)
