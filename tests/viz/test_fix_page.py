"""The correction buttons of the served page, in headless Chromium: clicking Merge merges and redraws."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from api.app import create_app
from graph import fixing
from graph.queries import build
from graph.store import GraphStore, open_store
from tests.api.live import LiveServer
from tests.viz.browser import open_page, wait_stable
from tests.viz.test_browser_file import node_point

pytestmark = pytest.mark.browser


@pytest.fixture
def writable(tmp_path: Path, eval_dir: Path) -> Iterator[tuple[GraphStore, LiveServer]]:
    store = open_store(str(tmp_path / "kg-data"))
    build(store, [eval_dir / "docs" / "000_0207fd07f11f00dd.txt"])
    with LiveServer(create_app(store, api_token="", allow_writes=True)) as srv:
        yield store, srv
    store.close()


def test_clicking_merge_in_the_details_panel_merges_and_redraws(
    chromium: Any, writable: tuple[GraphStore, LiveServer], artifacts: Path
) -> None:
    store, srv = writable
    policies = sorted(
        (n for n in store.iter_nodes() if n.type == "Policy"), key=lambda n: (-store.degree(n.key), n.key)
    )
    a, b = policies[0], policies[1]
    page, log = open_page(chromium, f"{srv.url}/viz?center={quote(a.key)}&depth=1", srv.url)
    try:
        wait_stable(page)
        assert page.evaluate("KG_CONFIG.writes") is True
        page.mouse.click(*node_point(page, a.key))
        page.wait_for_selector("#kg-fix")
        assert [page.inner_text(f"#kg-fix-{op}") for op in ("merge", "retype", "reject", "confirm")] == [
            "合并 Merge",
            "改类型 Retype",
            "不是实体 Reject",
            "确认 Confirm",
        ]
        page.fill("#kg-merge-target", b.name)
        with page.expect_navigation():
            page.click("#kg-fix-merge")
        wait_stable(page)
        assert page.evaluate("KG_CONFIG.center") == b.key  # redrawn around the entity it now is
        merged = page.evaluate("k => network.body.data.nodes.get(k)", b.key)
        assert a.name in merged["aliases"]
        assert page.evaluate("k => network.body.data.nodes.get(k)", a.key) is None
        page.screenshot(path=str(artifacts / "viz-after-merge.png"))
        assert log.page_errors == [] and log.console_errors == [] and log.blocked == []
    finally:
        page.close()
    (entry,) = fixing.log(store)
    assert (entry.op, entry.key, entry.target) == ("merge", a.key, b.key)
    assert httpx.get(f"{srv.url}/api/entities/{quote(a.key, safe='')}").status_code == 404


def test_no_buttons_when_writes_need_a_token(chromium: Any, tmp_path: Path, eval_dir: Path) -> None:
    store = open_store(str(tmp_path / "kg-data"))
    build(store, [eval_dir / "docs" / "000_0207fd07f11f00dd.txt"])
    key = max(store.iter_nodes(), key=lambda n: store.degree(n.key)).key
    with LiveServer(create_app(store, api_token="secret-9")) as srv:
        page, _ = open_page(chromium, f"{srv.url}/viz?center={quote(key)}&depth=1", srv.url)
        try:
            wait_stable(page)
            assert page.evaluate("KG_CONFIG.writes") is False
            page.mouse.click(*node_point(page, key))
            page.wait_for_function("document.querySelector('#kg-details .kg-tip') !== null")
            assert page.query_selector("#kg-fix") is None
        finally:
            page.close()
    store.close()


def test_review_view_lists_the_queue(chromium: Any, writable: tuple[GraphStore, LiveServer]) -> None:
    from graph.review import queue

    store, srv = writable
    expected = queue(store, 100)
    page, log = open_page(chromium, f"{srv.url}/review", srv.url)
    try:
        rows = page.evaluate(
            "[...document.querySelectorAll('#kg-review tbody tr[data-key]')].map(r => r.dataset.key)"
        )
        assert rows == [i.key for i in expected] and rows
        with page.expect_navigation():
            page.click("#kg-review tbody tr:first-child td:nth-child(2) a")
        wait_stable(page)
        assert page.evaluate("KG_CONFIG.center") == expected[0].key
        assert log.page_errors == [] and log.blocked == []
    finally:
        page.close()
