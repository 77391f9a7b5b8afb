"""verify-export refuses duplicate and unlisted members and over-long lines without reading them
into memory; a killed export leaves nothing at its output path."""

from __future__ import annotations

import zipfile

import pytest

from huanjie.audit import export as export_module
from huanjie.audit.export import export_archive
from huanjie.audit.export_check import verify_export
from huanjie.audit.keys import generate_keypair
from tests.factories import make_campaign, make_villages


@pytest.fixture
def archive(ctx, tmp_path):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)
    private, public = generate_keypair(tmp_path / "keys")
    path = tmp_path / "a.zip"
    export_archive(ctx, output=path, campaign_code=campaign.code, key_path=private)
    assert verify_export(path, public).ok
    return path, public


def _copy(src, dst, *, first=(), extra=()):
    with zipfile.ZipFile(src) as z, zipfile.ZipFile(dst, "w") as out:
        for name, data in first:
            out.writestr(name, data)
        for info in z.infolist():
            out.writestr(info, z.read(info.filename))
        for name, data in extra:
            out.writestr(name, data)


def test_two_events_members_are_refused(archive, tmp_path):
    path, public = archive
    with pytest.warns(UserWarning, match="Duplicate"):
        _copy(path, tmp_path / "dup.zip", first=[("events.jsonl", b'{"chain": "x", "seq": 1}\n')])
    check = verify_export(tmp_path / "dup.zip", public)
    assert not check.ok and any("出现了 2 次" in p for p in check.problems)


def test_unlisted_members_and_folders_are_refused(archive, tmp_path):
    path, public = archive
    _copy(path, tmp_path / "extra.zip", extra=[("readme.txt", b"x"), ("other/", b"")])
    problems = verify_export(tmp_path / "extra.zip", public).problems
    assert any("readme.txt" in p for p in problems) and any("other/" in p for p in problems)


def test_an_over_long_line_is_not_read_into_memory(archive, tmp_path, monkeypatch):
    from huanjie.audit import export_check

    path, public = archive
    monkeypatch.setattr(export_check, "MAX_LINE", 1024)  # the real cap is 16 MB (bench/bench_verify_export.py)
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(tmp_path / "long.zip", "w") as out:
        for info in z.infolist():
            data = z.read(info.filename)
            out.writestr(info, b"0" * 5000 + b"\n" + data if info.filename == "events.jsonl" else data)
    check = verify_export(tmp_path / "long.zip", public)
    assert not check.ok and any("超过" in p for p in check.problems)


def test_a_killed_export_leaves_nothing_at_the_output(ctx, tmp_path, monkeypatch):
    campaign = make_campaign(ctx)
    make_villages(ctx, campaign)

    def killed(session, output, *args):
        output.write(b"PK half an archive")
        raise KeyboardInterrupt  # as a kill in the middle of writing

    monkeypatch.setattr(export_module, "_write", killed)
    with pytest.raises(KeyboardInterrupt):
        export_archive(ctx, output=tmp_path / "a.zip", campaign_code=campaign.code)
    assert list(tmp_path.glob("*a.zip*")) == []
