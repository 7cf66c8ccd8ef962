"""Entity search, one entity in full, and the subgraph around it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from extract.model import EntityType, Predicate
from graph.fixing import confirmed
from graph.queries import entity_detail
from graph.queries import neighbors as neighbors_of
from graph.queries import search as search_entities

from ..schemas import TYPES_DOC, EntityDetailOut, EntityOut, ErrorOut, ListOf, SubgraphOut
from .calls import Calls
from .params import Limit, MinConfidence, Offset
from .render import json_answer

router = APIRouter(prefix="/api/entities", tags=["实体 Entities"])

Key = Annotated[str, Path(description="实体键 Stable entity key (URL-encoded), e.g. Project:凌智产业园")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "未找到 No entity with this key"}
}


@router.get("", response_model=ListOf[EntityOut], summary="搜索实体 Search entities")
async def search(
    call: Calls,
    q: Annotated[
        str,
        Query(max_length=200, description="名称或别名的子串 Substring of a name or alias (全/半角 folded)"),
    ] = "",
    type: Annotated[EntityType | None, Query(description=f"类型 Entity type: {TYPES_DOC}")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    min_confidence: MinConfidence = None,
) -> Response:
    """Entities whose name or alias contains `q`, best matches first."""
    page = await call(search_entities, call.store, q, type, limit, offset, min_confidence)
    return json_answer({"items": [EntityOut.encode_hit(h) for h in page.items], "total": page.total})


@router.get(
    "/{key:path}/neighbors",
    response_model=SubgraphOut,
    responses=NOT_FOUND,
    summary="邻居子图 Subgraph around an entity",
)
async def neighbors(
    call: Calls,
    key: Key,
    depth: Annotated[int, Query(ge=1, le=3, description="跳数 Hops from the entity, 1 to 3")] = 1,
    predicate: Annotated[
        list[Predicate] | None, Query(description="只看这些关系 Only these predicates")
    ] = None,
    type: Annotated[
        list[EntityType] | None, Query(description="只看这些类型 Only these entity types")
    ] = None,
    limit: Limit = 300,
    min_confidence: MinConfidence = None,
) -> Response:
    """Nodes within `depth` hops (nearest first, at most `limit`) and the facts joining them.

    With `min_confidence`, the nodes and facts reached that are less sure are left out (the entity
    asked about stays).
    """
    sub = await call(neighbors_of, call.store, key, depth, predicate, type, limit, min_confidence)
    return json_answer(SubgraphOut.encode(sub))


@router.get("/{key:path}", response_model=EntityDetailOut, responses=NOT_FOUND, summary="实体详情 One entity")
async def detail(call: Calls, key: Key, min_confidence: MinConfidence = None) -> Response:
    """Aliases, mentions per report and relations grouped by predicate (`min_confidence`: sure ones only)."""
    found = await call(entity_detail, call.store, key, min_confidence)
    done = await call(confirmed, call.store)
    return json_answer(EntityDetailOut.from_detail(found, confirmed=done.entity(found.node.key)))
