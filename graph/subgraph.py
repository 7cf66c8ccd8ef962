"""Cutting a fetched neighbourhood down after a filter the store's traversal did not know.

The stores traverse with depth, predicates, types and a node cap; a period range
(the page) or a minimum confidence (the queries) is applied afterwards.  Applying
it to what the cap already chose would show fewer nodes than asked for, and keep
nodes that were reached only through a fact the filter dropped.  So the callers
fetch wider, filter, and cut here: the nodes still reachable from the centre
within the depth, nearest first, at most the cap.
"""

from __future__ import annotations

from collections import Counter, deque

from .model import Fact, Node, Subgraph


def cap_reachable(
    nodes: list[Node], edges: list[Fact], center: str, depth: int, limit: int, omitted: dict[str, int]
) -> Subgraph:
    """The nodes reachable from ``center`` over ``edges`` within ``depth``, nearest first, at most
    ``limit`` (ties keep the order of ``nodes``, the store's best connected first).

    ``omitted`` (counts per type of what a cap left out) gains what this cap leaves out.
    """
    by_key = {n.key: n for n in nodes}
    adjacency: dict[str, list[str]] = {k: [] for k in by_key}
    for f in edges:
        if f.subject in by_key and f.object in by_key:
            adjacency[f.subject].append(f.object)
            adjacency[f.object].append(f.subject)
    distance = {center: 0}
    queue = deque([center])
    while queue:
        k = queue.popleft()
        if distance[k] >= depth:
            continue
        for other in adjacency.get(k, []):
            if other not in distance:
                distance[other] = distance[k] + 1
                queue.append(other)
    order = {n.key: i for i, n in enumerate(nodes)}
    reachable = sorted(distance, key=lambda k: (distance[k], order.get(k, 0)))
    kept = set(reachable[:limit])
    counts = Counter(by_key[k].type for k in reachable[limit:] if k in by_key)
    omitted = dict(omitted)
    for t, c in counts.items():
        omitted[t] = omitted.get(t, 0) + c
    return Subgraph(
        nodes=[by_key[k] for k in reachable[:limit] if k in by_key],
        edges=[f for f in edges if f.subject in kept and f.object in kept],
        center=center,
        omitted=omitted,
    )
