"""Amount parser: value and currency, masked figures, approximate words, look-alikes that are not money."""

from __future__ import annotations

import pytest

from extract.amounts import find_amounts, parse_amount

CASES = [
    # text, value, currency, masked, approx
    ("2.5亿元", 250_000_000, "CNY", False, False),
    ("5100万美元", 51_000_000, "USD", False, False),
    ("76.5万元", 765_000, "CNY", False, False),
    ("900万元", 9_000_000, "CNY", False, False),
    ("288.08万元", 2_880_800, "CNY", False, False),
    ("42亿元", 4_200_000_000, "CNY", False, False),
    ("近1亿元", 100_000_000, "CNY", False, True),
    ("约198亿元", 19_800_000_000, "CNY", False, True),
    ("超60亿元", 6_000_000_000, "CNY", False, True),
    ("2000多万元", 20_000_000, "CNY", False, True),
    ("1000余万元", 10_000_000, "CNY", False, True),
    ("*亿元", None, "CNY", True, False),
    ("X万元", None, "CNY", True, False),
    ("*万元", None, "CNY", True, False),
    ("*万", None, "CNY", True, False),
    ("约*亿元", None, "CNY", True, True),
]


@pytest.mark.parametrize(("text", "value", "currency", "masked", "approx"), CASES)
def test_amount_parsed(text: str, value: float | None, currency: str, masked: bool, approx: bool) -> None:
    amount = parse_amount(text)
    assert amount is not None, text
    assert amount.value == value
    assert amount.currency == currency
    assert amount.masked is masked
    assert amount.approx is approx
    assert amount.text == text


NOT_MONEY = [
    "万元工业增加值能耗0.19吨/万元",
    "亩均税收为166.6万元/亩",
    "单位能耗增加值为5.94万元/吨标煤",
    "全员劳动生产率为38.3万元/人",
    "形成1.5万字综合评估报告",
    "0.19吨/万元",
    "同比增长6.8%",
    "短信发布2.4万余条",
    "拆除厂房11.2万平方米",
]


@pytest.mark.parametrize("text", NOT_MONEY)
def test_look_alikes_are_not_money(text: str) -> None:
    assert list(find_amounts(text)) == []


def test_amounts_in_a_sentence_keep_their_spans() -> None:
    text = "计划总投资*亿元，年度专项债资金需求*亿元，成功申报2.5亿元资金额度"
    found = list(find_amounts(text))
    assert [a.text for _, a in found] == ["*亿元", "*亿元", "2.5亿元"]
    for (s, e), a in found:
        assert text[s:e] == a.text
    assert [a.value for _, a in found] == [None, None, 250_000_000]


def test_masked_amounts_are_never_summed_or_guessed() -> None:
    found = [a for _, a in find_amounts("罚款*万，处罚总金额*万元，案均值*万元")]
    assert len(found) == 3
    assert all(a.masked and a.value is None for a in found)
