"""Starting positions for the physics: a radial tree around the centre, computed in linear time.

vis-network starts from random positions and needs many physics steps to
untangle a large graph; a page of 1,500 nodes then takes seconds to settle
in the browser.  Starting from rings by hop distance (each subtree in its own
wedge) leaves the physics only the polishing, so a few dozen steps suffice.
Components not reached from the centre (the whole-graph page) are laid out
the same way around their best connected node, side by side on a spiral.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque

from graph.model import Subgraph

RING = 150.0


def _radial(root: str, adjacency: dict[str, list[str]], seen: set[str]) -> dict[str, tuple[float, float]]:
    """One component around ``root``: BFS tree, wedges proportional to each subtree's leaf count."""
    children: dict[str, list[str]] = defaultdict(list)
    order = [root]
    depth = {root: 0}
    seen.add(root)
    queue = deque([root])
    while queue:
        k = queue.popleft()
        for other in adjacency[k]:
            if other not in seen:
                seen.add(other)
                depth[other] = depth[k] + 1
                children[k].append(other)
                order.append(other)
                queue.append(other)
    leaves: dict[str, int] = {}
    for k in reversed(order):
        leaves[k] = sum(leaves[c] for c in children[k]) or 1
    pos: dict[str, tuple[float, float]] = {root: (0.0, 0.0)}
    wedge: dict[str, tuple[float, float]] = {root: (0.0, 2 * math.pi)}
    for k in order:
        start, span = wedge[k]
        total = leaves[k]
        for c in children[k]:
            share = span * leaves[c] / total
            wedge[c] = (start, share)
            angle = start + share / 2
            r = RING * depth[c]
            pos[c] = (r * math.cos(angle), r * math.sin(angle))
            start += share
    return pos


def seed_positions(subgraph: Subgraph) -> dict[str, tuple[float, float]]:
    keys = [n.key for n in subgraph.nodes]
    adjacency: dict[str, list[str]] = {k: [] for k in keys}
    for f in subgraph.edges:
        if f.subject in adjacency and f.object in adjacency and f.subject != f.object:
            adjacency[f.subject].append(f.object)
            adjacency[f.object].append(f.subject)
    roots = sorted(keys, key=lambda k: -len(adjacency[k]))
    if subgraph.center in adjacency:
        roots.insert(0, subgraph.center)
    seen: set[str] = set()
    out: dict[str, tuple[float, float]] = {}
    placed = 0
    for root in roots:
        if root in seen:
            continue
        component = _radial(root, adjacency, seen)
        # the first (largest) component at the origin, the rest on an outward spiral
        radius = 0.0 if placed == 0 else RING * (2.0 + math.sqrt(placed) * 1.2)
        angle = placed * 2.4
        ox, oy = radius * math.cos(angle), radius * math.sin(angle)
        for k, (x, y) in component.items():
            out[k] = (round(ox + x, 1), round(oy + y, 1))
        placed += 1
    return out
