"""Counts over the whole graph, and the liveness probe."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from graph.errors import StoreUnavailable

from ..breaker import Breaker
from ..schemas import HealthOut, StatsOut
from .calls import Calls, StoreCalls
from .render import json_answer

router = APIRouter(tags=["统计 Stats"])


@router.get("/api/stats", response_model=StatsOut, summary="统计 Counts per type and predicate")
async def stats(call: Calls) -> Response:
    return json_answer(StatsOut.build(await call(call.store.stats)))


@router.get(
    "/healthz",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "存储不可达 The store cannot be reached"}},
    summary="健康检查 Liveness and store reachability",
)
async def healthz(request: Request) -> Response:
    """200 once the store answers a cheap read; 503 with the reason when it cannot be reached.

    While the store is known to be down this answers at once from the breaker's state
    (:mod:`api.breaker`) instead of trying the store again.
    """
    calls: StoreCalls = request.app.state.store_calls
    breaker: Breaker = request.app.state.breaker
    reason = breaker.reason
    if reason is None:
        try:
            await calls(calls.store.documents, limit=1)
        except StoreUnavailable as exc:
            breaker.trip(str(exc))
            reason = str(exc)
    if reason is not None:
        down = HealthOut(status="unavailable", store=calls.store.location, reachable=False, detail=reason)
        return json_answer(down, status_code=503)
    return json_answer(HealthOut(status="ok", store=calls.store.location, reachable=True, detail=None))
