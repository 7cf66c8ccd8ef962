"""The standalone page opened from disk in real headless Chromium, with every network request blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore
from tests.viz.browser import PageLog, open_page, wait_stable
from tests.viz.samples import (
    DOCUMENTS,
    HOSTILE,
    XSS_ALIAS,
    XSS_EVIDENCE,
    XSS_NAME,
    XSS_TITLE,
    hostile_subgraph,
)
from viz import Focus, render_network, select_subgraph, write_network
from viz.focus import resolve_center
from viz.style import CENTER_SIZE, NODE_SIZE

pytestmark = pytest.mark.browser

CENTER = "凌智产业园"


def open_file(chromium: Any, path: Path) -> tuple[Any, PageLog]:
    page, log = open_page(chromium, path.as_uri(), "file://")
    wait_stable(page)
    return page, log


def assert_clean(log: PageLog) -> None:
    assert log.blocked == [], f"the page tried the network: {log.blocked}"
    assert log.console_errors == [] and log.page_errors == [], (log.console_errors, log.page_errors)
    assert log.dialogs == []


def node_point(page: Any, key: str) -> tuple[float, float]:
    box = page.locator("#mynetwork").bounding_box()
    p = page.evaluate("k => network.canvasToDOM(network.getPositions([k])[k])", key)
    return box["x"] + p["x"], box["y"] + p["y"]


def edge_point(page: Any, edge_id: str) -> tuple[float, float]:
    box = page.locator("#mynetwork").bounding_box()
    p = page.evaluate("id => network.canvasToDOM(network.body.edges[id].edgeType.getPoint(0.5))", edge_id)
    return box["x"] + p["x"], box["y"] + p["y"]


def visible_counts(page: Any) -> tuple[int, int]:
    counts: list[int] = page.evaluate(
        "[network.body.data.nodes.get({filter: n => !n.hidden}).length,"
        " network.body.data.edges.get({filter: e => !e.hidden}).length]"
    )
    return counts[0], counts[1]


def test_real_store_page_offline(
    chromium: Any, viz_store: GraphStore, tmp_path: Path, artifacts: Path
) -> None:
    out = tmp_path / "lingzhi.html"
    summary = write_network(viz_store, out, center=CENTER, depth=2)
    page, log = open_file(chromium, out)
    try:
        assert page.evaluate("network.body.data.nodes.length") == summary.nodes
        assert page.evaluate("network.body.data.edges.length") == summary.edges
        assert visible_counts(page) == (summary.nodes, summary.edges)
        key = resolve_center(viz_store, CENTER).key
        assert page.evaluate("k => network.body.data.nodes.get(k).label", key) == CENTER
        assert page.evaluate("network.physics.options.enabled") is False, "physics stops once stable"
        legend = page.inner_text("#kg-legend")
        for label in (
            "项目 Project",
            "企业 Company",
            "政策 Policy",
            "资金 Funding",
            "机构 Agency",
            "区域 Zone",
        ):
            assert label in legend
        assert page.locator("#kg-legend").is_visible()
        page.screenshot(path=str(artifacts / "viz-lingzhi-file.png"))
        assert_clean(log)
    finally:
        page.close()


def test_hover_and_click_show_text_never_markup(chromium: Any, tmp_path: Path, artifacts: Path) -> None:
    out = tmp_path / "hostile.html"
    out.write_text(render_network(hostile_subgraph(), DOCUMENTS), encoding="utf-8")
    page, log = open_file(chromium, out)
    try:
        page.mouse.move(*node_point(page, HOSTILE.key))
        tip = page.locator("div.vis-tooltip")
        tip.wait_for(state="visible")
        text = tip.inner_text()
        assert XSS_NAME in text and XSS_ALIAS in text
        assert "企业 Company" in text and "报告 Reports" in text
        assert tip.locator("img, script").count() == 0
        page.screenshot(path=str(artifacts / "viz-xss-tooltip.png"))

        page.mouse.click(*edge_point(page, "f-hostile"))
        details = page.locator("#kg-details")
        details.get_by_text("证据 Evidence").wait_for()
        text = details.inner_text()
        assert XSS_EVIDENCE in text and XSS_TITLE in text
        assert details.locator("img, script, iframe, b").count() == 0

        page.mouse.click(*edge_point(page, "f-bond"))
        details.get_by_text("2.5亿元", exact=True).wait_for()
        text = details.inner_text()
        assert "成功申报2.5亿元资金额度" in text
        assert "经发局2023年上半年工作总结" in text and "2023-01-01 – 2023-12-31" in text

        assert page.evaluate("window.__xss") is None
        assert page.locator("img").count() == 0
        assert_clean(log)
    finally:
        page.close()


def test_cap_note_visible(chromium: Any, viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "capped.html"
    summary = write_network(viz_store, out, limit=10)
    assert summary.omitted
    page, log = open_file(chromium, out)
    try:
        assert page.evaluate("network.body.data.nodes.length") == 10
        note = page.locator("#kg-omitted")
        assert note.is_visible()
        from extract.model import TYPE_LABELS_ZH

        for t, count in summary.omitted.items():
            assert f"+{count} {TYPE_LABELS_ZH[t]} not shown" in note.inner_text()
        assert_clean(log)
    finally:
        page.close()


def test_search_recentres_and_filters_apply_client_side(
    chromium: Any, viz_store: GraphStore, tmp_path: Path
) -> None:
    out = tmp_path / "whole.html"
    summary = write_network(viz_store, out, limit=2000)
    assert not summary.omitted
    node = resolve_center(viz_store, CENTER)
    expected = select_subgraph(viz_store, Focus(center=node.key, depth=2))
    page, log = open_file(chromium, out)
    try:
        # the whole graph opens on what is connected: nodes without a fact wait for their switch
        isolated = page.evaluate("KG_NODES.filter(n => n.isolated).length")
        assert visible_counts(page)[0] == summary.nodes - isolated
        page.fill("#kg-search", node.aliases[0])
        page.press("#kg-search", "Enter")
        page.wait_for_function(f"document.body.dataset.visibleNodes === '{len(expected.nodes)}'")
        assert visible_counts(page) == (len(expected.nodes), len(expected.edges))
        sizes = page.evaluate(
            "k => network.body.data.nodes.get({filter: n => !n.hidden}).map(n => [n.id === k, n.size])",
            node.key,
        )
        assert {size for is_center, size in sizes if is_center} == {CENTER_SIZE}, (
            "the found node is the centre"
        )
        assert {size for is_center, size in sizes if not is_center} == {NODE_SIZE}

        # only LOCATED_IN: every visible edge says 位于
        for box in page.locator('input[name="predicate"]').all():
            if box.get_attribute("value") != "LOCATED_IN":
                box.uncheck()
        page.click("button[type=submit]")
        page.wait_for_function(f"document.body.dataset.visibleNodes !== '{len(expected.nodes)}'")
        preds = page.evaluate("network.body.data.edges.get({filter: e => !e.hidden}).map(e => e.predicate)")
        assert preds and set(preds) == {"LOCATED_IN"}

        page.fill("#kg-search", "没有这个实体")
        page.press("#kg-search", "Enter")
        page.get_by_text("未找到 Not found: 没有这个实体").wait_for()
        assert_clean(log)
    finally:
        page.close()


def test_empty_graph_page_is_calm(chromium: Any, tmp_path: Path) -> None:
    from graph.model import Subgraph

    out = tmp_path / "empty.html"
    out.write_text(render_network(Subgraph(nodes=[], edges=[])), encoding="utf-8")
    page, log = open_file(chromium, out)
    try:
        assert page.evaluate("network.body.data.nodes.length") == 0
        assert_clean(log)
    finally:
        page.close()
