"""姓氏笔画: stroke count of the first character, then its stroke order, then the next characters."""

import pytest

from huanjie.documents.strokes import by_strokes, stroke_key, stroke_order, stroke_table
from huanjie.errors import InvalidInput


def test_the_example_order():
    names = ["张三", "欧阳娜娜", "李四", "丁一", "王小明"]
    assert stroke_order(names).ordered == ("丁一", "王小明", "李四", "张三", "欧阳娜娜")


def test_same_count_is_decided_by_the_stroke_order():
    # 李 and 张 both have 7 strokes: 李 begins 横 (1234521), 张 begins 折 (5153154)
    assert stroke_table()["李"] == "1234521" and stroke_table()["张"] == "5153154"
    assert stroke_order(["张伟", "李伟"]).ordered == ("李伟", "张伟")
    # same first character: the second one decides; a shorter name goes first on a tie
    assert stroke_order(["王明华", "王小明", "王明"]).ordered == ("王小明", "王明", "王明华")


def test_an_unknown_character_goes_to_manual_ordering_never_placed():
    order = stroke_order(["王明", "𠀀明", "<script>"])
    assert order.ordered == ("王明",) and set(order.manual) == {"𠀀明", "<script>"}
    assert stroke_key("𠀀明") is None
    with pytest.raises(InvalidInput) as exc:
        by_strokes(["王明", "𠀀明"], field="P5.1.party_candidates")
    assert "𠀀" in exc.value.problems[0].message and "人工" in exc.value.problems[0].message
    assert by_strokes(["王明", "𠀀明"], manual_order=["𠀀明", "王明"], field="x") == ["𠀀明", "王明"]
    with pytest.raises(InvalidInput, match="不一致"):
        by_strokes(["王明", "𠀀明"], manual_order=["王明"], field="x")


def test_the_table_records_its_source_and_licence():
    from huanjie.documents.strokes import TABLE

    head = TABLE.read_text(encoding="utf-8").split("\n", 20)
    assert any("Licence" in line and "MIT" in line for line in head)
    assert any("Source" in line for line in head)
    assert len(stroke_table()) > 6900
    assert all(set(seq) <= set("12345") for seq in stroke_table().values())
