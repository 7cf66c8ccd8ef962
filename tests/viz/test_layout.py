"""Seed positions: every node placed, the centre in the middle, rings by hop distance, components apart."""

from __future__ import annotations

import math

import pytest

from graph.model import Fact, Node, Subgraph
from tests.viz.samples import hostile_subgraph
from viz.layout import RING, seed_positions


def test_rings_by_distance_from_the_centre() -> None:
    sub = hostile_subgraph()
    pos = seed_positions(sub)
    assert set(pos) == {n.key for n in sub.nodes}
    assert pos[sub.center] == (0.0, 0.0)  # type: ignore[index]
    # 专项债 is one hop from 凌智产业园, the clinic two (via 专项债)
    assert math.dist(pos["Funding:专项债"], (0, 0)) == pytest.approx(RING, abs=0.1)
    assert math.dist(pos["Project:卫生服务中心"], (0, 0)) == pytest.approx(2 * RING, abs=0.1)
    assert len(set(pos.values())) == len(pos), "no two nodes start on the same spot"


def test_unconnected_nodes_are_placed_apart() -> None:
    nodes = [Node(f"Policy:p{i}", "Policy", f"政策{i}") for i in range(50)]
    edge = Fact("f", "ISSUED_BY", nodes[0].key, nodes[1].key, "d", "", (0, 0))
    pos = seed_positions(Subgraph(nodes=nodes, edges=[edge]))
    assert len(pos) == 50
    points = list(pos.values())
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest > 20
