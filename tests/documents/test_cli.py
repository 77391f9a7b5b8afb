"""huanjie docs render / bundle, in-process over the driven village's store."""

from __future__ import annotations

import hashlib
import json
import zipfile

import pytest
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from tests.documents.support import docx_text
from tests.fixtures.scenario import COUNTY


@pytest.fixture
def cli(village_run, monkeypatch):
    ctx, _ = village_run
    monkeypatch.setattr(common, "_context", ctx)
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, [*args, "--as", COUNTY])
        assert result.exit_code == code, result.output
        return result

    return run


def test_render_a_document_in_each_format(cli, tmp_path, produced):
    d07 = next(r for r in produced if r.code == "D07")
    out = json.loads(cli("docs", "render", "--village", "V001", "--doc", "D07", "--format", "docx", "--output",
                         str(tmp_path / "d07.docx"), "--json").stdout)
    assert out["number"] == d07.number and out["sha256"] == d07.docx_sha256
    assert "候选人预备人选公示" in docx_text((tmp_path / "d07.docx").read_bytes())
    cli("docs", "render", "--village", "V001", "--doc", "d07", "--format", "html", "--output", str(tmp_path / "d.html"))
    assert hashlib.sha256((tmp_path / "d.html").read_bytes()).hexdigest() == d07.html_sha256


def test_a_document_of_several_steps_needs_the_step(cli, tmp_path):
    result = cli("docs", "render", "--village", "V001", "--doc", "D13", "--output", str(tmp_path / "x.docx"), code=2)
    assert "--step" in result.output and "P5.2" in result.output
    cli("docs", "render", "--village", "V001", "--doc", "D13", "--step", "P5.2", "--output", str(tmp_path / "x.docx"))
    result = cli("docs", "render", "--village", "V001", "--doc", "D99", "--output", str(tmp_path / "y"), code=2)
    assert "D01–D27" in result.output


def test_bundle_holds_every_document_with_a_manifest_of_hashes(cli, tmp_path, produced):
    cli("docs", "bundle", "--village", "V001", "--no-pdf", "--output", str(tmp_path / "b.zip"))
    with zipfile.ZipFile(tmp_path / "b.zip") as z:
        manifest = json.loads(z.read("manifest.json"))
        assert len(manifest["documents"]) == len(produced)
        for entry in manifest["documents"]:
            for fmt, f in entry["files"].items():
                assert hashlib.sha256(z.read(f["name"])).hexdigest() == f["sha256"]
            assert entry["files"]["docx"]["sha256"] == entry["docx_sha256"]
    assert {e["code"] for e in manifest["documents"]} == {r.code for r in produced}
