"""Neighbours at a minimum confidence are the neighbourhood in the graph of sure facts.

A zone with three sure projects and five unsure ones, one of the unsure ones leading
on to a sure company: at 0.5 the cap of 3 is filled with sure projects (unsure ones
do not use it up), and the company, reachable only through an unsure project, is
not a neighbour.  Runs on every backend (the filter is the library's, the traversal
the store's).
"""

from __future__ import annotations

from graph.queries import neighbors
from graph.store import GraphStore
from tests.graph.builders import Report

ZONE = ("梅墟街道", "Zone")
SURE = ["甬江智造园", "明港数字港", "创嘉研发大楼"]
UNSURE = ["华信科创园", "达宏软件谷", "远恒智造基地", "盛中产业园", "科天创新中心"]


def _report() -> Report:
    r = Report("/reports/sure.txt")
    for name in UNSURE + SURE:  # the unsure ones first: a cap applied before the filter takes them
        r.rel((name, "Project"), "LOCATED_IN", ZONE)
    r.rel(("润东电子", "Company"), "INVESTS_IN", (UNSURE[0], "Project"))
    for e in r.entities:
        e.confidence = 0.3 if e.name in UNSURE else 0.9
    return r


def test_unsure_nodes_do_not_use_up_the_cap(store: GraphStore) -> None:
    store.ingest(_report().build())
    zone = store.lookup(ZONE[0])[0].key
    every = neighbors(store, zone, depth=1, limit=20)
    assert len(every.nodes) == 1 + len(SURE) + len(UNSURE)
    sure = neighbors(store, zone, depth=1, limit=1 + len(SURE), min_confidence=0.5)
    assert {n.name for n in sure.nodes} == {ZONE[0], *SURE}
    assert {e.subject for e in sure.edges} == {n.key for n in sure.nodes if n.key != zone}


def test_a_node_reached_only_through_an_unsure_one_is_not_a_neighbour(store: GraphStore) -> None:
    store.ingest(_report().build())
    zone = store.lookup(ZONE[0])[0].key
    assert "润东电子" in {n.name for n in neighbors(store, zone, depth=2, limit=50).nodes}
    sure = neighbors(store, zone, depth=2, limit=50, min_confidence=0.5)
    assert {n.name for n in sure.nodes} == {ZONE[0], *SURE}


def test_what_the_cap_leaves_out_of_the_sure_graph_is_counted(store: GraphStore) -> None:
    store.ingest(_report().build())
    zone = store.lookup(ZONE[0])[0].key
    sure = neighbors(store, zone, depth=1, limit=2, min_confidence=0.5)
    assert len(sure.nodes) == 2 and sure.omitted.get("Project") == len(SURE) - 1
