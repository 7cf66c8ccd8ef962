"""What only the Neo4j backend can get wrong: query text, transactions, retries, connection failures.

Everything here talks Bolt to a real server (``KG_TEST_BOLT_URI``), except the
checks that no server answers.
"""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from extract.model import Extraction
from graph import cypher
from graph.embedded import EmbeddedStore
from graph.errors import InvalidExtraction, StoreError, StoreUnavailable
from graph.neo4j_store import Neo4jStore
from graph.store import open_store
from tests.graph.backends import make_neo4j_store
from tests.graph.builders import Report, report_a, report_b, yi
from tests.graph.snapshots import snapshot

neo4j_only = pytest.mark.neo4j


@pytest.fixture
def store() -> Iterator[Neo4jStore]:
    s = make_neo4j_store()
    assert isinstance(s, Neo4jStore)
    try:
        yield s
    finally:
        s.close()


def corpus(n: int, seed: int = 3) -> list[Extraction]:
    """Reports that share companies, zones and funding, with aliases that meet across reports."""
    rng = random.Random(seed)
    companies = [f"{a}{b}科技" for a in "甬江明港创嘉" for b in "华信达宏远"]
    projects = [f"{a}{b}产业园" for a in "凌智东江贵驷" for b in "一二三四"]
    out = []
    for i in range(n):
        r = Report(f"/reports/gen/{i:03d}.txt", title=f"第{i}号报告")
        zone = rng.choice(["宁波高新区", "梅墟街道", "贵驷片区"])
        for _ in range(8):
            c, p = rng.choice(companies), rng.choice(projects)
            r.entity(c, "Company", c[:2]) if rng.random() < 0.3 else None
            r.entity(p, "Project", p[:2] + "项目") if rng.random() < 0.3 else None
            r.rel((c, "Company"), "INVESTS_IN", (p, "Project"), amount=yi(rng.randint(1, 9)))
            r.rel((p, "Project"), "LOCATED_IN", (zone, "Zone"))
            r.rel((p, "Project"), "FUNDED_BY", (rng.choice(["专项债", "中央预算内投资"]), "Funding"))
        out.append(r.build())
    return out


# -- query text ------------------------------------------------------------------------------------------


def test_only_the_fixed_vocabulary_reaches_query_text() -> None:
    for evil in ("Company) DETACH DELETE n //", "Company:Document", "", "company"):
        with pytest.raises(cypher.UnknownLabel):
            cypher.create_nodes(evil)
    for evil in ("FUNDED_BY]->() DETACH DELETE a //", "funded_by", "Entity"):
        with pytest.raises(cypher.UnknownLabel):
            cypher.create_facts(evil)
        with pytest.raises(cypher.UnknownLabel):
            cypher.facts_query(
                predicate=evil, subject=False, object=False, document=False, document_keys=False
            )
    with pytest.raises(cypher.UnknownLabel):
        cypher.wipe("Entity) DETACH DELETE (m")


@neo4j_only
def test_hostile_filters_and_names_are_values(store: Neo4jStore) -> None:
    store.ingest_many([report_a(), report_b()])
    before = snapshot(store)
    assert store.facts(predicate="FUNDED_BY]->() DETACH DELETE a //") == []
    assert store.facts(subject="x'}) DETACH DELETE a //") == []
    assert store.lookup("'}) MATCH (n) DETACH DELETE n //") == []
    assert store.search_entities('" OR 1=1 //').total == 0
    r = Report("/reports/evil.txt")
    r.rel(("均胜电子", "Company"), "FUNDED_BY]->(x) DETACH DELETE x //", ("专项债", "Funding"))  # type: ignore[arg-type]
    with pytest.raises(InvalidExtraction, match="unknown predicate"):
        store.ingest(r.build())
    assert snapshot(store) == before


# -- one transaction per report ------------------------------------------------------------------------


@neo4j_only
def test_failure_after_the_facts_were_sent_leaves_nothing(
    store: Neo4jStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.ingest(report_b())
    before = snapshot(store)
    real = Neo4jStore._write_facts

    def write_then_fail(tx, docs):  # type: ignore[no-untyped-def]
        real(tx, docs)
        tx.run("THIS IS NOT CYPHER").consume()  # a server-side error after every write of the report

    monkeypatch.setattr(Neo4jStore, "_write_facts", staticmethod(write_then_fail))
    with pytest.raises(StoreError):
        store.ingest(report_a())
    assert snapshot(store) == before


@neo4j_only
def test_failed_replacement_keeps_the_old_report(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    old = store.ingest(report_a())
    before = snapshot(store)
    changed = report_a()
    changed.relations[0].amount = yi(3.0)

    def fail(tx, docs):  # type: ignore[no-untyped-def]
        raise RuntimeError("injected")

    monkeypatch.setattr(Neo4jStore, "_write_facts", staticmethod(fail))
    with pytest.raises(RuntimeError, match="injected"):
        store.ingest(changed)
    assert snapshot(store) == before
    assert store.find_document("/reports/a.txt").id == old.document


@neo4j_only
def test_a_failing_report_in_a_group_fails_alone(store: Neo4jStore, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = corpus(6)
    bad_path = reports[3].doc.path
    real = Neo4jStore._write_facts

    def fail_on_bad(tx, docs):  # type: ignore[no-untyped-def]
        real(tx, docs)
        if any(d.document.path == bad_path for d in docs):
            tx.run("THIS IS NOT CYPHER").consume()

    monkeypatch.setattr(Neo4jStore, "_write_facts", staticmethod(fail_on_bad))
    with pytest.raises(StoreError):
        store.ingest_many(reports)
    stored = {d.path for d in store.iter_documents()}
    assert stored == {r.doc.path for r in reports[:3]}  # before the bad one: each in its own transaction


# -- the same graph as the embedded store --------------------------------------------------------------------


@neo4j_only
def test_grouped_ingest_equals_the_embedded_store(store: Neo4jStore, tmp_path: Path) -> None:
    reports = corpus(40)
    changed = corpus(1, seed=99)[0]
    changed.doc.path = reports[5].doc.path  # a replacement inside the same run
    reports.append(changed)
    reports.append(reports[7])  # and a repeat
    embedded = EmbeddedStore(tmp_path / "kg-data")
    try:
        expected = [(r.status, r.nodes_added, r.facts_added) for r in embedded.ingest_many(reports)]
        got = [(r.status, r.nodes_added, r.facts_added) for r in store.ingest_many(reports)]
        assert got == expected
        assert snapshot(store) == snapshot(embedded)
        key = sorted(n.key for n in embedded.iter_nodes())[0]
        assert [n.key for n in store.neighbors(key, depth=2).nodes] == [
            n.key for n in embedded.neighbors(key, depth=2).nodes
        ]
        for doc in list(embedded.iter_documents())[::3]:
            assert store.remove_document(doc.id) == embedded.remove_document(doc.id)
        assert snapshot(store) == snapshot(embedded)
    finally:
        embedded.close()


@neo4j_only
def test_concurrent_writers_are_serialised_and_retried(store: Neo4jStore) -> None:
    reports = corpus(24, seed=5)
    errors: list[BaseException] = []

    def writer(part: list[Extraction]) -> None:
        s = make_store_like(store)
        try:
            for r in part:
                s.ingest(r)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            s.close()

    threads = [threading.Thread(target=writer, args=(reports[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Which of two alias-sharing names a node is called depends on arrival order, so compare what
    # does not: every report whole, every fact stored once, every node supported by a stored report.
    docs = {d.id: d for d in store.iter_documents()}
    assert len(docs) == len(reports)
    facts = list(store.iter_facts())
    assert len(facts) == sum(d.fact_count for d in docs.values())
    assert all(len(store.document_facts(d)) == docs[d].fact_count for d in docs)
    assert all(set(n.documents) <= set(docs) and n.documents for n in store.iter_nodes())
    stats = store.stats()
    assert sum(stats.relations.values()) == len(facts)
    assert sum(stats.entities.values()) == len(list(store.iter_nodes()))


def make_store_like(store: Neo4jStore) -> Neo4jStore:
    return Neo4jStore(store.uri, user=store.user, password=store._password, database=store.database)


# -- connection failures ----------------------------------------------------------------------------


def test_unreachable_server_is_store_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    """One connection attempt, no driver retry loop, and the operating system's reason on one line."""
    caplog.set_level(logging.DEBUG, logger="neo4j")
    store = open_store("bolt://127.0.0.1:1")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable) as info:
        store.stats()
    # a retry loop would take the driver's max_transaction_retry_time (15 s); one refused connect is instant
    assert time.monotonic() - started < 5
    assert str(info.value) == "bolt://127.0.0.1:1: cannot reach the Bolt server (Connection refused)"
    assert not [r for r in caplog.records if "will be retried" in r.getMessage()]
    with pytest.raises(StoreUnavailable):
        store.ingest(report_a())
    store.close()


def test_unreachable_server_prints_exactly_one_line() -> None:
    """The CLI as a user runs it: no driver warnings on stderr, one ``kg:`` line, status 2."""
    env = {k: v for k, v in os.environ.items() if k != "KG_STORE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "stats", "--store", "bolt://127.0.0.1:1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr == "kg: bolt://127.0.0.1:1: cannot reach the Bolt server (Connection refused)\n"
    assert done.stdout == ""


def test_unresolvable_host_is_named_on_one_line() -> None:
    store = open_store("bolt://no-such-host.invalid:7687")
    with pytest.raises(StoreUnavailable) as info:
        store.stats()
    message = str(info.value)
    assert message.startswith("bolt://no-such-host.invalid:7687: cannot reach the Bolt server (")
    assert "\n" not in message
    store.close()


@neo4j_only
def test_wrong_password_is_store_unavailable(store: Neo4jStore) -> None:
    wrong = Neo4jStore(store.uri, user=store.user, password="not-the-password", database=store.database)
    with pytest.raises(StoreUnavailable, match="authentication failed"):
        wrong.entity("Company:均胜电子")
    wrong.close()


# -- storage layout -----------------------------------------------------------------------------------


@neo4j_only
def test_entity_records_stay_small_and_removal_recomputes_aliases(store: Neo4jStore, tmp_path: Path) -> None:
    """Traversals load whole records, so per-document data lives beside ``:Entity``, not on it."""
    reports = corpus(6, seed=11)
    store.ingest_many(reports)
    props = store._read("MATCH (n:Entity) RETURN DISTINCT keys(n) AS k")
    assert {p for r in props for p in r["k"]} <= {
        "key", "type", "name", "aliases", "norm_forms", "search_text", "degree", "confidence",
    }  # fmt: skip
    # ingest appended to :Mentions without reading it; a removal rebuilds aliases from what is left,
    # exactly as the embedded store does
    reference = EmbeddedStore(str(tmp_path / "kg-data"))
    reference.ingest_many(reports)
    gone = next(iter(store.iter_documents())).id
    store.remove_document(gone)
    reference.remove_document(gone)
    assert snapshot(store) == snapshot(reference)
    reference.close()


@neo4j_only
def test_records_written_before_confidence_was_kept_read_as_one_and_stay_aligned(
    store: Neo4jStore, tmp_path: Path
) -> None:
    """Old ``:Entity``/``:Mentions``/edge records lack confidence; appends after them must not misalign."""
    a, b = report_a(), report_b()
    for e in b.entities:
        e.confidence = 0.4 if e.name == "均胜电子" else 0.9
    store.ingest(a)
    # what an older version wrote: no confidence on entities, mentions or facts
    store._write(lambda tx: tx.run("MATCH (n:Entity) REMOVE n.confidence").consume())
    store._write(lambda tx: tx.run("MATCH (m:Mentions) REMOVE m.confs").consume())
    store._write(lambda tx: tx.run("MATCH (:Entity)-[e]->(:Entity) REMOVE e.confidence").consume())
    assert {n.confidence for n in store.iter_nodes()} == {1.0}
    assert {f.confidence for f in store.iter_facts()} == {1.0}
    store.ingest(b)  # appends to the old :Mentions of 均胜电子, 宁波高新区, 专项债
    assert store.entity("Company:均胜电子").confidence == 1.0  # max(old report's 1.0, 0.4)
    assert store.entity("Project:大东江软件谷").confidence == pytest.approx(0.9)
    store.remove_document(store.find_document("a.txt").id)  # the old report goes: b's values remain
    assert store.entity("Company:均胜电子").confidence == pytest.approx(0.4)
    assert store.entity("Zone:宁波高新区").confidence == pytest.approx(0.9)
    (rec,) = store._read(cypher.MENTIONS_STATE, keys=["Company:均胜电子"])
    assert len(rec["docs"]) == len(rec["confs"]) == 1
