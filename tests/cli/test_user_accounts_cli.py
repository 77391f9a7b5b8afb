"""`huanjie user add --password`, `user passwd`, `user disable`, `user token`: real processes."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from tests.cli.test_foundation_cli import huanjie


def test_accounts_from_the_command_line(tmp_path, cli_store):
    huanjie(tmp_path, "user", "add", "县办", "--role", "county_office", "--county", "示范县", "--password", "county-pass-1")
    huanjie(tmp_path, "user", "add", "审计员", "--role", "auditor", "--county", "示范县", "--password", "audit-pass-1",
            "--as", "县办")
    short = huanjie(tmp_path, "user", "add", "短密码", "--role", "auditor", "--county", "示范县", "--password", "abc",
                    "--as", "县办", check=False)
    assert short.returncode == 2 and "密码至少 8 位" in short.stderr
    huanjie(tmp_path, "user", "passwd", "审计员", "--password", "audit-pass-2", "--as", "县办")
    refused = huanjie(tmp_path, "user", "passwd", "县办", "--password", "taken-over-1", "--as", "审计员", check=False)
    assert refused.returncode == 2 and "县换届办" in refused.stderr
    token = huanjie(tmp_path, "user", "token", "审计员", "--as", "县办").stdout.strip()
    assert token.startswith("hj_")
    huanjie(tmp_path, "user", "disable", "审计员", "--as", "县办")
    engine = create_engine(cli_store)
    with engine.connect() as conn:
        users = dict(conn.execute(text("SELECT name, active FROM app_user")).all())
        hashes = [h for (h,) in conn.execute(text("SELECT password_hash FROM user_credential"))]
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM event WHERE chain = 'system' ORDER BY seq"))]
        revoked = conn.execute(text("SELECT revoked FROM api_token")).scalar()
    assert users == {"县办": True, "审计员": False}
    assert len(hashes) == 2 and all(h.startswith("$argon2id$") for h in hashes)
    assert kinds.count("user.password_set") == 3 and "user.disabled" in kinds and revoked
