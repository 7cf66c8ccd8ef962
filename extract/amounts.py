"""Money amounts as written in the reports: value, currency, masked, approximate.

Published reports mask figures (``*亿元``, ``X万元``): those stay masked with a
``None`` value and are never guessed or summed.  Figures that look like money
but are ratios or other units (``166.6万元/亩``, ``万元工业增加值能耗``,
``1.5万字``, ``0.19吨/万元``) are not money.

>>> parse_amount("2.5亿元")
Amount(text='2.5亿元', value=250000000.0, currency='CNY', masked=False, approx=False)
>>> parse_amount("*万元").masked
True
>>> parse_amount("166.6万元/亩") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from extract.model import Amount, Span

_UNITS = {
    "": 1,
    "千": 1_000,
    "万": 10_000,
    "百万": 1_000_000,
    "千万": 10_000_000,
    "亿": 100_000_000,
    "万亿": 10**12,
}
_CURRENCIES = {
    "元": "CNY",
    "人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "港元": "HKD",
    "港币": "HKD",
    "日元": "JPY",
}

_AMOUNT = re.compile(
    r"(?P<pre>近|约|超过|超|逾|大约|将近|接近)?"
    r"(?P<num>\d+(?:\.\d+)?|[*＊]+|[XＸx]{1,2}(?![A-Za-z]))"
    r"(?P<post>余|多)?"
    r"(?P<unit>万亿|千万|百万|亿|万|千)?"
    r"(?P<post2>余|多)?"
    r"(?P<cur>美元|欧元|港元|港币|日元|人民币|元)"
    r"|(?P<mpre>近|约|超)?(?P<mnum>[*＊]+|[XＸ]{1,2})(?P<munit>万亿|亿|万)(?![\u4e00-\u9fff])"
)
#: What may not follow an amount for it to be money: a per-unit ratio or a unit of something else.
_NOT_MONEY_AFTER = re.compile(r"\s*(?:/|每|工业增加值|增加值|产值能耗|能耗)")


def _value(num: str, unit: str) -> float | None:
    if not num[0].isdigit():
        return None
    # in decimal, so 1.1亿元 is 110000000 and not 110000000.00000001
    return float(Decimal(num) * _UNITS[unit])


def find_amounts(text: str) -> Iterator[tuple[Span, Amount]]:
    """Every money amount in ``text`` with its span, look-alikes left out."""
    for m in _AMOUNT.finditer(text):
        if _NOT_MONEY_AFTER.match(text, m.end()):
            continue
        if m.start() > 0 and text[m.start() - 1] in "/每" and not m.group("pre"):
            continue
        if m.group("num") is not None:
            num, unit = m.group("num"), m.group("unit") or ""
            value = _value(num, unit)
            currency = _CURRENCIES[m.group("cur")]
            approx = bool(m.group("pre") or m.group("post") or m.group("post2"))
        else:
            num, unit = m.group("mnum"), m.group("munit")
            value, currency, approx = None, "CNY", bool(m.group("mpre"))
        if value is not None and value == int(value):
            value = float(int(value))
        yield (
            (m.start(), m.end()),
            Amount(text=m.group(0), value=value, currency=currency, masked=value is None, approx=approx),
        )


def parse_amount(text: str) -> Amount | None:
    """The amount when ``text`` is exactly one money amount, else ``None``."""
    for (start, end), amount in find_amounts(text):
        if start == 0 and end == len(text):
            return amount
    return None
