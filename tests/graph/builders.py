"""Hand-made extractions for the store tests, so the suite does not depend on the extractor."""

from __future__ import annotations

from extract.model import Amount, DocInfo, Entity, Extraction, Period, Relation


class Report:
    """Build one report's extraction: entities by name, relations between them, spans made up but distinct."""

    def __init__(self, path: str, *, title: str | None = None, date: str | None = "2023-07-15") -> None:
        self.path = path
        self.title = title or path.rsplit("/", 1)[-1]
        self.date = date
        self.entities: list[Entity] = []
        self.relations: list[Relation] = []
        self._ids: dict[tuple[str, str], str] = {}

    def entity(self, name: str, type: str, *aliases: str) -> str:
        """The entity id for (type, name), adding the entity the first time."""
        found = self._ids.get((type, name))
        if found is not None:
            return found
        eid = f"e{len(self.entities) + 1}"
        start = 100 * len(self.entities)
        self.entities.append(
            Entity(id=eid, name=name, type=type, aliases=list(aliases), mentions=[(start, start + len(name))])  # type: ignore[arg-type]
        )
        self._ids[(type, name)] = eid
        return eid

    def rel(
        self,
        subject: tuple[str, str],
        predicate: str,
        obj: tuple[str, str],
        *,
        amount: Amount | None = None,
        period: Period | None = None,
        agency: str | None = None,
        action: str | None = None,
        evidence: str | None = None,
    ) -> Report:
        """Add ``subject -predicate-> obj``, both ends ``(name, type)``; returns self for chaining."""
        s = self.entity(*subject)
        o = self.entity(*obj)
        start = 10_000 + 50 * len(self.relations)
        self.relations.append(
            Relation(
                subject=s,
                predicate=predicate,  # type: ignore[arg-type]
                object=o,
                evidence=evidence or f"{subject[0]}{predicate}{obj[0]}",
                span=(start, start + 40),
                amount=amount,
                period=period,
                agency=agency,
                action=action,
            )
        )
        return self

    def build(self) -> Extraction:
        return Extraction(
            doc=DocInfo(
                id=self.title,
                path=self.path,
                title=self.title,
                date=self.date,
                issuer="经济发展局",
                period=Period(text="2023年上半年", start="2023-01-01", end="2023-06-30"),
            ),
            entities=list(self.entities),
            relations=list(self.relations),
        )


def yi(value: float, text: str | None = None) -> Amount:
    """An amount in 亿元."""
    return Amount(text=text or f"{value:g}亿元", value=value * 100_000_000)


MASKED = Amount(text="*亿元", value=None, masked=True)
Y2023 = Period(text="2023年", start="2023-01-01", end="2023-12-31")


def report_a() -> Extraction:
    """高新区 report: 凌智产业园 funded by 专项债, 均胜电子 builds its park, a policy and its issuer."""
    return (
        Report("/reports/a.txt", title="高新区经发局2023年上半年工作总结")
        .rel(
            ("凌智产业园", "Project"),
            "FUNDED_BY",
            ("专项债", "Funding"),
            amount=yi(2.5),
            period=Y2023,
            agency="市发改委",
        )
        .rel(("凌智产业园", "Project"), "LOCATED_IN", ("贵驷片区", "Zone"))
        .rel(("均胜电子", "Company"), "INVESTS_IN", ("均胜电子创新产业园", "Project"), amount=yi(10))
        .rel(("均胜电子创新产业园", "Project"), "LOCATED_IN", ("宁波高新区", "Zone"))
        .rel(("贵驷片区", "Zone"), "LOCATED_IN", ("宁波高新区", "Zone"))
        .rel(("亿太诺", "Company"), "PARTICIPATES_IN", ("第三批重点“小巨人”", "Policy"), action="入选")
        .rel(("第三批重点“小巨人”", "Policy"), "ISSUED_BY", ("工信部", "Agency"))
        .build()
    )


def report_b() -> Extraction:
    """Another report: 均胜电子 again (one node), a masked amount, the fourth batch (never the third)."""
    r = Report("/reports/b.txt", title="经信局2023年工作总结")
    r.entity("均胜电子", "Company", "均胜")
    return (
        r.rel(("均胜电子", "Company"), "FUNDED_BY", ("产业发展引导资金", "Funding"), amount=MASKED)
        .rel(("大东江软件谷", "Project"), "FUNDED_BY", ("专项债", "Funding"), amount=yi(1.2))
        .rel(("大东江软件谷", "Project"), "LOCATED_IN", ("宁波高新区", "Zone"))
        .rel(("新芝生物", "Company"), "PARTICIPATES_IN", ("第四批重点“小巨人”", "Policy"), action="入选")
        .build()
    )


_SYL = "智胜江海宁甬鑫瑞华宏远泰康恒达信诚新兴博德凯"
COMPANIES = [f"{a}{b}科技" for a in _SYL[:6] for b in _SYL[6:12]]
PROJECTS = [f"{a}{b}产业园" for a in _SYL[6:12] for b in _SYL[12:]]
ZONES = ["宁波高新区", "贵驷片区", "南片区", "望春工业园区", "前湾新区", "梅墟街道"]
FUNDING = ["专项债", "中央预算内投资", "产业发展引导资金", "奖励资金", "招商基金"]
POLICIES = ["专精特新“小巨人”", "第三批重点“小巨人”", "宁波市纳税50强企业", "市重点工程建设计划"]
AGENCIES = ["经济发展局", "市发改委", "省发改委", "工信部"]


def synthetic_report(i: int, relations: int = 12) -> Extraction:
    """Report number ``i`` of a reproducible corpus over shared names, so reports merge into each other."""
    import random

    rnd = random.Random(i)
    r = Report(f"/corpus/report-{i:05d}.txt", title=f"工作总结 {i}")
    for _ in range(relations):
        kind = rnd.randrange(5)
        company, project = (rnd.choice(COMPANIES), "Company"), (rnd.choice(PROJECTS), "Project")
        if kind == 0:
            r.rel(
                project, "FUNDED_BY", (rnd.choice(FUNDING), "Funding"), amount=yi(rnd.randrange(1, 50) / 10)
            )
        elif kind == 1:
            r.rel(company, "INVESTS_IN", project, amount=yi(rnd.randrange(1, 90)))
        elif kind == 2:
            r.rel(company, "PARTICIPATES_IN", (rnd.choice(POLICIES), "Policy"), action="入选")
        elif kind == 3:
            r.rel(project, "LOCATED_IN", (rnd.choice(ZONES), "Zone"))
        else:
            r.rel((rnd.choice(POLICIES), "Policy"), "ISSUED_BY", (rnd.choice(AGENCIES), "Agency"))
    return r.build()
