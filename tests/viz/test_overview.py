"""The whole-graph page in headless Chromium: readable at the opening zoom, isolated nodes put away,
counts that follow a search, large graphs aggregated by type, reports named in node details."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.model import Fact, Node, Subgraph
from graph.store import GraphStore
from tests.viz.browser import wait_stable
from tests.viz.test_browser_file import assert_clean, node_point, open_file, visible_counts
from viz import Focus, render_network, select_subgraph, write_network
from viz.focus import resolve_center

pytestmark = pytest.mark.browser

CENTER = "凌智产业园"


def _counts_text(page: Any) -> str:
    return str(page.inner_text("#kg-counts"))


def test_whole_graph_opens_readable_without_isolated_nodes(
    chromium: Any, viz_store: GraphStore, tmp_path: Path, artifacts: Path
) -> None:
    out = tmp_path / "whole.html"
    summary = write_network(viz_store, out, limit=2000)
    page, log = open_file(chromium, out)
    try:
        isolated = page.evaluate("KG_NODES.filter(n => n.isolated).length")
        assert isolated > 0, "the real reports have entities without facts"
        shown_nodes, shown_edges = visible_counts(page)
        assert shown_nodes == summary.nodes - isolated and shown_edges == summary.edges
        hidden = "network.body.data.nodes.get({filter: n => n.isolated && !n.hidden}).length"
        assert page.evaluate(hidden) == 0
        assert _counts_text(page).startswith(f"{shown_nodes} 节点 nodes · {shown_edges} 关系 edges")

        # the best connected nodes carry labels of at least 13 px on screen at the opening zoom
        labelled = page.evaluate("kgLabelled()")
        assert len(labelled) >= 10
        sizes = page.evaluate(
            "ids => ids.map(id => network.body.nodes[id].options.font.size * network.getScale())", labelled
        )
        assert min(sizes) >= 13, sizes
        degrees = page.evaluate("KG_NODES.map(n => n.degree)")
        top = sorted(degrees, reverse=True)[len(labelled) - 1]
        got = page.evaluate("ids => ids.map(id => network.body.data.nodes.get(id).degree)", labelled)
        assert min(got) >= top
        page.screenshot(path=str(artifacts / "whole-graph.png"))

        # the switch shows the isolated nodes, and the counts say so
        page.check("#kg-isolated")
        page.wait_for_function(f"document.body.dataset.visibleNodes === '{summary.nodes}'")
        wait_stable(page)
        assert _counts_text(page).startswith(f"{summary.nodes} 节点 nodes")
        assert "subject → object" in page.inner_text("#kg-edge-legend")
        assert_clean(log)
    finally:
        page.close()


def test_a_search_lays_out_its_selection_and_updates_the_counts(
    chromium: Any, viz_store: GraphStore, tmp_path: Path
) -> None:
    out = tmp_path / "whole.html"
    write_network(viz_store, out, limit=2000)
    node = resolve_center(viz_store, CENTER)
    expected = select_subgraph(viz_store, Focus(center=node.key, depth=2))
    page, log = open_file(chromium, out)
    try:
        before = _counts_text(page)
        page.fill("#kg-search", CENTER)
        page.press("#kg-search", "Enter")
        page.wait_for_function(f"document.body.dataset.visibleNodes === '{len(expected.nodes)}'")
        wait_stable(page)
        after = _counts_text(page)
        assert after != before
        assert after.startswith(f"{len(expected.nodes)} 节点 nodes · {len(expected.edges)} 关系 edges")
        # laid out again and fitted: every shown node is inside the canvas
        box = page.locator("#mynetwork").bounding_box()
        for key in [n.key for n in expected.nodes]:
            x, y = node_point(page, key)
            assert box["x"] - 1 <= x <= box["x"] + box["width"] + 1, key
            assert box["y"] - 1 <= y <= box["y"] + box["height"] + 1, key
        assert_clean(log)
    finally:
        page.close()


def test_node_details_list_the_report_titles(chromium: Any, viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "lingzhi.html"
    write_network(viz_store, out, center=CENTER, depth=1)
    node = resolve_center(viz_store, CENTER)
    titles = [viz_store.document(d).label for d in node.documents]  # title and file name
    page, log = open_file(chromium, out)
    try:
        x, y = node_point(page, node.key)
        page.mouse.click(x, y)
        details = page.inner_text("#kg-details")
        assert all(t and t in details for t in titles), (titles, details)
        assert "报告 Reports" in details
        assert_clean(log)
    finally:
        page.close()


def _large_subgraph(n: int = 320) -> Subgraph:
    """Companies, each in one of a few zones: more nodes than the page shows one by one."""
    zones = [Node(f"Zone:片区{i}", "Zone", f"片区{i}") for i in range(8)]
    companies = [Node(f"Company:企业{i}", "Company", f"企业{i}") for i in range(n)]
    edges = [
        Fact(f"f{i}", "LOCATED_IN", c.key, zones[i % len(zones)].key, "d1", f"{c.name}位于片区", (i, i + 1))
        for i, c in enumerate(companies)
    ]
    return Subgraph(nodes=[*zones, *companies], edges=edges)


def test_a_large_graph_opens_aggregated_by_type_and_a_group_expands(chromium: Any, tmp_path: Path) -> None:
    out = tmp_path / "large.html"
    out.write_text(render_network(_large_subgraph()), encoding="utf-8")
    page, log = open_file(chromium, out)
    try:
        assert page.evaluate("network.isCluster('kg-group:Company')")
        assert page.evaluate("network.isCluster('kg-group:Zone')")
        label = page.evaluate("network.body.nodes['kg-group:Company'].options.label")
        assert "企业 Company" in label and "(320)" in label
        assert "2 组 groups" in _counts_text(page)
        x, y = node_point(page, "kg-group:Company")
        page.mouse.click(x, y)
        page.wait_for_function("network.body.nodes['kg-group:Company'] === undefined")
        wait_stable(page)
        assert "1 组 groups" in _counts_text(page)
        assert page.evaluate("network.findNode('Company:企业7').length") == 1
        assert_clean(log)
    finally:
        page.close()


def test_start_page_shows_the_store_and_where_to_go(
    chromium: Any, live_viz: Any, viz_store: GraphStore, artifacts: Path
) -> None:
    from graph.queries import funding
    from tests.viz.browser import open_page

    stats = viz_store.stats()
    page, log = open_page(chromium, f"{live_viz.url}/", live_viz.url)
    try:
        store_text = page.inner_text("#kg-store")
        assert f"{stats.documents} 份报告 reports" in store_text
        assert f"{sum(stats.entities.values())} 实体 entities" in store_text
        for label, count in (
            ("项目 Project", stats.entities["Project"]),
            ("企业 Company", stats.entities["Company"]),
        ):
            assert f"{label}\t{count}" in store_text
        assert f"资金来源 FUNDED_BY\t{stats.relations['FUNDED_BY']}" in store_text
        masked = sum(t.masked for t in funding(viz_store).totals)
        assert page.inner_text("#kg-money").count("CNY") == 1 and f"\t{masked}" in page.inner_text(
            "#kg-money"
        )
        links = page.eval_on_selector_all("#kg-links a", "as => as.map(a => a.getAttribute('href'))")
        assert links == ["/viz", "/funding", "/documents", "/review", "/docs"]
        label = page.locator("label[for=kg-depth]")
        assert label.is_visible() and label.inner_text() == "深度 Depth"
        page.screenshot(path=str(artifacts / "start-page.png"), full_page=True)
        for href, needle in (
            ("/funding", "76.5万元 共享 shared by 5"),
            ("/documents", "004_c7c8b67092e286f7.txt"),
            ("/review", "待审 Review queue"),
        ):
            page.click(f"#kg-links a[href='{href}']")
            page.wait_for_load_state()
            assert needle in page.inner_text("body"), href
            page.go_back()
        page.click("#kg-links a[href='/viz']")
        wait_stable(page)
        assert (
            page.evaluate(
                "KG_NODES.filter(n => n.isolated && !network.body.data.nodes.get(n.id).hidden).length"
            )
            == 0
        )
        assert log.blocked == [] and log.page_errors == []
    finally:
        page.close()
