"""The embedded store's adjacency is made when a traversal first needs it: it must equal one kept in step."""

from __future__ import annotations

from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.memgraph import MemGraph
from tests.graph.builders import synthetic_report


def _adjacency(mem: MemGraph) -> tuple[object, ...]:
    g = mem.g
    order = {k: list(v) for k, v in g._succ.items()}
    return g._succ, g._pred, list(g._node), order, {k: list(v) for k, v in g._pred.items()}


def _eager(path: Path) -> EmbeddedStore:
    store = EmbeddedStore(path, use_snapshot=False)
    assert store._mem.g is not None  # made now: every write below keeps it in step
    return store


def test_a_build_that_never_walks_an_edge_never_makes_the_adjacency(tmp_path: Path) -> None:
    with EmbeddedStore(tmp_path / "kg") as store:
        store.ingest_many(synthetic_report(i) for i in range(30))
        assert store._mem._g is None and store.stats().documents == 30
        key = next(iter(store._mem.nodes))
        assert store.neighbors(key, depth=1).nodes  # the first walk makes it
        assert store._mem._g is not None


def test_the_adjacency_made_late_equals_one_kept_in_step(tmp_path: Path) -> None:
    lazy, eager = EmbeddedStore(tmp_path / "lazy", use_snapshot=False), _eager(tmp_path / "eager")
    for store in (lazy, eager):
        store.ingest_many(synthetic_report(i) for i in range(25))
        store.ingest(synthetic_report(40, relations=30))
    assert lazy._mem._g is None
    assert _adjacency(lazy._mem) == _adjacency(eager._mem)
    for store in (lazy, eager):  # a removal walks the adjacency as it stands, then writes go on
        store.remove_document(store.find_document("/corpus/report-00003.txt").id)
        store.ingest_many(synthetic_report(i) for i in range(50, 60))
    assert _adjacency(lazy._mem) == _adjacency(eager._mem)
    lazy.close()
    eager.close()


def test_a_store_opened_from_its_snapshot_and_written_has_the_adjacency_of_a_replay(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as store:
        store.ingest_many(synthetic_report(i) for i in range(20))
    store = EmbeddedStore(path)  # from the snapshot: the adjacency is its edge columns, when needed
    assert store._snap_facts > 0
    store.ingest_many(synthetic_report(i) for i in range(20, 35))
    assert store._mem._g is None
    replay = _eager(tmp_path / "replay")
    replay.ingest_many(synthetic_report(i) for i in range(35))
    assert _adjacency(store._mem) == _adjacency(replay._mem)
    store.close()
    replay.close()
