"""/api/corrections through a real uvicorn: writes need the token, a merge shows everywhere, undo restores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from graph import fixing
from graph.queries import build
from graph.store import open_store
from tests.api.helpers import enc
from tests.api.live import LiveServer

TOKEN = "test-token-fix-81c2"
REPORT = "000_0207fd07f11f00dd.txt"


@pytest.fixture
def api(tmp_path: Path, eval_docs: Path) -> Iterator[httpx.Client]:
    store = open_store(str(tmp_path / "kg-data"))
    build(store, [eval_docs / REPORT])
    with (
        LiveServer(create_app(store, api_token=TOKEN)) as srv,
        httpx.Client(base_url=srv.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}) as c,
    ):
        yield c
    store.close()


def _two_of_a_type(c: httpx.Client, type: str) -> tuple[dict[str, object], dict[str, object]]:
    items = c.get("/api/entities", params={"type": type, "limit": 50}).json()["items"]
    assert len(items) >= 2
    return items[0], items[1]


def test_merge_through_the_api_and_undo(api: httpx.Client) -> None:
    a, b = _two_of_a_type(api, "Policy")
    before = api.get(f"/api/entities/{enc(str(b['key']))}").json()

    refused = httpx.post(
        f"{api.base_url}/api/corrections", json={"op": "merge", "key": a["key"], "into": b["key"]}
    )
    assert refused.status_code == 401
    assert api.get("/api/corrections").json() == {"items": [], "total": 0}

    made = api.post(
        "/api/corrections", json={"op": "merge", "key": a["key"], "into": b["key"], "note": "一个"}
    )
    assert made.status_code == 201, made.text
    entry = made.json()
    assert entry["seq"] == 1 and entry["op"] == "merge" and entry["note"] == "一个"
    assert api.get(f"/api/entities/{enc(str(a['key']))}").status_code == 404
    merged = api.get(f"/api/entities/{enc(str(b['key']))}").json()
    assert a["name"] in merged["aliases"]
    hits = api.get("/api/entities", params={"q": a["name"], "type": "Policy"}).json()["items"]
    assert b["key"] in [h["key"] for h in hits] and a["key"] not in [h["key"] for h in hits]
    assert [e["op"] for e in api.get("/api/corrections").json()["items"]] == ["merge"]

    undone = api.post("/api/corrections", json={"op": "undo", "seq": 1})
    assert undone.status_code == 201 and undone.json()["undoes"] == 1
    assert api.get(f"/api/entities/{enc(str(b['key']))}").json() == before
    assert api.get(f"/api/entities/{enc(str(a['key']))}").status_code == 200


def test_confirm_and_the_review_queue(api: httpx.Client) -> None:
    a, _ = _two_of_a_type(api, "Project")
    assert api.post("/api/corrections", json={"op": "confirm", "key": a["key"]}).status_code == 201
    assert api.get("/api/corrections/confirmed").json()["entities"] == [a["key"]]
    assert api.get(f"/api/entities/{enc(str(a['key']))}").json()["confirmed"] is True
    queue = api.get("/api/corrections/review", params={"limit": 200}).json()
    assert queue["total"] == len(queue["items"]) > 0
    # confirmed: nothing left to review about the entity (an unsure fact of it may still be listed)
    assert a["key"] not in [i["key"] for i in queue["items"] if not i["fact"]]
    assert {i["kind"] for i in queue["items"]} <= {"unsure", "unsure_fact", "duplicate", "single"}


def test_bad_corrections_are_400_with_the_reason(api: httpx.Client) -> None:
    company = api.get("/api/entities", params={"type": "Company", "limit": 1}).json()["items"][0]
    policy = api.get("/api/entities", params={"type": "Policy", "limit": 1}).json()["items"][0]
    cross = api.post("/api/corrections", json={"op": "merge", "key": company["key"], "into": policy["key"]})
    assert cross.status_code == 400 and "cannot merge a Company into a Policy" in cross.json()["detail"]
    assert api.post("/api/corrections", json={"op": "merge", "key": company["key"]}).json() == {
        "detail": "merge needs into"
    }
    assert api.post("/api/corrections", json={"op": "reject", "key": "Project:没有"}).status_code == 404
    assert api.post("/api/corrections", json={"op": "drop", "key": "x"}).status_code == 422
    assert (
        api.post("/api/corrections", json={"op": "rename", "key": "x", "name": "名" * 500}).status_code == 422
    )
    assert api.get("/api/corrections").json()["total"] == 0


def test_corrections_follow_the_write_protection(tmp_path: Path, eval_docs: Path) -> None:
    store = open_store(str(tmp_path / "kg-data"))
    build(store, [eval_docs / REPORT])
    key = next(iter(store.iter_nodes())).key
    body = {"op": "confirm", "key": key}
    try:
        with LiveServer(create_app(store, api_token="")) as srv:  # read-only by default
            refused = httpx.post(f"{srv.url}/api/corrections", json=body)
            assert refused.status_code == 403 and "writes are disabled" in refused.json()["detail"]
        with LiveServer(create_app(store, api_token="", allow_writes=True)) as srv:
            foreign = httpx.post(
                f"{srv.url}/api/corrections", json=body, headers={"Origin": "http://evil.test"}
            )
            assert foreign.status_code == 403
            assert httpx.post(f"{srv.url}/api/corrections", json=body).status_code == 201
        assert [c.op for c in fixing.log(store)] == ["confirm"]
    finally:
        store.close()
