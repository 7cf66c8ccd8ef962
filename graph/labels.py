"""How a person reads an amount sum or a period: one wording for the tables, the pages and the CLI."""

from __future__ import annotations


def money_text(value: float | None, currency: str | None = "CNY") -> str:
    """2.5亿元-style figures; a missing sum says so instead of showing 0."""
    if value is None:
        return "—"
    unit = "元" if currency in (None, "CNY") else f" {currency}"
    if abs(value) >= 1e8:
        return f"{value / 1e8:,.4g}亿{unit}"
    if abs(value) >= 1e4:
        return f"{value / 1e4:,.6g}万{unit}"
    return f"{value:,.0f}{unit}"


def period_label(text: str | None, start: str | None, end: str | None) -> str:
    """The period resolved: ``上半年 (2022-01-01–06-30)``, never a bare 上半年 that hides its year.

    Text that names its own year (``2023年``, ``2023年1-5月``) is shown as written.
    """
    if start and end and start != end:
        span = f"{start}–{end[5:]}" if start[:4] == end[:4] else f"{start}–{end}"
    else:
        span = start or end or ""
    if not text:
        return span
    year = (start or end or "")[:4]
    if not span or (year and year in text):
        return text
    return f"{text} ({span})"
