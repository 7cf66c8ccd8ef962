"""``/`` and ``/viz`` served by a real uvicorn over the real store, opened in headless Chromium."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from graph.store import GraphStore
from tests.viz.browser import PageLog, open_page, wait_stable
from tests.viz.test_page import embedded
from viz import Focus, select_subgraph
from viz.focus import resolve_center

pytestmark = pytest.mark.browser

CENTER = "凌智产业园"


def assert_only_own_origin(log: PageLog, origin: str) -> None:
    assert log.blocked == [], f"requests outside {origin}: {log.blocked}"
    assert all(u.startswith(origin) for u in log.allowed)
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)


def test_viz_page_served(chromium: Any, live_viz: Any, viz_store: GraphStore, artifacts: Any) -> None:
    expected = select_subgraph(viz_store, Focus(center=CENTER, depth=2))
    page, log = open_page(chromium, f"{live_viz.url}/viz?center={quote(CENTER)}&depth=2", live_viz.url)
    try:
        wait_stable(page)
        assert page.evaluate("network.body.data.nodes.length") == len(expected.nodes)
        assert page.evaluate("network.body.data.edges.length") == len(expected.edges)
        assert "区域 Zone" in page.inner_text("#kg-legend")
        assert page.input_value("#kg-search") == CENTER
        page.screenshot(path=str(artifacts / "viz-lingzhi-served.png"))
        assert log.allowed == [f"{live_viz.url}/viz?center={quote(CENTER)}&depth=2"], "one request: the page"

        # typing asks the API for entities beyond this page
        page.fill("#kg-search", "均胜")
        page.wait_for_function("document.querySelectorAll('#kg-suggestions option').length > 0")
        names = page.evaluate("[...document.querySelectorAll('#kg-suggestions option')].map(o => o.value)")
        assert "均胜电子" in names
        assert log.allowed[-1].startswith(f"{live_viz.url}/api/entities?q=")
        assert_only_own_origin(log, live_viz.url)
    finally:
        page.close()


def test_served_filters_match_the_api_parameters(live_viz: Any, viz_store: GraphStore) -> None:
    key = resolve_center(viz_store, CENTER).key
    url = f"{live_viz.url}/viz"
    params = {"key": key, "depth": "3", "type": "Project,Zone", "limit": "5"}
    r = httpx.get(url, params=params, timeout=30)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    expected = select_subgraph(viz_store, Focus(center=key, depth=3, types=["Project", "Zone"], limit=5))
    assert len(expected.nodes) <= 5
    served = {n["id"] for n in embedded(r.text, "KG_NODES")}
    assert served == {n.key for n in expected.nodes}
    assert {n.type for n in expected.nodes} <= {"Project", "Zone"}


@pytest.mark.parametrize(
    ("query", "status", "text"),
    [
        ({"center": "没有这个实体"}, 404, "no entity named"),
        ({"center": CENTER, "start": "2023/01"}, 400, "start must be a date like"),
        ({"center": CENTER, "type": "Person"}, 400, "unknown entity type"),
        ({"center": CENTER, "depth": "4"}, 422, "depth"),
        ({"center": CENTER, "limit": "2001"}, 422, "limit"),
    ],
)
def test_bad_requests_get_one_clear_message(
    live_viz: Any, query: dict[str, str], status: int, text: str
) -> None:
    r = httpx.get(f"{live_viz.url}/viz", params=query, timeout=30)
    assert r.status_code == status
    assert text in r.text
    assert "Traceback" not in r.text


def test_start_page_search_leads_into_the_network(
    chromium: Any, live_viz: Any, viz_store: GraphStore
) -> None:
    node = resolve_center(viz_store, CENTER)
    alias = node.aliases[0]
    expected = select_subgraph(viz_store, Focus(center=node.key, depth=2))
    page, log = open_page(chromium, f"{live_viz.url}/", live_viz.url)
    try:
        assert page.locator("#kg-top li a").count() > 0
        page.fill("#kg-search", "凌智")
        page.wait_for_function("document.querySelectorAll('#kg-suggestions option').length > 0")
        options = page.evaluate("[...document.querySelectorAll('#kg-suggestions option')].map(o => o.value)")
        assert CENTER in options
        assert any(u.startswith(f"{live_viz.url}/api/entities?q=") for u in log.allowed)

        page.fill("#kg-search", alias)
        page.press("#kg-search", "Enter")
        page.wait_for_url(f"{live_viz.url}/viz?**")
        wait_stable(page)
        assert page.evaluate("network.body.data.nodes.length") == len(expected.nodes)
        assert page.input_value("#kg-search") == CENTER

        # the served page's own search box goes back to the server with the filters
        page.fill("#kg-search", "专项债")
        page.press("#kg-search", "Enter")
        page.wait_for_url("**center=%E4%B8%93%E9%A1%B9%E5%80%BA**")
        wait_stable(page)
        assert page.input_value("#kg-search") == "专项债"
        assert_only_own_origin(log, live_viz.url)
    finally:
        page.close()
