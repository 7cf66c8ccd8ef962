"""What only the embedded store promises: surviving kill -9, the writers' lock, live readers, bad folders."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from graph.embedded import EmbeddedStore
from graph.errors import CorruptStore, StoreError, StoreLocked, StoreUnavailable
from graph.ingest import document_id, prepare
from tests.graph.builders import report_a, report_b, synthetic_report
from tests.graph.snapshots import snapshot

REPO = Path(__file__).resolve().parents[2]


def child(code: str, *args: str) -> subprocess.Popen[str]:
    """A Python child process running ``code`` from the repository root (so ``tests`` imports)."""
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def expected_facts(title: str) -> int:
    """How many facts synthetic report ``工作总结 N`` has, from its title."""
    return prepare(synthetic_report(int(title.split()[-1]))).document.fact_count


def assert_consistent(store: EmbeddedStore) -> list[int]:
    """Every stored document is whole and the counts agree; returns the report numbers stored, in order."""
    with store.consistent():
        return _check(store)


def _check(store: EmbeddedStore) -> list[int]:
    stats = store.stats()
    docs = store.documents(limit=1_000_000).items
    assert stats.documents == len(docs)
    numbers = [int(d.title.split()[-1]) for d in docs if d.title]
    for d in docs:
        assert d.title is not None
        assert len(store.document_facts(d.id)) == d.fact_count == expected_facts(d.title)
    facts = list(store.iter_facts())
    assert sum(stats.relations.values()) == len(facts) == sum(d.fact_count for d in docs)
    nodes = list(store.iter_nodes())
    assert sum(stats.entities.values()) == len(nodes)
    live = {d.id for d in docs}
    assert all(n.mentions and set(n.mentions) <= live for n in nodes)
    return numbers


# -- persistence --------------------------------------------------------------------


def test_reopening_gives_the_same_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest_many([report_a(), report_b(), *(synthetic_report(i) for i in range(20))])
        s.remove_document(s.find_document("/corpus/report-00003.txt").id)
        changed = synthetic_report(5)
        changed.relations.pop()
        assert s.ingest(changed, replace=True).status == "replaced"
        before = snapshot(s)
    with EmbeddedStore(path, readonly=True) as again:
        assert snapshot(again) == before


def test_a_store_written_before_confidence_was_kept_opens_with_confidence_one(tmp_path: Path) -> None:
    """Segment rows of older stores lack the node's confidence (5 fields) and the fact's last two (18)."""
    import orjson

    path = tmp_path / "kg"
    a = report_a()
    for e in a.entities:
        e.confidence = 0.5
    with EmbeddedStore(path) as s:
        s.ingest_many([a, report_b()])
    (seg,) = (path / "segments").iterdir()
    header, *lines = seg.read_bytes().splitlines()
    old = []
    for line in lines:
        doc_row, node_rows, fact_rows = orjson.loads(line)
        old.append(orjson.dumps([doc_row, [r[:5] for r in node_rows], [r[:18] for r in fact_rows]]))
    seg.write_bytes(b"\n".join([header, *old]) + b"\n")
    (path / "snapshot.json").unlink()
    with EmbeddedStore(path) as again:
        assert {n.confidence for n in again.iter_nodes()} == {1.0}
        assert {(f.confidence, f.period_inherited) for f in again.iter_facts()} == {(1.0, False)}
        assert again.entity("Company:均胜电子").mentions  # the rest of the rows as before
        again.ingest(synthetic_report(1))  # and it takes new reports beside the old rows
        assert again.stats().documents == 3


def test_replay_equals_ingest_in_the_same_order(tmp_path: Path) -> None:
    """The graph is a function of the documents in manifest order, however the writes were batched."""
    reports = [synthetic_report(i) for i in range(30)]
    with EmbeddedStore(tmp_path / "one") as one, EmbeddedStore(tmp_path / "many") as many:
        one.ingest_many(reports)
        for r in reports:
            many.ingest(r)
        assert snapshot(one) == snapshot(many)


# -- crash safety ---------------------------------------------------------------------

WRITER = """
import sys
import graph.embedded as emb
from tests.graph.builders import synthetic_report

emb.BATCH_DOCS = int(sys.argv[3])
store = emb.EmbeddedStore(sys.argv[1])
start = int(sys.argv[2])
print("started", flush=True)
store.ingest_many(synthetic_report(i) for i in range(start, start + 100_000))
"""


def test_kill_9_mid_build_leaves_whole_reports(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    rnd = random.Random(7)
    stored: list[int] = []
    for round_no in range(4):
        start = stored[-1] + 1 if stored else 0
        proc = child(WRITER, str(path), str(start), str(rnd.choice([1, 2, 5])))
        assert proc.stdout is not None and proc.stdout.readline().strip() == "started"
        # Let it commit a few batches, then kill it wherever it is.
        deadline = time.monotonic() + 20
        base = len(stored)
        while time.monotonic() < deadline:
            if (path / "manifest.json").exists():
                with EmbeddedStore(path, readonly=True) as peek:
                    if peek.stats().documents >= base + 3:
                        break
            time.sleep(0.01)
        time.sleep(rnd.uniform(0.0, 0.2))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL, f"round {round_no}: writer ended on its own"

        with EmbeddedStore(path) as reopened:
            numbers = assert_consistent(reopened)
            # Exactly the previous content plus whole new reports, in order, with no gaps.
            assert numbers[: len(stored)] == stored
            assert numbers == list(range(len(numbers)))
            assert len(numbers) > len(stored)
            # And the same graph as ingesting those reports in one go into a fresh store.
            with EmbeddedStore(tmp_path / f"ref{round_no}") as ref:
                ref.ingest_many(synthetic_report(i) for i in numbers)
                assert snapshot(reopened) == snapshot(ref)
            stored = numbers
            # A writer after the crash works and cleans up what the killed one left.
            extra = synthetic_report(len(numbers))
            assert reopened.ingest(extra).status == "added"
            stored = [*numbers, len(numbers)]
        manifest = json.loads((path / "manifest.json").read_text())
        named = {s["file"] for s in manifest["segments"]}
        assert {p.name for p in (path / "segments").iterdir()} == named
        assert not [p for p in path.iterdir() if p.name.endswith(".tmp")]


def test_orphans_and_temp_files_are_cleaned_by_the_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest(report_a())
    orphan = path / "segments" / "seg-00000099-0123456789ab.jsonl"
    orphan.write_text("half a segment")
    tmp = path / ".manifest.json.123.abcd.tmp"
    tmp.write_text("{")
    with EmbeddedStore(path) as s:
        assert s.stats().documents == 1  # opening ignores them
        assert orphan.exists()
        s.ingest(report_b())
        assert not orphan.exists() and not tmp.exists()
        assert s.stats().documents == 2


# -- two writers ------------------------------------------------------------------------

HOLDER = """
import sys, time
from graph.embedded import EmbeddedStore
from tests.graph.builders import synthetic_report

def slow():
    yield synthetic_report(100)
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
    yield synthetic_report(101)

EmbeddedStore(sys.argv[1]).ingest_many(slow())
print("done", flush=True)
"""


def test_second_writer_waits_and_says_so_once(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    proc = child(HOLDER, str(path), "2.5")  # long enough to still hold it on a loaded machine
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    told = io.StringIO()
    with EmbeddedStore(path, notify=told) as s:
        started = time.monotonic()
        result = s.ingest(synthetic_report(102))
        waited = time.monotonic() - started
        assert result.status == "added"
        assert waited > 0.5
        lines = told.getvalue().splitlines()
        assert len(lines) == 1
        assert f"waiting for the store lock held by pid {proc.pid} (" in lines[0]
        # It re-synced under the lock: the other writer's reports are there and merged with ours.
        assert [d.title for d in s.documents().items] == ["工作总结 100", "工作总结 101", "工作总结 102"]
        assert_consistent(s)
    assert proc.wait(timeout=10) == 0


def test_writer_gives_up_after_its_timeout(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    proc = child(HOLDER, str(path), "3")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    try:
        with EmbeddedStore(path, lock_timeout=0.3, notify=io.StringIO()) as s:
            with pytest.raises(StoreLocked, match=f"pid {proc.pid}"):
                s.ingest(report_a())
            assert s.stats().documents == 0  # the holder has not committed yet
    finally:
        proc.kill()
        proc.wait(timeout=10)


# -- readers during a build -------------------------------------------------------------

BUILDER = """
import sys
import graph.embedded as emb
from tests.graph.builders import synthetic_report

emb.BATCH_DOCS = 2
store = emb.EmbeddedStore(sys.argv[1])
for i in range(0, 60, 3):
    store.ingest_many(synthetic_report(j) for j in range(i, i + 3))
    if i == 30:
        store.remove_document(store.find_document("/corpus/report-00004.txt").id)
"""


def test_reader_sees_a_concurrent_build_appear_consistently(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    reader = EmbeddedStore(path)  # as the API holds it: writable, but only reading here
    assert reader.stats().documents == 0
    proc = child(BUILDER, str(path))
    seen: set[int] = set()
    while proc.poll() is None:
        numbers = assert_consistent(reader)
        seen.add(len(numbers))
    assert proc.wait() == 0, proc.stderr.read() if proc.stderr else ""
    final = assert_consistent(reader)
    assert len(final) == 59 and 4 not in final
    assert len(seen) >= 2  # it watched the graph grow, not just the end
    with EmbeddedStore(path, readonly=True) as fresh:
        assert snapshot(fresh) == snapshot(reader)
    reader.close()


def test_two_instances_in_one_process_follow_each_other(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as w1, EmbeddedStore(path) as w2:
        w1.ingest(report_a())
        assert w2.stats().documents == 1
        w2.ingest(report_b())
        assert w1.entity("Company:均胜电子").aliases == ["均胜"]
        w1.remove_document(document_id(report_a()))
        assert w2.stats().documents == 1
        assert snapshot(w1) == snapshot(w2)


# -- bad folders ------------------------------------------------------------------------------


def test_garbage_manifest_is_reported_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    path.mkdir()
    (path / "manifest.json").write_text("this is not json")
    with pytest.raises(CorruptStore, match=str(path / "manifest.json")):
        EmbeddedStore(path)
    (path / "manifest.json").write_text('{"format": "something else"}')
    with pytest.raises(CorruptStore, match="not a policy-kg store manifest"):
        EmbeddedStore(path, readonly=True)
    assert (path / "manifest.json").read_text() == '{"format": "something else"}'


def test_a_file_where_the_folder_should_be(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    path.write_text("my notes")
    with pytest.raises(StoreUnavailable, match="not a folder"):
        EmbeddedStore(path)
    assert path.read_text() == "my notes"


def test_a_folder_of_other_files_is_not_taken_over(tmp_path: Path) -> None:
    (tmp_path / "thesis.docx").write_text("precious")
    with pytest.raises(CorruptStore, match="not a policy-kg store"):
        EmbeddedStore(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thesis.docx"]


def test_missing_or_damaged_segment_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest(report_a())
    (seg,) = (path / "segments").iterdir()
    seg.write_text(seg.read_text()[:-40])
    with pytest.raises(CorruptStore, match=seg.name):
        EmbeddedStore(path)
    seg.unlink()
    with pytest.raises(CorruptStore, match="missing"):
        EmbeddedStore(path)


def test_readonly_store_refuses_writes_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with pytest.raises(StoreUnavailable, match="no store here"):
        EmbeddedStore(path, readonly=True)
    assert not path.exists()
    path.mkdir()
    s = EmbeddedStore(path, readonly=True)
    assert s.stats().documents == 0
    with pytest.raises(StoreError, match="read-only"):
        s.ingest(report_a())
    assert list(path.iterdir()) == []


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    s = EmbeddedStore(tmp_path / "kg")
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.stats()


def test_many_small_writes_keep_few_segments_and_the_same_graph(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    with EmbeddedStore(path) as s, EmbeddedStore(tmp_path / "ref") as ref:
        for i in range(60):
            s.ingest(synthetic_report(i))
            if i % 7 == 3:
                s.remove_document(s.find_document(f"/corpus/report-{i - 2:05d}.txt").id)
        ref.ingest_many(synthetic_report(i) for i in range(60))
        for i in range(60):
            if i % 7 == 3:
                ref.remove_document(ref.find_document(f"/corpus/report-{i - 2:05d}.txt").id)
        assert snapshot(s) == snapshot(ref)
        manifest = json.loads((path / "manifest.json").read_text())
        assert len(manifest["segments"]) <= 17
        assert {p.name for p in (path / "segments").iterdir()} == {
            seg["file"] for seg in manifest["segments"]
        }
        before = snapshot(s)
    with EmbeddedStore(path, readonly=True) as again:
        assert snapshot(again) == before


def _reference_neighbors(
    store: EmbeddedStore, key: str, depth: int, preds: set[str] | None, types: set[str] | None, limit: int
) -> tuple[list[str], dict[str, int]]:
    """Plain breadth-first search: every reached node ranked (degree, then key), kept up to ``limit``."""
    adjacent: dict[str, set[str]] = {}
    for f in store.iter_facts():
        if preds is None or f.predicate in preds:
            adjacent.setdefault(f.subject, set()).add(f.object)
            adjacent.setdefault(f.object, set()).add(f.subject)
    node_type = {n.key: n.type for n in store.iter_nodes()}
    seen, kept, frontier = {key}, [key], [key]
    omitted: dict[str, int] = {}
    for _ in range(depth):
        level = {v for u in frontier for v in adjacent.get(u, ()) if v not in seen}
        level = {v for v in level if types is None or node_type[v] in types}
        if not level:
            break
        seen |= level
        ranked = sorted(level, key=lambda k: (-store.degree(k), k))
        room = max(limit - len(kept), 0)
        kept += ranked[:room]
        for v in ranked[room:]:
            omitted[node_type[v]] = omitted.get(node_type[v], 0) + 1
        frontier = ranked
    return kept, omitted


def test_neighbors_match_a_plain_breadth_first_search(tmp_path: Path) -> None:
    """The hub shortcuts (ranked adjacency heads, counted last level) keep exactly what a plain BFS keeps."""
    store = EmbeddedStore(tmp_path / "kg-data")
    store.ingest_many(synthetic_report(i, relations=40) for i in range(60))
    keys = sorted(n.key for n in store.iter_nodes())
    hubs = sorted(keys, key=lambda k: -store.degree(k))[:3]
    rnd = random.Random(3)
    cases = [
        (k, d, None, None, lim) for k in [*hubs, *rnd.sample(keys, 12)] for d in (1, 2, 3) for lim in (5, 40)
    ]
    cases += [(k, 2, {"FUNDED_BY", "LOCATED_IN"}, None, 20) for k in rnd.sample(keys, 5)]
    cases += [(k, 3, None, {"Project", "Zone", "Funding"}, 20) for k in rnd.sample(keys, 5)]
    checked_caps = 0
    for key, depth, preds, types, limit in cases:
        sub = store.neighbors(key, depth=depth, predicates=preds, types=types, limit=limit)
        kept, omitted = _reference_neighbors(store, key, depth, preds, types, limit)
        assert [n.key for n in sub.nodes] == kept, (key, depth, preds, types, limit)
        assert sub.omitted == omitted, (key, depth, preds, types, limit)
        checked_caps += bool(omitted)
    assert checked_caps >= 20  # the cap really cut most of these neighbourhoods
    store.close()


def test_a_writer_never_deletes_a_segment_under_a_reader(tmp_path: Path) -> None:
    """While a reader holds the readers' lock, dropped segments stay; the next writer collects them."""
    from graph.ingest import document_id as doc_id
    from graph.persist import reading

    path = tmp_path / "kg"
    with EmbeddedStore(path) as s:
        s.ingest(report_a())
        s.ingest(report_b())
        before = {p.name for p in (path / "segments").iterdir()}
        with reading(path):
            s.remove_document(doc_id(report_a()))
            assert {p.name for p in (path / "segments").iterdir()} == before
        s.ingest(synthetic_report(1))
        manifest = json.loads((path / "manifest.json").read_text())
        assert {p.name for p in (path / "segments").iterdir()} == {m["file"] for m in manifest["segments"]}
