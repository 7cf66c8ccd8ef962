"""Query parameters shared by several routes, declared once so limits and docs stay the same everywhere."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_LIMIT = 1000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"每页条数 Page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="偏移 Number of items to skip")]
