"""Render a :class:`graph.model.Subgraph` to one self-contained HTML page.

pyvis builds the vis-network node and edge records and holds the options;
its own templates are not used because every mode of them (``local``,
``in_line``, ``remote``) still links bootstrap and tom-select from CDNs.
Our template inlines vis-network's JS and CSS from the copy pyvis ships
(``pyvis/templates/lib/vis-9.1.2``), so a page opened from disk makes no
network request, and keeps pyvis's global ``network``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from extract.model import TYPE_LABELS_ZH
from graph.model import DocumentRecord, Fact, Node, Subgraph

from .focus import MAX_LIMIT, Focus
from .layout import seed_positions
from .style import (
    CENTER_SIZE,
    EDGE_COLOR,
    EDGE_WIDTH,
    NODE_SIZE,
    amount_width,
    legend,
    predicate_choices,
    predicate_label,
    predicate_label_zh,
    short_label,
    type_choices,
    type_label,
    type_style,
)

Mode = Literal["file", "served"]

VIS_VERSION = "9.1.2"
FONT_FACE = '"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
#: above this many nodes vis-network's clustering pre-layout costs seconds; plain physics does better
IMPROVED_LAYOUT_MAX = 100
#: above this many nodes edges are drawn straight (curves cost frame time) and the layout gets fewer steps
LARGE_GRAPH = 400

#: whole-graph page: labels kept readable for the best connected nodes at the opening zoom
LABEL_TOP = 20
#: whole-graph page: more shown nodes than this open aggregated by type (a click expands a type)
AGGREGATE_OVER = 250

_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Assets:
    vis_js: str
    vis_css: str
    page_js: str
    page_css: str


@lru_cache(maxsize=1)
def load_assets() -> Assets:
    """vis-network from pyvis's bundled copy plus our page script and style, read once per process."""
    import pyvis

    lib = Path(pyvis.__file__).parent / "templates" / "lib" / f"vis-{VIS_VERSION}"
    js_path, css_path = lib / "vis-network.min.js", lib / "vis-network.css"
    if not js_path.is_file() or not css_path.is_file():
        raise FileNotFoundError(f"{lib}: pyvis does not ship vis-network {VIS_VERSION} here; reinstall pyvis")
    # the source map comment would make an open devtools fetch a file that does not exist
    vis_js = _SOURCE_MAP.sub("", js_path.read_text(encoding="utf-8"))
    assets = resources.files("viz") / "assets"
    return Assets(
        vis_js=vis_js,
        vis_css=css_path.read_text(encoding="utf-8"),
        page_js=(assets / "page.js").read_text(encoding="utf-8"),
        page_css=(assets / "page.css").read_text(encoding="utf-8"),
    )


def _template() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("viz", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )
    # Chinese stays readable in the file; |tojson still escapes < > & ' so data cannot close a script
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env.get_template("network.html")


def _source_label(doc_id: str, documents: Mapping[str, DocumentRecord]) -> str:
    doc = documents.get(doc_id)
    return doc_id if doc is None else doc.label


#: the border of an entity a person confirmed (kg fix confirm)
CONFIRMED_BORDER = "#1a7f37"


def _node_record(node: Node, center: str | None, degree: int) -> dict[str, Any]:
    style = type_style(node.type)
    is_center = node.key == center
    return {
        "label": short_label(node.name),
        "shape": style.shape,
        "color": {
            "background": style.color,
            "border": style.border,
            "highlight": {"background": style.color, "border": "#1f2933"},
            "hover": {"background": style.color, "border": "#1f2933"},
        },
        "size": CENTER_SIZE if is_center else NODE_SIZE,
        "borderWidth": 4 if is_center else 1,
        # read by the page script (tooltips, search, client-side focus)
        "name": node.name,
        "kgType": node.type,
        "aliases": list(node.aliases),
        #: ids of the reports that mention it; the page names them from KG_CONFIG.reports
        "docs": node.documents,
        "degree": degree,
        # the whole-graph page hides nodes without a fact on it until asked (see page.js)
        "isolated": degree == 0,
        # the confidence slider hides what is less sure (a confirmed one counts as 1.0, see page.js)
        "confidence": round(node.confidence, 3),
    }


def _edge_record(
    fact: Fact, names: Mapping[str, str], documents: Mapping[str, DocumentRecord]
) -> dict[str, Any]:
    label = predicate_label_zh(fact.predicate)
    record: dict[str, Any] = {
        "id": fact.id,
        "label": label,
        "width": EDGE_WIDTH,
        "color": {"color": EDGE_COLOR, "highlight": "#1f2933", "hover": "#1f2933"},
        "predicate": fact.predicate,
        "fromName": names.get(fact.subject, fact.subject),
        "toName": names.get(fact.object, fact.object),
        "evidence": fact.evidence,
        "report": _source_label(fact.document, documents),
        "periodText": fact.period_text,
        "periodStart": fact.period_start,
        "periodEnd": fact.period_end,
        "action": fact.action,
        "agency": fact.agency,
        "inherited": fact.period_inherited,
        "confidence": round(fact.confidence, 3),
    }
    if fact.has_amount:
        record["label"] = f"{label} {fact.amount_text}"
        record["amount"] = fact.amount_text
        record["masked"] = fact.amount_masked
        record["approx"] = fact.amount_approx
        record["shared"] = fact.amount_shared
        record["width"] = amount_width(None if fact.amount_masked else fact.amount_value)
        if fact.amount_masked or fact.amount_value is None:
            record["dashes"] = [8, 6]
    return record


def network_options(node_count: int) -> dict[str, Any]:
    """Physics that settles within a bounded number of steps; the page then switches it off."""
    large = node_count > LARGE_GRAPH
    return {
        "autoResize": True,
        "nodes": {"font": {"size": 14, "face": FONT_FACE, "color": "#1f2933", "strokeWidth": 3}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "font": {
                "size": 11,
                "face": FONT_FACE,
                "color": "#3e4c59",
                "strokeWidth": 3,
                "align": "horizontal",
            },
            "smooth": False if large else {"enabled": True, "type": "continuous", "roundness": 0.3},
            "selectionWidth": 2,
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": large,
            "navigationButtons": False,
            "keyboard": False,
        },
        "layout": {"improvedLayout": node_count <= IMPROVED_LAYOUT_MAX, "randomSeed": 7},
        "physics": {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -9000 if large else -6000,
                "centralGravity": 0.25,
                "springLength": 120 if large else 150,
                "springConstant": 0.04,
                "damping": 0.4,
                "avoidOverlap": 0.15,
                # coarser Barnes-Hut cells: about twice as fast per step, layout still readable
                "theta": 0.8 if large else 0.6,
            },
            "minVelocity": 1.0,
            "stabilization": {
                "enabled": True,
                "iterations": 60 if large else 200,
                "updateInterval": 50,
                "fit": True,
            },
        },
    }


def omitted_lines(omitted: Mapping[str, int]) -> list[str]:
    """``+132 企业 not shown`` per type, largest first."""
    return [
        f"+{count} {TYPE_LABELS_ZH.get(t, t)} not shown"
        for t, count in sorted(omitted.items(), key=lambda kv: (-kv[1], kv[0]))
        if count > 0
    ]


def _parallel_offsets(facts: list[Fact]) -> dict[str, dict[str, Any]]:
    """Distinct curves for facts between the same two nodes, so each stays visible and hoverable."""
    groups: dict[frozenset[str], list[Fact]] = defaultdict(list)
    for f in facts:
        groups[frozenset((f.subject, f.object))].append(f)
    smooth: dict[str, dict[str, Any]] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        for i, f in enumerate(group):
            # curves are drawn relative to each edge's own direction; flip for the reverse ones
            forward = (f.subject, f.object) == (group[0].subject, group[0].object)
            smooth[f.id] = {
                "enabled": True,
                "type": "curvedCW" if forward else "curvedCCW",
                "roundness": round(0.1 + 0.25 * i, 2),
            }
    return smooth


def render_network(
    subgraph: Subgraph,
    documents: Mapping[str, DocumentRecord] | None = None,
    *,
    focus: Focus | None = None,
    mode: Mode = "file",
    title: str | None = None,
    viz_path: str = "/viz",
    start_path: str = "/",
    api_base: str = "",
    writes: bool = False,
    confirmed: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
) -> str:
    """One HTML page for ``subgraph``.  ``documents`` (id -> record) gives edges their report title.

    ``mode="file"`` filters and searches in the browser over the embedded data;
    ``mode="served"`` sends the focus form and search to the server (``viz_path``,
    ``{api_base}/api/entities``).
    """
    from pyvis.network import Network

    documents = documents or {}
    focus = focus or Focus(center=subgraph.center)
    center = subgraph.center
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    keys: set[str] = set()
    positions = seed_positions(subgraph)
    degree: dict[str, int] = defaultdict(int)
    node_keys = {n.key for n in subgraph.nodes}
    for f in subgraph.edges:
        if f.subject in node_keys and f.object in node_keys:
            degree[f.subject] += 1
            degree[f.object] += 1
    for node in subgraph.nodes:
        if node.key in keys:
            continue
        keys.add(node.key)
        record = _node_record(node, center, degree[node.key])
        if node.key in confirmed[0]:
            record["confirmed"] = True
            record["borderWidth"] = 4
            record["color"]["border"] = CONFIRMED_BORDER
        record["x"], record["y"] = positions[node.key]
        net.add_node(node.key, **record)
    names = {n.key: n.name for n in subgraph.nodes}
    facts = [f for f in subgraph.edges if f.subject in keys and f.object in keys]
    curves = _parallel_offsets(facts)
    for fact in facts:
        record = _edge_record(fact, names, documents)
        if fact.id in confirmed[1]:
            record["confirmed"] = True
            record["label"] = "✓ " + record["label"]
        if fact.id in curves:
            record["smooth"] = curves[fact.id]
        net.add_edge(fact.subject, fact.object, **record)
    net.options = network_options(len(keys))
    vis_nodes, vis_edges, _heading, _h, _w, _options = net.get_network_data()

    center_node = next((n for n in subgraph.nodes if n.key == center), None)
    page_title = title or (f"{center_node.name} 关系网络" if center_node else "关系网络 Network")
    search_names = sorted({n.name for n in subgraph.nodes} | {a for n in subgraph.nodes for a in n.aliases})
    assets = load_assets()
    config = {
        "mode": mode,
        "center": center,
        "depth": focus.depth,
        "minConfidence": focus.min_confidence,
        "typeLabels": {t: type_label(t) for t, _ in type_choices()},
        "predicateLabels": {p: predicate_label(p) for p, _ in predicate_choices()},
        "vizPath": viz_path,
        "apiBase": api_base,
        # the details panel offers corrections (merge, retype, reject, confirm) only when the API takes them
        "writes": writes and mode == "served",
        "nodeSize": NODE_SIZE,
        "centerSize": CENTER_SIZE,
        "omitted": dict(subgraph.omitted),
        "reports": {doc_id: doc.label for doc_id, doc in documents.items()},
        #: the whole-graph page labels this many best-connected nodes at any zoom
        "labelTop": LABEL_TOP,
        #: above this many shown nodes the whole-graph page opens as one cluster per type
        "aggregateOver": AGGREGATE_OVER,
    }
    html: str = _template().render(
        title=page_title,
        mode=mode,
        focus=focus,
        center_name=center_node.name if center_node else "",
        viz_path=viz_path,
        start_path=start_path,
        max_limit=MAX_LIMIT,
        type_choices=type_choices(),
        predicate_choices=predicate_choices(),
        legend=legend(),
        node_count=len(vis_nodes),
        edge_count=len(vis_edges),
        isolated_count=sum(1 for k in keys if degree[k] == 0),
        omitted_lines=omitted_lines(subgraph.omitted),
        search_names=search_names if mode == "file" else [],
        config=config,
        nodes=vis_nodes,
        edges=vis_edges,
        options=net.options,
        vis_js=assets.vis_js,
        vis_css=assets.vis_css,
        page_js=assets.page_js,
        page_css=assets.page_css,
    )
    return html
