"""Exports read back by their consumers: rdflib (Turtle, JSON-LD, N-Triples, SPARQL), networkx, csv."""

from __future__ import annotations

import csv
import subprocess
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Graph, Literal

from extract.model import Amount, Period
from graph.embedded import EmbeddedStore
from graph.export import DOC_HEADER, NODE_HEADER, REL_HEADER, ExportError, export_graph
from graph.rdf import entity_iri, key_of
from graph.vocab import KG
from tests.graph.builders import Report, report_a, report_b, yi

REPO = Path(__file__).resolve().parents[2]
KG_BIN = REPO / ".venv" / "bin" / "kg"


@pytest.fixture
def filled(tmp_path: Path) -> EmbeddedStore:
    store = EmbeddedStore(tmp_path / "kg")
    extra = Report("/reports/c.txt")
    extra.entity("凌智产业园", "Project", "凌智项目")
    extra.rel(("凌智产业园", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(0.5), agency="经发局")
    extra.rel(("专项债", "Project"), "LOCATED_IN", ("宁波高新区", "Zone"))  # a Project named like the Funding
    store.ingest_many([report_a(), report_b(), extra.build()])
    return store


def _counts(g: Graph) -> tuple[int, int, int]:
    return (
        len(set(g.subjects(RDF.type, KG.Entity))),
        len(set(g.subjects(RDF.type, KG.Fact))),
        len(set(g.subjects(RDF.type, KG.Document))),
    )


def test_turtle_round_trip_keeps_every_entity_fact_and_document(
    filled: EmbeddedStore, tmp_path: Path
) -> None:
    out = tmp_path / "graph.ttl"
    result = export_graph(filled, "ttl", out)
    stats = filled.stats()
    assert (result.nodes, result.facts, result.documents) == (
        sum(stats.entities.values()),
        sum(stats.relations.values()),
        stats.documents,
    )
    g = Graph()
    g.parse(out, format="turtle")
    assert _counts(g) == (result.nodes, result.facts, result.documents)
    # the direct triples are there too, one per distinct (s, p, o)
    direct = {(f.subject, f.predicate, f.object) for f in filled.iter_facts()}
    found = {
        (key_of(str(s)), p, key_of(str(o)))
        for p in ("FUNDED_BY", "INVESTS_IN", "PARTICIPATES_IN", "LOCATED_IN", "ISSUED_BY")
        for s, o in g.subject_objects(KG[{"FUNDED_BY": "fundedBy", "INVESTS_IN": "investsIn",
                                          "PARTICIPATES_IN": "participatesIn", "LOCATED_IN": "locatedIn",
                                          "ISSUED_BY": "issuedBy"}[p]])
    }  # fmt: skip
    assert found == direct
    park = entity_iri("Project:凌智产业园")
    assert g.value(park, KG.name) == Literal("凌智产业园")
    assert set(g.objects(park, KG.alias)) == {Literal("凌智项目")}
    assert key_of(str(park)) == "Project:凌智产业园"
    assert (KG.Project, RDF.type, None) in g  # the vocabulary travels with the data


def test_sparql_which_projects_are_funded_by_zhuanxiangzhai(filled: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    export_graph(filled, "ttl", out)
    g = Graph()
    g.parse(out, format="turtle")
    query = """
        PREFIX kg: <https://policy-kg.org/ns#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?name ?amount WHERE {
          ?fund a kg:Funding ; kg:name ?fundName .
          ?p a kg:Project ; kg:name ?name ; kg:fundedBy ?fund .
          ?f rdf:subject ?p ; rdf:predicate kg:fundedBy ; rdf:object ?fund .
          OPTIONAL { ?f kg:amountValue ?amount }
        }
    """
    rows = g.query(query, initBindings={"fundName": Literal("专项债")})
    got = sorted((str(r.name), float(r.amount)) for r in rows)  # type: ignore[union-attr]
    assert got == [
        ("凌智产业园", 50_000_000.0),
        ("凌智产业园", 250_000_000.0),
        ("大东江软件谷", 120_000_000.0),
    ]
    # the Project called 专项债 is not a Funding: binding another name finds nothing
    assert len(g.query(query, initBindings={"fundName": Literal("'}) DETACH")})) == 0


def test_masked_amounts_are_flagged_not_zero(filled: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "graph.nt"
    export_graph(filled, "nt", out)
    g = Graph()
    g.parse(out, format="nt")
    masked = [s for s in g.subjects(KG.amountMasked, Literal(True))]
    assert len(masked) == 1
    assert g.value(masked[0], KG.amountValue) is None
    assert g.value(masked[0], KG.amountText) == Literal("*亿元")


def test_jsonld_and_ntriples_hold_the_same_triples_as_turtle(filled: EmbeddedStore, tmp_path: Path) -> None:
    graphs = {}
    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")):
        export_graph(filled, fmt, tmp_path / f"g.{fmt}")
        g = Graph()
        g.parse(tmp_path / f"g.{fmt}", format=parser)
        graphs[fmt] = g
    assert len(graphs["ttl"]) == len(graphs["jsonld"]) == len(graphs["nt"]) > 100
    assert _counts(graphs["jsonld"]) == _counts(graphs["ttl"])


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_with_networkx(filled: EmbeddedStore, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"graph.{fmt}"
    export_graph(filled, fmt, out)
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    stats = filled.stats()
    assert g.number_of_nodes() == sum(stats.entities.values())
    assert g.number_of_edges() == sum(stats.relations.values())
    node = g.nodes["Project:凌智产业园"]
    assert node["type"] == "Project" and node["aliases"] == "凌智项目"
    amounts = sorted(
        d["amount_value"]
        for _, _, d in g.edges(data=True)
        if d.get("predicate") == "FUNDED_BY" and "amount_value" in d
    )
    assert amounts == [50_000_000.0, 120_000_000.0, 250_000_000.0]
    for _, _, d in g.edges(data=True):
        assert "None" not in {str(v) for v in d.values()}


def test_csv_files_have_the_neo4j_admin_headers(filled: EmbeddedStore, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    result = export_graph(filled, "csv", folder)
    names = {p.name for p in result.files}
    assert {"nodes_Company.csv", "rels_FUNDED_BY.csv", "documents.csv", "IMPORT.txt"} <= names

    def rows(name: str) -> list[list[str]]:
        with open(folder / name, encoding="utf-8", newline="") as fh:
            return list(csv.reader(fh))

    companies = rows("nodes_Company.csv")
    assert companies[0] == NODE_HEADER == [
        "key:ID", "name", "aliases:string[]", "documents:string[]", "confidence:double", ":LABEL",
    ]  # fmt: skip
    jun = next(r for r in companies if r[0] == "Company:均胜电子")
    assert jun[2] == "均胜" and jun[5] == "Entity;Company" and len(jun[3].split(";")) == 2
    assert jun[4] == "1.0"
    funded = rows("rels_FUNDED_BY.csv")
    assert funded[0] == REL_HEADER and funded[0][:4] == [":START_ID", ":END_ID", ":TYPE", "fact_id"]
    assert "amount_value:double" in funded[0]
    assert len(funded) - 1 == filled.stats().relations["FUNDED_BY"]
    masked = next(r for r in funded if r[REL_HEADER.index("amount_text")] == "*亿元")
    assert masked[REL_HEADER.index("amount_value:double")] == ""
    assert masked[REL_HEADER.index("amount_masked:boolean")] == "true"
    docs = rows("documents.csv")
    assert docs[0] == DOC_HEADER and len(docs) == 4
    keys = {
        r[0]
        for t in ("Agency", "Zone", "Project", "Company", "Policy", "Funding")
        for r in rows(f"nodes_{t}.csv")[1:]
    }
    ends = {r[i] for p in ("FUNDED_BY", "LOCATED_IN") for r in rows(f"rels_{p}.csv")[1:] for i in (0, 1)}
    assert ends <= keys
    assert "--relationships=rels_FUNDED_BY.csv" in (folder / "IMPORT.txt").read_text()


@pytest.fixture
def flagged(tmp_path: Path) -> EmbeddedStore:
    """One report whose entity, facts, shared amount and inherited period the exports must carry."""
    r = Report("/reports/flags.txt")
    shared = Amount(text="76.5万元", value=765_000, shared=True, group="g1")
    own = Period(text="2023年上半年", start="2023-01-01", end="2023-06-30", inherited=True)
    r.rel(("甲公司", "Company"), "FUNDED_BY", ("奖励资金", "Funding"), amount=shared, period=own)
    r.rel(("乙公司", "Company"), "FUNDED_BY", ("奖励资金", "Funding"), amount=shared, period=own)
    r.rel(("甲公司", "Company"), "LOCATED_IN", ("宁波高新区", "Zone"))
    ex = r.build()
    ex.entities[0].confidence = 0.42
    ex.relations[0].confidence = 0.375
    store = EmbeddedStore(tmp_path / "kg")
    store.ingest(ex)
    return store


def test_exports_carry_confidence_and_the_shared_and_inherited_flags(
    flagged: EmbeddedStore, tmp_path: Path
) -> None:
    (first,) = flagged.facts(predicate="FUNDED_BY", subject="Company:甲公司")
    g = Graph()
    g.parse(export_graph(flagged, "ttl", tmp_path / "g.ttl").files[0], format="turtle")
    node = entity_iri("Company:甲公司")
    assert g.value(node, KG.confidence).toPython() == Decimal("0.42")
    fact = next(g.subjects(KG.factId, Literal(first.id)))
    assert g.value(fact, KG.confidence).toPython() == Decimal("0.375")
    assert g.value(fact, KG.amountShared) == Literal(True)
    assert g.value(fact, KG.amountGroup) == Literal(first.amount_group)
    assert g.value(fact, KG.periodInherited) == Literal(True)
    located = next(g.subjects(RDF.predicate, KG.locatedIn))
    assert g.value(located, KG.periodInherited) is None and g.value(located, KG.amountShared) is None

    folder = tmp_path / "csv"
    export_graph(flagged, "csv", folder)
    with open(folder / "rels_FUNDED_BY.csv", encoding="utf-8", newline="") as fh:
        rows = {r["fact_id"]: r for r in csv.DictReader(fh)}
    row = rows[first.id]
    assert row["confidence:double"] == "0.375" and row["amount_shared:boolean"] == "true"
    assert row["period_inherited:boolean"] == "true" and row["amount_group"] == first.amount_group
    with open(folder / "nodes_Company.csv", encoding="utf-8", newline="") as fh:
        assert {r["key:ID"]: r["confidence:double"] for r in csv.DictReader(fh)}["Company:甲公司"] == "0.42"

    graphml = nx.read_graphml(export_graph(flagged, "graphml", tmp_path / "g.graphml").files[0])
    assert graphml.nodes["Company:甲公司"]["confidence"] == 0.42
    edge = next(d for _, _, d in graphml.edges(data=True) if d.get("fact_id") == first.id)
    assert edge["confidence"] == 0.375 and edge["amount_shared"] is True and edge["period_inherited"] is True


def test_export_errors_leave_existing_files_alone(filled: EmbeddedStore, tmp_path: Path) -> None:
    out = tmp_path / "graph.ttl"
    out.write_text("previous export")
    with pytest.raises(ExportError, match="unknown export format"):
        export_graph(filled, "xlsx", out)
    assert out.read_text() == "previous export"
    with pytest.raises(ExportError, match="not a folder"):
        export_graph(filled, "csv", out)
    assert out.read_text() == "previous export"


def test_kg_export_command(filled: EmbeddedStore, tmp_path: Path) -> None:
    store = str(filled.folder)
    out = tmp_path / "g.ttl"
    done = subprocess.run(
        [KG_BIN, "export", "--format", "ttl", "-o", out, "--store", store], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "entities" in done.stderr and out.stat().st_size > 0
    g = Graph()
    g.parse(out, format="turtle")
    assert _counts(g)[0] == sum(filled.stats().entities.values())
    to_stdout = subprocess.run([KG_BIN, "export", "-f", "nt", "--store", store], capture_output=True)
    assert to_stdout.returncode == 0
    assert len(Graph().parse(data=to_stdout.stdout.decode("utf-8"), format="nt")) == len(g)
    no_folder = subprocess.run(
        [KG_BIN, "export", "-f", "csv", "--store", store], capture_output=True, text=True
    )
    assert no_folder.returncode == 1 and no_folder.stderr.count("\n") == 1 and "-o" in no_folder.stderr
    missing = subprocess.run(
        [KG_BIN, "export", "-f", "ttl", "--store", str(tmp_path / "nope")], capture_output=True, text=True
    )
    assert missing.returncode == 2 and missing.stderr.startswith("kg: ") and missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr
