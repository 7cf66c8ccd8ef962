"""Which part of the graph a page shows: the centre, depth, filters and the node cap.

The store's ``neighbors()`` knows depth, predicates, types and the cap but
not periods, so the period range is applied here and the cap re-applied
after it (nearest nodes first), with the left-out nodes counted per type
for the page's note.  Facts without a period (``LOCATED_IN`` mostly) are
timeless and are kept by every period range; dropping them would cut the
graph into pieces.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from extract.model import ENTITY_TYPES, PREDICATE_LABELS_ZH, PREDICATES, TYPE_LABELS_ZH
from graph.errors import NotFound
from graph.model import Fact, Node, Subgraph
from graph.store import GraphStore
from graph.subgraph import cap_reachable

from .errors import UnknownCenter, VizError

DEFAULT_LIMIT = 300
#: beyond this a browser tab spends too long in layout to be usable; requests above it are refused
MAX_LIMIT = 2000
DEFAULT_DEPTH = 2
MAX_DEPTH = 3

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(slots=True)
class Focus:
    """What the person asked to see; validated on construction so every caller gets the same errors."""

    center: str | None = None
    depth: int = DEFAULT_DEPTH
    types: list[str] = field(default_factory=list)
    predicates: list[str] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    limit: int = DEFAULT_LIMIT
    #: the page's confidence filter starts here (0–1); it hides in the browser, so moving it back down
    #: shows again what it hid without asking the server
    min_confidence: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_confidence <= 1.0:  # NaN fails both comparisons
            raise VizError(f"min_confidence must be between 0 and 1, got {self.min_confidence}")
        if not 1 <= self.depth <= MAX_DEPTH:
            raise VizError(f"depth must be between 1 and {MAX_DEPTH}, got {self.depth}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise VizError(f"limit must be between 1 and {MAX_LIMIT} nodes, got {self.limit}")
        self.types = [_vocab(t, ENTITY_TYPES, TYPE_LABELS_ZH, "entity type") for t in self.types]
        self.predicates = [_vocab(p, PREDICATES, PREDICATE_LABELS_ZH, "predicate") for p in self.predicates]
        self.start = _normalise_date(self.start, "start", last=False)
        self.end = _normalise_date(self.end, "end", last=True)
        if self.start and self.end and self.start > self.end:
            raise VizError(f"start {self.start} is after end {self.end}")
        if self.center is not None:
            self.center = self.center.strip() or None

    @property
    def has_period(self) -> bool:
        return bool(self.start or self.end)


def _vocab(value: str, names: Sequence[str], chinese: Mapping[str, str], what: str) -> str:
    """A type or predicate as typed: the English name in any case, or its Chinese label (项目, 资金来源)."""
    by_label = {label: name for name, label in chinese.items()}
    by_folded = {n.casefold(): n for n in names}
    found = by_folded.get(value.strip().casefold()) or by_label.get(value.strip())
    if found is None:
        listed = ", ".join(f"{n} {chinese.get(n, '')}".strip() for n in names)
        raise VizError(f"unknown {what} {value!r} (one of {listed})")
    return found


def _normalise_date(value: str | None, what: str, *, last: bool) -> str | None:
    """``2023`` / ``2023-06`` / ``2023-06-30`` to a comparable ISO string (an end padded to the last day)."""
    if value is None or not value.strip():
        return None
    m = _DATE.match(value.strip())
    if not m:
        raise VizError(f"{what} must be a date like 2023, 2023-06 or 2023-06-30, got {value!r}")
    year, month, day = m.group(1), m.group(2), m.group(3)
    if month is None:
        return f"{year}-12-31" if last else f"{year}-01-01"
    if day is None:
        # "-31" compares after every real day of the month, which is all an end bound needs
        return f"{year}-{month}-31" if last else f"{year}-{month}-01"
    return f"{year}-{month}-{day}"


def split_values(values: Iterable[str] | None) -> list[str]:
    """Query values as given repeatedly (``type=A&type=B``) or comma-separated (``type=A,B``)."""
    out: list[str] = []
    for v in values or []:
        out.extend(part.strip() for part in v.split(",") if part.strip())
    return out


def fact_in_period(fact: Fact, start: str | None, end: str | None) -> bool:
    f_start = fact.period_start or fact.period_end
    f_end = fact.period_end or fact.period_start
    if f_start is None or f_end is None:
        return True
    if start and f_end < start:
        return False
    return not (end and f_start > end)


def resolve_center(store: GraphStore, center: str) -> Node:
    """A node by key, else by exact name or alias (the best connected if several share it)."""
    try:
        return store.entity(center)
    except NotFound:
        pass
    found = store.lookup(center)
    if found:
        return max(found, key=lambda n: store.degree(n.key)) if len(found) > 1 else found[0]
    hits = store.search_entities(center, limit=5).items
    raise UnknownCenter(center, [h.node.name for h in hits])


def select_subgraph(store: GraphStore, focus: Focus) -> Subgraph:
    """The subgraph the page shows: around the centre when there is one, else the best connected nodes."""
    if focus.center is None:
        return _overview(store, focus)
    node = resolve_center(store, focus.center)
    fetch_limit = MAX_LIMIT if focus.has_period else focus.limit
    sub = store.neighbors(
        node.key,
        depth=focus.depth,
        predicates=focus.predicates or None,
        types=focus.types or None,
        limit=fetch_limit,
    )
    if not focus.has_period:
        return replace(sub, center=node.key)
    edges = [f for f in sub.edges if fact_in_period(f, focus.start, focus.end)]
    return cap_reachable(sub.nodes, edges, node.key, focus.depth, focus.limit, sub.omitted)


def _overview(store: GraphStore, focus: Focus) -> Subgraph:
    """No centre: the ``limit`` best connected nodes under the filters, and the facts among them."""
    types = set(focus.types) if focus.types else None
    preds = set(focus.predicates) if focus.predicates else None
    nodes = {n.key: n for n in store.iter_nodes() if types is None or n.type in types}
    edges = [
        f
        for f in store.iter_facts()
        if (preds is None or f.predicate in preds)
        and f.subject in nodes
        and f.object in nodes
        and fact_in_period(f, focus.start, focus.end)
    ]
    degree: Counter[str] = Counter()
    for f in edges:
        degree[f.subject] += 1
        degree[f.object] += 1
    ranked = sorted(nodes.values(), key=lambda n: (-degree[n.key], n.name))
    kept = ranked[: focus.limit]
    kept_keys = {n.key for n in kept}
    omitted = dict(Counter(n.type for n in ranked[focus.limit :]))
    return Subgraph(
        nodes=kept,
        edges=[f for f in edges if f.subject in kept_keys and f.object in kept_keys],
        center=None,
        omitted=omitted,
    )
