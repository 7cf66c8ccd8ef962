"""The served pages: ``/`` (start page with a search box) and ``/viz`` (the network around an entity).

``/viz`` takes the filters of ``/api/entities/{key}/neighbors`` plus a
period range; its search box asks ``/api/entities?q=`` for suggestions.
Everything the page needs is inlined, so the browser asks this server for
nothing but the page and the searches.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import get_store
from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, PREDICATES
from graph.labels import money_text, period_label
from graph.queries import FundingFilter, FundingTotal, funding
from graph.store import GraphStore

from .errors import UnknownCenter, VizError
from .export import build_page
from .focus import DEFAULT_DEPTH, DEFAULT_LIMIT, MAX_DEPTH, MAX_LIMIT, Focus, split_values
from .style import legend

router = APIRouter(tags=["网络图 Network page"])

START_SUGGESTIONS = 24


def _message_page(
    status: int, title: str, message: str, links: list[tuple[str, str]] | None = None
) -> HTMLResponse:
    items = "".join(
        f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in links or []
    )
    body = (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        f'<h1>{html.escape(title)}</h1><p id="kg-error">{html.escape(message)}</p>'
        f"{'<ul>' + items + '</ul>' if items else ''}"
        '<p><a href="/">返回 Back to the start page</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status)


#: A bad parameter is answered in JSON like everywhere else (the app's 422 model would be filed as HTML).
JSON_422: dict[int | str, dict[str, Any]] = {
    422: {
        "description": "参数错误 Invalid parameters",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}},
    }
}
#: The message pages /viz answers with, declared so the schema lists every status it returns.
MESSAGE_PAGES: dict[int | str, dict[str, Any]] = {
    400: {"content": {"text/html": {}}, "description": "请求有误 Bad filter (a page saying which)"},
    404: {"content": {"text/html": {}}, "description": "未找到 No such centre (a page with near names)"},
    **JSON_422,
}


def _one_of(values: Iterable[str]) -> dict[str, Any]:
    """The schema of a repeated filter; the page also takes them comma-separated (``type=A,B``)."""
    return {"items": {"type": "string", "enum": list(values)}}


#: 2023, 2023-06 or 2023-06-30: documented for clients, checked by :class:`viz.focus.Focus`, whose
#: answer to a bad period is the page's own message (400) rather than a JSON 422.
PERIOD: dict[str, Any] = {"pattern": r"^(\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?)?$"}


def _page_can_write(request: Request) -> bool:
    """The page's correction buttons need writes the browser can make: ``--allow-writes`` without a token.

    (With ``KG_API_TOKEN`` set the page has no token to send, so it shows no buttons.)
    """
    policy = getattr(request.app.state, "write_policy", None)
    return bool(policy is not None and policy.allow_writes and not policy.token)


@router.get("/viz", response_class=HTMLResponse, responses=MESSAGE_PAGES, summary="关系网络页面 Network page")
def viz_page(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    center: Annotated[
        str | None, Query(max_length=200, description="中心实体 Centre: an entity key, name or alias")
    ] = None,
    key: Annotated[
        str | None, Query(max_length=200, description="同 center Same as center (an entity key)")
    ] = None,
    depth: Annotated[
        int, Query(ge=1, le=MAX_DEPTH, description="跳数 Hops from the centre, 1 to 3")
    ] = DEFAULT_DEPTH,
    predicate: Annotated[
        list[str] | None,
        Query(json_schema_extra=_one_of(PREDICATES), description="只看这些关系 Only these predicates"),
    ] = None,
    type: Annotated[
        list[str] | None,
        Query(json_schema_extra=_one_of(ENTITY_TYPES), description="只看这些类型 Only these entity types"),
    ] = None,
    start: Annotated[
        str | None,
        Query(max_length=10, json_schema_extra=PERIOD, description="起 From: 2023, 2023-06, 2023-06-30"),
    ] = None,
    end: Annotated[
        str | None,
        Query(max_length=10, json_schema_extra=PERIOD, description="止 To: 2023, 2023-06, 2023-06-30"),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"节点上限 Node cap, at most {MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
    min_confidence: Annotated[
        float,
        Query(
            ge=0,
            le=1,
            description="置信度 Confidence the page's filter starts at (0-1; it hides in the page)",
        ),
    ] = 0.0,
) -> HTMLResponse:
    """The interactive network; without a centre, the best connected part of the graph."""
    try:
        focus = Focus(
            center=key or center,
            depth=depth,
            types=split_values(type),
            predicates=split_values(predicate),
            start=start,
            end=end,
            limit=limit,
            min_confidence=min_confidence,
        )
        page, _ = build_page(
            store,
            focus,
            mode="served",
            writes=_page_can_write(request),
            viz_path=str(request.url_for("viz_page").path),
            start_path=str(request.url_for("start_page").path),
        )
    except UnknownCenter as exc:
        links = [(f"/viz?{urlencode({'center': s, 'depth': depth})}", s) for s in exc.suggestions]
        return _message_page(404, "未找到 Not found", str(exc), links)
    except VizError as exc:
        return _message_page(400, "请求有误 Bad request", str(exc))
    return HTMLResponse(page)


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html"]))


@router.get("/", response_class=HTMLResponse, responses=JSON_422, summary="首页 Start page")
def start_page(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> HTMLResponse:
    """What the store holds (reports, entities, facts, funding sums) and where to go from here."""
    hits = store.search_entities("", limit=START_SUGGESTIONS).items
    viz_path = str(request.url_for("viz_page").path)
    stats = store.stats()
    money = funding_sums(funding(store, limit=0).totals)
    page = (
        _env()
        .get_template("start.html")
        .render(
            viz_path=viz_path,
            review_path=str(request.url_for("review_page").path),
            hits=hits,
            legend={e.type: e.label for e in legend()},
            predicates=PREDICATE_LABELS_ZH,
            links=[f"{viz_path}?{urlencode({'center': h.node.key, 'depth': DEFAULT_DEPTH})}" for h in hits],
            stats=stats,
            money=money,
            funding_path=str(request.url_for("funding_table").path),
            documents_path=str(request.url_for("documents_table").path),
        )
    )
    return HTMLResponse(page)


@dataclass(slots=True)
class CurrencySum:
    """Known amounts summed for one currency (a shared amount once) and how many are masked."""

    currency: str
    known: str
    amounts: int
    masked: int


def funding_sums(totals: list[FundingTotal]) -> list[CurrencySum]:
    known: dict[str, float] = defaultdict(float)
    amounts: dict[str, int] = defaultdict(int)
    masked: dict[str, int] = defaultdict(int)
    for t in totals:
        cur = t.currency or "CNY"
        known[cur] += t.amount
        amounts[cur] += t.amounts
        masked[cur] += t.masked
    return [CurrencySum(c, money_text(known[c], c), amounts[c], masked[c]) for c in sorted(known)]


@router.get("/funding", response_class=HTMLResponse, responses=JSON_422, summary="资金表 Funding table page")
def funding_table(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    instrument: Annotated[str | None, Query(max_length=200, description="资金类型 Instrument")] = None,
) -> HTMLResponse:
    """Every FUNDED_BY fact as a table with its report, and the totals (a shared amount counted once)."""
    report = funding(store, FundingFilter(instrument=instrument or None), limit=1000)
    docs = {d.id: d.label for d in store.iter_documents()}
    rows = [
        [
            i.recipient.name,
            i.instrument.name,
            (i.fact.amount_text or "—") + (f" 共享 shared by {i.shared_by}" if i.shared else ""),
            period_label(i.fact.period_text, i.fact.period_start, i.fact.period_end),
            i.fact.agency or "",
            i.fact.evidence,
            docs.get(i.fact.document, i.fact.document),
        ]
        for i in report.items
    ]
    totals = [
        [
            t.instrument.name,
            t.currency or "—",
            money_text(t.amount, t.currency or "CNY"),
            str(t.amounts),
            str(t.masked),
        ]
        for t in report.totals
    ]
    page = (
        _env()
        .get_template("table.html")
        .render(
            title="资金 Funding",
            note=f"{report.total} 条 facts" + (f" · 资金 {instrument}" if instrument else ""),
            tables=[
                (
                    "",
                    [
                        "获得方 Recipient",
                        "资金 Instrument",
                        "金额 Amount",
                        "时间 Period",
                        "机构 Agency",
                        "证据 Evidence",
                        "报告 Report",
                    ],
                    rows,
                ),
                (
                    "合计 Totals (共享金额只计一次 a shared amount counted once)",
                    [
                        "资金 Instrument",
                        "币种 Currency",
                        "已知金额 Known sum",
                        "金额数 Amounts",
                        "打码 Masked",
                    ],
                    totals,
                ),
            ],
            start_path=str(request.url_for("start_page").path),
        )
    )
    return HTMLResponse(page)


@router.get("/documents", response_class=HTMLResponse, responses=JSON_422, summary="报告表 Documents page")
def documents_table(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> HTMLResponse:
    """The stored reports: id, file, title, issuer, date, period, entity and fact counts."""
    docs = sorted(store.iter_documents(), key=lambda d: (d.date or "", d.file, d.id))
    rows = [
        [d.id, d.file, d.title or "", d.issuer or "", d.date or "",
         period_label(d.period_text, d.period_start, d.period_end), str(d.entity_count), str(d.fact_count)]
        for d in docs
    ]  # fmt: skip
    page = (
        _env()
        .get_template("table.html")
        .render(
            title="报告 Documents",
            note=f"{len(docs)} 份 reports",
            tables=[
                (
                    "",
                    [
                        "编号 Id",
                        "文件 File",
                        "标题 Title",
                        "发布 Issuer",
                        "日期 Date",
                        "期间 Period",
                        "实体 Entities",
                        "事实 Facts",
                    ],
                    rows,
                )
            ],
            start_path=str(request.url_for("start_page").path),
        )
    )
    return HTMLResponse(page)


@router.get("/review", response_class=HTMLResponse, responses=JSON_422, summary="待审 Review queue page")
def review_page(
    request: Request,
    store: Annotated[GraphStore, Depends(get_store)],
    limit: Annotated[int, Query(ge=1, le=1000, description="条数 How many")] = 100,
) -> HTMLResponse:
    """The review queue of ``GET /api/corrections/review``, each entity leading into ``/viz`` to fix it."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    from graph.review import queue

    env = Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html"]))
    items = queue(store, limit)
    viz_path = str(request.url_for("viz_page").path)

    def link(key: str) -> str:
        return f"{viz_path}?{urlencode({'center': key, 'depth': 1})}"

    page = env.get_template("review.html").render(
        items=items,
        links=[link(i.key) for i in items],
        other_links=[link(i.other) if i.other else "" for i in items],
        legend={e.type: e.label for e in legend()},
        start_path=str(request.url_for("start_page").path),
    )
    return HTMLResponse(page)
