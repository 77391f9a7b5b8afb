"""Checks shared by both elections: the 十不选 review (P4.2, V4.2) and the archive (P6.3, V9.2)."""

from __future__ import annotations

from collections.abc import Iterator

from huanjie.steps.checks.lists import archive_items, negative_list
from huanjie.steps.checks.facts import add_years, as_bool, as_date, as_text, entries, names, nth, optional_day
from huanjie.steps.checks.registry import CheckContext, FactProblem, Issue, check

ELECTIONS = {"P": "party", "V": "vc"}


@check("negative_list_passed", title="资格联审（十不选）",
       fields={"reviews": "资格联审结果（每项：name 姓名、departments 参审部门、findings 查实情形"
                          "[item 十不选条目键、department 部门、date 发生日期]、township_approved 乡镇党委是否研究同意、"
                          "listed 是否列为人选）"},
       optional={"date": "联审日期"})
def negative_list_passed(ctx: CheckContext) -> Iterator[Issue]:
    field, checklist = "reviews", negative_list()
    source = f"{checklist.source}，版本 {checklist.version}"
    reviewed_on = optional_day(ctx, "date")
    for index, row in enumerate(entries(ctx, field)):
        who = as_text(row.get("name"), field, nth(index, "name"))
        if not names(row.get("departments") or [], field, nth(index, "departments")):
            yield field, f"{who} 的资格联审没有记录参审部门（联审结果须逐人、逐部门留存）"
        bars, doubts = [], []
        findings = row.get("findings") or []
        if not isinstance(findings, list):
            raise FactProblem(field, f"{who} 的 findings 须为列表")
        for number, finding in enumerate(findings):
            if not isinstance(finding, dict):
                raise FactProblem(field, f"{who} 的 findings 第 {number + 1} 项须为键值表（item、department、date）")
            item = checklist.find(finding.get("item", ""))
            if item is None:
                raise FactProblem(field, f"{who} 的查实情形“{finding.get('item')}”不是十不选清单的条目")
            when = finding.get("date")
            if item.lookback_years and when is not None and reviewed_on is not None:
                happened = as_date(when, field, f"{who} 的 findings 第 {number + 1} 项的 date")
                if happened < add_years(reviewed_on, -item.lookback_years):
                    continue  # older than the item's look-back period
            dept = finding.get("department")
            text = f"“{item.title}”" + (f"（{dept}查实）" if dept else "")
            (bars if item.severity == "不能" else doubts).append(text)
        if not as_bool(row.get("listed", True), field, nth(index, "listed")):
            continue
        if bars:
            yield field, f"{who} 存在{'、'.join(bars)}，属不能提名的情形，不得列为人选（{source}）"
        if doubts and not as_bool(row.get("township_approved", False), field, nth(index, "township_approved")):
            yield field, f"{who} 存在{'、'.join(doubts)}，属不宜提名的情形，须经乡镇党委研究同意方可列为人选（{source}）"


@check("archive_index_complete", title="归档目录",
       fields={"archived": "已归档材料（填文书编号如 D05，或材料名称如 选票）"},
       optional={"election": "归档所属选举（party 党组织 / vc 村委会），检查未带步骤时填写"})
def archive_index_complete(ctx: CheckContext) -> Iterator[Issue]:
    election = ELECTIONS.get((ctx.step or "")[:1]) or ctx.lookup("election", None)
    if election not in ("party", "vc"):
        raise FactProblem("election", "无法确定归档所属的选举，请填写 election（party 或 vc）")
    required = archive_items(election)
    filed = names(ctx.lookup("archived"), "archived")
    missing = [f"{item.short}（{item.key}）" for item in required.items
               if not any(item.matches(text) for text in filed)]
    if missing:
        yield "archived", f"归档目录缺少 {len(missing)} 项：{'、'.join(missing)}（{required.source}）"


@check("reviews_cover_candidates", title="资格联审覆盖每名人选、每个联审单位",
       fields={"reviews": "资格联审结果"},
       optional={"party_candidates": "初步人选"})
def reviews_cover_candidates(ctx: CheckContext) -> Iterator[Issue]:
    import yaml

    from huanjie.steps.checks.lists import DATA_DIR

    data = yaml.safe_load((DATA_DIR / "joint_review.yaml").read_text(encoding="utf-8"))
    required = list(data["departments"])
    rows = entries(ctx, "reviews")
    reviewed = {as_text(r.get("name"), "reviews", nth(i, "name")): r for i, r in enumerate(rows)}
    if ctx.step == "P4.2":
        for i, c in enumerate(entries(ctx, "party_candidates") if ctx.lookup("party_candidates", None) else []):
            name = as_text(c.get("name"), "party_candidates", nth(i, "name"))
            if name not in reviewed:
                yield "reviews", f"初步人选 {name} 没有资格联审结果（每名人选都须经联审，{data['source']}）"
    for name, row in reviewed.items():
        have = set(names(row.get("departments") or [], "reviews", name))
        missing = [d for d in required if d not in have]
        if missing:
            yield "reviews", f"{name} 尚缺 {'、'.join(missing)} 的联审意见（{data['source']}）"
