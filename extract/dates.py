"""Dates and report periods as work reports write them, resolved to ISO ``YYYY-MM-DD``.

These helpers serve the report's own header (its date, and the period its
title or opening sentence says it covers: ``2023年上半年``, ``2022年1-5月``,
``2022年工作总结``, ``2023年度``).  Finding them is specific to a report's
header; resolving them to dates is shared with the engine's sentence periods
(``extract/periods.py``), so a year-less ``上半年`` means the same in both.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from .model import Period
from .periods import resolve_period

_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-./])\s*(?P<m>\d{1,2})\s*(?:月|[-./])\s*(?P<d>\d{1,2})(?!\d)\s*日?"
)

_MONTH = r"(?:1[0-2]|0?[1-9])"


def _year(group: str) -> str:
    """An optional ``2023年`` prefix captured under ``group`` (each alternative needs its own name)."""
    return rf"(?:(?P<{group}>(?:19|20)\d{{2}})\s*年)?"


_PERIOD = re.compile(
    "|".join(
        (
            rf"(?P<range>{_year('y1')}(?P<m1>{_MONTH})\s*[-—–~～至到]\s*(?P<m2>{_MONTH})\s*月份?)",
            rf"(?P<half>{_year('y2')}(?P<h>上|下)半年)",
            rf"(?P<q3>{_year('y3')}前三季度)",
            rf"(?P<quarter>{_year('y4')}第?(?P<q>[一二三四1-4])季度)",
            r"(?P<fullyear>(?P<y5>(?:19|20)\d{2})\s*(?:年度|年全年|年(?=\s*(?:工作)?(?:总结|报告|要点|计划|预算|决算|执行|财政))))",
            rf"(?P<month>(?P<y6>(?:19|20)\d{{2}})\s*年\s*(?P<m>{_MONTH})\s*月份?(?![\d底初末中日]))",
        )
    )
)

_YEAR_WORD = re.compile(r"((?:19|20)\d{2})\s*年")


def iso_date(year: int, month: int, day: int) -> str | None:
    """``YYYY-MM-DD``, or None when the day does not exist."""
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first calendar date in ``text`` (``2023-11-08``, ``2022-7-4``, ``2023年7月10日``) as ISO."""
    for match in _DATE.finditer(text):
        found = iso_date(int(match["y"]), int(match["m"]), int(match["d"]))
        if found:
            return found
    return None


def find_period(text: str, year: int | None) -> Period | None:
    """The first report-period expression in ``text``, resolved with its own year or ``year``.

    Returns a Period with ``start``/``end`` None when the expression has no
    year and none is known, so callers can resolve it once the year is found.
    """
    for match in _PERIOD.finditer(text):
        period = _resolve(match.group(0).strip(), year)
        if period is not None:
            return period
    return None


def _resolve(text: str, year: int | None) -> Period | None:
    # Finding differs (only what a title or opening says the report covers); resolving is shared
    # with the engine's sentence periods, so both agree on what 上半年 or 1-5月 means.
    core = text.replace("全年", "").replace(" ", "")
    found = resolve_period(core, year)
    if found is None:
        return None
    return Period(text, found.start, found.end)


def resolve_with_year(period: Period, year: int) -> Period:
    """Resolve a year-less period found earlier (``上半年``) once the report year is known."""
    if period.start is not None:
        return period
    found = find_period(period.text, year)
    return found if found is not None and found.start is not None else period


def explicit_years(text: str) -> Counter[int]:
    """How often each ``20xx年`` is written in ``text``."""
    return Counter(int(m.group(1)) for m in _YEAR_WORD.finditer(text))
