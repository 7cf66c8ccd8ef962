"""prepare/resolve: the backend-neutral half of ingest, against a plain dict standing in for a store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pytest

from extract.model import DocInfo, Entity, Extraction, Relation
from graph.errors import InvalidExtraction
from graph.ingest import PreparedDocument, document_id, merge_aliases, prepare, resolve
from graph.keys import fact_id, normalize
from tests.graph.builders import Report, report_a, report_b


class FormsIndex:
    """The smallest possible store for resolve(): stored nodes found by type and normalised form."""

    def __init__(self) -> None:
        self.nodes: dict[str, tuple[str, str, set[str]]] = {}

    def add(self, prepared: PreparedDocument) -> None:
        for n in prepared.nodes:
            forms = {normalize(n.name)} | {normalize(a) for a in n.aliases}
            if n.key in self.nodes:
                self.nodes[n.key][2].update(forms)
            else:
                self.nodes[n.key] = (n.type, n.name, forms)

    def find(self, type: str, forms: Sequence[str]) -> Iterable[tuple[str, str]]:
        wanted = set(forms)
        return [(k, name) for k, (t, name, fs) in self.nodes.items() if t == type and fs & wanted]


def test_prepare_builds_document_nodes_and_facts() -> None:
    p = prepare(report_a())
    assert p.document.path == "/reports/a.txt"
    assert len(p.document.id) == 16
    assert p.document.fact_count == 7 == len(p.facts)
    assert p.document.entity_count == len(p.nodes) == 9
    funded = next(f for f in p.facts if f.predicate == "FUNDED_BY")
    assert (funded.subject, funded.object) == ("Project:凌智产业园", "Funding:专项债")
    assert funded.amount_value == 250_000_000 and funded.amount_text == "2.5亿元"
    assert funded.period_start == "2023-01-01" and funded.agency == "市发改委"
    assert all(n.mentions.keys() == {p.document.id} for n in p.nodes)
    assert all(f.id == fact_id(p.document.id, f.predicate, f.subject, f.object, f.span) for f in p.facts)


def test_document_id_prefers_content_hash() -> None:
    e = report_a()
    assert document_id(e) == document_id(report_a())
    e.doc.sha256 = "ABCDEF0123456789" * 4
    assert document_id(e) == "abcdef0123456789"


def test_prepare_merges_entities_of_one_document_whose_forms_meet() -> None:
    r = Report("/r.txt")
    r.entity("凌智产业园", "Project", "凌智项目")
    r.entity("凌智项目", "Project")
    r.entity("凌智项目", "Company")  # another type never merges
    p = prepare(r.build())
    assert sorted(n.key for n in p.nodes) == ["Company:凌智项目", "Project:凌智产业园"]
    assert p.entity_keys == {"e1": "Project:凌智产业园", "e2": "Project:凌智产业园", "e3": "Company:凌智项目"}


def test_prepare_keeps_numbered_names_apart_inside_a_document() -> None:
    r = Report("/r.txt")
    r.entity("第三批重点小巨人", "Policy", "重点小巨人")
    r.entity("第四批重点小巨人", "Policy", "重点小巨人")
    assert len(prepare(r.build()).nodes) == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: setattr(e.entities[0], "type", "Person"), "unknown type 'Person'"),
        (lambda e: setattr(e.relations[0], "predicate", "OWNS"), "unknown predicate 'OWNS'"),
        (lambda e: setattr(e.relations[0], "object", "e99"), "unknown entity 'e99'"),
        (lambda e: setattr(e.entities[1], "name", " 《》 "), "empty name"),
    ],
)
def test_prepare_rejects_bad_extractions_naming_the_file(mutate, message) -> None:  # type: ignore[no-untyped-def]
    e = report_a()
    mutate(e)
    with pytest.raises(InvalidExtraction) as err:
        prepare(e)
    assert "/reports/a.txt" in str(err.value) and message in str(err.value)


def test_resolve_merges_across_reports_by_key_and_by_alias() -> None:
    store = FormsIndex()
    a = resolve(prepare(report_a()), store.find)
    store.add(a)
    r = Report("/c.txt")
    r.rel(
        (
            "均胜",
            "Company",
        ),
        "INVESTS_IN",
        ("凌智项目", "Project"),
    )
    r.entities[0].aliases = ["均胜电子"]
    r.entities[1].aliases = ["凌智产业园"]
    c = resolve(prepare(r.build()), store.find)
    assert c.entity_keys == {"e1": "Company:均胜电子", "e2": "Project:凌智产业园"}
    assert c.facts[0].subject == "Company:均胜电子" and c.facts[0].object == "Project:凌智产业园"
    jun = next(n for n in c.nodes if n.key == "Company:均胜电子")
    assert jun.name == "均胜电子" and jun.aliases == ["均胜"]  # this document's contribution


def test_resolve_never_merges_numbered_names_or_types() -> None:
    store = FormsIndex()
    store.add(resolve(prepare(report_a()), store.find))
    r = Report("/d.txt")
    r.entity("第四批重点“小巨人”", "Policy", "第三批重点“小巨人”")  # alias meets, numbers differ
    r.entity("专项债", "Project")  # same name, other type
    d = resolve(prepare(r.build()), store.find)
    assert d.entity_keys == {"e1": "Policy:第四批重点小巨人", "e2": "Project:专项债"}


def test_resolve_is_deterministic_and_pure() -> None:
    store = FormsIndex()
    store.add(resolve(prepare(report_a()), store.find))
    b = prepare(report_b())
    before = [(n.key, list(n.aliases)) for n in b.nodes]
    one, two = resolve(b, store.find), resolve(b, store.find)
    assert [(n.key, n.name, n.aliases) for n in one.nodes] == [(n.key, n.name, n.aliases) for n in two.nodes]
    assert [(n.key, list(n.aliases)) for n in b.nodes] == before


def test_merge_aliases_is_order_free_and_excludes_the_name() -> None:
    assert merge_aliases("均胜电子", [["均胜", "均胜集团"], ["均胜电子", "ＪＳ", "JS"]]) == [
        "JS",
        "均胜",
        "均胜集团",
    ]
    assert merge_aliases("均胜电子", [["JS"], ["ＪＳ"]]) == merge_aliases("均胜电子", [["ＪＳ"], ["JS"]])


def test_duplicate_relations_are_one_fact() -> None:
    e = Extraction(
        doc=DocInfo(id="x", path="/x.txt"),
        entities=[Entity("e1", "凌智产业园", "Project"), Entity("e2", "专项债", "Funding")],
        relations=[
            Relation("e1", "FUNDED_BY", "e2", "s", (1, 5)),
            Relation("e1", "FUNDED_BY", "e2", "s", (1, 5)),
        ],
    )
    assert len(prepare(e).facts) == 1
