"""Company–policy links, from either end."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from graph.queries import company_policies, policy_companies

from ..schemas import ErrorOut, ListOf, PolicyLinkOut
from .calls import Calls
from .params import Limit, MinConfidence, Offset
from .render import json_answer

router = APIRouter(prefix="/api", tags=["企业与政策 Companies and policies"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "未找到 Unknown key, or an entity of another type"}
}


@router.get(
    "/companies/{key:path}/policies",
    response_model=ListOf[PolicyLinkOut],
    responses=NOT_FOUND,
    summary="企业关联政策 Policies a company is linked to",
)
async def policies_of_company(
    call: Calls,
    key: Annotated[str, Path(description="企业或项目键 Company (or project) key")],
    limit: Limit = 100,
    offset: Offset = 0,
    min_confidence: MinConfidence = None,
) -> Response:
    """Lists, titles and programmes the company 入选/申报/获评, with period and evidence."""
    links = await call(company_policies, call.store, key, min_confidence)
    return json_answer(
        ListOf[PolicyLinkOut](
            items=[PolicyLinkOut.build(x) for x in links[offset : offset + limit]], total=len(links)
        )
    )


@router.get(
    "/policies/{key:path}/companies",
    response_model=ListOf[PolicyLinkOut],
    responses=NOT_FOUND,
    summary="政策关联企业 Companies linked to a policy",
)
async def companies_of_policy(
    call: Calls,
    key: Annotated[str, Path(description="政策键 Policy key")],
    limit: Limit = 100,
    offset: Offset = 0,
    min_confidence: MinConfidence = None,
) -> Response:
    """Companies and projects linked to the policy, with action, period and evidence."""
    links = await call(policy_companies, call.store, key, min_confidence)
    return json_answer(
        ListOf[PolicyLinkOut](
            items=[PolicyLinkOut.build(x) for x in links[offset : offset + limit]], total=len(links)
        )
    )
