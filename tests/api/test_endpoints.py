"""Every endpoint over the store built from the real reports, called over HTTP on a live uvicorn."""

from __future__ import annotations

import httpx

from graph.queries import BuildSummary
from graph.store import GraphStore
from tests.api.helpers import enc, key_of

INJECTION = "'}) DETACH DELETE n //"


def test_build_read_every_report(built: tuple[GraphStore, BuildSummary]) -> None:
    _, summary = built
    assert summary.failures == []
    assert summary.added == 3
    assert summary.stats.documents == 3


def test_funding_special_bonds_include_lingzhi(client: httpx.Client) -> None:
    resp = client.get("/api/funding", params={"instrument": "专项债"})
    assert resp.status_code == 200
    body = resp.json()
    assert set(body) >= {"items", "totals"}
    rows = [(i["recipient"]["name"], i["amount"]["value"] if i["amount"] else None) for i in body["items"]]
    assert ("凌智产业园", 250000000) in rows
    for item in body["items"]:
        assert "专项债" in item["instrument"]["name"]
        assert item["evidence"] and item["document"]
    bonds = [t for t in body["totals"] if t["instrument"]["name"] == "专项债" and t["currency"] == "CNY"]
    assert bonds and bonds[0]["amount"] >= 250000000
    assert bonds[0]["facts"] >= 1


def test_funding_filters_narrow(client: httpx.Client) -> None:
    everything = client.get("/api/funding").json()
    big = client.get("/api/funding", params={"min_amount": 200000000}).json()
    assert big["total"] <= everything["total"]
    assert all(i["amount"]["value"] >= 200000000 for i in big["items"])
    nothing = client.get("/api/funding", params={"recipient": INJECTION}).json()
    assert nothing == {"items": [], "total": 0, "totals": []}
    later = client.get("/api/funding", params={"start": "2030-01-01"}).json()
    assert later["items"] == []


def test_company_policies_of_yitainuo_include_little_giants(client: httpx.Client) -> None:
    key = key_of(client, "亿太诺", "Company")
    resp = client.get(f"/api/companies/{enc(key)}/policies")
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] == len(body["items"]) > 0
    little_giants = [i for i in body["items"] if "小巨人" in i["policy"]["name"]]
    assert little_giants, [i["policy"]["name"] for i in body["items"]]
    assert all(i["company"]["key"] == key and i["evidence"] for i in body["items"])
    # and back from the policy to the company
    policy_key = little_giants[0]["policy"]["key"]
    back = client.get(f"/api/policies/{enc(policy_key)}/companies").json()
    assert key in [i["company"]["key"] for i in back["items"]]


def test_path_from_lingzhi_to_its_zone(client: httpx.Client) -> None:
    source = key_of(client, "凌智产业园", "Project")
    target = key_of(client, "贵驷片区", "Zone")
    resp = client.get("/api/paths", params={"source": source, "target": target, "max_hops": 6})
    assert resp.status_code == 200
    body = resp.json()
    assert body["total"] >= 1
    for path in body["items"]:
        assert path["nodes"][0]["key"] == source
        assert path["nodes"][-1]["key"] == target
        assert len(path["edges"]) == len(path["nodes"]) - 1 == path["hops"]
        for i, edge in enumerate(path["edges"]):
            assert {edge["source"], edge["target"]} == {path["nodes"][i]["key"], path["nodes"][i + 1]["key"]}
            assert edge["evidence"] and edge["document"]


def test_paths_accept_names(client: httpx.Client) -> None:
    body = client.get("/api/paths", params={"source": "凌智产业园", "target": "贵驷片区"}).json()
    assert body["total"] >= 1


def test_entity_search_ranked_with_counts(client: httpx.Client) -> None:
    body = client.get("/api/entities", params={"q": "凌智"}).json()
    assert body["total"] >= 1
    first = body["items"][0]
    assert set(first) >= {"key", "name", "type", "aliases", "documents", "degree"}
    assert any(i["name"] == "凌智产业园" for i in body["items"])
    degrees = [i["degree"] for i in body["items"]]
    assert all(isinstance(d, int) and d >= 0 for d in degrees)
    projects = client.get("/api/entities", params={"type": "Project", "limit": 5}).json()
    assert len(projects["items"]) <= 5 and all(i["type"] == "Project" for i in projects["items"])
    assert projects["total"] >= len(projects["items"])


def test_entity_search_pages(client: httpx.Client) -> None:
    first = client.get("/api/entities", params={"limit": 3, "offset": 0}).json()
    second = client.get("/api/entities", params={"limit": 3, "offset": 3}).json()
    assert first["total"] == second["total"] > 6
    assert not {i["key"] for i in first["items"]} & {i["key"] for i in second["items"]}


def test_entity_detail_with_encoded_key(client: httpx.Client) -> None:
    key = key_of(client, "凌智产业园", "Project")
    assert ":" in key
    resp = client.get(f"/api/entities/{enc(key)}")
    assert resp.status_code == 200
    body = resp.json()
    assert body["key"] == key and body["name"] == "凌智产业园"
    assert body["mentions"] and all(m["count"] == len(m["spans"]) > 0 for m in body["mentions"])
    funded = body["relations"]["FUNDED_BY"]
    assert any(r["other"]["name"] == "专项债" and r["direction"] == "out" for r in funded)


def test_neighbors_two_hops(client: httpx.Client) -> None:
    key = key_of(client, "凌智产业园", "Project")
    one = client.get(f"/api/entities/{enc(key)}/neighbors", params={"depth": 1}).json()
    two = client.get(f"/api/entities/{enc(key)}/neighbors", params={"depth": 2}).json()
    assert one["center"] == key
    assert len(two["nodes"]) >= len(one["nodes"]) > 1
    keys = {n["key"] for n in two["nodes"]}
    for edge in two["edges"]:
        assert edge["source"] in keys and edge["target"] in keys
        assert edge["predicate"] and edge["evidence"] and edge["document"]
    located = client.get(f"/api/entities/{enc(key)}/neighbors", params={"predicate": "LOCATED_IN"}).json()
    assert located["edges"] and all(e["predicate"] == "LOCATED_IN" for e in located["edges"])


def test_documents_list_and_detail(client: httpx.Client) -> None:
    body = client.get("/api/documents").json()
    assert body["total"] == len(body["items"]) == 3
    doc = body["items"][0]
    detail = client.get(f"/api/documents/{enc(doc['id'])}").json()
    assert detail["id"] == doc["id"]
    assert detail["edges"] and all(e["document"] == doc["id"] for e in detail["edges"])
    assert detail["facts"] == len(detail["edges"])


def test_stats_and_health(client: httpx.Client) -> None:
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 3
    assert stats["entities"]["Project"] > 0 and stats["relations"]["FUNDED_BY"] > 0
    total = client.get("/api/entities", params={"limit": 1}).json()["total"]
    assert total == sum(stats["entities"].values())
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_openapi_docs_are_bilingual(client: httpx.Client) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    text = str(spec)
    assert "项目 Project" in text and "资金来源" in text
    assert "/api/entities/{key}/neighbors" in spec["paths"]


def test_network_pages_are_served(client: httpx.Client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/viz").status_code == 200


def test_unknown_keys_are_404_with_a_message(client: httpx.Client) -> None:
    for url in (
        "/api/entities/Project%3A不存在的项目",
        "/api/entities/Project%3A不存在的项目/neighbors",
        "/api/companies/Company%3A不存在/policies",
        "/api/policies/Policy%3A不存在/companies",
        "/api/documents/no-such-document",
    ):
        resp = client.get(url)
        assert resp.status_code == 404, url
        assert "不存在" in resp.json()["detail"] or "no-such-document" in resp.json()["detail"]
    resp = client.get("/api/paths", params={"source": "不存在的项目", "target": "宁波高新区"})
    assert resp.status_code == 404 and "不存在的项目" in resp.json()["detail"]


def test_wrong_entity_type_is_404(client: httpx.Client) -> None:
    zone = key_of(client, "宁波高新区", "Zone")
    resp = client.get(f"/api/companies/{enc(zone)}/policies")
    assert resp.status_code == 404 and "Zone" in resp.json()["detail"]


def test_bad_parameters_are_422_naming_the_parameter(client: httpx.Client) -> None:
    key = enc(key_of(client, "凌智产业园", "Project"))
    cases = {
        "/api/entities?limit=1001": "limit",
        "/api/entities?limit=0": "limit",
        "/api/entities?offset=-1": "offset",
        "/api/entities?type=Spaceship": "type",
        f"/api/entities/{key}/neighbors?depth=4": "depth",
        f"/api/entities/{key}/neighbors?predicate=LOVES": "predicate",
        "/api/paths?source=a&target=b&max_hops=7": "max_hops",
        "/api/paths?target=b": "source",
        "/api/funding?start=yesterday": "start",
        "/api/funding?min_amount=lots": "min_amount",
        "/api/documents?limit=100000": "limit",
    }
    for url, param in cases.items():
        resp = client.get(url)
        assert resp.status_code == 422, url
        assert resp.json()["detail"].startswith(param), (url, resp.json()["detail"])


def test_injection_text_is_just_a_name(client: httpx.Client) -> None:
    before = client.get("/api/stats").json()
    assert client.get("/api/entities", params={"q": INJECTION}).json() == {"items": [], "total": 0}
    assert client.get(f"/api/entities/{enc(INJECTION)}").status_code == 404
    assert client.get(f"/api/entities/{enc(INJECTION)}/neighbors").status_code == 404
    assert client.get("/api/paths", params={"source": INJECTION, "target": INJECTION}).status_code == 404
    assert client.get("/api/stats").json() == before
