"""Funding facts and their totals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from graph.queries import FundingFilter, funding

from ..schemas import FundingOut
from .calls import Calls
from .params import IsoDate, Limit, MinConfidence, Offset
from .render import json_answer

router = APIRouter(prefix="/api", tags=["资金 Funding"])


@router.get("/funding", response_model=FundingOut, summary="资金来源 Which projects got which funding")
async def funding_facts(
    call: Calls,
    instrument: Annotated[
        str | None, Query(max_length=200, description="资金类型 Instrument, e.g. 专项债")
    ] = None,
    recipient: Annotated[
        str | None, Query(max_length=200, description="获得方 Recipient name or key")
    ] = None,
    agency: Annotated[str | None, Query(max_length=200, description="机构 Agency, e.g. 经发局")] = None,
    zone: Annotated[
        str | None, Query(max_length=200, description="区域 Zone; includes what lies inside it")
    ] = None,
    start: Annotated[IsoDate | None, Query(description="开始日期 Periods ending on/after this date")] = None,
    end: Annotated[IsoDate | None, Query(description="结束日期 Periods starting on/before this date")] = None,
    min_amount: Annotated[
        float | None, Query(ge=0, le=1e15, description="最低金额（元）Minimum known amount")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
    min_confidence: MinConfidence = None,
) -> Response:
    """One row per FUNDED_BY fact; `totals` per instrument and currency count a restated fact once."""
    flt = FundingFilter(
        instrument=instrument or None,
        recipient=recipient or None,
        agency=agency or None,
        zone=zone or None,
        start=start.isoformat() if start else None,
        end=end.isoformat() if end else None,
        min_amount=min_amount,
        min_confidence=min_confidence,
    )
    return json_answer(FundingOut.encode(await call(funding, call.store, flt, limit=limit, offset=offset)))
