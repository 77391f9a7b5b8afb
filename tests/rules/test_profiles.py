from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from huanjie.rules import SCHEMA, ProfileError, Range, Ratio, load_profile, profile_codes
from huanjie.rules.loader import PROFILE_DIR


@pytest.mark.parametrize("code", ["national", "ZJ", "SH", "BJ"])
def test_every_profile_loads_with_every_parameter_sourced(code):
    profile = load_profile(code)
    assert profile.code == code
    assert profile.version
    assert set(profile.params()) == set(SCHEMA)
    for name, (value, source) in profile.params().items():
        assert value is not None, name
        assert source.strip(), name


def test_profile_codes_lists_national_first():
    codes = profile_codes()
    assert codes[0] == "national"
    assert {"ZJ", "SH", "BJ"} <= set(codes)


def test_provinces_extend_national():
    for code in ("ZJ", "SH", "BJ"):
        assert load_profile(code).extends == "national"


def test_national_values_of_domain_section_3():
    p = load_profile("national")
    assert p["voter_list_publish_days_before"] == 20
    assert p["proxy_filing_days_before"] == 3
    assert p["revote_latest_days_after"] == 30
    assert p["election_committee_size"] == Range(3, None, True)
    assert p["vc_seats"] == Range(3, 7, False)
    assert p["party_quorum"] == Ratio(4, 5, ">")
    assert p["vc_revote_min"] == Ratio(1, 3, ">=")
    assert p["party_threshold_denominator"] == "expected"
    assert p.source("voter_list_publish_days_before") == "《村民委员会组织法》第十四条"


def test_provincial_overrides():
    assert load_profile("SH")["proxy_filing_days_before"] == 5
    assert load_profile("SH")["proxy_list_publish_days_before"] == 2
    assert load_profile("SH")["handover_seal_days_after"] == 0
    assert load_profile("BJ")["revote_latest_days_after"] == 15
    assert load_profile("ZJ")["election_committee_size"] == Range(5, 9, False)
    assert "上海市村民委员会选举办法" in load_profile("SH").source("proxy_filing_days_before")
    assert load_profile("BJ").source("revote_latest_days_after") == "《北京市村民委员会选举办法》第三十条"


def test_inherited_value_names_national_and_the_silent_province():
    sh = load_profile("SH")
    assert sh["voter_list_publish_days_before"] == 20
    assert sh.source("voter_list_publish_days_before") == "national: 《村民委员会组织法》第十四条（上海市未另行规定）"
    assert sh.cite("voter_list_publish_days_before") == "《村民委员会组织法》第十四条"


def test_unknown_profile_lists_known_codes():
    with pytest.raises(ProfileError) as err:
        load_profile("GD")
    text = str(err.value)
    assert "GD" in text and "national" in text and "ZJ" in text


def test_unknown_parameter_is_a_profile_error_naming_it():
    with pytest.raises(ProfileError, match="no_such_param"):
        load_profile("national")["no_such_param"]


def test_loading_is_cached():
    assert load_profile("ZJ") is load_profile("ZJ")


@pytest.fixture
def profile_dir(tmp_path) -> Path:
    shutil.copy(PROFILE_DIR / "national.yaml", tmp_path / "national.yaml")
    return tmp_path


def test_broken_profile_reports_every_problem_at_once(profile_dir):
    (profile_dir / "XX.yaml").write_text(
        """
code: XX
name: 测试省
version: "1"
extends: national
params:
  proxy_filing_days_before: {value: "三", source: 《某省办法》第一条}
  revote_latest_days_after: {value: 20}
  handover_days_after: {source: 《某省办法》第二条}
  vc_seats: {value: {min: 7, max: 3}, source: 《某省办法》第三条}
  party_quorum: {value: {num: 4, den: 0, op: "=>"}, source: 《某省办法》第四条}
  party_threshold_denominator: {value: everyone, source: 《某省办法》第五条}
  no_such_param: {value: 1, source: 《某省办法》第六条}
""",
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        load_profile("XX", profile_dir)
    problems = err.value.problems
    joined = "\n".join(problems)
    assert "proxy_filing_days_before" in joined and "非负整数" in joined
    assert any("revote_latest_days_after" in p and "source" in p for p in problems)
    assert any("handover_days_after" in p and "value" in p for p in problems)
    assert any("vc_seats" in p and "max" in p for p in problems)
    assert any("party_quorum" in p and "den" in p for p in problems)
    assert any("party_quorum" in p and "op" in p for p in problems)
    assert any("party_threshold_denominator" in p for p in problems)
    assert any("no_such_param" in p and "未知参数" in p for p in problems)
    assert len(problems) == 8
    assert f"{len(problems)} 处错误" in str(err.value)


def test_root_profile_missing_parameters_are_each_listed(tmp_path):
    (tmp_path / "national.yaml").write_text(
        'code: national\nname: 全国\nversion: "1"\nparams:\n  voter_min_age: {value: 18, source: 《组织法》第十三条}\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as err:
        load_profile("national", tmp_path)
    assert len(err.value.problems) == len(SCHEMA) - 1
    assert any("vc_seats" in p for p in err.value.problems)


def test_header_and_extends_problems(profile_dir):
    (profile_dir / "YY.yaml").write_text("code: ZZ\nversion: '1'\nextends: nowhere\nparams: {}\n", encoding="utf-8")
    with pytest.raises(ProfileError) as err:
        load_profile("YY", profile_dir)
    joined = "\n".join(err.value.problems)
    assert "名称" in joined and "不一致" in joined and "nowhere" in joined


def test_directory_profiles_are_independent_of_bundled(profile_dir):
    (profile_dir / "XX.yaml").write_text(
        "code: XX\nname: 测试省\nversion: '1'\nextends: national\n"
        "params:\n  revote_latest_days_after: {value: 7, source: 《某省办法》第九条}\n",
        encoding="utf-8",
    )
    profile = load_profile("XX", profile_dir)
    assert profile["revote_latest_days_after"] == 7
    assert profile.source("vc_seats") == "national: 《村民委员会组织法》第六条（测试省未另行规定）"
    assert profile_codes(profile_dir) == ["national", "XX"]
