"""``min_confidence`` on every read endpoint that returns entities or facts, through a real uvicorn.

One hand-made report (tests/graph/builders.report_a) with confidences chosen so
that at 0.5 two entities and one fact fall below: 贵驷片区 (0.3), 亿太诺 (0.4)
and 均胜电子 INVESTS_IN 均胜电子创新产业园 (0.45).  What a person confirmed
counts as 1.0 and shows again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from extract.model import Period
from graph.store import open_store
from tests.api.helpers import enc
from tests.api.live import LiveServer
from tests.graph.builders import report_a

TOKEN = "test-token-conf-5e1a"
ENTITIES = {"凌智产业园": 0.9, "专项债": 0.95, "贵驷片区": 0.3, "亿太诺": 0.4, "均胜电子": 0.8}
LOW_FACT = "均胜电子INVESTS_IN均胜电子创新产业园"
FACTS = {"凌智产业园FUNDED_BY专项债": 0.9, LOW_FACT: 0.45, "亿太诺PARTICIPATES_IN第三批重点“小巨人”": 0.7}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx.Client]:
    a = report_a()
    for e in a.entities:
        e.confidence = ENTITIES.get(e.name, 1.0)
    for r in a.relations:
        r.confidence = FACTS.get(r.evidence, 1.0)
    a.relations[4].period = Period(text="2023年上半年", start="2023-01-01", end="2023-06-30", inherited=True)
    store = open_store(str(tmp_path / "kg-data"))
    store.ingest(a)
    with (
        LiveServer(create_app(store, api_token=TOKEN)) as srv,
        httpx.Client(base_url=srv.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as c,
    ):
        yield c
    store.close()


def _names(items: list[dict[str, object]]) -> set[object]:
    return {i["name"] for i in items}


def test_search_filters_before_paging_and_shows_confidence(api: httpx.Client) -> None:
    every = api.get("/api/entities").json()
    assert every["total"] == 9
    by_name = {i["name"]: i["confidence"] for i in every["items"]}
    assert by_name["贵驷片区"] == 0.3 and by_name["宁波高新区"] == 1.0
    sure = api.get("/api/entities", params={"min_confidence": 0.5, "limit": 3}).json()
    assert sure["total"] == 7 and len(sure["items"]) == 3  # counted before the page is cut
    all_sure = api.get("/api/entities", params={"min_confidence": 0.5, "limit": 50}).json()["items"]
    assert _names(all_sure) == set(by_name) - {"贵驷片区", "亿太诺"}
    assert api.get("/api/entities", params={"q": "贵驷", "min_confidence": 0.5}).json()["total"] == 0
    assert api.get("/api/entities", params={"q": "贵驷", "min_confidence": 0.3}).json()["total"] == 1
    assert api.get("/api/entities", params={"min_confidence": 0}).json()["total"] == 9


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "nan", "high"])
def test_a_minimum_outside_0_to_1_is_a_clear_422(api: httpx.Client, bad: str) -> None:
    for path in ("/api/entities", "/api/funding", f"/api/entities/{enc('Zone:宁波高新区')}/neighbors"):
        resp = api.get(path, params={"min_confidence": bad})
        assert resp.status_code == 422, (path, resp.text)
        assert "min_confidence" in resp.json()["detail"]


def test_neighbors_hide_unsure_nodes_and_the_facts_touching_them(api: httpx.Client) -> None:
    path = f"/api/entities/{enc('Zone:宁波高新区')}/neighbors"
    full = api.get(path).json()
    assert _names(full["nodes"]) == {"宁波高新区", "贵驷片区", "均胜电子创新产业园"}
    assert len(full["edges"]) == 2 and all("confidence" in e for e in full["edges"])
    sure = api.get(path, params={"min_confidence": 0.5}).json()
    assert _names(sure["nodes"]) == {"宁波高新区", "均胜电子创新产业园"}
    assert [(e["source"], e["target"]) for e in sure["edges"]] == [
        ("Project:均胜电子创新产业园", "Zone:宁波高新区")
    ]
    # the entity asked about stays, however unsure
    low = api.get(f"/api/entities/{enc('Zone:贵驷片区')}/neighbors", params={"min_confidence": 0.5}).json()
    assert _names(low["nodes"]) == {"贵驷片区", "宁波高新区", "凌智产业园"}


def test_entity_and_document_details_keep_only_sure_relations(api: httpx.Client) -> None:
    park = f"/api/entities/{enc('Project:凌智产业园')}"
    assert set(api.get(park).json()["relations"]) == {"FUNDED_BY", "LOCATED_IN"}
    detail = api.get(park, params={"min_confidence": 0.5}).json()
    assert set(detail["relations"]) == {"FUNDED_BY"} and detail["confidence"] == 0.9
    (doc,) = api.get("/api/documents").json()["items"]
    facts = api.get(f"/api/documents/{doc['id']}").json()["edges"]
    assert len(facts) == 7
    inherited = [f for f in facts if f["period"] and f["period"]["inherited"]]
    assert [(f["source"], f["predicate"]) for f in inherited] == [("Zone:贵驷片区", "LOCATED_IN")]
    sure = api.get(f"/api/documents/{doc['id']}", params={"min_confidence": 0.5}).json()["edges"]
    assert {(f["source"], f["predicate"]) for f in sure} == {
        ("Project:凌智产业园", "FUNDED_BY"),
        ("Project:均胜电子创新产业园", "LOCATED_IN"),
        ("Policy:第三批重点小巨人", "ISSUED_BY"),
    }
    assert min(f["confidence"] for f in sure) >= 0.5


def test_funding_links_and_paths_filter_too(api: httpx.Client) -> None:
    assert api.get("/api/funding", params={"min_confidence": 0.9}).json()["total"] == 1
    cut = api.get("/api/funding", params={"min_confidence": 0.91}).json()
    assert cut["total"] == 0 and cut["totals"] == []
    (row,) = api.get("/api/funding").json()["items"]
    assert row["confidence"] == 0.9 and row["recipient"]["confidence"] == 0.9

    policy = f"/api/policies/{enc('Policy:第三批重点小巨人')}/companies"
    assert api.get(policy).json()["total"] == 1
    assert api.get(policy, params={"min_confidence": 0.5}).json()["total"] == 0  # 亿太诺 is unsure
    company = f"/api/companies/{enc('Company:亿太诺')}/policies"
    (link,) = api.get(company, params={"min_confidence": 0.5}).json()["items"]  # the one asked about stays
    assert link["confidence"] == 0.7
    assert api.get(company, params={"min_confidence": 0.75}).json()["total"] == 0

    ends = {"source": "Project:凌智产业园", "target": "Zone:宁波高新区"}
    assert api.get("/api/paths", params=ends).json()["total"] == 1  # through 贵驷片区
    assert api.get("/api/paths", params={**ends, "min_confidence": 0.5}).json()["total"] == 0


def test_what_a_person_confirmed_counts_as_sure(api: httpx.Client) -> None:
    made = api.post("/api/corrections", json={"op": "confirm", "key": "Zone:贵驷片区"})
    assert made.status_code == 201, made.text
    sure = api.get("/api/entities", params={"min_confidence": 0.5, "limit": 50}).json()
    assert sure["total"] == 8 and "贵驷片区" in _names(sure["items"])
    detail = api.get(f"/api/entities/{enc('Zone:贵驷片区')}").json()
    assert detail["confirmed"] is True and detail["confidence"] == 0.3  # the extractor's figure is kept

    (doc,) = api.get("/api/documents").json()["items"]
    facts = api.get(f"/api/documents/{doc['id']}").json()["edges"]
    low = next(f for f in facts if f["evidence"] == LOW_FACT)
    assert api.post("/api/corrections", json={"op": "confirm", "fact": low["id"]}).status_code == 201
    sure_facts = api.get(f"/api/documents/{doc['id']}", params={"min_confidence": 0.5}).json()["edges"]
    assert low["id"] in {f["id"] for f in sure_facts}
    # 贵驷片区 is confirmed now, so its LOCATED_IN facts (confidence 1.0 / 0.9) show again
    assert ("Zone:贵驷片区", "LOCATED_IN") in {(f["source"], f["predicate"]) for f in sure_facts}
