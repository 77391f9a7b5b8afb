from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huanjie.steps.checks.people import Person, as_person, close_pairs, close_relation
from tests.checks.support import person

CLOSE = ["配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女",
         "妻子", "丈夫", "父亲", "母亲", "儿子", "女儿", "哥哥", "妹妹", "爷爷", "外婆", "孙女", "外孙"]
NOT_CLOSE = ["叔叔", "伯父", "侄子", "堂兄", "表妹", "岳父", "儿媳", "舅舅", "姨妈", "朋友"]


@pytest.mark.parametrize("relation", CLOSE)
def test_the_eight_categories_and_their_words_are_close(relation):
    a = as_person(person("甲", ("乙", relation)), "f")
    assert close_relation(a, Person("乙")) is not None


@pytest.mark.parametrize("relation", NOT_CLOSE)
def test_other_relations_are_not_close(relation):
    a = as_person(person("甲", ("乙", relation)), "f")
    assert close_relation(a, Person("乙")) is None


@given(st.sampled_from(CLOSE), st.booleans())
def test_close_relation_is_symmetric(relation, recorded_on_first):
    listed = as_person(person("甲", ("乙", relation)), "f")
    bare = Person("乙") if recorded_on_first else Person("甲")
    pair = (listed, bare) if recorded_on_first else (Person("乙"), listed)
    assert close_relation(*pair) == close_relation(*reversed(pair))


def test_ids_decide_identity_when_both_have_one():
    a = as_person({"name": "张伟", "id": "33010119800101001x"}, "f")
    assert a.same(Person("张伟", "33010119800101001X"))
    assert not a.same(Person("张伟", "330101198001010028"))
    assert a.same(Person("张伟"))


def test_close_pairs_finds_every_pair():
    group = [as_person(person("甲", ("乙", "配偶")), "f"), as_person(person("乙"), "f"),
             as_person(person("丙", ("甲", "儿子")), "f"), as_person(person("丁", ("甲", "侄子")), "f")]
    assert [(a.name, b.name, r) for a, b, r in close_pairs(group)] == [("甲", "乙", "配偶"), ("甲", "丙", "子女")]
