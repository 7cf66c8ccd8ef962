"""The served pages: ``/`` (start page with a search box) and ``/viz`` (the network around an entity).

``/viz`` takes the filters of ``/api/entities/{key}/neighbors`` plus a
period range; its search box asks ``/api/entities?q=`` for suggestions.
Everything the page needs is inlined, so the browser asks this server for
nothing but the page and the searches.
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import get_store
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


@router.get("/viz", response_class=HTMLResponse, summary="关系网络页面 Network page")
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
    predicate: Annotated[list[str] | None, Query(description="只看这些关系 Only these predicates")] = None,
    type: Annotated[list[str] | None, Query(description="只看这些类型 Only these entity types")] = None,
    start: Annotated[
        str | None, Query(max_length=10, description="起 Period from (2023, 2023-06, 2023-06-30)")
    ] = None,
    end: Annotated[
        str | None, Query(max_length=10, description="止 Period to (2023, 2023-06, 2023-06-30)")
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"节点上限 Node cap, at most {MAX_LIMIT}")
    ] = DEFAULT_LIMIT,
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
        )
        page, _ = build_page(
            store,
            focus,
            mode="served",
            viz_path=str(request.url_for("viz_page").path),
            start_path=str(request.url_for("start_page").path),
        )
    except UnknownCenter as exc:
        links = [(f"/viz?{urlencode({'center': s, 'depth': depth})}", s) for s in exc.suggestions]
        return _message_page(404, "未找到 Not found", str(exc), links)
    except VizError as exc:
        return _message_page(400, "请求有误 Bad request", str(exc))
    return HTMLResponse(page)


@router.get("/", response_class=HTMLResponse, summary="首页 Start page")
def start_page(request: Request, store: Annotated[GraphStore, Depends(get_store)]) -> HTMLResponse:
    """A search box and the best connected entities, each leading into ``/viz``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("viz", "templates"), autoescape=select_autoescape(["html"]))
    hits = store.search_entities("", limit=START_SUGGESTIONS).items
    viz_path = str(request.url_for("viz_page").path)
    page = env.get_template("start.html").render(
        viz_path=viz_path,
        hits=hits,
        legend={e.type: e.label for e in legend()},
        links=[f"{viz_path}?{urlencode({'center': h.node.key, 'depth': DEFAULT_DEPTH})}" for h in hits],
    )
    return HTMLResponse(page)
