"""Query parameters shared by several routes, declared once so limits and docs stay the same everywhere."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator

MAX_LIMIT = 1000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"每页条数 Page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="偏移 Number of items to skip")]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date_text(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic would also take ``0`` as a Unix time, which the schema does not allow."""
    if isinstance(value, str) and not _ISO_DATE.fullmatch(value):
        raise ValueError("expected a date like 2023-06-30")
    return value


#: The lowest confidence to show (0–1); what a person confirmed always shows.
MinConfidence = Annotated[
    float | None,
    Query(
        ge=0,
        le=1,
        description="最低置信度 Minimum confidence 0-1: leave out entities and facts the extractor is "
        "less sure of (and facts with such an end); confirmed ones count as 1.0",
    ),
]

#: A calendar date in a query, written ``YYYY-MM-DD`` (schema: string, format date).
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]
