"""Counts over the whole graph, and the liveness probe."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ..schemas import HealthOut, StatsOut
from .calls import Calls
from .render import json_answer

router = APIRouter(tags=["统计 Stats"])


@router.get("/api/stats", response_model=StatsOut, summary="统计 Counts per type and predicate")
async def stats(call: Calls) -> Response:
    return json_answer(StatsOut.build(await call(call.store.stats)))


@router.get("/healthz", response_model=HealthOut, summary="健康检查 Liveness and store reachability")
async def healthz(call: Calls) -> Response:
    """Answers 200 once the store answers a cheap read; 503 (with the reason) when it cannot be reached."""
    await call(call.store.documents, limit=1)
    return json_answer(HealthOut(status="ok", store=call.store.location))
