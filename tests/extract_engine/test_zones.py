"""Zones: what closes a zone name, the report's own zone, and LOCATED_IN read off a name's prefix.

Names here are invented in the genre (城西, 临湖, 南溪…), so a rule that only
fits the evaluation reports does not pass by accident.
"""

from __future__ import annotations

import pytest

from extract.model import Entity, Relation

from .conftest import Run


def forms(entities: list[Entity]) -> dict[str, Entity]:
    out = {}
    for e in entities:
        for n in (e.name, *e.aliases):
            out[n] = e
    return out


def zones(entities: list[Entity]) -> set[str]:
    return {n for e in entities if e.type == "Zone" for n in (e.name, *e.aliases)}


def located(entities: list[Entity], relations: list[Relation]) -> dict[tuple[str, str], Relation]:
    by_id = {e.id: e.name for e in entities}
    return {(by_id[r.subject], by_id[r.object]): r for r in relations if r.predicate == "LOCATED_IN"}


@pytest.mark.parametrize(
    ("text", "junk", "zone"),
    [
        ("助推星河医疗上市，目前已完成股改。", "星河医疗上市", None),  # 上市 is an IPO
        ("部署创建文明典范城市工作任务。", "文明典范城市", None),  # an honour ending in 城市
        ("加快建设绿色低碳城市，深入开展节能行动。", "绿色低碳城市", None),
        ("落实“高质量发展建设共同富裕先行市”的战略。", "共同富裕先行市", None),  # 先行 is no place
        ("规上工业增加值增速居全宁波各区县第四位。", "居全宁波各区县", None),  # 居/各 in the name
        ("举办产业链对接活动暨全市数字化转型现场会。", "活动暨全市", None),  # 全市 is a word
        ("其中星河医疗、华岳精工获宁波市第一批标杆企业。", "华岳精工获宁波市", None),
        ("临湖城市设计招投标程序正在进行。", "临湖城市", None),  # 城市设计 is a noun phrase
        ("省发改委正式发文同意杭州高新区区域节能报告。", "杭州高新区区域", "杭州高新区"),
    ],
)
def test_words_that_end_in_a_zone_head_are_not_zones(
    run: Run, text: str, junk: str, zone: str | None
) -> None:
    ents, _ = run(text)
    found = zones(ents)
    assert junk not in found, found
    if zone is not None:
        assert zone in found, found


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("南溪区经济运行总体平稳。", "南溪区"),
        ("全年XX区实现工业增加值120亿元。", "XX区"),
        ("推动项目落户丽水市松阳县。", "丽水市松阳县"),
        ("与四川省理县开展东西部协作。", "四川省理县"),
        ("梅林街道新增规上企业5家。", "梅林街道"),
        ("在北部青石片区谋划了两个产业园。", "青石片区"),
        ("宁波市发布新一轮产业政策。", "宁波市"),
    ],
)
def test_real_zone_names_still_close_on_their_heads(run: Run, text: str, zone: str) -> None:
    ents, _ = run(text)
    assert zone in zones(ents), zones(ents)


def test_bare_generic_zone_and_self_reference_are_the_reports_zone(run: Run) -> None:
    text = "高新区上半年经济运行平稳。我区新增规上企业12家。组织杭州高新区云栖产业园项目申报专项债。"
    ents, _ = run(text, zone="杭州高新区")
    found = forms(ents)
    zone = found["杭州高新区"]
    assert zone.name == "杭州高新区" and zone.type == "Zone"
    assert found["高新区"] is zone and found["我区"] is zone
    assert len([e for e in ents if e.type == "Zone"]) == 1


def test_self_reference_does_not_join_another_zone(run: Run) -> None:
    """我区 is the report's zone: never the only other zone the report happens to name."""
    text = "我区项目作为典范在台州－丽水浙西南革命老区对口合作中推介。我区新增企业5家。"
    ents, _ = run(text, zone="临湖区")
    found = forms(ents)
    assert "我区" not in found or found["我区"].name == "临湖区"
    assert "浙西南革命老区" in found and "丽水" in zones(ents)
    assert "我区" not in found["浙西南革命老区"].aliases


def test_zone_written_with_its_city_is_the_reports_zone(run: Run) -> None:
    text = "宁波市XX区新增小微园3个。XX区工业增加值增长7%。我区新增企业5家。"
    ents, rels = run(text, zone="XX区")
    found = forms(ents)
    zone = found["XX区"]
    assert zone.name == "XX区" and found["宁波市XX区"] is zone and found["我区"] is zone
    assert (zone.name, found["宁波市"].name) in located(ents, rels)  # an administrative unit of the city


@pytest.mark.parametrize(
    ("text", "zone", "subject", "obj"),
    [
        (
            "组织杭州高新区云栖产业园项目申报2023年第二批专项债。杭州高新区新增企业5家。",
            None,
            "杭州高新区云栖产业园",
            "杭州高新区",
        ),
        (
            "温州人工智能超算中心项目一期正式上线，温州数字经济加快发展。",
            None,
            "温州人工智能超算中心",
            "温州",
        ),
        (
            "南溪区星河精工新材料项目完成投资2亿元。南溪区新增企业5家。",
            None,
            "南溪区星河精工新材料项目",
            "南溪区",
        ),
        ("推动项目落户丽水市松阳县。", None, "丽水市松阳县", "丽水市"),
        (
            "加快云栖产业园建设。组织杭州高新区云栖产业园项目申报专项债。杭州高新区新增企业5家。",
            None,
            "云栖产业园",  # the canonical name, written with its zone once
            "杭州高新区",
        ),
    ],
)
def test_a_name_that_opens_with_a_zone_lies_in_it(
    run: Run, text: str, zone: str | None, subject: str, obj: str
) -> None:
    ents, rels = run(text, zone=zone)
    found = forms(ents)
    pairs = located(ents, rels)
    key = (found[subject].name, found[obj].name)
    assert key in pairs, sorted(pairs)
    rel = pairs[key]
    assert text[rel.span[0] : rel.span[1]] == rel.evidence


@pytest.mark.parametrize(
    ("text", "zone", "subject"),
    [
        (
            "组织杭州高新区云栖产业园项目申报专项债。杭州高新区新增企业5家。",
            "杭州高新区",
            "杭州高新区云栖产业园",
        ),
        ("温州市加快发展。温州市瓯江数字产业园开工建设。", None, "温州市瓯江数字产业园"),
    ],
)
def test_a_name_opening_with_the_reports_own_area_or_a_city_is_not_placed_by_it(
    run: Run, text: str, zone: str | None, subject: str
) -> None:
    """The report's own area and a whole city hold everything the report names: a project's name
    opening with them states nothing of where it lies (the hand-made annotations agree)."""
    ents, rels = run(text, zone=zone)
    found = forms(ents)
    assert subject in found, sorted(found)
    pairs = located(ents, rels)
    assert not any(s == found[subject].name for s, _ in pairs), pairs


def test_name_prefix_needs_a_rest_and_leaves_parks_named_after_their_city(run: Run) -> None:
    text = "温州市加快发展。深化温州软件园建设，上半年新增企业20家。"
    ents, rels = run(text)
    pairs = located(ents, rels)
    assert not any(s == "温州软件园" for s, _ in pairs), pairs  # a park named after its city
    assert not any(s == "温州市" for s, _ in pairs), pairs  # 温州|市: the rest is no name


def test_city_before_a_named_zone_is_a_zone_of_its_own(run: Run) -> None:
    ents, _ = run("与上海张江高科技园区签订战略合作协议。")
    found = forms(ents)
    assert "上海" in zones(ents)
    assert found["张江高科技园区"].name == "上海张江高科技园区"


def test_short_form_attaches_to_the_long_name_in_the_same_document(run: Run) -> None:
    text = "加快青石产业园、白鹭软件谷等基本建设。云栖、青石等续建项目加快推进。"
    ents, _ = run(text)
    found = forms(ents)
    assert found["青石"] is found["青石产业园"]
    assert found["青石"].type == "Project"


def test_list_item_closed_by_an_industry_word(run: Run) -> None:
    text = "华岳铸造、松禾、星澜等29家企业开展2022年度宁波市自愿清洁生产企业创建。"
    ents, rels = run(text)
    found = forms(ents)
    by_id = {e.id: e.name for e in ents}
    joined = {by_id[r.subject] for r in rels if r.predicate == "PARTICIPATES_IN"}
    for name in ("华岳铸造", "松禾", "星澜"):
        assert found[name].type == "Company"
        assert name in joined


@pytest.mark.parametrize(
    "text",
    [
        "编印《临湖区惠企政策汇编（2023版）》。",
        "编制完成《临湖科创走廊发展规划(2024-2030年)》并报区政府批复。",
    ],
)
def test_issuing_verbs(run: Run, text: str) -> None:
    ents, rels = run(text, issuer="经发局")
    by_id = {e.id: e.name for e in ents}
    assert any(r.predicate == "ISSUED_BY" and by_id[r.object] == "经发局" for r in rels)


def test_built_together_in_a_zone(run: Run) -> None:
    ents, rels = run("深化山海协作，在丽水市云和县共建云和临湖山海协作产业园。")
    found = forms(ents)
    assert (found["云和临湖山海协作产业园"].name, found["云和县"].name) in located(ents, rels)


def test_zone_word_before_an_industry_word_is_no_company(run: Run) -> None:
    ents, _ = run("此次获批是高新区能源管理领域实行改革的具体实践。")
    assert not any(e.type == "Company" for e in ents)
