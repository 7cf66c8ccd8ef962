"""Counts over the whole graph, and the liveness probe."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from graph.store import GraphStore

from ..deps import get_store
from ..schemas import HealthOut, StatsOut
from .render import json_answer

router = APIRouter(tags=["统计 Stats"])


@router.get("/api/stats", response_model=StatsOut, summary="统计 Counts per type and predicate")
def stats(store: Annotated[GraphStore, Depends(get_store)]) -> Response:
    return json_answer(StatsOut.build(store.stats()))


@router.get("/healthz", response_model=HealthOut, summary="健康检查 Liveness and store reachability")
def healthz(store: Annotated[GraphStore, Depends(get_store)]) -> Response:
    """Answers 200 once the store answers a cheap read; 503 (with the reason) when it cannot be reached."""
    store.documents(limit=1)
    return json_answer(HealthOut(status="ok", store=store.location))
