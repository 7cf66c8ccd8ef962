"""Time expressions resolved to ISO start/end dates against the report's year.

Reports say ``2023年上半年``, ``2022年1-5月``, ``二季度``, ``截至6月底``,
``今年``, ``年底``, ``2021年度``.  Relative words need the year the report is
about (``ReportMeta.year``); without one they stay unresolved (``None`` dates).

>>> resolve_period("2022年1-5月", None)
Period(text='2022年1-5月', start='2022-01-01', end='2022-05-31')
>>> resolve_period("上半年", 2023)
Period(text='上半年', start='2023-01-01', end='2023-06-30')
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator

from extract.model import Period, Span

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4, "首": 1}

_YEAR = r"(?P<year>(?:19|20)\d{2}|今|去|明|上|本)年(?P<du>度)?"
_PART = (
    r"(?P<half>上半年|下半年)"
    r"|(?P<first3>前三季度)"
    r"|第?(?P<q>[一二三四1-4])季度"
    r"|(?P<m1>\d{1,2})\s*[-—–~至到]\s*(?P<m2>\d{1,2})月(?:份)?(?:底|末)?"
    r"|(?P<month>\d{1,2})月(?:份)?(?P<mend>底|末)?(?:(?P<day>\d{1,2})[日号])?"
    r"|(?P<yend>年底|年末|底)"
    r"|(?P<ystart>年初)"
    r"|(?P<within>年内|全年)"
)
_PERIOD = re.compile(
    r"(?P<y1>(?:19|20)\d{2})\s*[-—–~至到]\s*(?P<y2>(?:19|20)\d{2})年(?:度)?"
    r"|(?P<until>截至|截止到?|到)?"
    rf"(?:{_YEAR})?(?:{_PART})?"
    r"(?P<since>以来)?"
)


def _iso(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _month_end(year: int, month: int) -> str:
    return _iso(year, month, calendar.monthrange(year, month)[1])


def _year_of(word: str | None, anchor: int | None) -> int | None:
    if word is None:
        return anchor
    if word.isdigit():
        return int(word)
    if anchor is None:
        return None
    return {"今": anchor, "本": anchor, "去": anchor - 1, "上": anchor - 1, "明": anchor + 1}[word]


def _resolve(m: re.Match[str], anchor: int | None) -> Period | None:
    text = m.group(0)
    if m.group("y1"):
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        return Period(text, _iso(y1, 1, 1), _iso(y2, 12, 31)) if y1 <= y2 else None
    year = _year_of(m.group("year"), anchor)
    if year is None or not 1900 <= year <= 2100:
        return Period(text, None, None)
    if m.group("half"):
        if m.group("half") == "上半年":
            return Period(text, _iso(year, 1, 1), _iso(year, 6, 30))
        return Period(text, _iso(year, 7, 1), _iso(year, 12, 31))
    if m.group("first3"):
        return Period(text, _iso(year, 1, 1), _iso(year, 9, 30))
    if m.group("q"):
        q = _CN_DIGITS[m.group("q")]
        return Period(text, _iso(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if m.group("m1"):
        m1, m2 = int(m.group("m1")), int(m.group("m2"))
        if not 1 <= m1 <= m2 <= 12:
            return None
        return Period(text, _iso(year, m1, 1), _month_end(year, m2))
    if m.group("month"):
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            return None
        if m.group("until") or m.group("mend"):
            start = _iso(year, 1, 1) if m.group("until") else _iso(year, month, 1)
            return Period(text, start, _month_end(year, month))
        if m.group("day"):
            day = int(m.group("day"))
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                return None
            return Period(text, _iso(year, month, day), _iso(year, month, day))
        return Period(text, _iso(year, month, 1), _month_end(year, month))
    if m.group("yend"):
        if m.group("year") is None and m.group("yend") == "底":
            return None
        return Period(text, _iso(year, 12, 1), _iso(year, 12, 31))
    if m.group("ystart"):
        return Period(text, _iso(year, 1, 1), _iso(year, 3, 31))
    if m.group("within"):  # 年内签约, 全年完成: a plan or a result for the whole year
        return Period(text, _iso(year, 1, 1), _iso(year, 12, 31))
    if m.group("year") is None:
        return None
    return Period(text, _iso(year, 1, 1), _iso(year, 12, 31))


def find_periods(text: str, year: int | None) -> Iterator[tuple[Span, Period]]:
    """Every time expression in ``text`` with its span, resolved against ``year``."""
    for m in _PERIOD.finditer(text):
        if not m.group(0) or m.group(0) in {"到", "截至", "截止"}:
            continue
        word = m.group("year")
        if word and word.isdigit() and m.start("year") > 0 and text[m.start("year") - 1].isdigit():
            continue
        if (
            m.group("month")
            and not m.group("until")
            and m.start("month") > 0
            and text[m.start("month") - 1] in "-—–~至到"
        ):
            continue
        period = _resolve(m, year)
        if period is not None:
            yield (m.start(), m.end()), period


def resolve_period(text: str, year: int | None) -> Period | None:
    """The period when ``text`` is exactly one time expression, else ``None``."""
    for (start, end), period in find_periods(text, year):
        if start == 0 and end == len(text):
            return period
    return None
