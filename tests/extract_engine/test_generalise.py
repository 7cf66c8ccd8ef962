"""Rules written for reports nobody here has seen: each case is a phrasing of the genre, not of one report."""

from __future__ import annotations

import pytest

from extract.model import Entity, Relation

from .conftest import Run


def names(entities: list[Entity]) -> dict[str, Entity]:
    out = {}
    for e in entities:
        for n in (e.name, *e.aliases):
            out[n] = e
    return out


def triples(entities: list[Entity], relations: list[Relation]) -> set[tuple[str, str, str]]:
    by_id = {e.id: e.name for e in entities}
    return {(by_id[r.subject], r.predicate, by_id[r.object]) for r in relations}


@pytest.mark.parametrize(
    ("text", "name", "etype"),
    [
        (
            "星澜半导体投资建设的12英寸特色工艺产线项目3月底完成桩基施工。",
            "12英寸特色工艺产线项目",
            "Project",
        ),
        ("推动年产20万吨高性能树脂项目签约落地。", "年产20万吨高性能树脂项目", "Project"),
        ("城西污水处理厂三期扩建工程获中央预算内投资3200万元。", "城西污水处理厂三期扩建工程", "Project"),
        ("5家企业获得省级工业和信息化发展专项资金1860万元。", "省级工业和信息化发展专项资金", "Funding"),
        ("凤栖湾未来社区获得省级未来社区建设补助资金500万元。", "省级未来社区建设补助资金", "Funding"),
        ("兑现服务业发展引导资金860万元。", "服务业发展引导资金", "Funding"),
        ("会同区自然资源和规划分局开展联合踏勘12次。", "区自然资源和规划分局", "Agency"),
        ("华茂电器获评2022年度省级“未来工厂”。", "省级“未来工厂”", "Policy"),
        ("上半年我局区级补助资兑现近1亿元。", "区级补助资", "Funding"),
    ],
)
def test_names_keep_measures_conjunctions_and_levels(run: Run, text: str, name: str, etype: str) -> None:
    ents, _ = run(text)
    found = names(ents)
    assert name in found, sorted(found)
    assert found[name].type == etype


def test_direction_word_is_an_alias_not_the_name(run: Run) -> None:
    ents, _ = run("推动江北新材料产业园项目落户北部滨湖片区。")
    zone = names(ents)["滨湖片区"]
    assert zone.name == "滨湖片区" and "北部滨湖片区" in zone.aliases


def test_short_name_in_brackets_is_an_alias(run: Run) -> None:
    text = (
        "宁波星澜半导体股份有限公司（以下简称“星澜半导体”）投资建设的12英寸特色工艺产线项目开工。"
        "星澜半导体入选省级“未来工厂”。"
    )
    ents, rels = run(text)
    found = names(ents)
    company = found["星澜半导体"]
    assert company is found["宁波星澜半导体股份有限公司"] and company.type == "Company"
    assert not any(e.type == "Policy" and "星澜" in e.name for e in ents)
    project = found["12英寸特色工艺产线项目"]
    assert (company.name, "INVESTS_IN", project.name) in triples(ents, rels)


def test_named_area_before_the_agency_is_the_same_agency(run: Run) -> None:
    ents, _ = run("区经信局会同区财政局开展政策宣讲。", issuer="南湾区经济和信息化局")
    found = names(ents)
    assert found["区经信局"] is found["南湾区经济和信息化局"]
    assert found["区财政局"].type == "Agency" and found["区财政局"] is not found["区经信局"]


def test_party_and_government_is_not_an_abbreviation_of_the_government(run: Run) -> None:
    ents, _ = run("在区委区政府的领导下，报区政府批复。")
    found = names(ents)
    assert found["区委区政府"] is not found["区政府"]


def test_utility_beside_departments_is_not_an_agency(run: Run) -> None:
    ents, _ = run("会同发改、供电、住建等部门，协调解决企业用电问题23个。")
    found = names(ents)
    assert found["发改"].type == "Agency" and found["住建"].type == "Agency"
    assert "供电" not in found


@pytest.mark.parametrize(
    ("text", "slogan", "is_policy"),
    [
        ("召开一季度“开门红”工作推进会，全力冲刺二季度“双过半”。", "“开门红”", False),
        ("召开一季度“开门红”工作推进会，全力冲刺二季度“双过半”。", "“双过半”", False),
        ("工业项目实现“拿地即开工”。", "“拿地即开工”", False),
        ("形成“研发+中试+产业化”协同链条。", "“研发+中试+产业化”", False),
        ("深入开展“联企跑企”活动，确保工业经济平稳运行。", "“联企跑企”活动", True),
        ("紧紧围绕“五大行动”中心工作。", "“五大行动”", True),
    ],
)
def test_slogans_need_a_programme_context(run: Run, text: str, slogan: str, is_policy: bool) -> None:
    ents, _ = run(text)
    assert (slogan in names(ents)) is is_policy


def test_relations_follow_the_schema_signatures(run: Run) -> None:
    text = (
        "临港数字经济产业园正式投入使用，已入驻云图信息、智联数据等企业32家。"
        "禾丰冷链物流中心项目落户城东街道，计划总投资8.5亿元，由禾丰供应链投资建设。"
        "东桥综合交通枢纽获专项债券资金*亿元;城西污水处理厂三期扩建工程获中央预算内投资3200万元。"
    )
    ents, rels = run(text)
    t = triples(ents, rels)
    assert ("云图信息", "LOCATED_IN", "临港数字经济产业园") in t
    assert ("禾丰冷链物流中心", "LOCATED_IN", "城东街道") in t
    assert ("禾丰供应链", "INVESTS_IN", "禾丰冷链物流中心") in t
    funded = {(s, o) for s, p, o in t if p == "FUNDED_BY"}
    assert ("东桥综合交通枢纽", names(ents)["专项债券"].name) in funded
    assert not any(s == "东桥综合交通枢纽" and o == "中央预算内投资" for s, o in funded)
    types = {e.id: e.type for e in ents}
    for r in rels:
        if r.predicate == "LOCATED_IN":
            assert types[r.object] == "Zone"
    masked = [r for r in rels if r.amount is not None and r.amount.masked]
    assert masked and all(r.amount.value is None for r in masked if r.amount)


def test_province_and_county_are_both_zones(run: Run) -> None:
    ents, rels = run("与四川省理县开展东西部协作，拨付援建资金1500万元。")
    found = names(ents)
    assert found["理县"].type == "Zone" and found["四川省"].type == "Zone"
    assert (found["理县"].name, "LOCATED_IN", found["四川省"].name) in triples(ents, rels)


@pytest.mark.parametrize(
    ("text", "name", "written"),
    [
        (
            "新增专项债券安排：南湖区果蔬集配中心项目1.2亿元。",
            "南湖区果蔬集配中心",
            "南湖区果蔬集配中心项目",
        ),
        ("南湖老码头文化街区一期已于国庆前开街迎客。", "南湖老码头文化街区", "南湖老码头文化街区一期"),
    ],
)
def test_a_project_goes_also_by_its_name_as_written_with_its_tail(
    run: Run, text: str, name: str, written: str
) -> None:
    """The 项目 or bare phase right after the name is how the report writes it: one of its names."""
    ents, _ = run(text)
    found = names(ents)
    assert name in found and written in found and found[name] is found[written], sorted(found)


@pytest.mark.parametrize("which", ["rules", "learned"])
def test_the_bank_opening_a_loan_is_a_company_of_its_own(run: Run, learned: Run, which: str) -> None:
    """X银行Y分行贷款: the loan is the money, the branch that lends it is a company."""
    ents, _ = (run if which == "rules" else learned)("总投资12亿元，其中青禾农商银行城东支行贷款3.5亿元。")
    found = names(ents)
    assert "青禾农商银行城东支行" in found and found["青禾农商银行城东支行"].type == "Company", sorted(found)
