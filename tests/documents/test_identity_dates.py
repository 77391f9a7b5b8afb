"""身份证号 checks and masking; dates and numbers in Chinese."""

import datetime as dt

from stdnum.cn import ric

from huanjie.demo.cast import id_number
from huanjie.documents.chinese_dates import chinese_count, chinese_date, numeric_date
from huanjie.documents.identity import birth_and_sex, id_problem, mask_id

TODAY = dt.date(2026, 9, 1)


def test_valid_numbers_pass_including_old_villagers_with_newer_area_codes():
    assert id_problem("11010519491231002X", TODAY, field="id") is None
    # 330102 (杭州市上城区) dates from 1983; a villager born in 1950 holds it all the same
    assert id_problem(id_number("330102", dt.date(1950, 3, 1), 11), TODAY, field="id") is None


def test_bad_numbers_are_named_with_the_rule():
    def message(number):
        return id_problem(number, TODAY, field="id", who="张三").message

    assert "校验码" in message("110105194912310021") and "GB 11643" in message("110105194912310021")
    assert "18 位" in message("1101051949123100")
    assert "地址码" in message(id_number("990102", dt.date(1970, 1, 1), 3))
    body = "11010519700231003"  # 31 February
    assert "不存在" in message(body + ric.calc_check_digit(body + "0"))
    future = id_number("110105", dt.date(2027, 1, 1), 3)
    assert "晚于 2026-09-01" in message(future) and "张三" in message(future)


def test_masking_and_what_a_number_encodes():
    assert mask_id("110105194912310021") == "110105********0021"
    assert mask_id("号码 11010519491231002X，") == "号码 110105********002X，"
    assert birth_and_sex("11010519491231002X") == (dt.date(1949, 12, 31), "女")


def test_chinese_dates_and_numbers():
    assert chinese_date("2026-09-22") == "二〇二六年九月二十二日"
    assert chinese_date(dt.date(2026, 10, 10)) == "二〇二六年十月十日"
    assert numeric_date("2026-09-05") == "2026年9月5日"
    assert [chinese_count(n) for n in (5, 10, 12, 20, 105, 400)] == ["五", "十", "十二", "二十", "一百零五", "四百"]
