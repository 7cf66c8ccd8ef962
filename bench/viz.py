"""Benchmark: how long a 1,500-node page takes to settle in headless Chromium.

Renders a synthetic graph with Chinese names (six types, money edges, parallel
facts) with ``viz.render_network`` and, as the baseline measured in the same
run, with pyvis's own defaults (``Network.write_html``, in_line mode).  Each
page is opened from disk in Debian's chromium with every non-file request
blocked; the time is from navigation start to vis-network's
``stabilizationIterationsDone`` event.  Target: under 5 s for our page.

    .venv/bin/python bench/viz.py [--nodes 1500] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from graph.model import Fact, Node, Subgraph  # noqa: E402
from tests.viz.browser import browser, open_page  # noqa: E402
from viz import render_network  # noqa: E402
from viz.style import type_style  # noqa: E402

TARGET_S = 5.0
BASELINE_TIMEOUT_S = 120.0

TYPES = ["Project", "Company", "Policy", "Funding", "Agency", "Zone"]
WEIGHTS = [0.3, 0.35, 0.12, 0.08, 0.08, 0.07]
PREFIX = ["宁波", "高新", "云栖", "星澜", "望湖", "松岩", "前湾", "江北", "鄞州", "镇海", "北仑", "慈溪"]
STEM = {
    "Project": ["产业园", "软件谷", "创新中心", "超算中心", "卫生服务中心", "智造基地"],
    "Company": ["电子", "生物", "科技", "新材料", "智能装备", "集团"],
    "Policy": ["若干政策", "专精特新名单", "重点工程计划", "纳税50强", "小巨人", "实施意见"],
    "Funding": ["专项债", "中央预算内投资", "产业引导资金", "奖励资金", "消费券", "招商基金"],
    "Agency": ["经发局", "经信局", "发改委", "财政局", "管委会", "应急管理局"],
    "Zone": ["高新区", "工业园区", "街道", "片区", "新区", "开发区"],
}
PREDICATE_FOR = {
    ("Project", "Funding"): "FUNDED_BY",
    ("Company", "Funding"): "FUNDED_BY",
    ("Company", "Project"): "INVESTS_IN",
    ("Company", "Policy"): "PARTICIPATES_IN",
    ("Project", "Zone"): "LOCATED_IN",
    ("Company", "Zone"): "LOCATED_IN",
    ("Policy", "Agency"): "ISSUED_BY",
}


def synthetic_graph(n: int, seed: int = 5) -> Subgraph:
    """A connected graph of ``n`` nodes with about 1.4 edges per node, shaped like the real one."""
    rnd = random.Random(seed)
    nodes: list[Node] = []
    for i in range(n):
        t = rnd.choices(TYPES, WEIGHTS)[0]
        name = f"{rnd.choice(PREFIX)}{rnd.choice(STEM[t])}{i}"
        nodes.append(
            Node(key=f"{t}:{name}", type=t, name=name, aliases=[f"{name}项目"], mentions={"d0": [(0, 4)]})
        )
    facts: list[Fact] = []

    def link(a: Node, b: Node) -> None:
        pred = PREDICATE_FOR.get((a.type, b.type))
        if pred is None:
            pred = PREDICATE_FOR.get((b.type, a.type))
            a, b = b, a
        pred = pred or "PARTICIPATES_IN"
        amount = rnd.choice([None, None, 9_000_000.0, 250_000_000.0, 1_200_000.0, -1.0])
        text = None if amount is None else ("*亿元" if amount < 0 else f"{amount / 1e4:g}万元")
        facts.append(
            Fact(
                id=f"f{len(facts)}",
                predicate=pred,
                subject=a.key,
                object=b.key,
                document="d0",
                evidence=f"{a.name}与{b.name}相关的证据句子。",
                span=(0, 10),
                amount_value=None if amount is None or amount < 0 else amount,
                amount_text=text,
                amount_masked=amount is not None and amount < 0,
                period_start="2023-01-01",
                period_end="2023-06-30",
                period_text="2023年上半年",
            )
        )

    for i in range(1, n):
        link(nodes[i], nodes[rnd.randrange(max(0, i - 60), i)])
    for _ in range(int(n * 0.4)):
        link(rnd.choice(nodes), rnd.choice(nodes))
    return Subgraph(nodes=nodes, edges=[f for f in facts if f.subject != f.object], center=nodes[0].key)


def pyvis_default_page(sub: Subgraph, path: Path) -> None:
    """The same graph through pyvis's defaults, as a user of pyvis would write it."""
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="in_line")
    for node in sub.nodes:
        style = type_style(node.type)
        net.add_node(node.key, label=node.name, color=style.color, shape=style.shape, title=node.name)
    for f in sub.edges:
        net.add_edge(f.subject, f.object, label=f.predicate, title=f.evidence)
    net.write_html(str(path))


# Installed before the page's scripts run: time the first stabilizationIterationsDone of `network`.
PROBE = """
(() => {
  let value;
  Object.defineProperty(window, "network", {
    configurable: true,
    get() { return value; },
    set(v) {
      value = v;
      if (v && v.once) {
        v.once("stabilizationIterationsDone", () => { window.__kgStableAt = performance.now(); });
      }
    },
  });
})();
"""


def time_to_stable(b: object, path: Path, timeout_s: float) -> tuple[float | None, int, int, int]:
    """Seconds from navigation start to stabilisation (None on timeout), nodes drawn, blocked, errors."""
    page, log = open_page(b, path.as_uri(), "file://", init_script=PROBE)
    try:
        page.wait_for_function("window.__kgStableAt !== undefined", timeout=timeout_s * 1000, polling=100)
        stable_ms = page.evaluate("window.__kgStableAt")
        drawn = page.evaluate("network.body.data.nodes.length")
        return stable_ms / 1000.0, drawn, len(log.blocked), len(log.page_errors)
    except Exception:  # playwright's TimeoutError: report it as "did not settle"
        return None, 0, len(log.blocked), len(log.page_errors)
    finally:
        page.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nodes", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    sub = synthetic_graph(args.nodes)
    with tempfile.TemporaryDirectory() as tmp:
        ours = Path(tmp) / "ours.html"
        t0 = time.perf_counter()
        html = render_network(sub)
        render_s = time.perf_counter() - t0
        ours.write_text(html, encoding="utf-8")
        base = Path(tmp) / "pyvis_default.html"
        t0 = time.perf_counter()
        pyvis_default_page(sub, base)
        base_render_s = time.perf_counter() - t0

        print(f"graph: {len(sub.nodes)} nodes, {len(sub.edges)} edges (synthetic, Chinese names)")
        size_mb = len(html.encode("utf-8")) / 1e6
        print(
            f"render (python): ours {render_s:.2f} s, {size_mb:.2f} MB; pyvis default {base_render_s:.2f} s"
        )
        with browser() as b:
            times = []
            for _ in range(args.runs):
                secs, drawn, blocked, errors = time_to_stable(b, ours, 60.0)
                if secs is None:
                    sys.exit("our page did not stabilise within 60 s")
                if drawn != len(sub.nodes) or blocked or errors:
                    sys.exit(f"our page is broken: drawn={drawn} blocked={blocked} errors={errors}")
                times.append(secs)
            ours_s = statistics.median(times)
            runs = ", ".join(f"{t:.2f}" for t in times)
            verdict = "OK" if ours_s < TARGET_S else "OVER TARGET"
            print(f"ours: stable after {ours_s:.2f} s (median of {args.runs}: {runs})")
            print(f"target < {TARGET_S:.0f} s: {verdict}")
            small = Path(tmp) / "ours_300.html"
            small.write_text(render_network(synthetic_graph(300)), encoding="utf-8")
            small_s = statistics.median(
                time_to_stable(b, small, 60.0)[0] or float("nan") for _ in range(args.runs)
            )
            print(f"ours, 300 nodes (the default cap): stable after {small_s:.2f} s")
            base_s, _, base_blocked, _ = time_to_stable(b, base, BASELINE_TIMEOUT_S)
            if base_s is None:
                print(f"baseline pyvis defaults: not stable within {BASELINE_TIMEOUT_S:.0f} s")
                print(f"ratio ours/baseline: < {ours_s / BASELINE_TIMEOUT_S:.3f}")
            else:
                print(f"baseline pyvis defaults: stable after {base_s:.2f} s")
                print(f"ratio ours/baseline: {ours_s / base_s:.3f}")
            print(f"baseline pyvis defaults tried {base_blocked} external requests (blocked); ours 0")


if __name__ == "__main__":
    main()
