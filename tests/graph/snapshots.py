"""A store's whole content as plain comparable values, for "nothing else changed" assertions."""

from __future__ import annotations

from typing import Any

from graph.store import GraphStore


def snapshot(store: GraphStore) -> dict[str, Any]:
    return {
        "stats": store.stats().to_json(),
        "nodes": sorted(
            (
                n.key,
                n.type,
                n.name,
                tuple(n.aliases),
                tuple(sorted((d, tuple(map(tuple, s))) for d, s in n.mentions.items())),
                n.confidence,
            )
            for n in store.iter_nodes()
        ),
        "facts": sorted(
            tuple(sorted((k, str(v)) for k, v in f.to_json().items())) for f in store.iter_facts()
        ),
        "documents": sorted(str(d.to_json()) for d in store.iter_documents()),
    }
