"""The GraphStore contract: every backend (the ``store`` fixture) must pass every test here."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from extract.model import Amount, Entity, Extraction, Period, Relation
from graph import fixing
from graph.corrections import Correction
from graph.docref import AmbiguousDocument
from graph.errors import DocumentNotFound, EntityNotFound, InvalidExtraction, StaleWrite
from graph.ingest import document_id
from graph.store import GraphStore
from tests.graph.builders import MASKED, Y2023, Report, report_a, report_b, yi
from tests.graph.snapshots import snapshot


def keys(nodes: object) -> set[str]:
    return {n.key for n in nodes}  # type: ignore[attr-defined]


# -- ingest -------------------------------------------------------------------------


def test_ingest_stores_document_nodes_and_facts(store: GraphStore) -> None:
    a = report_a()
    result = store.ingest(a)
    assert result.status == "added" and result.document == document_id(a)
    assert result.facts_added == 7 and result.nodes_added == 9

    stats = store.stats()
    assert stats.documents == 1
    assert stats.entities == {"Agency": 1, "Zone": 2, "Project": 2, "Company": 2, "Policy": 1, "Funding": 1}
    assert stats.relations == {
        "FUNDED_BY": 1,
        "INVESTS_IN": 1,
        "PARTICIPATES_IN": 1,
        "LOCATED_IN": 3,
        "ISSUED_BY": 1,
    }

    doc = store.document(result.document)
    assert doc.path == "/reports/a.txt" and doc.title == "高新区经发局2023年上半年工作总结"
    assert (doc.period_start, doc.period_end) == ("2023-01-01", "2023-06-30")
    assert doc.fact_count == 7 and doc.entity_count == 9

    park = store.entity("Project:凌智产业园")
    assert park.name == "凌智产业园" and park.type == "Project" and park.documents == [result.document]
    assert park.mentions[result.document] == [(0, 5)]

    facts = store.document_facts(result.document)
    assert len(facts) == 7 and all(f.document == result.document for f in facts)
    funded = next(f for f in facts if f.predicate == "FUNDED_BY")
    assert (funded.subject, funded.object) == ("Project:凌智产业园", "Funding:专项债")
    assert funded.amount_value == 250_000_000 and funded.amount_currency == "CNY"
    assert funded.amount_text == "2.5亿元" and not funded.amount_masked
    assert (funded.period_start, funded.period_end, funded.period_text) == (
        "2023-01-01",
        "2023-12-31",
        "2023年",
    )
    assert funded.agency == "市发改委" and funded.evidence == "凌智产业园FUNDED_BY专项债"
    assert funded.span == (10_000, 10_040)
    joined = next(f for f in facts if f.predicate == "PARTICIPATES_IN")
    assert joined.action == "入选" and joined.amount_text is None


def test_whole_graph_reads_agree_with_stats(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    stats = store.stats()
    nodes, facts, docs = list(store.iter_nodes()), list(store.iter_facts()), list(store.iter_documents())
    assert sum(stats.entities.values()) == len(nodes) == len({n.key for n in nodes})
    assert sum(stats.relations.values()) == len(facts) == len({f.id for f in facts})
    assert stats.documents == len(docs) == 2
    node_keys = {n.key for n in nodes}
    assert all(f.subject in node_keys and f.object in node_keys for f in facts)
    assert store.documents(limit=1).total == 2 and len(store.documents(limit=1).items) == 1
    assert {d.id for d in store.documents(limit=1, offset=1).items} | {
        d.id for d in store.documents(limit=1).items
    } == {d.id for d in docs}


def test_ingest_many_reports_each_document(store: GraphStore) -> None:
    results = store.ingest_many([report_a(), report_b(), report_a()])
    assert [r.status for r in results] == ["added", "added", "unchanged"]
    assert results[0].document == results[2].document


def test_invalid_extraction_stores_nothing(store: GraphStore) -> None:
    store.ingest(report_a())
    before = snapshot(store)
    bad = report_b()
    bad.relations[0].object = "e404"
    with pytest.raises(InvalidExtraction, match="/reports/b\\.txt"):
        store.ingest(bad)
    assert snapshot(store) == before


# -- idempotence ---------------------------------------------------------------------


def test_same_report_twice_changes_nothing(store: GraphStore) -> None:
    first = store.ingest(report_a())
    before = snapshot(store)
    again = store.ingest(report_a())
    assert again.status == "unchanged" and again.document == first.document
    assert again.facts_added == 0 and again.nodes_added == 0
    assert snapshot(store) == before


# -- merging --------------------------------------------------------------------------


def test_same_company_in_two_reports_is_one_node(store: GraphStore) -> None:
    a, b = store.ingest(report_a()), store.ingest(report_b())
    jun = store.entity("Company:均胜电子")
    assert jun.documents == sorted([a.document, b.document])
    assert jun.aliases == ["均胜"]
    assert len(store.lookup("均胜电子")) == 1
    assert {f.predicate for f in store.entity_facts("Company:均胜电子")} == {"INVESTS_IN", "FUNDED_BY"}
    # 专项债 and 宁波高新区 are shared too
    assert len(store.entity("Funding:专项债").documents) == 2


def test_alias_sets_meeting_merge(store: GraphStore) -> None:
    store.ingest(report_a())
    r = Report("/reports/c.txt")
    r.entity("凌智项目", "Project", "凌智产业园", "凌智")
    r.rel(("凌智项目", "Project"), "FUNDED_BY", ("中央预算内投资", "Funding"), amount=yi(0.3))
    result = store.ingest(r.build())
    assert result.nodes_added == 1  # only 中央预算内投资 is new
    park = store.entity("Project:凌智产业园")
    assert set(park.aliases) == {"凌智项目", "凌智"}
    with pytest.raises(EntityNotFound):
        store.entity("Project:凌智项目")
    objects = {f.object for f in store.facts(predicate="FUNDED_BY", subject="Project:凌智产业园")}
    assert objects == {"Funding:专项债", "Funding:中央预算内投资"}


def test_relative_references_never_merge_across_reports(store: GraphStore) -> None:
    """我区 in one report is 宁波高新区, in another XX区: sharing that alias must not join them."""
    a = Report("/reports/own-zone-a.txt")
    a.entity("宁波高新区", "Zone", "我区", "高新区")
    a.rel(("凌智产业园", "Project"), "LOCATED_IN", ("宁波高新区", "Zone"))
    b = Report("/reports/own-zone-b.txt")
    b.entity("南湾区", "Zone", "我区")
    b.rel(("蓝湾数字港", "Project"), "LOCATED_IN", ("南湾区", "Zone"))
    store.ingest_many([a.build(), b.build()])
    assert store.entity("Zone:宁波高新区").name == "宁波高新区"
    assert store.entity("Zone:南湾区").name == "南湾区"
    assert keys(store.lookup("我区")) == {"Zone:宁波高新区", "Zone:南湾区"}


def test_different_types_never_merge(store: GraphStore) -> None:
    store.ingest(report_a())
    r = Report("/reports/d.txt")
    r.entity("均胜电子", "Project", "均胜电子")
    r.rel(("均胜电子", "Project"), "LOCATED_IN", ("宁波高新区", "Zone"))
    store.ingest(r.build())
    assert store.entity("Project:均胜电子").type == "Project"
    assert store.entity("Company:均胜电子").type == "Company"
    assert keys(store.lookup("均胜电子")) == {"Project:均胜电子", "Company:均胜电子"}
    assert keys(store.lookup("均胜电子", type="Company")) == {"Company:均胜电子"}


def test_batches_and_years_never_merge(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    assert store.entity("Policy:第三批重点小巨人").name == "第三批重点“小巨人”"
    assert store.entity("Policy:第四批重点小巨人").name == "第四批重点“小巨人”"
    y22 = Report("/reports/y22.txt")
    y22.entity("2022年度重点工业投资项目", "Policy", "重点工业投资项目")
    y22.rel(("均胜电子", "Company"), "PARTICIPATES_IN", ("2022年度重点工业投资项目", "Policy"))
    y23 = Report("/reports/y23.txt")
    y23.entity("2023年度重点工业投资项目", "Policy", "重点工业投资项目")
    y23.rel(("均胜电子", "Company"), "PARTICIPATES_IN", ("2023年度重点工业投资项目", "Policy"))
    store.ingest_many([y22.build(), y23.build()])
    found = keys(store.lookup("重点工业投资项目", type="Policy"))
    # the shared bare alias finds both, but they stay two nodes
    assert found == {"Policy:2022年度重点工业投资项目", "Policy:2023年度重点工业投资项目"}
    assert store.entity("Policy:2023年度重点工业投资项目").name == "2023年度重点工业投资项目"
    assert store.stats().entities["Policy"] == 4


# -- removal and replacement ------------------------------------------------------------


def test_removal_takes_facts_and_unsupported_entities_only(store: GraphStore) -> None:
    b_only = store.ingest(report_b())
    before_b = snapshot(store)
    a = store.ingest(report_a())
    result = store.remove_document(a.document)
    assert result.facts_removed == 7
    # 凌智产业园, 贵驷片区, 均胜电子创新产业园, 亿太诺, 第三批…, 工信部 were only in a
    assert result.nodes_removed == 6
    with pytest.raises(DocumentNotFound):
        store.document(a.document)
    with pytest.raises(EntityNotFound):
        store.entity("Project:凌智产业园")
    assert store.facts(document=a.document) == []
    assert store.entity("Company:均胜电子").documents == [b_only.document]
    assert snapshot(store) == before_b


def test_removal_recomputes_aliases(store: GraphStore) -> None:
    a = store.ingest(report_a())
    store.ingest(report_b())  # contributes the alias 均胜
    r = Report("/reports/e.txt")
    r.entity("均胜电子", "Company", "均胜电子股份")
    r.rel(("均胜电子", "Company"), "LOCATED_IN", ("宁波高新区", "Zone"))
    e = store.ingest(r.build())
    assert store.entity("Company:均胜电子").aliases == ["均胜", "均胜电子股份"]
    store.remove_document(e.document)
    assert store.entity("Company:均胜电子").aliases == ["均胜"]
    assert keys(store.lookup("均胜电子股份")) == set()
    assert store.entity("Company:均胜电子").documents == sorted(
        [a.document, store.find_document("/reports/b.txt").id]
    )


def test_remove_unknown_document_raises(store: GraphStore) -> None:
    store.ingest(report_a())
    before = snapshot(store)
    with pytest.raises(DocumentNotFound):
        store.remove_document("0000000000000000")
    assert snapshot(store) == before


def test_changed_report_replaces_its_facts_in_one_step(store: GraphStore) -> None:
    old = store.ingest(report_a())
    store.ingest(report_b())
    changed = report_a()
    changed.relations[0].amount = yi(3.0)  # corrected amount
    del changed.relations[-2:]  # the 小巨人 lines dropped, with their entities
    gone = {"亿太诺", "第三批重点“小巨人”", "工信部"}
    changed.entities = [e for e in changed.entities if e.name not in gone]
    new = store.ingest(changed, replace=True)
    assert new.status == "replaced" and new.replaced == old.document and new.document != old.document
    with pytest.raises(DocumentNotFound):
        store.document(old.document)
    assert store.find_document("/reports/a.txt").id == new.document
    facts = store.document_facts(new.document)
    assert len(facts) == 5
    amounts = {f.amount_value for f in store.facts(predicate="FUNDED_BY", subject="Project:凌智产业园")}
    assert amounts == {300_000_000}
    with pytest.raises(EntityNotFound):
        store.entity("Company:亿太诺")
    assert store.stats().documents == 2
    assert store.facts(document=old.document) == []


def test_a_different_text_under_a_used_path_is_a_new_document(store: GraphStore) -> None:
    old = store.ingest(report_a())
    changed = report_a()
    changed.relations[0].amount = yi(3.0)
    new = store.ingest(changed)
    assert new.status == "added" and new.replaced is None and new.same_path == [old.document]
    assert {d.id for d in store.documents().items} == {old.document, new.document}
    amounts = {f.amount_value for f in store.facts(predicate="FUNDED_BY")}
    assert amounts == {250_000_000, 300_000_000}
    # the path (and the stem) now name two reports: asking by it is refused, by id answered
    with pytest.raises(AmbiguousDocument) as caught:
        store.find_document("/reports/a.txt")
    assert {d.id for d in caught.value.candidates} == {old.document, new.document}
    with pytest.raises(AmbiguousDocument):
        store.find_document("a")
    assert store.find_document(new.document).id == new.document


def test_documents_are_found_by_id_path_file_name_and_stem(store: GraphStore) -> None:
    a = store.ingest(report_a()).document
    b = store.ingest(report_b()).document
    for ref in (a, "/reports/a.txt", "a.txt", "a"):
        assert store.find_document(ref).id == a
    assert store.find_document("b").id == b
    with pytest.raises(DocumentNotFound):
        store.find_document("c")
    record = store.document(a)
    assert record.file == "a.txt" and record.label == "高新区经发局2023年上半年工作总结 (a.txt)"


# -- lookups -----------------------------------------------------------------------------


def test_find_document_by_id_or_path(store: GraphStore) -> None:
    a = store.ingest(report_a())
    assert store.find_document(a.document).path == "/reports/a.txt"
    assert store.find_document("/reports/a.txt").id == a.document
    with pytest.raises(DocumentNotFound):
        store.find_document("/reports/nope.txt")


def test_alias_lookup_is_normalised_and_exact(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    assert keys(store.lookup("均胜")) == {"Company:均胜电子"}
    assert keys(store.lookup(" 均胜 ")) == {"Company:均胜电子"}
    assert keys(store.lookup("第三批重点小巨人")) == {"Policy:第三批重点小巨人"}
    assert keys(store.lookup("第三批重点「小巨人」")) == {"Policy:第三批重点小巨人"}
    assert keys(store.lookup("均")) == set()  # exact, not substring
    assert keys(store.lookup("均胜", type="Project")) == set()


def test_search_ranks_exact_then_prefix_then_substring(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    page = store.search_entities("均胜电子")
    assert [h.node.key for h in page.items] == ["Company:均胜电子", "Project:均胜电子创新产业园"]
    assert page.total == 2 and page.items[0].score > page.items[1].score
    substr = store.search_entities("产业", type="Project")
    assert {h.node.key for h in substr.items} == {"Project:凌智产业园", "Project:均胜电子创新产业园"}
    assert all(h.score == substr.items[0].score for h in substr.items)
    assert store.search_entities("ＤＡＤＯＮＧ").total == 0
    assert [h.node.key for h in store.search_entities("大东江").items] == ["Project:大东江软件谷"]
    all_nodes = store.search_entities("", limit=100)
    assert all_nodes.total == sum(store.stats().entities.values())
    degrees = [h.degree for h in all_nodes.items]
    assert degrees == sorted(degrees, reverse=True)
    second = store.search_entities("", limit=3, offset=3)
    assert [h.node.key for h in second.items] == [h.node.key for h in all_nodes.items[3:6]]


def test_chinese_names_round_trip_exactly(store: GraphStore) -> None:
    r = Report("/reports/中文 路径/二〇二三年工作总结.txt", title="宁波高新区经济发展局2023年上半年工作总结")
    r.rel(("宁波市纳税50强企业", "Policy"), "ISSUED_BY", ("宁波市人民政府", "Agency"))
    r.rel(("*时尚产业园", "Project"), "FUNDED_BY", ("XX专项资金", "Funding"), amount=MASKED, period=Y2023)
    result = store.ingest(r.build())
    assert store.document(result.document).path == "/reports/中文 路径/二〇二三年工作总结.txt"
    assert store.find_document("/reports/中文 路径/二〇二三年工作总结.txt").id == result.document
    assert store.entity("Project:*时尚产业园").name == "*时尚产业园"
    assert store.entity("Funding:xx专项资金").name == "XX专项资金"
    assert keys(store.lookup("xx专项资金")) == {"Funding:xx专项资金"}


def test_names_that_look_like_queries_are_just_names(store: GraphStore) -> None:
    store.ingest(report_a())
    evil = "'}) DETACH DELETE n //"
    evil2 = '"; MATCH (n) DETACH DELETE n; //'
    r = Report("/reports/evil'}) DETACH DELETE n.txt", title=evil)
    r.entity(evil, "Company", evil2, "$param")
    r.rel((evil, "Company"), "INVESTS_IN", ("凌智产业园", "Project"), evidence=evil2)
    result = store.ingest(r.build())
    assert store.stats().documents == 2
    key = f"Company:{evil.replace(chr(39), '').replace(' ', '').lower()}"
    node = store.entity(key)
    assert node.name == evil and set(node.aliases) == {evil2, "$param"}
    assert keys(store.lookup("$param")) == {key}
    assert store.document(result.document).title == evil
    assert [f.evidence for f in store.entity_facts(key)] == [evil2]
    assert store.search_entities("DETACH").total == 1
    assert len(store.document_facts(store.find_document("/reports/a.txt").id)) == 7


# -- unknown keys -------------------------------------------------------------------------


def test_unknown_keys_raise_not_found(store: GraphStore) -> None:
    store.ingest(report_a())
    for call in (
        lambda: store.entity("Company:没有这家"),
        lambda: store.degree("Company:没有这家"),
        lambda: store.entity_facts("Company:没有这家"),
        lambda: store.neighbors("Company:没有这家"),
        lambda: store.paths("Company:没有这家", "Project:凌智产业园"),
        lambda: store.paths("Project:凌智产业园", "Company:没有这家"),
    ):
        with pytest.raises(EntityNotFound):
            call()
    for call in (
        lambda: store.document("ffffffffffffffff"),
        lambda: store.document_facts("ffffffffffffffff"),
        lambda: store.remove_document("ffffffffffffffff"),
    ):
        with pytest.raises(DocumentNotFound):
            call()
    assert isinstance(EntityNotFound("x"), KeyError)


# -- facts, funding, traversal ---------------------------------------------------------------


def test_funding_query_returns_amounts_and_masked_amounts(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    funded = store.facts(predicate="FUNDED_BY")
    by_subject = {f.subject: f for f in funded}
    assert set(by_subject) == {"Project:凌智产业园", "Project:大东江软件谷", "Company:均胜电子"}
    assert by_subject["Project:凌智产业园"].amount_value == 250_000_000
    assert by_subject["Project:大东江软件谷"].amount_value == 120_000_000
    masked = by_subject["Company:均胜电子"]
    assert masked.amount_masked and masked.amount_value is None and masked.amount_text == "*亿元"
    zxz = store.facts(predicate="FUNDED_BY", object="Funding:专项债")
    assert sum(f.amount_value or 0 for f in zxz) == 370_000_000
    assert store.facts(predicate="FUNDED_BY", object="Funding:没有") == []


def test_facts_filters_combine(store: GraphStore) -> None:
    a, b = store.ingest_many([report_a(), report_b()])
    located = store.facts(predicate="LOCATED_IN")
    assert len(located) == 4
    assert len(store.facts(predicate="LOCATED_IN", document=b.document)) == 1
    assert len(store.facts(object="Zone:宁波高新区")) == 3
    assert len(store.facts(subject="Project:凌智产业园", predicate="LOCATED_IN")) == 1
    assert len(store.facts()) == 11
    assert {f.id for f in store.facts(document=a.document)} == {
        f.id for f in store.document_facts(a.document)
    }
    assert store.degree("Zone:宁波高新区") == 3
    assert len(store.entity_facts("Zone:宁波高新区")) == 3


def test_neighbors_depth_and_filters(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    one = store.neighbors("Project:凌智产业园", depth=1)
    assert one.center == "Project:凌智产业园"
    assert keys(one.nodes) == {"Project:凌智产业园", "Funding:专项债", "Zone:贵驷片区"}
    assert one.nodes[0].key == "Project:凌智产业园"
    assert len(one.edges) == 2 and one.omitted == {}

    two = store.neighbors("Project:凌智产业园", depth=2)
    assert keys(two.nodes) == keys(one.nodes) | {"Project:大东江软件谷", "Zone:宁波高新区"}
    returned = keys(two.nodes)
    assert all(f.subject in returned and f.object in returned for f in two.edges)
    assert len(two.edges) == 5  # the two above, 大东江→专项债, 大东江→高新区, 贵驷→高新区

    located = store.neighbors("Project:凌智产业园", depth=2, predicates=["LOCATED_IN"])
    assert keys(located.nodes) == {"Project:凌智产业园", "Zone:贵驷片区", "Zone:宁波高新区"}
    assert {f.predicate for f in located.edges} == {"LOCATED_IN"}

    zones = store.neighbors("Project:凌智产业园", depth=3, types=["Zone"])
    assert keys(zones.nodes) == {"Project:凌智产业园", "Zone:贵驷片区", "Zone:宁波高新区"}


def test_neighbors_cap_counts_what_was_left_out(store: GraphStore) -> None:
    r = Report("/reports/hub.txt")
    for i in range(12):
        r.rel((f"项目{chr(0x4E00 + i)}园", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(1))
    for i in range(5):
        r.rel((f"企业{chr(0x4E00 + i)}", "Company"), "FUNDED_BY", ("专项债", "Funding"))
    store.ingest(r.build())
    sub = store.neighbors("Funding:专项债", depth=1, limit=10)
    assert len(sub.nodes) == 10 and sub.nodes[0].key == "Funding:专项债"
    assert sum(sub.omitted.values()) == 8
    assert set(sub.omitted) <= {"Project", "Company"}
    assert len(sub.edges) == 9
    full = store.neighbors("Funding:专项债", depth=1, limit=300)
    assert len(full.nodes) == 18 and full.omitted == {}
    only_companies = store.neighbors("Funding:专项债", depth=1, types=["Company"], limit=3)
    assert len(only_companies.nodes) == 3 and only_companies.omitted == {"Company": 3}


def test_paths_between_entities(store: GraphStore) -> None:
    store.ingest_many([report_a(), report_b()])
    paths = store.paths("Project:凌智产业园", "Company:均胜电子")
    assert len(paths) == 1
    p = paths[0]
    assert [n.key for n in p.nodes] == [
        "Project:凌智产业园",
        "Zone:贵驷片区",
        "Zone:宁波高新区",
        "Project:均胜电子创新产业园",
        "Company:均胜电子",
    ]
    assert len(p.edges) == 4
    for (u, v), f in zip(zip(p.nodes, p.nodes[1:], strict=False), p.edges, strict=True):
        assert {f.subject, f.object} == {u.key, v.key}
    assert store.paths("Project:凌智产业园", "Company:均胜电子", max_hops=3) == []
    two = store.paths("Project:凌智产业园", "Zone:宁波高新区")
    assert [[n.key for n in p.nodes] for p in two] == [
        ["Project:凌智产业园", "Zone:贵驷片区", "Zone:宁波高新区"]
    ]
    assert store.paths("Company:亿太诺", "Company:新芝生物") == []  # not connected
    assert [n.key for n in store.paths("Zone:贵驷片区", "Zone:贵驷片区")[0].nodes] == ["Zone:贵驷片区"]


def test_paths_limit(store: GraphStore) -> None:
    r = Report("/reports/diamond.txt")
    for mid in ("甲园", "乙园", "丙园"):
        r.rel((mid, "Project"), "LOCATED_IN", ("东区", "Zone"))
        r.rel((mid, "Project"), "FUNDED_BY", ("专项债", "Funding"))
    store.ingest(r.build())
    assert len(store.paths("Zone:东区", "Funding:专项债")) == 3
    limited = store.paths("Zone:东区", "Funding:专项债", limit=2)
    assert len(limited) == 2 and all(len(p.nodes) == 3 for p in limited)


def test_amount_qualifiers_keep_types(store: GraphStore) -> None:
    r = Report("/reports/amounts.txt")
    r.rel(("甲园", "Project"), "FUNDED_BY", ("专项债", "Funding"),
          amount=Amount(text="约3000万美元", value=30_000_000, currency="USD", approx=True))  # fmt: skip
    store.ingest(r.build())
    (f,) = store.facts(predicate="FUNDED_BY")
    assert f.amount_currency == "USD" and f.amount_approx and isinstance(f.amount_value, float)
    assert f.to_json()["amount"] == {
        "value": 30_000_000,
        "currency": "USD",
        "text": "约3000万美元",
        "masked": False,
        "approx": True,
        "shared": False,
        "group": None,
    }


def test_a_batch_holding_two_versions_of_one_report_keeps_the_last(store: GraphStore) -> None:
    changed = report_a()
    changed.relations[0].amount = yi(9.0)
    first, second = store.ingest_many([report_a(), changed], replace=True)
    assert first.status == "added" and second.status == "replaced" and second.replaced == first.document
    assert [d.id for d in store.documents().items] == [second.document]
    (funded,) = store.facts(predicate="FUNDED_BY")
    assert funded.amount_value == 900_000_000
    assert store.stats().relations["FUNDED_BY"] == 1


# -- confidence ------------------------------------------------------------------------------------


def _sure(extraction: Extraction, entities: dict[str, float], relations: dict[str, float]) -> Extraction:
    """The extraction with these confidences: entities by name, relations by their evidence."""
    for e in extraction.entities:
        e.confidence = entities.get(e.name, e.confidence)
    for r in extraction.relations:
        r.confidence = relations.get(r.evidence, r.confidence)
    return extraction


def _reopened(store: GraphStore, tmp_path: Path) -> GraphStore:
    """The same store opened again by a new process's worth of objects (embedded: from its folder)."""
    from graph.embedded import EmbeddedStore

    if isinstance(store, EmbeddedStore):
        store.close()
        return EmbeddedStore(str(tmp_path / "kg-data"))
    return store  # a Bolt store reads the database on every call


def test_confidence_of_entities_and_facts_round_trips(store: GraphStore, tmp_path: Path) -> None:
    a = _sure(report_a(), {"凌智产业园": 0.42, "专项债": 0.875}, {"凌智产业园FUNDED_BY专项债": 0.61})
    a.relations[1].period = Period(text="2023年上半年", start="2023-01-01", end="2023-06-30", inherited=True)
    store.ingest(a)
    store = _reopened(store, tmp_path)
    try:
        assert store.entity("Project:凌智产业园").confidence == pytest.approx(0.42)
        assert store.entity("Funding:专项债").confidence == pytest.approx(0.875)
        assert store.entity("Zone:贵驷片区").confidence == 1.0
        (funded,) = store.facts(predicate="FUNDED_BY")
        assert funded.confidence == pytest.approx(0.61) and not funded.period_inherited
        located = store.facts(predicate="LOCATED_IN", subject="Project:凌智产业园")[0]
        assert located.confidence == 1.0 and located.period_inherited
        assert located.to_json()["period"]["inherited"] is True
        assert funded.to_json()["confidence"] == 0.61
        assert store.entity("Project:凌智产业园").to_json()["confidence"] == 0.42
        # every read path carries it, not only entity(): search, lookup, neighbours, whole-graph reads
        by_key = {n.key: n.confidence for n in store.iter_nodes()}
        assert by_key["Project:凌智产业园"] == pytest.approx(0.42)
        hit = store.search_entities("凌智").items[0]
        assert hit.node.confidence == pytest.approx(0.42)
        assert store.lookup("凌智产业园")[0].confidence == pytest.approx(0.42)
        around = store.neighbors("Funding:专项债", depth=1)
        assert {n.key: n.confidence for n in around.nodes}["Project:凌智产业园"] == pytest.approx(0.42)
        assert {f.id: f.confidence for f in around.edges}[funded.id] == pytest.approx(0.61)
        assert {f.id: f.confidence for f in store.iter_facts()}[funded.id] == pytest.approx(0.61)
    finally:
        store.close()


def test_an_entity_is_as_sure_as_its_surest_report_and_removal_recomputes_it(
    store: GraphStore, tmp_path: Path
) -> None:
    """Max over documents: one report naming it surely makes it real; removing that report lowers it."""
    a = _sure(report_a(), {"均胜电子": 0.3, "宁波高新区": 0.9}, {})
    b = _sure(report_b(), {"均胜电子": 0.8, "宁波高新区": 0.5}, {})
    store.ingest_many([a, b])
    assert store.entity("Company:均胜电子").confidence == pytest.approx(0.8)
    assert store.entity("Zone:宁波高新区").confidence == pytest.approx(0.9)
    store.remove_document(document_id(b))
    store = _reopened(store, tmp_path)
    try:
        assert store.entity("Company:均胜电子").confidence == pytest.approx(0.3)
        assert store.entity("Zone:宁波高新区").confidence == pytest.approx(0.9)
        store.ingest(b)  # back again: the higher one returns, whatever the order
        assert store.entity("Company:均胜电子").confidence == pytest.approx(0.8)
        store.remove_document(document_id(a))
        assert store.entity("Zone:宁波高新区").confidence == pytest.approx(0.5)
    finally:
        store.close()


def test_two_entities_of_one_report_merged_into_one_node_keep_the_higher_confidence(
    store: GraphStore,
) -> None:
    r = Report("/reports/twice.txt")
    r.rel(("均胜电子", "Company"), "INVESTS_IN", ("均胜电子创新产业园", "Project"))
    again = Entity(id="e9", name="均胜电子", type="Company", aliases=["均胜"], mentions=[(900, 904)])
    r.entities.append(again)
    extraction = r.build()
    extraction.entities[0].confidence, extraction.entities[-1].confidence = 0.2, 0.7
    store.ingest(extraction)
    assert store.entity("Company:均胜电子").confidence == pytest.approx(0.7)


def test_a_merge_correction_keeps_the_higher_confidence(store: GraphStore, tmp_path: Path) -> None:
    a, b = _reports(tmp_path)
    _sure(a, {"均胜电子创新产业园": 0.35, "凌智产业园": 0.55}, {})
    store.ingest_many([a, b])
    fixing.merge(store, "Project:均胜电子创新产业园", "Project:凌智产业园")
    assert store.entity("Project:凌智产业园").confidence == pytest.approx(0.55)
    fixing.undo(store, 1)
    assert store.entity("Project:均胜电子创新产业园").confidence == pytest.approx(0.35)


# -- corrections (graph/corrections.py, graph/fixing.py) ------------------------------------------

A_TEXT = "高新区经发局2023年上半年工作总结。亿太诺投资凌智产业园3亿元。其余略。"


def _reports(tmp_path: Path) -> tuple[Extraction, Extraction]:
    """report_a and report_b, with report a's text on disk (adding a fact looks for its evidence there)."""
    text = tmp_path / "reports" / "a.txt"
    text.parent.mkdir(exist_ok=True)
    text.write_text(A_TEXT, encoding="utf-8")
    a = report_a()
    a.doc.path = str(text)
    return a, report_b()


def _changed(a: Extraction) -> Extraction:
    """Report a edited: one relation more at its end (a new content hash, the same file)."""
    changed = copy.deepcopy(a)
    zone = next(e for e in changed.entities if e.name == "宁波高新区")
    changed.entities.append(Entity(id="e99", name="望春工业园区", type="Zone", mentions=[(5000, 5006)]))
    changed.relations.append(
        Relation(subject="e99", predicate="LOCATED_IN", object=zone.id, evidence="望春工业园区位于宁波高新区",
                 span=(20_000, 20_013))
    )  # fmt: skip
    return changed


def _fact_id(store: GraphStore, predicate: str, subject: str) -> str:
    return next(f.id for f in store.facts(predicate=predicate, subject=subject))


def _has(store: GraphStore, key: str) -> bool:
    try:
        store.entity(key)
    except EntityNotFound:
        return False
    return True


def _fresh(store: GraphStore, tmp_path: Path) -> GraphStore:
    """An empty store of the same backend (the one Bolt database is wiped: there is only one)."""
    from graph.embedded import EmbeddedStore
    from graph.neo4j_store import Neo4jStore

    if isinstance(store, Neo4jStore):
        store.wipe()
        return store
    assert isinstance(store, EmbeddedStore)
    return EmbeddedStore(str(tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"))


Fix = Callable[[GraphStore], Correction]
Check = Callable[[GraphStore], None]


def _merge_check(s: GraphStore) -> None:
    assert not _has(s, "Project:均胜电子创新产业园")
    park = s.entity("Project:凌智产业园")
    assert "均胜电子创新产业园" in park.aliases
    assert [n.key for n in s.lookup("均胜电子创新产业园")] == ["Project:凌智产业园"]
    invests = s.facts(predicate="INVESTS_IN", subject="Company:均胜电子")
    assert [f.object for f in invests] == ["Project:凌智产业园"]


def _split_check(s: GraphStore) -> None:
    assert "均胜" not in s.entity("Company:均胜电子").aliases
    assert s.entity("Company:均胜").name == "均胜"


def _rename_check(s: GraphStore) -> None:
    assert not _has(s, "Project:凌智产业园")
    node = s.entity("Project:宁波凌智产业园")
    assert node.name == "宁波凌智产业园" and "凌智产业园" in node.aliases
    assert {f.predicate for f in s.entity_facts(node.key)} >= {"FUNDED_BY", "LOCATED_IN"}


def _retype_check(s: GraphStore) -> None:
    assert not _has(s, "Company:亿太诺")
    assert s.entity("Project:亿太诺").type == "Project"
    assert [f.subject for f in s.facts(predicate="PARTICIPATES_IN", object="Policy:第三批重点小巨人")] == [
        "Project:亿太诺"
    ]


def _reject_check(s: GraphStore) -> None:
    assert not _has(s, "Policy:第三批重点小巨人")
    assert s.facts(predicate="ISSUED_BY") == []
    assert s.facts(subject="Company:亿太诺") == []
    assert _has(s, "Policy:第四批重点小巨人")


def _reject_fact_check(s: GraphStore) -> None:
    assert s.facts(predicate="LOCATED_IN", subject="Project:凌智产业园") == []
    assert len(s.facts(predicate="LOCATED_IN", subject="Zone:贵驷片区")) == 1  # the others stay


def _confirm_check(s: GraphStore) -> None:
    assert fixing.confirmed(s).entity("Project:凌智产业园")


def _confirm_fact_check(s: GraphStore) -> None:
    (f,) = s.facts(predicate="FUNDED_BY", subject="Project:凌智产业园")
    assert fixing.confirmed(s).fact(f, s.document(f.document).path)


def _add_check(s: GraphStore) -> None:
    (f,) = s.facts(predicate="INVESTS_IN", subject="Company:亿太诺")
    assert f.object == "Project:凌智产业园" and f.amount_value == 300_000_000 and f.amount_text == "3亿元"
    assert f.evidence == "亿太诺投资凌智产业园3亿元" and A_TEXT[f.span[0] : f.span[1]] == f.evidence


FIXES: dict[str, tuple[Fix, Check]] = {
    "merge": (lambda s: fixing.merge(s, "Project:均胜电子创新产业园", "Project:凌智产业园"), _merge_check),
    "split": (lambda s: fixing.split(s, "Company:均胜电子", "均胜"), _split_check),
    "rename": (lambda s: fixing.rename(s, "Project:凌智产业园", "宁波凌智产业园"), _rename_check),
    "retype": (lambda s: fixing.retype(s, "Company:亿太诺", "Project"), _retype_check),
    "reject": (lambda s: fixing.reject(s, "Policy:第三批重点小巨人"), _reject_check),
    "reject_fact": (
        lambda s: fixing.reject_fact(s, _fact_id(s, "LOCATED_IN", "Project:凌智产业园")),
        _reject_fact_check,
    ),
    "confirm": (lambda s: fixing.confirm(s, "Project:凌智产业园"), _confirm_check),
    "confirm_fact": (
        lambda s: fixing.confirm_fact(s, _fact_id(s, "FUNDED_BY", "Project:凌智产业园")),
        _confirm_fact_check,
    ),
    "add": (
        lambda s: fixing.add_fact(
            s,
            next(d.id for d in s.iter_documents() if d.path.endswith("a.txt")),
            "Company:亿太诺",
            "INVESTS_IN",
            "Project:凌智产业园",
            "亿太诺投资凌智产业园3亿元",
        ),
        _add_check,
    ),
}


@pytest.mark.parametrize("op", sorted(FIXES))
def test_a_correction_holds_through_rebuilds_and_its_undo_restores_the_graph(
    store: GraphStore, tmp_path: Path, op: str
) -> None:
    do, check = FIXES[op]
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    before = snapshot(store)
    entry = do(store)
    assert entry.op == op and entry.seq == 1 and entry.who and entry.when
    check(store)
    assert fixing.stale(store) == []

    # undo gives back exactly the uncorrected graph; doing it again gives the correction back
    fixing.undo(store, entry.seq, fixing.Author("test", "wrong button"))
    assert snapshot(store) == before
    assert [c.op for c in fixing.log(store)] == [op, "undo"]
    again = do(store)
    check(store)

    store.ingest_many([a, b])  # the same reports again: unchanged
    check(store)
    assert store.ingest(_changed(a), replace=True).status == "replaced"  # a changed report
    check(store)
    assert _has(store, "Zone:望春工业园区")
    store.remove_document(document_id(b))  # removed and added back
    store.ingest(b)
    check(store)
    store.remove_document(document_id(_changed(a)))
    store.ingest(a)
    check(store)
    assert fixing.stale(store) == []

    entries = fixing.log(store)  # a rebuild into a fresh store with the log copied
    fresh = _fresh(store, tmp_path)
    try:
        fixing.load_log(fresh, entries)
        assert fixing.stale(fresh) == [c for c in entries if c.op != "undo" and c.seq == again.seq]
        fresh.ingest_many([a, b])
        check(fresh)
        assert fixing.stale(fresh) == []
    finally:
        if fresh is not store:
            fresh.close()


def test_a_log_loaded_after_the_build_corrects_the_stored_reports(store: GraphStore, tmp_path: Path) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    entry = fixing.merge(store, "Project:均胜电子创新产业园", "Project:凌智产业园")
    fresh = _fresh(store, tmp_path)
    try:
        fresh.ingest_many([a, b])
        assert fixing.load_log(fresh, [entry]) == 1
        _merge_check(fresh)
    finally:
        if fresh is not store:
            fresh.close()


def test_corrections_stack_and_undo_of_an_earlier_one_keeps_the_later(
    store: GraphStore, tmp_path: Path
) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    fixing.rename(store, "Project:凌智产业园", "宁波凌智产业园")
    retyped = fixing.retype(store, "Company:亿太诺", "Project")
    fixing.merge(store, "Project:亿太诺", "Project:宁波凌智产业园")  # made on the renamed, retyped nodes
    assert not _has(store, "Project:亿太诺") and not _has(store, "Company:亿太诺")
    assert "亿太诺" in store.entity("Project:宁波凌智产业园").aliases
    fixing.undo(store, retyped.seq)
    # without the retype the merge's target (Project:亿太诺) is in no report: kept, and listed as stale
    assert _has(store, "Company:亿太诺") and "亿太诺" not in store.entity("Project:宁波凌智产业园").aliases
    assert [c.op for c in fixing.stale(store)] == ["merge"]
    assert not _has(store, "Project:凌智产业园")  # the rename before it still holds


def test_a_merge_is_never_applied_across_types(store: GraphStore, tmp_path: Path) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    before = snapshot(store)
    with pytest.raises(fixing.CorrectionError, match="cannot merge a Company into a Project"):
        fixing.merge(store, "Company:均胜电子", "Project:均胜电子创新产业园")
    assert fixing.log(store) == [] and snapshot(store) == before
    # nor from a log written by hand (or by an older version): the entry finds nothing to apply to
    forged = Correction(
        1, "merge", key="Company:均胜电子", target="Project:均胜电子创新产业园", target_name="x"
    )
    fixing.load_log(store, [forged])
    assert snapshot(store) == before
    assert fixing.stale(store) == []  # its target exists; it just may not cross types


def test_a_correction_whose_target_is_gone_is_kept_and_listed_as_stale(
    store: GraphStore, tmp_path: Path
) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    rejected = fixing.reject(store, "Policy:第四批重点小巨人")
    dropped = fixing.reject_fact(store, _fact_id(store, "FUNDED_BY", "Project:大东江软件谷"))
    assert fixing.stale(store) == []
    store.remove_document(document_id(b))
    assert [c.seq for c in fixing.stale(store)] == [rejected.seq, dropped.seq]
    assert len(fixing.log(store)) == 2  # never dropped
    store.ingest(b)
    assert fixing.stale(store) == []
    assert not _has(store, "Policy:第四批重点小巨人")
    assert store.facts(predicate="FUNDED_BY", subject="Project:大东江软件谷") == []


def test_bad_corrections_are_refused_with_a_reason(store: GraphStore, tmp_path: Path) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    with pytest.raises(EntityNotFound):
        fixing.reject(store, "Project:没有这个")
    with pytest.raises(fixing.CorrectionError, match="no alias"):
        fixing.split(store, "Company:均胜电子", "均胜集团")
    with pytest.raises(fixing.CorrectionError, match="unknown type"):
        fixing.retype(store, "Company:均胜电子", "Person")
    with pytest.raises(fixing.CorrectionError, match="not in the report's text"):
        fixing.add_fact(
            store, document_id(a), "Company:亿太诺", "INVESTS_IN", "Project:凌智产业园", "没有的句子"
        )
    with pytest.raises(fixing.CorrectionError, match="no correction number 7"):
        fixing.undo(store, 7)
    assert fixing.log(store) == []


def test_a_correction_made_from_an_old_log_is_refused(store: GraphStore, tmp_path: Path) -> None:
    a, b = _reports(tmp_path)
    store.ingest_many([a, b])
    old = store.fix_state()  # type: ignore[attr-defined]
    fixing.reject(store, "Policy:第四批重点小巨人")  # someone else, meanwhile
    old.log.append(Correction(1, "reject", key="Company:新芝生物"))
    with pytest.raises(StaleWrite, match="another correction was made meanwhile"):
        store.write_fixes(old, [])  # type: ignore[attr-defined]
    assert [c.key for c in fixing.log(store)] == ["Policy:第四批重点小巨人"]
    assert _has(store, "Company:新芝生物")
