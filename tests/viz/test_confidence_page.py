"""The page's confidence filter in headless Chromium: the slider hides what is less sure, both page kinds.

The store is report_a with chosen confidences: around 宁波高新区 (depth 2) the page
shows 5 nodes and 4 edges; at 0.5, 贵驷片区 (0.3) and the INVESTS_IN fact (0.45)
go, and with them what only they connected (凌智产业园, 均胜电子): 2 nodes, 1 edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from api.app import create_app
from graph.store import GraphStore, open_store
from tests.api.live import LiveServer
from tests.graph.builders import report_a
from tests.viz.browser import open_page, wait_stable
from tests.viz.test_browser_file import assert_clean, node_point, open_file, visible_counts
from viz import write_network

pytestmark = pytest.mark.browser

CENTER = "Zone:宁波高新区"
LOW_ZONE = "Zone:贵驷片区"
ENTITIES = {"贵驷片区": 0.3, "亿太诺": 0.4, "均胜电子": 0.8, "凌智产业园": 0.9}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    a = report_a()
    for e in a.entities:
        e.confidence = ENTITIES.get(e.name, 1.0)
    for r in a.relations:
        r.confidence = 0.45 if r.predicate == "INVESTS_IN" else 0.9
    s = open_store(str(tmp_path / "kg-data"))
    s.ingest(a)
    yield s
    s.close()


def _slide(page: Any, value: float) -> None:
    """Move the slider as a person does: set it and fire ``input``."""
    page.evaluate(
        "v => { const s = document.getElementById('kg-confidence'); s.value = v;"
        " s.dispatchEvent(new Event('input', {bubbles: true})); }",
        str(value),
    )


def _details_row(page: Any, label: str) -> str:
    return str(
        page.evaluate(
            "l => [...document.querySelectorAll('#kg-details .kg-tip-row')]"
            ".filter(r => r.querySelector('.kg-tip-label').textContent === l)"
            ".map(r => r.querySelector('.kg-tip-value').textContent)[0] || ''",
            label,
        )
    )


def test_the_slider_hides_and_shows_again_in_the_file_page(
    chromium: Any, store: GraphStore, tmp_path: Path, artifacts: Path
) -> None:
    out = tmp_path / "page.html"
    write_network(store, out, center=CENTER, depth=2)
    page, log = open_file(chromium, out)
    try:
        label = page.inner_text("label.kg-confidence")
        assert "置信度" in label and "Confidence" in label
        assert visible_counts(page) == (5, 4)
        _slide(page, 0.5)
        page.wait_for_function("document.body.dataset.visibleNodes === '2'")
        assert visible_counts(page) == (2, 1)
        assert page.inner_text("#kg-confidence-value") == "0.50"
        shown = page.evaluate("network.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
        assert sorted(shown) == ["Project:均胜电子创新产业园", CENTER]
        page.screenshot(path=str(artifacts / "viz-confidence-0.5.png"))
        _slide(page, 0)
        page.wait_for_function("document.body.dataset.visibleNodes === '5'")
        assert visible_counts(page) == (5, 4)
        # the details panel says how sure the extractor was
        page.mouse.click(*node_point(page, LOW_ZONE))
        page.wait_for_function("document.querySelector('#kg-details .kg-tip') !== null")
        assert _details_row(page, "置信度 Confidence") == "0.30"
        assert_clean(log)
    finally:
        page.close()


def test_served_page_opens_at_the_asked_minimum_and_confirmed_counts_as_sure(
    chromium: Any, store: GraphStore
) -> None:
    with LiveServer(create_app(store, api_token="", allow_writes=True)) as srv:
        url = f"{srv.url}/viz?center={quote(CENTER)}&depth=2&min_confidence=0.5"
        page, log = open_page(chromium, url, srv.url)
        try:
            wait_stable(page)
            assert page.input_value("#kg-confidence") == "0.5"
            page.wait_for_function("document.body.dataset.visibleNodes === '2'")
            assert visible_counts(page) == (2, 1)
            _slide(page, 0.25)  # lower: what the server sent is all there, shown again at once
            page.wait_for_function("document.body.dataset.visibleNodes === '5'")
            assert log.page_errors == [] and log.console_errors == [] and log.blocked == []
        finally:
            page.close()

        made = httpx.post(f"{srv.url}/api/corrections", json={"op": "confirm", "key": LOW_ZONE})
        assert made.status_code == 201, made.text
        page, log = open_page(chromium, url, srv.url)
        try:
            wait_stable(page)
            # 贵驷片区 is confirmed: it counts as 1.0, and 凌智产业园 (0.9) beyond it shows again
            page.wait_for_function("document.body.dataset.visibleNodes === '4'")
            assert visible_counts(page) == (4, 3)
            page.mouse.click(*node_point(page, LOW_ZONE))
            page.wait_for_function("document.querySelector('#kg-details .kg-tip') !== null")
            assert _details_row(page, "置信度 Confidence") == "0.30 (人工确认 confirmed: 1.00)"
            assert log.page_errors == [] and log.console_errors == [] and log.blocked == []
        finally:
            page.close()


def test_a_bad_minimum_on_the_served_page_is_a_clear_error(store: GraphStore) -> None:
    with LiveServer(create_app(store, api_token="")) as srv:
        resp = httpx.get(f"{srv.url}/viz", params={"center": CENTER, "min_confidence": "2"})
        assert resp.status_code == 422 and "min_confidence" in resp.text
