"""Period parser: explicit and relative time words resolved against the report's year."""

from __future__ import annotations

import pytest

from extract.periods import find_periods, resolve_period

CASES = [
    # text, report year, start, end
    ("2023年上半年", None, "2023-01-01", "2023-06-30"),
    ("2022年下半年", None, "2022-07-01", "2022-12-31"),
    ("2022年1-5月", None, "2022-01-01", "2022-05-31"),
    ("2024年1-2月", None, "2024-01-01", "2024-02-29"),
    ("1-6月", 2023, "2023-01-01", "2023-06-30"),
    ("上半年", 2023, "2023-01-01", "2023-06-30"),
    ("今年", 2022, "2022-01-01", "2022-12-31"),
    ("去年", 2022, "2021-01-01", "2021-12-31"),
    ("年底", 2023, "2023-12-01", "2023-12-31"),
    ("去年底", 2022, "2021-12-01", "2021-12-31"),
    ("二季度", 2022, "2022-04-01", "2022-06-30"),
    ("一季度", 2023, "2023-01-01", "2023-03-31"),
    ("前三季度", 2023, "2023-01-01", "2023-09-30"),
    ("截至6月底", 2023, "2023-01-01", "2023-06-30"),
    ("2021年度", None, "2021-01-01", "2021-12-31"),
    ("2023年", None, "2023-01-01", "2023-12-31"),
    ("2022年1-4月", None, "2022-01-01", "2022-04-30"),
    ("6月16日", 2022, "2022-06-16", "2022-06-16"),
    ("7月", 2023, "2023-07-01", "2023-07-31"),
    ("2020-2022年", None, "2020-01-01", "2022-12-31"),
]


@pytest.mark.parametrize(("text", "year", "start", "end"), CASES)
def test_period_resolved(text: str, year: int | None, start: str, end: str) -> None:
    period = resolve_period(text, year)
    assert period is not None, text
    assert (period.start, period.end) == (start, end)
    assert period.text == text


@pytest.mark.parametrize("text", ["今年", "上半年", "1-6月", "年底"])
def test_relative_periods_need_a_year(text: str) -> None:
    period = resolve_period(text, None)
    assert period is None or (period.start is None and period.end is None)


@pytest.mark.parametrize("text", ["*年度", "截至*月", "到底", "13月", "1.5万字"])
def test_no_period(text: str) -> None:
    assert [p for _, p in find_periods(text, 2023) if p.start] == []


def test_batch_after_year_keeps_the_year() -> None:
    """``2023年第二批专项债``: the convention is the full year."""
    found = list(find_periods("申报2023年第二批专项债", 2023))
    assert [(p.text, p.start, p.end) for _, p in found] == [("2023年", "2023-01-01", "2023-12-31")]
