"""Corrections benchmark: what a corrections log costs ingest, and how long one correction and its undo take.

    .venv/bin/python bench/fixes.py [--relations 50000] [--corrections 200] [--backends embedded,neo4j]

The corpus is bench/store.py's synthetic one.  Baseline measured in the same
run: the same corpus ingested into an empty store without a log.  The log is
made of merges, retypes, rejects and confirmations of the corpus's most
mentioned entities (the worst case: every correction meets many reports).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from store import make_corpus  # bench/store.py

from extract.model import Extraction
from graph import fixing
from graph.corrections import Correction
from graph.store import GraphStore


def make_log(store: GraphStore, count: int) -> list[Correction]:
    """Corrections of the best-supported entities: merges within a type, retypes, rejects, confirmations."""
    nodes = sorted(store.iter_nodes(), key=lambda n: (-len(n.mentions), n.key))
    by_type: dict[str, list[str]] = {}
    for n in nodes:
        by_type.setdefault(n.type, []).append(n.key)
    log: list[Correction] = []
    used: set[str] = set()
    kinds = ["merge", "retype", "reject", "confirm"]
    for n in nodes:
        if len(log) >= count:
            break
        if n.key in used:
            continue
        op = kinds[len(log) % len(kinds)]
        seq = len(log) + 1
        if op == "merge":
            other = next((k for k in by_type[n.type] if k != n.key and k not in used), None)
            if other is None:
                continue
            log.append(Correction(seq, "merge", key=n.key, target=other, target_name=other.split(":", 1)[1]))
            used |= {n.key, other}
        elif op == "retype":
            new = "Project" if n.type != "Project" else "Company"
            log.append(Correction(seq, "retype", key=n.key, target=new))
            used.add(n.key)
        else:
            log.append(Correction(seq, op, key=n.key))  # type: ignore[arg-type]
            used.add(n.key)
    return log


def ingest_rate(
    open_store: Callable[[], GraphStore], corpus: list[Extraction], log: list[Correction]
) -> tuple[float, GraphStore]:
    store = open_store()
    if log:
        fixing.load_log(store, log)
    facts = sum(len(e.relations) for e in corpus)
    started = time.perf_counter()
    store.ingest_many(corpus)
    return facts / (time.perf_counter() - started), store


def one_correction_ms(store: GraphStore, rounds: int = 5) -> tuple[float, float]:
    """Median time of a merge of two well-supported entities, and of its undo."""
    nodes = sorted(store.iter_nodes(), key=lambda n: (-len(n.mentions), n.key))
    projects = [n.key for n in nodes if n.type == "Project"][-2 * rounds :]  # not touched by the log
    make, undo = [], []
    for a, b in zip(projects[::2], projects[1::2], strict=False):
        started = time.perf_counter()
        entry = fixing.merge(store, a, b)
        make.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        fixing.undo(store, entry.seq)
        undo.append((time.perf_counter() - started) * 1000)
    return statistics.median(make), statistics.median(undo)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--relations", type=int, default=50_000)
    ap.add_argument("--corrections", type=int, default=200)
    ap.add_argument("--backends", default="embedded")
    ap.add_argument("--bolt-uri", default=os.environ.get("KG_TEST_BOLT_URI", "bolt://127.0.0.1:7687"))
    args = ap.parse_args(argv)
    corpus, _ = make_corpus(args.relations)
    print(f"corpus: {len(corpus)} reports, {sum(len(e.relations) for e in corpus)} relations")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            counter = iter(range(100))

            def open_store(
                backend: str = backend, tmp: str = tmp, counter: Iterator[int] = counter
            ) -> GraphStore:
                if backend == "embedded":
                    from graph.embedded import EmbeddedStore

                    return EmbeddedStore(str(Path(tmp) / f"kg-{next(counter)}"))
                from graph.neo4j_store import Neo4jStore

                s = Neo4jStore(
                    args.bolt_uri,
                    user=os.environ.get("KG_NEO4J_USER", "root"),
                    password=os.environ.get("KG_NEO4J_PASSWORD", "policykg-dev"),
                )
                s.wipe()
                return s

            base_rate, base = ingest_rate(open_store, corpus, [])
            log = make_log(base, args.corrections)
            base.close()
            fixed_rate, fixed = ingest_rate(open_store, corpus, log)
            changed = len(fixed.fix_state().originals)  # type: ignore[attr-defined]
            make_ms, undo_ms = one_correction_ms(fixed)
            stale = len(fixing.stale(fixed))
            fixed.close()
            print(f"\n[{backend}]")
            print(f"  ingest, no corrections (baseline): {base_rate:,.0f} rel/s")
            print(
                f"  ingest, {len(log)} corrections:      {fixed_rate:,.0f} rel/s "
                f"(ratio {fixed_rate / base_rate:.2f}; {changed} of {len(corpus)} reports corrected, "
                f"{stale} stale)"
            )
            print(f"  one merge: {make_ms:,.0f} ms, its undo: {undo_ms:,.0f} ms (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
