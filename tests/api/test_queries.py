"""The library behind the API on the real embedded store, with hand-made reports (no extractor involved)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from extract.model import Extraction
from graph.errors import EntityNotFound
from graph.queries import (
    AmbiguousName,
    FundingFilter,
    WrongType,
    company_policies,
    entity_detail,
    funding,
    policy_companies,
    remove,
    resolve_entity,
)
from graph.store import GraphStore, open_store
from tests.graph.builders import Y2023, Report, report_a, report_b, yi


def restated() -> Extraction:
    """A later report repeating report_a's 凌智产业园 funding word for word, plus a new 专项债 fact."""
    return (
        Report("/reports/c.txt", title="高新区2023年工作总结", date="2024-01-10")
        .rel(("凌智产业园", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(2.5), period=Y2023)
        .rel(("文胜湖片区", "Zone"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(0.5), period=Y2023)
        .rel(("文胜湖片区", "Zone"), "LOCATED_IN", ("宁波高新区", "Zone"))
        .build()
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[GraphStore]:
    s = open_store(str(tmp_path / "kg-data"))
    for extraction in (report_a(), report_b(), restated()):
        s.ingest(extraction)
    try:
        yield s
    finally:
        s.close()


def bonds_total(s: GraphStore, flt: FundingFilter) -> tuple[float, int, int]:
    report = funding(s, flt)
    (t,) = [t for t in report.totals if t.instrument.name == "专项债"]
    return t.amount, t.facts, t.masked


def test_restated_funding_counts_once(store: GraphStore) -> None:
    report = funding(store, FundingFilter(instrument="专项债"))
    lingzhi = [i for i in report.items if i.recipient.name == "凌智产业园"]
    assert len(lingzhi) == 2  # both reports' rows are listed ...
    assert sum(1 for i in lingzhi if i.restates is not None) == 1  # ... one of them marked as a restatement
    # 2.5亿 once + 1.2亿 (大东江软件谷) + 0.5亿 (文胜湖片区)
    assert bonds_total(store, FundingFilter(instrument="专项债")) == (4.2e8, 3, 0)


def test_different_period_is_not_a_restatement(tmp_path: Path) -> None:
    s = open_store(str(tmp_path / "kg-data"))
    try:
        s.ingest(report_a())
        later = restated()
        later.relations[0] = replace(
            later.relations[0], period=replace(Y2023, start="2024-01-01", end="2024-12-31")
        )
        s.ingest(later)
        report = funding(s, FundingFilter(recipient="凌智产业园"))
        assert [i.restates for i in report.items] == [None, None]
        assert report.totals[0].amount == 5e8
    finally:
        s.close()


def test_masked_amounts_are_counted_not_summed(store: GraphStore) -> None:
    report = funding(store, FundingFilter(instrument="产业发展引导资金"))
    assert [(t.amount, t.facts, t.masked) for t in report.totals] == [(0.0, 1, 1)]
    assert report.items[0].fact.amount_value is None


def test_funding_filters(store: GraphStore) -> None:
    assert funding(store, FundingFilter(min_amount=1e8)).total == 3  # 2.5亿 twice, 1.2亿
    assert {i.recipient.name for i in funding(store, FundingFilter(agency="发改委")).items} == {"凌智产业园"}
    # the zone includes what lies in it, through sub-zones (凌智产业园 -> 贵驷片区 -> 宁波高新区)
    in_gaoxin = {i.recipient.name for i in funding(store, FundingFilter(zone="宁波高新区")).items}
    assert in_gaoxin == {"凌智产业园", "大东江软件谷", "文胜湖片区"}
    assert {i.recipient.name for i in funding(store, FundingFilter(zone="贵驷片区")).items} == {"凌智产业园"}
    assert funding(store, FundingFilter(start="2024-01-01")).total == 0
    assert (
        funding(store, FundingFilter(start="2023-06-01", end="2023-06-30")).total == 3
    )  # the dated 2023 facts
    page = funding(store, FundingFilter(), limit=2, offset=1)
    assert page.total == 5 and len(page.items) == 2
    assert funding(store, FundingFilter(recipient="'}) DETACH DELETE n //")).total == 0


def test_company_and_policy_links(store: GraphStore) -> None:
    (link,) = company_policies(store, "Company:亿太诺")
    assert link.policy.name == "第三批重点“小巨人”" and link.fact.action == "入选"
    assert [x.company.name for x in policy_companies(store, link.policy.key)] == ["亿太诺"]
    with pytest.raises(WrongType):
        company_policies(store, "Zone:宁波高新区")
    with pytest.raises(WrongType):
        policy_companies(store, "Company:亿太诺")
    with pytest.raises(EntityNotFound):
        company_policies(store, "Company:没有")


def test_entity_detail_groups_relations(store: GraphStore) -> None:
    detail = entity_detail(store, "Project:凌智产业园")
    assert set(detail.relations) == {"FUNDED_BY", "LOCATED_IN"}
    assert len(detail.relations["FUNDED_BY"]) == 2
    assert {m.document for m in detail.mentions} == set(detail.node.mentions)
    zone = entity_detail(store, "Zone:贵驷片区")
    assert {v.direction for v in zone.relations["LOCATED_IN"]} == {"in", "out"}


def test_resolve_entity(store: GraphStore) -> None:
    assert resolve_entity(store, "Project:凌智产业园").node.name == "凌智产业园"
    assert resolve_entity(store, "凌智产业园").node.key == "Project:凌智产业园"
    assert resolve_entity(store, "均胜").node.key == "Company:均胜电子"  # an alias
    assert resolve_entity(store, "文胜湖").node.key == "Zone:文胜湖片区"  # a unique substring
    with pytest.raises(AmbiguousName):
        resolve_entity(store, "小巨人")  # the third and the fourth batch
    with pytest.raises(EntityNotFound):
        resolve_entity(store, "'}) DETACH DELETE n //")


def test_remove_by_path(store: GraphStore) -> None:
    result = remove(store, "/reports/c.txt")
    assert result.facts_removed == 3
    assert store.stats().documents == 2
    with pytest.raises(EntityNotFound):
        store.entity("Zone:文胜湖片区")
