"""The demo county ends the way its stories say (run without Prefect for speed)."""

import pytest

from huanjie.demo.run import demo_context, run_demo


@pytest.mark.sqlite(reason="the demo makes its own SQLite file under the data dir (./dev demo)")
def test_demo_county_outcomes(tmp_path):
    (tmp_path / "keep.txt").write_text("other data")
    ctx = demo_context(tmp_path)
    report = run_demo(ctx, say=lambda _m: None, prefect=False)
    board = {v.code: v for v in report.board}
    assert len(board) == 12
    done = {c for c, v in board.items() if v.state == "done"}
    assert len(done) == 8  # all but the four villages whose story stops them
    assert "P4.3" in board["330102001004"].waiting_for[0]
    assert "V2.2" in board["330102002004"].waiting_for[0]
    blocked = board["330102001005"].blocked
    assert blocked and blocked[0]["step"] == "P5.2" and "五分之四" in blocked[0]["failures"][0]
    assert board["330102002005"].overdue[0]["step"] == "V3.2" and board["330102002005"].risk == "red"
    assert "330102001006" in done and board["330102001006"].risk == "green"  # rejected once, then put right
    assert any("职责分离" in r for r in report.refusals)
    # running it again starts from a clean demo database and leaves other data alone
    again = run_demo(demo_context(tmp_path), say=lambda _m: None, prefect=False)
    assert again.campaign == report.campaign == "HJ2026-001"
    assert (tmp_path / "keep.txt").read_text() == "other data"
