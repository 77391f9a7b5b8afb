"""County templates: a folder per campaign overriding any document, checked when loaded, previewed."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from huanjie.cli import common
from huanjie.cli.main import app
from huanjie.clock import MovableClock
from huanjie.documents.county import DEFAULTS, check_folder, export_defaults, load_county_templates
from huanjie.documents.render import page, prepare
from huanjie.errors import InvalidInput
from huanjie.service.context import Context
from huanjie.store.db import make_engine
from tests.documents.support import docx_text, source
from tests.factories import make_campaign, make_villages
from tests.fixtures.scenario import COUNTY, VillageDriver, add_staff, launch_all

MASTHEAD = "中共东湖村支部委员会文件"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HUANJIE_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_the_27_defaults_export_and_load_unchanged(tmp_path, data_dir):
    written = export_defaults(tmp_path / "out")
    assert len([p for p in written if p.name.endswith(".xml.j2")]) == 27
    folder = data_dir / "templates" / "HJ-X"
    shutil.copytree(tmp_path / "out", folder)
    templates = load_county_templates("HJ-X")
    assert len(templates.overrides) == 27 and check_folder(folder) == []


def test_every_problem_of_a_folder_is_named_with_document_and_line(tmp_path):
    folder = tmp_path / "t"
    folder.mkdir()
    source_d01 = (DEFAULTS / "D01.xml.j2").read_text(encoding="utf-8").splitlines()
    source_d01[5] += "{{ no_such_field }}"
    (folder / "D01.xml.j2").write_text("\n".join(source_d01), encoding="utf-8")
    (folder / "D02.xml.j2").write_text("<doc>\n<p>{% if x %}</p>\n</doc>", encoding="utf-8")
    (folder / "organs.toml").write_text('[masthead]\nvillage = "x"\n[colour]\na = "b"\n', encoding="utf-8")
    (folder / "D99.xml.j2").write_text("<doc/>", encoding="utf-8")
    problems = check_folder(folder)
    messages = [p.message for p in problems]
    assert any("D01.xml.j2" in m and "第 6 行" in m and "no_such_field" in m for m in messages), messages
    assert any("D02.xml.j2" in m and "语法错误" in m for m in messages), messages
    assert any("village" in m and "[masthead]" in m for m in messages), messages
    assert any("[colour]" in m for m in messages) and any("D99.xml.j2" in m for m in messages), messages
    bad_toml = tmp_path / "u"
    bad_toml.mkdir()
    (bad_toml / "organs.toml").write_text("[masthead\n", encoding="utf-8")
    assert "格式错误" in check_folder(bad_toml)[0].message


def test_a_broken_county_folder_refuses_to_render_with_the_reasons(data_dir):
    folder = data_dir / "templates" / "HJ-Y"
    folder.mkdir(parents=True)
    (folder / "D05.xml.j2").write_text("<doc>{{ x }</doc>", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        load_county_templates("HJ-Y")
    assert "D05.xml.j2" in exc.value.problems[0].message and "第 1 行" in exc.value.problems[0].message


def test_organ_names_and_masthead_without_touching_a_template(tmp_path):
    from huanjie.documents.county import Organs

    src = source("P2.3")
    src.organs = Organs({"masthead": {"township": "中共{township}委员会文件"},
                         "copy_to": {"D02": "中共{county}委组织部"}, "printer": {"township": "{township}党政办"}})
    text = docx_text(_docx(prepare("D02", src)))
    assert "中共城关镇委员会文件" in text and "抄送：中共示范县委组织部。" in text and "城关镇党政办" in text


def _docx(doc):
    from huanjie.documents.docx_writer import write_docx

    return write_docx(page(doc, "城关镇选字〔2026〕1号"))


@pytest.fixture
def county_village(db_url, tmp_path, data_dir, monkeypatch):
    """A village driven to P2.2 with the campaign's own D01 template (a new 红头)."""
    clock = MovableClock("2026-07-01T09:00:00")
    ctx = Context(engine=make_engine(db_url), clock=clock)
    campaign = make_campaign(ctx)
    folder = data_dir / "templates" / campaign.code
    folder.mkdir(parents=True)
    d01 = (DEFAULTS / "D01.xml.j2").read_text(encoding="utf-8")
    (folder / "D01.xml.j2").write_text(d01.replace('issuer="{{ official.masthead }}"', f'issuer="{MASTHEAD}"'),
                                       encoding="utf-8")
    make_villages(ctx, campaign)
    add_staff(ctx)
    launch_all(ctx, campaign.code)
    driver = VillageDriver(ctx, clock, campaign.code, "V001")
    for spec in driver.timeline():
        driver.at(driver.states()[spec.key].due)
        driver.do_step(spec.key)
        if spec.key == "P2.2":
            break
    monkeypatch.setattr(common, "_context", ctx)
    yield ctx, campaign
    ctx.engine.dispose()


def test_a_county_template_changes_d01s_masthead_in_docs_render(county_village, tmp_path):
    ctx, campaign = county_village
    cli = CliRunner()

    class runner:  # every command as the county office (users are registered)
        @staticmethod
        def invoke(app, args):
            return cli.invoke(app, [*args, "--as", COUNTY])

    result = runner.invoke(app, ["docs", "render", "--village", "V001", "--doc", "D01", "--format", "docx",
                                 "--output", str(tmp_path / "d01.docx")])
    assert result.exit_code == 0, result.output
    text = docx_text((tmp_path / "d01.docx").read_bytes())
    assert text.splitlines()[0] == MASTHEAD and "关于召开党员大会进行换届选举的请示" in text
    result = runner.invoke(app, ["docs", "templates", "check", "--campaign", campaign.code])
    assert result.exit_code == 0 and "D01" in result.output, result.output
    # the preview renders the campaign's template from the recorded facts, without a 文号
    result = runner.invoke(app, ["docs", "preview", "--village", "V001", "--doc", "D01", "--format", "html",
                                 "--output", str(tmp_path / "p.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert MASTHEAD in html and "东湖村支字〔2026〕1号" in html
    # a broken template is reported with the document and the line, nothing rendered
    (tmp_path / "data" / "templates" / campaign.code / "D01.xml.j2").write_text("<doc>\n{{ a.b(</doc>",
                                                                                encoding="utf-8")
    result = runner.invoke(app, ["docs", "preview", "--village", "V001", "--doc", "D01", "--format", "html",
                                 "--output", str(tmp_path / "q.html")])
    flat = "".join(result.output.split())  # the terminal wraps long lines
    assert result.exit_code == 2 and "D01.xml.j2" in flat and "第2行" in flat, result.output
    assert not (tmp_path / "q.html").exists()
