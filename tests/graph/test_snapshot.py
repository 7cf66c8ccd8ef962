"""The embedded store's saved indexes: opening from them gives exactly the graph a replay gives."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from extract.model import Extraction
from graph import background, embedded, snapshot
from graph.embedded import EmbeddedStore
from graph.errors import CorruptStore
from graph.memgraph import MemGraph
from tests.graph.builders import report_a, report_b, synthetic_report
from tests.graph.snapshots import snapshot as dump

#: Every index of the in-memory graph; the two ways of opening must agree on all of them, order included.
_INDEXES = ("nodes", "contrib", "conf", "node_forms", "forms", "facts", "pred_facts", "docs", "doc_facts",
            "doc_nodes", "path_docs", "type_keys", "deg")  # fmt: skip


def _indexes(mem: MemGraph) -> dict[str, object]:
    out: dict[str, object] = {name: getattr(mem, name) for name in _INDEXES}
    out["order"] = {
        name: list(getattr(mem, name)) for name in ("nodes", "facts", "docs", "deg", "node_forms")
    }
    out["mentions_order"] = {k: list(n.mentions) for k, n in mem.nodes.items()}
    out["types"] = {t: n for t, n in mem.type_counts.items() if n}
    out["succ"], out["pred"], out["g_nodes"] = mem.g._succ, mem.g._pred, list(mem.g._node)
    out["succ_order"] = {k: list(v) for k, v in mem.g._succ.items()}
    return out


def _same_as_replay(path: Path) -> EmbeddedStore:
    fast = EmbeddedStore(path, readonly=True)
    slow = EmbeddedStore(path, readonly=True, use_snapshot=False)
    assert _indexes(fast._mem) == _indexes(slow._mem)
    assert dump(fast) == dump(slow)
    for q in ("", "小巨人", "凌智"):
        assert fast.search_entities(q, limit=50) == slow.search_entities(q, limit=50)
    key = next(iter(fast._mem.nodes), None)
    if key is not None:
        assert fast.neighbors(key, depth=2) == slow.neighbors(key, depth=2)
    slow.close()
    return fast


def _drop_columns(file: Path, *names: str) -> None:
    """Take columns out of a snapshot file (a header line naming the columns, then one line per column)."""
    header, *lines = file.read_bytes().split(b"\n")
    head = json.loads(header)
    kept = [(n, line) for n, line in zip(head["columns"], lines, strict=True) if n not in names]
    head["columns"] = [n for n, _ in kept]
    file.write_bytes(b"\n".join([json.dumps(head).encode(), *(line for _, line in kept)]))


def _replacing(ex: Extraction, path: str) -> Extraction:
    return dataclasses.replace(ex, doc=dataclasses.replace(ex.doc, path=path, sha256=None))


def test_close_saves_the_snapshot_and_an_open_from_it_equals_a_replay(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest(report_a())
        s.ingest_many(synthetic_report(i) for i in range(30))
        s.ingest(report_b())
        s.remove_document(s.find_document("/corpus/report-00003.txt").id)
        s.ingest(_replacing(synthetic_report(99), "/corpus/report-00007.txt"))
        assert not (path / snapshot.SNAPSHOT).exists()  # small writes: saved on close only
    assert (path / snapshot.SNAPSHOT).exists()
    fast = _same_as_replay(path)
    assert fast._snap_facts == len(fast._mem.facts) > 0  # it did open from the snapshot
    fast.close()


def test_an_open_from_the_snapshot_makes_fact_records_only_when_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(synthetic_report(i) for i in range(10))
        doc = s.find_document("/corpus/report-00004.txt").id
        expected = s.document_facts(doc)
    fast = EmbeddedStore(path, readonly=True)
    assert fast.stats().documents == 10 and fast._mem.facts.made() == 0
    assert fast.document_facts(doc) == expected
    assert fast._mem.facts.made() == len(expected) > 0
    fast.close()


def _unsure(i: int) -> Extraction:
    """Synthetic report ``i`` with confidences that differ between reports (so between a node's documents)."""
    import random

    rnd = random.Random(i)
    ex = synthetic_report(i)
    for e in ex.entities:
        e.confidence = rnd.randrange(20, 100) / 100
    for r in ex.relations:
        r.confidence = rnd.randrange(20, 100) / 100
    return ex


def test_confidences_open_from_the_snapshot_as_a_replay_gives_them(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(_unsure(i) for i in range(20))
        s.remove_document(s.find_document("/corpus/report-00004.txt").id)
    fast = _same_as_replay(path)
    assert fast._snap_facts > 0 and fast._mem.conf  # opened from the snapshot; nodes of several reports
    assert len({n.confidence for n in fast._mem.nodes.values()}) > 5
    fast.close()


def test_a_snapshot_saved_before_confidences_were_kept_is_replayed(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(_unsure(i) for i in range(5))
    _drop_columns(path / snapshot.SNAPSHOT, "nodes.confidence", "conf.nodes", "conf.docs", "conf.values")
    fast = _same_as_replay(path)
    assert fast._snap_facts == 0  # not used: the segments were replayed, confidences and all
    assert any(n.confidence < 1.0 for n in fast._mem.nodes.values())
    fast.close()


def test_a_snapshot_that_lags_behind_catches_up_from_the_segments(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(synthetic_report(i) for i in range(20))
    saved = (path / snapshot.SNAPSHOT).read_bytes()
    # A writer that never got to save (killed): its changes are only in segments and the manifest.
    s = EmbeddedStore(path)
    s.ingest_many(synthetic_report(i) for i in range(20, 40))
    s.remove_document(s.find_document("/corpus/report-00005.txt").id)
    s.ingest(_replacing(synthetic_report(77), "/corpus/report-00011.txt"))
    for _ in range(20):  # enough single writes to fold the small trailing segments
        s.ingest(synthetic_report(100 + _))
    s._tail = 0  # as if killed: close saves nothing
    s.close()
    assert (path / snapshot.SNAPSHOT).read_bytes() == saved
    _same_as_replay(path).close()


@pytest.mark.parametrize(
    "garbage",
    [b"", b"\x00\x01 not json", b'{"format": "policy-kg-snapshot/0"}', b'{"format": "policy-kg-snapshot/1"}',
     b'{"format": "policy-kg-snapshot/2", "generation": 1, "live": [], "columns": ["docs.id"]}',
     b"[1, 2, 3]"],
)  # fmt: skip
def test_an_unusable_snapshot_is_ignored_and_rewritten(tmp_path: Path, garbage: bytes) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(synthetic_report(i) for i in range(5))
    (path / snapshot.SNAPSHOT).write_bytes(garbage)
    store = _same_as_replay(path)
    assert store.stats().documents == 5 and store._snap_facts == 0
    store.close()
    with EmbeddedStore(path) as s:
        s.ingest(report_a())
    assert snapshot.read(path) is not None


def test_a_snapshot_whose_numbers_point_nowhere_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(synthetic_report(i) for i in range(5))
    # one JSON document per line: the header naming the columns, then the columns in that order
    header, *columns = (path / snapshot.SNAPSHOT).read_bytes().split(b"\n")
    subjects = json.loads(columns[json.loads(header)["columns"].index("facts.subject")])
    subjects[0] = 10**6
    columns[json.loads(header)["columns"].index("facts.subject")] = json.dumps(subjects).encode()
    (path / snapshot.SNAPSHOT).write_bytes(b"\n".join([header, *columns]))
    assert snapshot.read(path) is None
    _same_as_replay(path).close()


def test_a_long_write_saves_the_snapshot_once_enough_was_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "SNAPSHOT_TAIL", 40)
    path = tmp_path / "kg"
    s = EmbeddedStore(path)
    s.ingest(synthetic_report(0))  # 12 facts: below the threshold
    assert not (path / snapshot.SNAPSHOT).exists()
    s.ingest_many(synthetic_report(i) for i in range(1, 6))
    s.wait_snapshot()  # saved in a forked child while the writer goes on
    first = snapshot.read(path)
    assert first is not None and len(first.mem.docs) == 6
    s.ingest(synthetic_report(6))  # the next save waits until as many facts as the last one held
    s.wait_snapshot()
    assert len(snapshot.read(path).mem.docs) == 6  # type: ignore[union-attr]
    s._tail = 0
    s.close()


def test_the_snapshot_is_saved_in_a_child_while_the_writer_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedded, "SNAPSHOT_TAIL", 40)
    # Threads other tests left idle in this process would keep it from forking.
    monkeypatch.setattr(background, "can_fork", lambda: True)
    path = tmp_path / "kg"
    s = EmbeddedStore(path)
    s.ingest_many(synthetic_report(i) for i in range(6))
    assert s._saver.running  # the write call returned before the save ended
    s.ingest_many(synthetic_report(i) for i in range(6, 9))  # writing goes on meanwhile
    s.wait_snapshot()
    assert not s._saver.running and s._tail == 3 * 12
    saved = snapshot.read(path)
    assert saved is not None and len(saved.mem.docs) == 6  # the state of the write that started it
    s.close()  # saves the rest here
    assert len(snapshot.read(path).mem.docs) == 9  # type: ignore[union-attr]
    _same_as_replay(path).close()


def test_with_other_threads_running_the_snapshot_is_saved_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    monkeypatch.setattr(embedded, "SNAPSHOT_TAIL", 40)
    path = tmp_path / "kg"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with EmbeddedStore(path) as s:
            s.ingest_many(synthetic_report(i) for i in range(6))
            assert not s._saver.running  # not forked: another thread might hold a lock the child needs
            saved = snapshot.read(path)
            assert saved is not None and len(saved.mem.docs) == 6
    finally:
        stop.set()
        other.join()


def test_a_background_save_that_fails_is_made_again_on_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(embedded, "SNAPSHOT_TAIL", 40)
    path = tmp_path / "kg"
    s = EmbeddedStore(path)
    real_write = snapshot.write

    def failing(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(snapshot, "write", failing)
    s.ingest_many(synthetic_report(i) for i in range(6))
    s.wait_snapshot()
    assert "could not save the store snapshot (No space left on device)" in capfd.readouterr().err
    assert not (path / snapshot.SNAPSHOT).exists() and s._tail == 6 * 12  # counted as unsaved again
    monkeypatch.setattr(snapshot, "write", real_write)
    s.close()
    assert len(snapshot.read(path).mem.docs) == 6  # type: ignore[union-attr]


def test_a_readonly_store_never_writes_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path, use_snapshot=False) as s:
        s.ingest_many(synthetic_report(i) for i in range(3))
    with EmbeddedStore(path, readonly=True) as r:
        assert r.stats().documents == 3
    assert not (path / snapshot.SNAPSHOT).exists()


def _writes(mem: MemGraph) -> tuple[object, ...]:
    order = {p: list(ids) for p, ids in mem.pred_facts.items()}
    return mem.contrib, mem.conf, mem.pred_facts, order, {k: list(v) for k, v in mem.conf.items()}


def test_reads_of_a_store_opened_from_its_snapshot_never_make_the_write_indexes(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(_unsure(i) for i in range(12))
        expected = s.stats()
    fast = EmbeddedStore(path, readonly=True)
    key = next(iter(fast._mem.nodes))
    assert fast.stats() == expected and expected.relations["PARTICIPATES_IN"] > 0
    fast.search_entities("小巨人", limit=20)
    fast.neighbors(key, depth=2)
    assert fast._mem._pred_facts is None and fast._mem._conf is None and fast._mem._contrib is None
    assert fast.facts(predicate="FUNDED_BY")  # a list by predicate makes them, and stats follow them
    assert fast._mem._pred_facts is not None and fast.stats() == expected
    fast.close()


def test_a_store_opened_from_its_snapshot_then_written_has_the_write_indexes_of_a_replay(
    tmp_path: Path,
) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(_unsure(i) for i in range(15))
    store = EmbeddedStore(path)
    assert store._snap_facts > 0 and store._mem._conf is None
    store.remove_document(store.find_document("/corpus/report-00002.txt").id)
    store.ingest_many(_unsure(i) for i in range(15, 22))
    replay = EmbeddedStore(tmp_path / "replay", use_snapshot=False)
    replay.ingest_many(_unsure(i) for i in range(15))
    replay.remove_document(replay.find_document("/corpus/report-00002.txt").id)
    replay.ingest_many(_unsure(i) for i in range(15, 22))
    assert _writes(store._mem) == _writes(replay._mem)
    assert store.stats() == replay.stats()
    store.close()
    replay.close()


def test_damaged_confidence_columns_are_reported_by_the_first_write_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many(_unsure(i) for i in range(5))
    header, *columns = (path / snapshot.SNAPSHOT).read_bytes().split(b"\n")
    names = json.loads(header)["columns"]
    columns[names.index("conf.values")] = b'["not a number"]'
    (path / snapshot.SNAPSHOT).write_bytes(b"\n".join([header, *columns]))
    store = EmbeddedStore(path)
    assert store._snap_facts > 0 and store.stats().documents == 5  # opened: the columns are read later
    with pytest.raises(CorruptStore, match=r"snapshot\.json: unreadable alias or confidence columns"):
        store.ingest(_unsure(6))
    assert store.stats().documents == 5  # nothing of the failed write was kept
    store.close()
