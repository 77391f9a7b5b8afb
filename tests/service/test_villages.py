import pytest
from sqlmodel import select

from huanjie.errors import InvalidInput
from huanjie.service.villages import import_villages
from huanjie.store.db import reading
from huanjie.store.models import Event, Township, Village
from tests.factories import make_campaign

GOOD = "code,name,township,households,groups\nV001,东湖村,城关镇,320,6\nV002,西塘村,城关镇,210,4\nV003,上林村,清溪镇,150,3\n"


def _write(tmp_path, text, name="v.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _villages(ctx):
    with reading(ctx.engine) as s:
        return {v.code: (v.name, v.households, v.groups) for v in s.exec(select(Village))}


def test_import_creates_villages_and_townships_once(ctx, tmp_path):
    campaign = make_campaign(ctx)
    path = _write(tmp_path, GOOD)
    first = import_villages(ctx, campaign_code=campaign.code, path=path)
    assert first.created == ["V001", "V002", "V003"]
    assert sorted(first.townships_created) == ["城关镇", "清溪镇"]
    with reading(ctx.engine) as s:
        events_before = len(s.exec(select(Event)).all())
    again = import_villages(ctx, campaign_code=campaign.code, path=path)
    assert (again.created, again.updated, again.unchanged) == ([], [], ["V001", "V002", "V003"])
    with reading(ctx.engine) as s:
        assert len(s.exec(select(Event)).all()) == events_before  # nothing changed, nothing recorded
        assert len(s.exec(select(Township)).all()) == 2
    assert _villages(ctx)["V002"] == ("西塘村", 210, 4)


def test_chinese_headers_and_gbk_encoding_are_accepted(ctx, tmp_path):
    campaign = make_campaign(ctx)
    text = "村代码,村名,乡镇,户数,村民小组数\nV009,桃源村,清溪镇,99,2\n"
    result = import_villages(ctx, campaign_code=campaign.code, path=_write(tmp_path, text, encoding="gb18030"))
    assert result.created == ["V009"]
    assert _villages(ctx)["V009"] == ("桃源村", 99, 2)


def test_every_bad_row_is_reported_and_nothing_is_imported(ctx, tmp_path):
    campaign = make_campaign(ctx)
    text = ("code,name,township,households,groups\n"
            "V001,东湖村,城关镇,320,6\n"
            ",无代码村,城关镇,10,1\n"
            "V003,上林村,,abc,0\n"
            "V001,重复村,城关镇,5,1\n")
    with pytest.raises(InvalidInput) as info:
        import_villages(ctx, campaign_code=campaign.code, path=_write(tmp_path, text))
    problems = [(p.line, p.field) for p in info.value.problems]
    assert (3, "code") in problems
    assert (4, "township") in problems and (4, "households") in problems and (4, "groups") in problems
    assert (5, "code") in problems
    assert any("重复" in p.message for p in info.value.problems)
    assert _villages(ctx) == {}


def test_changed_rows_update_with_an_event(ctx, tmp_path):
    campaign = make_campaign(ctx)
    import_villages(ctx, campaign_code=campaign.code, path=_write(tmp_path, GOOD))
    changed = GOOD.replace("V002,西塘村,城关镇,210,4", "V002,西塘村,城关镇,230,5")
    result = import_villages(ctx, campaign_code=campaign.code, path=_write(tmp_path, changed, "v2.csv"))
    assert result.updated == ["V002"]
    with reading(ctx.engine) as s:
        event = s.exec(select(Event).where(Event.kind == "village.updated")).one()
    assert event.payload["households"] == 230 and event.village_code == "V002"


def test_missing_header_column_is_named(ctx, tmp_path):
    campaign = make_campaign(ctx)
    with pytest.raises(InvalidInput, match="households"):
        import_villages(ctx, campaign_code=campaign.code, path=_write(tmp_path, "code,name,township,groups\nV1,a,b,1\n"))
