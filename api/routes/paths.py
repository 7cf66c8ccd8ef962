"""Shortest connections between two entities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graph.model import GraphPath
from graph.queries import paths as paths_between
from graph.queries import resolve_entity
from graph.store import GraphStore

from ..schemas import ErrorOut, ListOf, PathOut
from .calls import Calls
from .params import MinConfidence
from .render import json_answer

router = APIRouter(prefix="/api", tags=["路径 Paths"])

Endpoint = Annotated[
    str, Query(min_length=1, max_length=200, description="实体键或名称 Entity key or exact name")
]


@router.get(
    "/paths",
    response_model=ListOf[PathOut],
    responses={404: {"model": ErrorOut, "description": "未找到 Unknown source or target"}},
    summary="关联路径 How two entities connect",
)
async def paths(
    call: Calls,
    source: Endpoint,
    target: Endpoint,
    max_hops: Annotated[int, Query(ge=1, le=6, description="最多跳数 Longest path considered, 1 to 6")] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="最多路径数 At most this many paths")] = 10,
    min_confidence: MinConfidence = None,
) -> Response:
    """Shortest paths between `source` and `target`, ignoring direction; empty when none within `max_hops`.

    With `min_confidence`, only the paths whose every step is that sure (or confirmed).
    """
    found = await call(_paths, call.store, source, target, max_hops, limit, min_confidence)
    return json_answer(ListOf[PathOut](items=[PathOut.build(p) for p in found], total=len(found)))


def _paths(
    store: GraphStore, source: str, target: str, max_hops: int, limit: int, min_confidence: float | None
) -> list[GraphPath]:
    a = resolve_entity(store, source).node
    b = resolve_entity(store, target).node
    return paths_between(store, a.key, b.key, max_hops=max_hops, limit=limit, min_confidence=min_confidence)
