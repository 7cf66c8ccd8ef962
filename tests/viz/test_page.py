"""The HTML itself: self-contained, UTF-8, escaped, legend and cap note present, money drawn to scale."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore
from tests.viz.samples import DOCUMENTS, XSS_ALIAS, XSS_EVIDENCE, XSS_NAME, XSS_TITLE, hostile_subgraph
from viz import UnknownCenter, render_network, write_network
from viz.page import network_options
from viz.style import amount_width


@pytest.fixture(scope="module")
def html() -> str:
    return render_network(hostile_subgraph(), DOCUMENTS)


def embedded(html: str, name: str) -> list[dict[str, Any]]:
    m = re.search(rf"var {name} = (.*);\n", html)
    assert m, name
    data: list[dict[str, Any]] = json.loads(m.group(1))
    return data


def test_page_is_self_contained_utf8(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    assert not re.search(r"<script[^>]+src=", html), "every script is inline"
    assert not re.search(r"<link\b", html), "every style is inline"
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "bootstrap", "tom-select", "sourceMappingURL"):
        assert cdn not in html, cdn
    assert "vis-network" in html and "9.1.2" in html, "vis-network is inlined from pyvis's copy"
    assert "凌智产业园" in html and "贵驷片区" in html


def test_hostile_text_never_appears_as_markup(html: str) -> None:
    for hostile in (XSS_NAME, XSS_ALIAS, XSS_EVIDENCE, XSS_TITLE, "<evil>"):
        assert hostile not in html
    assert "</script><script>window.__xss" not in html
    nodes = embedded(html, "KG_NODES")
    edges = embedded(html, "KG_EDGES")
    assert any(n["name"] == XSS_NAME for n in nodes), "the data still carry the name exactly"
    assert any(e["evidence"] == XSS_EVIDENCE for e in edges)


def test_legend_names_six_types_in_chinese_and_english(html: str) -> None:
    legend = html[html.index('id="kg-legend"') : html.index("</ul>", html.index('id="kg-legend"'))]
    for label in ("项目 Project", "企业 Company", "政策 Policy", "资金 Funding", "机构 Agency", "区域 Zone"):
        assert label in legend


def test_cap_note_says_what_was_left_out(html: str) -> None:
    assert "+132 企业 not shown" in html
    assert "+7 政策 not shown" in html


def test_money_edges_labelled_as_written_wider_when_larger_dashed_when_masked(html: str) -> None:
    edges = {e["id"]: e for e in embedded(html, "KG_EDGES")}
    assert edges["f-bond"]["label"] == "资金来源 2.5亿元"
    assert edges["f-small"]["label"] == "资金来源 900万元"
    assert edges["f-masked"]["label"] == "资金来源 *亿元"
    assert edges["f-bond"]["width"] > edges["f-small"]["width"] > edges["f-located"]["width"]
    assert edges["f-masked"].get("dashes")
    assert not edges["f-bond"].get("dashes")
    assert edges["f-located"]["label"] == "位于"
    assert edges["f-bond"]["report"] == "经发局2023年上半年工作总结 (001.txt)"  # the file name, not the path


def test_parallel_facts_get_distinct_curves(html: str) -> None:
    edges = {e["id"]: e for e in embedded(html, "KG_EDGES")}
    curves = [json.dumps(edges[i]["smooth"], sort_keys=True) for i in ("f-bond", "f-masked")]
    assert len(set(curves)) == 2


def test_amount_width_is_logarithmic_and_bounded() -> None:
    assert amount_width(1e5) == pytest.approx(2.0)
    assert amount_width(1e10) == pytest.approx(9.0)
    assert amount_width(1e13) == amount_width(1e10)
    assert amount_width(1e7) - amount_width(1e6) == pytest.approx(amount_width(1e9) - amount_width(1e8))
    assert amount_width(None) == amount_width(0)


def test_physics_is_bounded_for_large_graphs() -> None:
    big = network_options(1500)
    assert big["physics"]["stabilization"]["iterations"] <= 150
    assert big["layout"]["improvedLayout"] is False
    assert network_options(20)["layout"]["improvedLayout"] is True


def test_write_network_from_the_real_store(viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    summary = write_network(viz_store, out, center="凌智产业园", depth=2)
    text = out.read_text(encoding="utf-8")
    assert summary.nodes == len(embedded(text, "KG_NODES")) > 1
    assert summary.edges == len(embedded(text, "KG_EDGES")) > 1
    assert [p.name for p in tmp_path.iterdir()] == ["page.html"], "no temporary file left behind"


def test_failed_write_keeps_the_old_page(viz_store: GraphStore, tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    out.write_text("old page", encoding="utf-8")
    with pytest.raises(UnknownCenter):
        write_network(viz_store, out, center="没有这个实体")
    assert out.read_text(encoding="utf-8") == "old page"
