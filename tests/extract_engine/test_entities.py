"""Entity recognition: trimming, generic phrases, list expansion with counts, alias merging, offsets."""

from __future__ import annotations

from extract.model import Entity

from .conftest import Run


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    out = {}
    for e in entities:
        for n in (e.name, *e.aliases):
            out[n] = e
    return out


def test_over_long_span_is_trimmed(run: Run) -> None:
    ents, _ = run("加快推进凌智产业园建设，推动斯丹佛液压器件研发生产基地尽快落地。")
    names = {e.name: e.type for e in ents}
    assert names.get("凌智产业园") == "Project"
    assert names.get("斯丹佛液压器件研发生产基地") == "Project"
    assert not any(n.startswith(("加快", "推动")) for n in names)


def test_generic_phrases_are_not_entities(run: Run) -> None:
    text = (
        "开展2021年度区级技改项目申报工作，推进小微企业园项目建设，"
        "依托新型产业平台开展招商，企业、项目、园区、政策、资金均有保障。"
    )
    ents, _ = run(text)
    names = {n for e in ents for n in (e.name, *e.aliases)}
    for generic in (
        "区级技改项目",
        "2021年度区级技改项目",
        "小微企业园项目",
        "新型产业平台",
        "企业",
        "项目",
        "园区",
        "政策",
        "资金",
    ):
        assert generic not in names


def test_list_expanded_with_matching_count(run: Run) -> None:
    text = "2022年上半年亿太诺、百琪达等2家企业入选工信部第三批重点“小巨人”名单。"
    ents, rels = run(text, year=2022)
    names = by_name(ents)
    assert names["亿太诺"].type == "Company"
    assert names["百琪达"].type == "Company"
    policy = names["工信部第三批重点“小巨人”名单"]
    assert policy.type == "Policy"
    part = {(r.subject, r.object) for r in rels if r.predicate == "PARTICIPATES_IN"}
    assert (names["亿太诺"].id, policy.id) in part and (names["百琪达"].id, policy.id) in part
    rel = next(r for r in rels if r.predicate == "PARTICIPATES_IN")
    assert rel.action == "入选"
    assert rel.period is not None and (rel.period.start, rel.period.end) == ("2022-01-01", "2022-06-30")
    issued = [r for r in rels if r.predicate == "ISSUED_BY" and r.subject == policy.id]
    assert issued and next(e for e in ents if e.id == issued[0].object).name == "工信部"


def test_list_with_more_items_than_its_count_is_rejected(run: Run) -> None:
    ents, rels = run("甲乙、丙丁、戊己等2家企业入选市级名单。")
    assert not [e for e in ents if e.type == "Company"]
    assert not [r for r in rels if r.predicate == "PARTICIPATES_IN"]
    ents, rels = run("甲乙、丙丁、戊己等3家企业入选市级名单。")
    assert {"甲乙", "丙丁", "戊己"} <= {e.name for e in ents if e.type == "Company"}


def test_list_lead_in_is_dropped(run: Run) -> None:
    ents, _ = run("积极支持善韦尔德斯凯勒、赛夫智创、汇智云创等智能制造工程服务公司开展数字化改造。")
    companies = {e.name for e in ents if e.type == "Company"}
    assert {"善韦尔德斯凯勒", "赛夫智创", "汇智云创"} <= companies
    assert not any(n.startswith("积极") for n in companies)


def test_project_aliases_merge(run: Run) -> None:
    text = (
        "组织宁波高新区凌智产业园项目申报2023年第二批专项债，成功申报2.5亿元资金额度。"
        "云羿、鲲鹏、凌智等续建项目加快推进，尤其是凌智项目，上半年完成投资4.1亿元。"
        "在北部贵驷片区谋划了胜遇产业园、凌智产业园等载体。加快鲲鹏生态产业园建设。"
    )
    ents, rels = run(text)
    names = by_name(ents)
    lingzhi = names["凌智产业园"]
    assert lingzhi.type == "Project"
    for alias in ("凌智", "凌智项目", "宁波高新区凌智产业园项目"):
        assert names[alias] is lingzhi, alias
    assert names["鲲鹏"] is names["鲲鹏生态产业园"]
    assert names["北部贵驷片区"] is names["贵驷片区"]
    funded = [r for r in rels if r.predicate == "FUNDED_BY" and r.subject == lingzhi.id]
    assert funded and funded[0].amount is not None and funded[0].amount.value == 250_000_000
    assert funded[0].period is not None and funded[0].period.start == "2023-01-01"
    assert names[next(e.name for e in ents if e.id == funded[0].object)].name == "专项债"
    located = {(r.subject, r.object) for r in rels if r.predicate == "LOCATED_IN"}
    assert (lingzhi.id, names["贵驷片区"].id) in located


def test_agency_abbreviation_and_self_reference_merge(run: Run) -> None:
    text = "经济发展局牵头推进。经发局加强与市发改委对接。上半年我局兑现补助资金。"
    ents, _ = run(text, issuer="经济发展局")
    names = by_name(ents)
    assert names["经发局"] is names["经济发展局"]
    assert names["我局"] is names["经济发展局"]
    assert names["市发改委"] is not names["经济发展局"]


def test_mentions_are_offsets_into_the_text(run: Run) -> None:
    text = "推动均胜电子产能回归，加快均胜电子创新产业园落地开工。"
    ents, rels = run(text)
    for e in ents:
        for s, end in e.mentions:
            assert text[s:end] in (e.name, *e.aliases)
    names = by_name(ents)
    assert names["均胜电子"].type == "Company"
    invest = {(r.subject, r.object) for r in rels if r.predicate == "INVESTS_IN"}
    assert (names["均胜电子"].id, names["均胜电子创新产业园"].id) in invest
    for r in rels:
        assert text[r.span[0] : r.span[1]] == r.evidence


def test_issued_by_the_reporting_agency(run: Run) -> None:
    text = (
        "制定出台《XX区推进制造业创新发展的若干意见》。根据市能源局《关于做好迎峰度夏工作的通知》要求。"
        "我局参与研究出台《XX区稳企业强主体攻坚行动方案》。"
    )
    ents, rels = run(text, issuer="区经信局")
    names = by_name(ents)
    issued = {(r.subject, r.object) for r in rels if r.predicate == "ISSUED_BY"}
    issuer = names["区经信局"].id
    assert (names["《XX区推进制造业创新发展的若干意见》"].id, issuer) in issued
    assert (names["《关于做好迎峰度夏工作的通知》"].id, names["市能源局"].id) in issued
    assert (names["《XX区稳企业强主体攻坚行动方案》"].id, issuer) not in issued


def test_web_junk_outside_the_body_is_not_mined() -> None:
    from extract.engine import extract_entities_relations
    from extract.model import LoadedText, ReportMeta

    junk = "分享到: 甲乙科技、丙丁电子等2家企业入选某某名单\n"
    body = "亿太诺、百琪达等2家企业入选工信部第三批重点“小巨人”名单。"
    text = junk + body
    loaded = LoadedText("x.txt", text, "utf-8", body=[(len(junk), len(text))])
    ents, _ = extract_entities_relations(loaded, ReportMeta(year=2022))
    assert all(s >= len(junk) for e in ents for s, _ in e.mentions)
    assert "甲乙科技" not in {e.name for e in ents}


def test_issued_by_the_agency_named_before_the_verb(run: Run) -> None:
    text = (
        "牵头起草并由区政府出台《XX区促进算力产业发展的若干措施》。落实市政府印发的《XX市重大项目推进办法》。"
    )
    ents, rels = run(text, issuer="区经信局")
    names = by_name(ents)
    issued = {(r.subject, r.object) for r in rels if r.predicate == "ISSUED_BY"}
    issuer = names["区经信局"].id
    first, second = names["《XX区促进算力产业发展的若干措施》"].id, names["《XX市重大项目推进办法》"].id
    assert (first, names["区政府"].id) in issued and (first, issuer) not in issued
    assert (second, names["市政府"].id) in issued and (second, issuer) not in issued


def test_a_named_banks_loan_a_bonds_funds_and_own_money_are_the_instrument(run: Run, learned: Run) -> None:
    text = (
        "1.云栖大道改造工程。资金来源：2024年新增专项债券资金1.2亿元、中国工商银行青川支行贷款3亿元，"
        "其余由青川城投集团自筹。2.东湖污水处理厂扩建工程。资金来源：企业自筹和银行贷款2亿元。"
    )
    ents, _ = run(text)
    names = by_name(ents)
    loan, bond = names["银行贷款"], names["新增专项债券"]
    assert loan.type == bond.type == "Funding"
    assert names["中国工商银行青川支行贷款"] is loan and loan.name == "银行贷款"
    assert names["青川城投集团自筹"] is names["企业自筹"]  # a builder's own money
    assert bond.name == "新增专项债券" and "新增专项债券资金" in bond.aliases
    ents, rels = learned(text)
    name = {e.id: e.name for e in ents}
    funded = {(name[r.subject], name[r.object], r.amount.value if r.amount else None) for r in rels}
    assert ("云栖大道改造工程", "银行贷款", 300_000_000) in funded
    assert ("云栖大道改造工程", "新增专项债券", 120_000_000) in funded
    assert ("云栖大道改造工程", "企业自筹", None) in funded  # 其余由…自筹: the rest of its money


def test_a_bond_keeps_the_modifier_that_makes_it_another_instrument(learned: Run) -> None:
    text = (
        "资金来源：新增专项债券0.8亿元、再融资一般债券1亿元。全年发行再融资专项债券3亿元，争取专项债券2亿元。"
    )
    ents, _ = learned(text)
    funding = {e.name: e for e in ents if e.type == "Funding"}
    assert {"新增专项债券", "再融资专项债券", "再融资一般债券"} <= set(funding)
    assert funding["新增专项债券"] is not funding["再融资专项债券"]
    assert "专项债券" not in funding["再融资专项债券"].aliases  # a bare bond is not the refinancing


def test_a_reports_bare_bond_is_its_new_issue_never_its_refinancing(learned: Run) -> None:
    text = (
        "全年争取新增专项债券5亿元，发行再融资专项债券3亿元。1.云栖大道改造工程。资金来源：专项债券1.2亿元。"
    )
    ents, _ = learned(text)
    funding = by_name([e for e in ents if e.type == "Funding"])
    assert funding["专项债券"] is funding["新增专项债券"] and funding["专项债券"].name == "新增专项债券"
    assert funding["再融资专项债券"] is not funding["新增专项债券"]
