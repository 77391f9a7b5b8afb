"""A catalogue is validated when it loads, and every error is reported at once."""

from __future__ import annotations

import copy
import sys
import types

import pytest
import yaml

from huanjie.steps.catalogue import CatalogueError, load_catalogue

KNOWN = {"check_keys": {"c_ok"}, "condition_keys": {"cond_ok"}, "document_codes": {"D01", "D02"},
         "param_names": {"days_before"}}


def _step(key, stage, deadline, **extra):
    row = {"key": key, "stage": stage, "name": f"步骤{key}", "actor": "village", "gate": None,
           "deadline": deadline, "statutory": False, "source": "本项目默认计划", "checks": [], "documents": [],
           "condition": None}
    row.update(extra)
    return row


PARTY = {
    "version": "t.1", "election": "party", "anchor": "D_P",
    "stages": [{"key": "P1", "name": "一"}, {"key": "P2", "name": "二"}],
    "steps": [
        _step("P1.1", "P1", "before(D_P, 10)", checks=["c_ok"]),
        _step("P1.2", "P1", "before(D_P, 5)", documents=["D01"], gate="township", gate_label="批复"),
        _step("P2.1", "P2", "period(P1.2, days_before)", statutory=True, source="某法第一条"),
    ],
}
VC = {
    "version": "t.1", "election": "vc", "anchor": "D_V",
    "stages": [{"key": "V1", "name": "一"}],
    "steps": [
        _step("V1.1", "V1", "before(D_V, days_before)", statutory=True, source="某法第二条", condition="cond_ok"),
        _step("V1.2", "V1", "on(D_V)", actor="committee", milestones=[
            {"key": "m", "name": "节点", "expr": "period(V1.2, days_before)"}]),
    ],
}


def write(tmp_path, party=PARTY, vc=VC):
    paths = []
    for name, data in (("party.yaml", party), ("vc.yaml", vc)):
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def errors_of(tmp_path, party=PARTY, vc=VC, **known):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(write(tmp_path, party, vc), **{**KNOWN, **known})
    return info.value.errors


def test_the_small_catalogue_is_valid(tmp_path):
    cat = load_catalogue(write(tmp_path), **KNOWN)
    assert [s.key for s in cat.steps()] == ["P1.1", "P1.2", "P2.1", "V1.1", "V1.2"]
    assert cat.step("P2.1").requires == ("P1.2",)  # omitted = the previous step of the file
    assert cat.step("V1.1").requires == ()          # the first step of a file requires nothing
    assert cat.dependents("P1.1") == ("P1.2", "P2.1")
    assert cat.step("V1.2").milestones[0].expr.refs() == ("V1.2",)  # a milestone may count from its own step


def test_many_faults_are_all_reported_at_once(tmp_path):
    party = copy.deepcopy(PARTY)
    party["steps"] += [
        _step("P1.1", "P1", "before(D_P, 1)"),                                 # duplicate key
        _step("P2.2", "P2", "before(D_X, 1)"),                                 # unknown anchor
        _step("P2.3", "P2", "before(D_P, 1)", checks=["c_ok", "no_such"]),    # unknown check
        _step("P2.4", "P2", "after(D_P, 1)", documents=["D99"]),              # unknown document
        _step("P2.5", "P2", "befor(D_P, 1)"),                                  # bad expression
        _step("P2.6", "P2", "after(D_P, 1)", requires=["P2.7"]),              # cycle P2.6 ⇄ P2.7
        _step("P2.7", "P2", "after(D_P, 1)", requires=["P2.6"]),
        _step("P2.8", "P2", "after(D_P, 1)", requires=["V1.2"]),              # requires a later step
    ]
    errors = errors_of(tmp_path, party)
    expected = [
        "party.yaml 步骤 P1.1 字段 key：步骤编号重复",
        "步骤 P2.2 字段 deadline：未知锚点 D_X",
        "步骤 P2.3 字段 checks：未登记的检查项 no_such",
        "步骤 P2.4 字段 documents：未登记的文书 D99",
        "步骤 P2.5 字段 deadline：期限表达式“befor(D_P, 1)”第 1 个字符处：未知的期限函数“befor”",
        "步骤依赖（requires）成环：P2.6 → P2.7 → P2.6",
        "步骤 P2.8 字段 requires：依赖的 V1.2 在运行顺序中位于本步骤之后",
    ]
    for fragment in expected:
        assert any(fragment in e for e in errors), (fragment, errors)
    # the cycle also makes P2.6 require a later step; nothing else is reported
    assert len(errors) == len(expected) + 1, errors


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda p, v: p["steps"][2].update(deadline="period(P1.2, 3)"), "法定期限不能写字面天数 3"),
        (lambda p, v: p["steps"][2].update(deadline="period(P1.2, nope_days)"), "未知的规则参数 nope_days"),
        (lambda p, v: p["steps"][2].update(source="本项目默认计划"), "法定期限须注明法条出处"),
        (lambda p, v: p["steps"][0].update(deadline="after(P9.9, 1)"), "引用了不存在的步骤 P9.9"),
        (lambda p, v: p["steps"][0].update(requires=["P9.9"]), "依赖的步骤 P9.9 不存在"),
        (lambda p, v: p["steps"][0].update(actor="mayor"), "字段 actor：未知执行方 mayor"),
        (lambda p, v: p["steps"][0].update(gate="county"), "字段 gate：未知审批角色 county"),
        (lambda p, v: p["steps"][0].update(gate_label="批复"), "gate 为 null）时不能填写审批名称"),
        (lambda p, v: v["steps"][0].update(condition="maybe"), "字段 condition：未登记的条件 maybe"),
        (lambda p, v: p["steps"][0].update(stage="P7"), "字段 stage：阶段 P7 未声明"),
        (lambda p, v: p["steps"][0].update(stage="V1"), "阶段 V1 属于另一类选举"),
        (lambda p, v: p["steps"][1].update(key="P2.9"), "步骤编号应以所属阶段编号 P1. 开头"),
        (lambda p, v: p["stages"].append({"key": "P3", "name": "三"}), "阶段 P3（三）没有任何步骤"),
        (lambda p, v: v["stages"].append({"key": "P1", "name": "重"}), "阶段 P1：阶段编号重复"),
        (lambda p, v: v.update(version="t.2"), "各文件的目录版本不一致"),
        (lambda p, v: v.update(election="party"), "选举类型 party 已由另一个文件定义"),
        (lambda p, v: v.update(anchor="D_Q"), "字段 anchor：未知锚点 D_Q"),
        (lambda p, v: p["steps"][0].update(statutory="yes"), "步骤 P1.1 字段 statutory：应为 true 或 false"),
        (lambda p, v: p["steps"][0].pop("deadline"), "步骤 P1.1 字段 deadline：缺少必填字段"),
        (lambda p, v: p["steps"][0].update(colour="red"), "步骤 P1.1 字段 colour：未知字段"),
        (lambda p, v: p["steps"][0].update(deadline="after(P1.1, 1)"), "期限引用（deadline）成环：P1.1 → P1.1"),
        (lambda p, v: (p["steps"][0].update(deadline="after(P2.1, 1)"), p["steps"][1].update(deadline="on(P1.1)")),
         "期限引用（deadline）成环：P1.1 → P2.1 → P1.2 → P1.1"),
    ],
)
def test_each_fault_is_named(tmp_path, edit, fragment):
    party, vc = copy.deepcopy(PARTY), copy.deepcopy(VC)
    edit(party, vc)
    errors = errors_of(tmp_path, party, vc)
    assert any(fragment in e for e in errors), errors


def test_error_is_a_user_error_listing_problems(tmp_path):
    party = copy.deepcopy(PARTY)
    party["steps"][0]["actor"] = "mayor"
    party["steps"][1]["gate"] = "county"
    with pytest.raises(CatalogueError) as info:
        load_catalogue(write(tmp_path, party), **KNOWN)
    err = info.value
    assert err.message == "步骤目录有 2 处错误"
    assert [p.message for p in err.problems] == err.errors
    assert "mayor" in str(err) and "county" in str(err)


def test_unreadable_yaml_is_reported_with_the_rest(tmp_path):
    paths = write(tmp_path)
    paths[1].write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError) as info:
        load_catalogue(paths, **KNOWN)
    assert any(e.startswith("vc.yaml：无法读取或解析") for e in info.value.errors)


def test_registries_default_to_the_project_modules_and_are_skipped_when_missing(tmp_path, monkeypatch):
    paths = write(tmp_path)
    fake = types.ModuleType("huanjie.steps.checks")
    fake.CHECKS = {"something_else": object()}
    monkeypatch.setitem(sys.modules, "huanjie.steps.checks", fake)
    known = {k: v for k, v in KNOWN.items() if k != "check_keys"}
    with pytest.raises(CatalogueError, match="未登记的检查项 c_ok"):
        load_catalogue(paths, **known)
    monkeypatch.setitem(sys.modules, "huanjie.steps.checks", None)  # not importable: not checked
    assert len(load_catalogue(paths, **known).steps()) == 5
