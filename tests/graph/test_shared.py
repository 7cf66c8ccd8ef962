"""Shared amounts: one amount stated for several recipients is summed once, on every backend."""

from __future__ import annotations

from pathlib import Path

from extract.model import Amount, Extraction
from graph.queries import FundingFilter, build, funding
from graph.store import GraphStore
from tests.graph.builders import Y2023, Report, yi

WAN = 10_000


def _wan(text: str, value: float, *, shared: bool = False, group: str | None = None) -> Amount:
    return Amount(text=text, value=value * WAN, shared=shared, group=group)


def _one_sentence(report: Report, names: list[str], amount: Amount, evidence: str, fund: str) -> None:
    """Several recipients of one amount in one sentence: the relations share span and evidence."""
    start = 20_000 + 100 * len(report.relations)
    for name in names:
        report.rel((name, "Company"), "FUNDED_BY", (fund, "Funding"), amount=amount, period=Y2023)
        report.relations[-1].evidence = evidence
        report.relations[-1].span = (start, start + len(evidence))


def _shared_report(path: str = "/reports/shared.txt") -> Extraction:
    r = Report(path, title="经信局2023年工作总结")
    five = ["善韦尔德斯凯勒", "赛夫智创", "汇智云创", "聚民科技", "善德电子"]
    # unmarked by the extractor: one amount stated once for five recipients
    _one_sentence(
        r,
        five,
        _wan("76.5万元", 76.5),
        "积极支持善韦尔德斯凯勒、赛夫智创…等公司,兑付奖励76.5万元",
        "服务收入奖励",
    )
    # marked with a group, as SCHEMA.md allows
    _one_sentence(
        r,
        ["甲科技", "乙科技"],
        _wan("1860万元", 1860, shared=True, group="g1"),
        "甲科技、乙科技等项目合计获得1860万元",
        "技改补助",
    )
    # per recipient: 各 before the amount, so each got it
    _one_sentence(
        r, ["丙科技", "丁科技"], _wan("100万元", 100), "丙科技、丁科技各获得补助100万元", "技改补助"
    )
    # the same amount text twice in the sentence: two amounts
    _one_sentence(
        r, ["戊科技", "己科技"], _wan("50万元", 50), "戊科技获得50万元,己科技获得50万元", "技改补助"
    )
    return r.build()


def _totals(store: GraphStore, instrument: str) -> tuple[float, int, int]:
    report = funding(store, FundingFilter(instrument=instrument))
    (total,) = report.totals
    return total.amount, total.facts, total.amounts


def test_shared_amounts_sum_once(store: GraphStore) -> None:
    store.ingest(_shared_report())
    assert _totals(store, "服务收入奖励") == (76.5 * WAN, 5, 1)
    # 1860 once (marked group) + 100 twice (各) + 50 twice (stated twice)
    assert _totals(store, "技改补助") == ((1860 + 200 + 100) * WAN, 6, 5)
    rows = {i.recipient.name: i for i in funding(store, FundingFilter(instrument="服务收入奖励")).items}
    assert len(rows) == 5 and all(i.shared_by == 5 and i.fact.amount_shared for i in rows.values())
    groups = {i.fact.amount_group for i in rows.values()}
    assert len(groups) == 1 and None not in groups
    rows = {i.recipient.name: i for i in funding(store, FundingFilter(instrument="技改补助")).items}
    assert rows["甲科技"].shared_by == 2 and rows["甲科技"].fact.amount_group == "g1"
    assert rows["丙科技"].shared_by == 1 and not rows["丙科技"].fact.amount_shared
    assert rows["戊科技"].shared_by == 1 and not rows["戊科技"].fact.amount_shared


def test_a_shared_amount_filtered_to_one_recipient_still_says_shared(store: GraphStore) -> None:
    store.ingest(_shared_report())
    report = funding(store, FundingFilter(recipient="赛夫智创"))
    (item,) = report.items
    assert item.shared_by == 5 and report.totals[0].amount == 76.5 * WAN


def test_a_shared_amount_restated_by_another_report_counts_once(store: GraphStore) -> None:
    store.ingest(_shared_report("/reports/first.txt"))
    store.ingest(_shared_report("/reports/second.txt"))
    assert _totals(store, "服务收入奖励")[0] == 76.5 * WAN


def test_one_recipient_amounts_are_not_shared(store: GraphStore) -> None:
    r = Report("/reports/plain.txt")
    r.rel(("凌智产业园", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(2.5), period=Y2023)
    r.rel(("大东江软件谷", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(1.2), period=Y2023)
    store.ingest(r.build())
    report = funding(store, FundingFilter(instrument="专项债"))
    assert report.totals[0].amount == 3.7e8 and not any(i.shared_by > 1 for i in report.items)
    assert not any(i.fact.amount_shared for i in report.items)


def test_report_004_shared_payment_totals_once(store: GraphStore, eval_dir: Path) -> None:
    """积极支持善韦尔德斯凯勒、赛夫智创、汇智云创、聚民科技、善德电子等…兑付…奖励76.5万元: one payment."""
    doc = next((eval_dir / "docs").glob("004_*.txt"))
    summary = build(store, [doc])
    assert summary.failed == 0 and summary.added == 1
    report = funding(store, FundingFilter())
    shared = [i for i in report.items if i.fact.amount_text == "76.5万元"]
    assert {i.recipient.name for i in shared} == {
        "善韦尔德斯凯勒",
        "赛夫智创",
        "汇智云创",
        "聚民科技",
        "善德电子",
    }
    assert all(i.shared_by == 5 and i.fact.amount_shared for i in shared)
    (total,) = [t for t in report.totals if t.instrument.key == shared[0].instrument.key]
    assert total.amount == 765_000 and total.facts == 5 and total.amounts == 1


def test_shared_flags_survive_reopening_the_embedded_store(tmp_path: Path) -> None:
    from graph.embedded import EmbeddedStore

    s = EmbeddedStore(str(tmp_path / "kg"))
    s.ingest(_shared_report())
    s.close()
    again = EmbeddedStore(str(tmp_path / "kg"), readonly=True)
    try:
        shared = [f for f in again.facts(predicate="FUNDED_BY") if f.amount_shared]
        assert len(shared) == 7 and {f.amount_group for f in shared if f.amount_text == "1860万元"} == {"g1"}
    finally:
        again.close()
