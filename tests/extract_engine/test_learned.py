"""The learned stage: the shipped model is what training builds, it loads once, and the SCHEMA's cases hold.

The cases are written from ``../shared/eval/SCHEMA.md`` with invented names, not copied from any gold file.
"""

from __future__ import annotations

import pytest

from extract.learned import FEATURE_VERSION, Model, ModelError, load_model, read_model, shipped_model_path
from extract.model import Entity, Relation
from extract.train import default_folders, load_annotated, train
from tests.extract_engine.conftest import Run


def test_shipped_model_is_what_training_builds() -> None:
    """Rebuilt from the repo's own annotated reports, the shipped file is what training gives.

    Same features, classes and thresholds; weights equal to the file's rounding (another BLAS
    may move the last digit); and training twice in one process gives the same bytes.
    """
    reports = load_annotated(default_folders())
    assert len(reports) >= 11
    built = train(reports)
    shipped = read_model(shipped_model_path())
    hint = "run `kg train` and commit extract/data/model.json"
    for got, want in ((built.mentions, shipped.mentions), (built.relations, shipped.relations)):
        assert got is not None and want is not None
        assert got.classes == want.classes, hint
        assert set(got.weights) == set(want.weights), hint
        worst = max(
            abs(a - b) for f in got.weights for a, b in zip(got.weights[f], want.weights[f], strict=True)
        )
        assert worst <= 1e-3, f"weights moved by {worst}: {hint}"
    assert (built.mention_threshold, built.relation_threshold) == (
        shipped.mention_threshold,
        shipped.relation_threshold,
    )
    assert built.trained_on == shipped.trained_on
    assert train(reports).dumps() == built.dumps()


def test_model_is_loaded_once_per_process(learned: Run) -> None:
    load_model.cache_clear()
    learned("南湖区经信局组织企业申报。")
    learned("南湖区经信局组织企业申报。")
    info = load_model.cache_info()
    assert info.misses == 1 and info.hits >= 1


def test_a_model_for_other_features_is_refused() -> None:
    data = Model.rules_only().to_json()
    data["feature_version"] = FEATURE_VERSION + 1
    with pytest.raises(ModelError, match="kg train"):
        Model.from_json(data)


def _names(ents: list[Entity], etype: str) -> set[str]:
    return {n for e in ents if e.type == etype for n in (e.name, *e.aliases)}


def _id(ents: list[Entity], name: str) -> str:
    return next(e.id for e in ents if name in (e.name, *e.aliases))


def _rel(ents: list[Entity], rels: list[Relation], s: str, p: str, o: str) -> Relation | None:
    by_id = {e.id: {e.name, *e.aliases} for e in ents}
    return next(
        (r for r in rels if r.predicate == p and s in by_id[r.subject] and o in by_id[r.object]), None
    )


@pytest.mark.parametrize(
    ("text", "etype", "name"),
    [
        ("浙江湘*新材料有限公司入选省级“专精特新”中小企业名单。", "Company", "浙江湘*新材料有限公司"),
        ("XX街道新增规上工业企业5家。", "Zone", "XX街道"),
        ("青石街道完成工业投资12亿元。", "Zone", "青石街道"),
        ("推动鹭岛科技有限公司申报国家高新技术企业。", "Company", "鹭岛科技有限公司"),
    ],
)
def test_names_the_schema_describes(learned: Run, text: str, etype: str, name: str) -> None:
    ents, _ = learned(text, issuer="经信局", year=2023, zone="南湖区")
    assert name in _names(ents, etype), [(e.type, e.name) for e in ents]


def test_every_entity_and_relation_carries_a_confidence(learned: Run) -> None:
    ents, rels = learned("翠微电子有限公司获得技术改造补助资金300万元。", year=2023, zone="南湖区")
    assert ents and all(0.0 <= e.confidence <= 1.0 for e in ents)
    assert all(0.0 <= r.confidence <= 1.0 for r in rels)


def test_a_fact_without_time_inherits_the_report_period() -> None:
    from extract.engine import extract_entities_relations
    from extract.model import LoadedText, Period, ReportMeta

    text = "翠微电子有限公司获得技术改造补助资金300万元。"
    loaded = LoadedText("r.txt", text, "utf-8", body=[(0, len(text))])
    meta = ReportMeta(
        issuer="经信局", year=2023, zone="南湖区", period=Period("2023年上半年", "2023-01-01", "2023-06-30")
    )
    _, rels = extract_entities_relations(loaded, meta)
    funded = [r for r in rels if r.predicate == "FUNDED_BY"]
    assert funded, rels
    assert all(r.period is not None and r.period.inherited for r in funded)
    assert funded[0].period is not None and (funded[0].period.start, funded[0].period.end) == (
        "2023-01-01",
        "2023-06-30",
    )


def test_a_total_stated_for_a_list_is_shared_by_its_recipients(learned: Run) -> None:
    """A、B、C等3家企业…奖励资金60万元: one amount for three, marked shared with one group."""
    ents, rels = learned("青禾机械、远湖电子、白石科技等3家企业共获得技术改造奖励资金60万元。")
    funded = [r for r in rels if r.predicate == "FUNDED_BY"]
    by_id = {e.id: e.name for e in ents}
    assert {by_id[r.subject] for r in funded} == {"青禾机械", "远湖电子", "白石科技"}
    assert all(r.amount is not None and r.amount.shared and r.amount.value == 600000 for r in funded)
    assert len({r.amount.group for r in funded if r.amount is not None}) == 1


def test_amounts_given_per_item_go_to_their_own_items(learned: Run) -> None:
    """新增专项债券…其中：A项目3.2亿元；B工程1.1亿元: each project its own amount, none shared."""
    text = "新增专项债券安排情况。其中：南湖区城东老旧小区改造项目3.2亿元；南湖大道西延工程1.1亿元。"
    ents, rels = learned(text)
    by_id = {e.id: e.name for e in ents}
    amounts = {by_id[r.subject]: r.amount for r in rels if r.predicate == "FUNDED_BY"}
    assert amounts.get("南湖大道西延工程") is not None
    assert amounts["南湖大道西延工程"].value == 110_000_000 and not amounts["南湖大道西延工程"].shared
    assert all(a is not None and a.value in (320_000_000, 110_000_000) for a in amounts.values())


PROJECT_LIST = (
    "3.青萍路快速化改造工程（一期）。建设单位：南湖城市建设投资集团有限公司。位于白沙街道，"
    "总投资12.4亿元，使用专项债券2亿元，高架段完成桩基施工。\n"
    "4.南湖区第三中学新校区。建设单位：南湖城市建设投资集团有限公司。总投资6.8亿元，使用专项债券3亿元。"
)


def test_a_numbered_item_title_names_its_project_with_its_phase(learned: Run) -> None:
    """In a project list, the item title is the project's whole name, its phase included."""
    ents, _ = learned(PROJECT_LIST, zone="南湖区")
    projects = _names(ents, "Project")
    assert "青萍路快速化改造工程（一期）" in projects, projects
    assert "南湖区第三中学新校区" in projects, projects


def test_a_project_list_states_investor_place_and_money_of_its_item(learned: Run) -> None:
    """建设单位 names the investor, 位于 the place, 使用 the money — of the item, in later sentences."""
    ents, rels = learned(PROJECT_LIST, zone="南湖区")
    item = "青萍路快速化改造工程（一期）"
    invests = _rel(ents, rels, "南湖城市建设投资集团有限公司", "INVESTS_IN", item)
    assert invests is not None, rels
    assert invests.amount is not None and invests.amount.value == 1_240_000_000  # the item's 总投资
    assert _rel(ents, rels, item, "LOCATED_IN", "白沙街道"), rels
    assert _rel(ents, rels, item, "FUNDED_BY", "专项债券"), rels


@pytest.mark.parametrize(
    "title",
    ["1.加快推进重点项目建设。", "2.持续抓好项目谋划储备。", "（3）强化资金争取。"],
)
def test_an_item_title_that_is_a_task_is_not_a_project(title: str) -> None:
    from extract.candidates import item_title
    from extract.lexicon import load_lexicon
    from extract.names import Tokens
    from extract.segment import tokenize
    from extract.sentences import Sentence

    sent = Sentence(0, len(title), title, 0)
    assert item_title(sent, Tokens(tokenize(title), load_lexicon())) == []


def test_a_half_sure_span_stays_only_as_the_end_of_a_kept_relation() -> None:
    """Between the two thresholds an entity needs a kept relation; above the upper one it stays alone."""
    from extract.engine import _entities_with_evidence
    from extract.model import Entity, Relation

    sure = Entity("e1", "青禾机械有限公司", "Company", confidence=0.9)
    half = Entity("e2", "技术改造奖励资金", "Funding", confidence=0.2)
    alone = Entity("e3", "城东片区改造项目", "Project", confidence=0.2)
    place = Entity("e4", "城东片区", "Zone", confidence=0.2)  # closed vocabulary: stays alone
    rel = Relation("e1", "FUNDED_BY", "e2", "青禾机械有限公司获技术改造奖励资金。", (0, 10))
    kept = _entities_with_evidence([sure, half, alone, place], [rel], 0.35)
    assert [e.id for e in kept] == ["e1", "e2", "e4"]
    assert _entities_with_evidence([sure, half, alone], [], None) == [sure, half, alone]


def test_a_project_named_with_its_investor_in_front_goes_by_its_name_without_it(learned: Run) -> None:
    """青禾机械年产5万台…项目 is the project 年产5万台…项目 written with its investor first."""
    text = "青禾机械有限公司（以下简称“青禾机械”）落户南湖区。青禾机械年产5万台智能割草机项目已于6月开工。"
    ents, _ = learned(text, zone="南湖区")
    written = "青禾机械年产5万台智能割草机项目"
    holding = [e for e in ents if e.type == "Project" and written in (e.name, *e.aliases)]
    assert holding, [(e.type, e.name, e.aliases) for e in ents]
    assert "年产5万台智能割草机项目" in (holding[0].name, *holding[0].aliases)


def test_a_feature_listed_twice_weighs_as_once_as_in_training() -> None:
    # training sees each candidate's features as a set; scoring must not double a repeated one
    lm = load_model().relations
    assert lm is not None
    feature = next(iter(lm.weights))
    once, twice = lm.proba([feature]), lm.proba([feature, feature])
    assert twice == once
    assert once != lm.proba([])  # the feature has weight: doubling it would have shown


def test_zone_inflow_is_a_plain_reading() -> None:
    """争取X亿元 with no recipient before it is the zone's own inflow; a project after it is a use."""
    from extract.pairs import _zone_receives

    text = "争取中央预算内投资1.2亿元，其中甲乙路改造工程3000万元"
    assert _zone_receives(text, text.index("1.2"))
    spent = "兑现人才引进奖补资金6280万元"
    assert not _zone_receives(spent, spent.index("6280"))


def test_a_capital_increase_invests_in_the_reports_own_area(learned: Run) -> None:
    """SCHEMA: a company puts 增资 into an area; with no place named, the report's own area, and
    the kind of firm before the name (港资企业) is not part of it."""
    text = "南湖区外资企业增资扩股成效明显，港资企业青岚物流增资3000万美元，台资企业禾森食品增资800万美元。"
    ents, rels = learned(text, zone="南湖区")
    companies = _names(ents, "Company")
    assert {"青岚物流", "禾森食品"} <= companies, companies
    invests = _rel(ents, rels, "青岚物流", "INVESTS_IN", "南湖区")
    assert invests is not None, rels
    assert invests.amount is not None and (invests.amount.value, invests.amount.currency) == (
        30_000_000,
        "USD",
    )
    other = _rel(ents, rels, "禾森食品", "INVESTS_IN", "南湖区")
    assert other is not None and other.amount is not None and other.amount.value == 8_000_000


def test_a_capital_increase_with_a_project_of_its_own_goes_to_the_project(learned: Run) -> None:
    text = "南湖区港资企业青岚物流增资3000万美元。下一步积极对接青岚物流二期增资项目，争取年内签约。"
    ents, rels = learned(text, zone="南湖区")
    to_area = [r for r in rels if r.predicate == "INVESTS_IN" and r.object == _id(ents, "南湖区")]
    assert [r.evidence for r in to_area] == ["南湖区港资企业青岚物流增资3000万美元"], rels


def test_each_investor_in_a_run_of_projects_keeps_its_own_figure(learned: Run) -> None:
    """C1投资X的P1、C2总投资Y的P2: the figure between an investor and its project is theirs."""
    text = (
        "外资项目方面，韩国青岚电子株式会社投资6000万美元的车载显示模组项目、"
        "新加坡禾森投资集团总投资2.4亿美元的南湖冷链物流中心项目相继签约。"
    )
    ents, rels = learned(text, zone="南湖区")
    second = _rel(ents, rels, "新加坡禾森投资集团", "INVESTS_IN", "南湖冷链物流中心项目")
    assert second is not None, rels
    assert second.amount is not None and second.amount.value == 240_000_000


def test_a_weaker_programme_of_the_same_subject_and_sentence_gives_way() -> None:
    """根据《…通知》…列入X培育库: of two titles one sentence gives a company, the far surer one is
    the fact; two about as sure (入选A和B) both stay, and other subjects or sentences are not rivals."""
    from extract.engine import RIVAL_RATIO, without_weak_rivals
    from extract.pairs import PairCandidate
    from extract.sentences import Sentence

    one, other = Sentence(0, 10, "x" * 10, 0), Sentence(10, 20, "y" * 10, 0)

    def cand(s: str, o: str, sent: Sentence = one) -> PairCandidate:
        return PairCandidate(s, o, sent, None, None, [])

    sure = 0.9
    judged = [
        (cand("c1", "list"), "PARTICIPATES_IN", sure),
        (cand("c1", "notice"), "PARTICIPATES_IN", sure * RIVAL_RATIO * 0.9),
        (cand("c1", "second_list"), "PARTICIPATES_IN", sure * 0.95),
        (cand("c2", "notice"), "PARTICIPATES_IN", 0.3),
        (cand("c1", "notice", other), "PARTICIPATES_IN", 0.3),
        (cand("c1", "fund"), "FUNDED_BY", 0.3),
    ]
    kept = {(c.subject, c.object, c.sentence.start) for c, _, _ in without_weak_rivals(judged)}
    assert ("c1", "notice", 0) not in kept
    assert kept == {("c1", "list", 0), ("c1", "second_list", 0), ("c2", "notice", 0), ("c1", "notice", 10),
                    ("c1", "fund", 0)}  # fmt: skip


def test_an_evaluation_goes_also_by_its_name_with_the_year_written_before_it(learned: Run) -> None:
    ents, _ = learned("南湖经开区在2023年度全省园区高质量发展综合考核评价中位列全省第五。")
    policies = [e for e in ents if e.type == "Policy"]
    assert any("2023年度全省园区高质量发展综合考核评价" in (e.name, *e.aliases) for e in policies), policies


@pytest.mark.parametrize(
    ("title", "name"),
    [
        (
            "6.南湖区城西净水厂扩建及提标工程（以下简称“城西扩建”）。",
            "南湖区城西净水厂扩建及提标工程",
        ),
        ("7.城东雨污分流改造工程（二期）（简称“雨污二期”）。", "城东雨污分流改造工程（二期）"),
    ],
)
def test_an_item_title_with_its_short_name_names_the_project(title: str, name: str) -> None:
    """6.X工程（以下简称“Y”）。建设单位：…: the title before the short name is the project's name."""
    from extract.candidates import item_title
    from extract.lexicon import load_lexicon
    from extract.names import Tokens
    from extract.segment import tokenize
    from extract.sentences import Sentence

    sent = Sentence(0, len(title), title, 0)
    found = item_title(sent, Tokens(tokenize(title), load_lexicon()))
    assert [(m.text, m.type) for m in found] == [(name, "Project")]


def test_a_pair_is_read_off_the_nearest_mentions_of_its_two_ends() -> None:
    """申报X资金，A、B获得X资金860万元: A's X is the one after A, not the one the sentence opens with."""
    from extract.mentions import Mention
    from extract.pairs import _closest_mentions

    fund_1 = Mention(4, 10, "Funding", "工业发展资金", "suffix")
    company = Mention(11, 15, "Company", "青禾机械", "suffix")
    fund_2 = Mention(17, 23, "Funding", "工业发展资金", "suffix")
    pairs = [(fund_1, "f"), (company, "c"), (fund_2, "f")]
    chosen = {
        (sid, oid): (s.start, o.start)
        for s, sid, o, oid in _closest_mentions(pairs, {"f": "Funding", "c": "Company"})
    }
    assert chosen[("c", "f")] == (11, 17)
