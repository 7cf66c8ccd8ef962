"""Backend-neutral graph walks, so both stores answer ``paths`` by the same rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable

#: ``expand(frontier)`` yields ``(parent, neighbour)`` for each neighbour of a frontier node, either way.
Expand = Callable[[list[str]], Iterable[tuple[str, str]]]


def shortest_routes(source: str, target: str, max_hops: int, limit: int, expand: Expand) -> list[list[str]]:
    """Every shortest route from ``source`` to ``target`` (as node keys), at most ``limit`` of them.

    A breadth-first search one level at a time, so a backend can answer each
    level with one query; parents are kept sorted, so the routes come out in a
    stable order on every backend.

    >>> edges = {"a": ["b", "c"], "b": ["d"], "c": ["d"]}
    >>> shortest_routes("a", "d", 3, 10, lambda f: [(u, v) for u in f for v in edges.get(u, [])])
    [['a', 'b', 'd'], ['a', 'c', 'd']]
    """
    parents: dict[str, list[str]] = {source: []}
    frontier = [source]
    for _ in range(max(max_hops, 0)):
        level: dict[str, set[str]] = {}
        for parent, v in expand(frontier):
            if v not in parents:
                level.setdefault(v, set()).add(parent)
        if not level:
            return []
        for v, ps in level.items():
            parents[v] = sorted(ps)
        if target in level:
            break
        frontier = sorted(level)
    else:
        return []
    routes: list[list[str]] = []

    def walk(v: str, tail: list[str]) -> None:
        if len(routes) >= limit:
            return
        if v == source:
            routes.append([source, *reversed(tail)])
            return
        for p in parents[v]:
            walk(p, [*tail, v])

    walk(target, [])
    return routes
