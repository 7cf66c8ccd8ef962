"""Hand-made subgraphs for what the real reports do not contain: hostile names, masked money, big caps."""

from __future__ import annotations

from graph.model import DocumentRecord, Fact, Node, Subgraph

XSS_NAME = '<img src=x onerror="window.__xss=1;alert(1)">'
XSS_ALIAS = "<script>window.__xss=2;alert(2)</script>"
XSS_EVIDENCE = "</script><script>window.__xss=3;alert(3)</script>投资"
XSS_TITLE = "<b>报告</b><iframe src=x>"

PROJECT = Node("Project:凌智产业园", "Project", "凌智产业园", ["凌智项目"], {"d1": [(0, 5)], "d2": [(3, 8)]})
BOND = Node("Funding:专项债", "Funding", "专项债", ["专项债券"], {"d1": [(9, 12)]})
HOSTILE = Node("Company:hostile", "Company", XSS_NAME, [XSS_ALIAS], {"d2": [(0, 1)]})
ZONE = Node("Zone:贵驷片区", "Zone", "贵驷片区", [], {"d1": [(20, 24)]})
CLINIC = Node("Project:卫生服务中心", "Project", "贵驷街道社区卫生服务中心", [], {"d1": [(30, 40)]})

FUNDED = Fact(
    "f-bond",
    "FUNDED_BY",
    PROJECT.key,
    BOND.key,
    "d1",
    "组织宁波高新区凌智产业园项目申报2023年第二批专项债,成功申报2.5亿元资金额度",
    (0, 40),
    amount_value=250_000_000.0,
    amount_currency="CNY",
    amount_text="2.5亿元",
    period_start="2023-01-01",
    period_end="2023-12-31",
    period_text="2023年",
)
SMALL = Fact(
    "f-small",
    "FUNDED_BY",
    CLINIC.key,
    BOND.key,
    "d1",
    "贵驷街道社区卫生服务中心获得专项债900万元",
    (0, 20),
    amount_value=9_000_000.0,
    amount_currency="CNY",
    amount_text="900万元",
)
MASKED = Fact(
    "f-masked",
    "FUNDED_BY",
    PROJECT.key,
    BOND.key,
    "d2",
    "凌智产业园申报专项债*亿元",
    (0, 12),
    amount_currency="CNY",
    amount_text="*亿元",
    amount_masked=True,
)
HOSTILE_FACT = Fact("f-hostile", "INVESTS_IN", HOSTILE.key, PROJECT.key, "d2", XSS_EVIDENCE, (0, 10))
LOCATED = Fact("f-located", "LOCATED_IN", PROJECT.key, ZONE.key, "d1", "凌智产业园位于贵驷片区", (0, 10))

DOCUMENTS = {
    "d1": DocumentRecord("d1", "/reports/001.txt", title="经发局2023年上半年工作总结"),
    "d2": DocumentRecord("d2", "/reports/<evil>.txt", title=XSS_TITLE),
}


def hostile_subgraph() -> Subgraph:
    return Subgraph(
        nodes=[PROJECT, BOND, HOSTILE, ZONE, CLINIC],
        edges=[FUNDED, SMALL, MASKED, HOSTILE_FACT, LOCATED],
        center=PROJECT.key,
        omitted={"Company": 132, "Policy": 7},
    )
