"""Upload and removal over HTTP, guarded by KG_API_TOKEN; bad uploads are refused and store nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from graph.queries import build
from graph.store import open_store
from tests.api.helpers import enc
from tests.api.live import LiveServer

TOKEN = "test-token-3f9a"


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Iterator[httpx.Client]:
    """A store of its own (one report) behind a token, so uploads and deletes touch nothing shared."""
    store = open_store(str(tmp_path_factory.mktemp("write-store") / "kg-data"))
    first = sorted(eval_docs.glob("*.txt"))[0]
    build(store, [first])
    with (
        LiveServer(create_app(store, api_token=TOKEN)) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
    ):
        yield c
    store.close()


def auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def snapshot(c: httpx.Client) -> tuple[object, object]:
    return c.get("/api/stats").json(), c.get("/api/documents").json()


def test_writes_need_the_token(writable: httpx.Client, eval_docs: Path) -> None:
    before = snapshot(writable)
    data = sorted(eval_docs.glob("*.txt"))[1].read_bytes()
    for headers in ({}, auth("wrong"), {"Authorization": "Basic abc"}):
        resp = writable.post("/api/documents", files={"file": ("r.txt", data)}, headers=headers)
        assert resp.status_code == 401, headers
        assert "token" in resp.json()["detail"]
    doc = before[1]["items"][0]["id"]  # type: ignore[index]
    assert writable.delete(f"/api/documents/{enc(doc)}").status_code == 401
    assert snapshot(writable) == before
    # reads stay open
    assert writable.get("/api/stats").status_code == 200


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t\n", "empty"),
        ("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "not a text report"),
        ("zeros.txt", bytes(4096), "not a text report"),
    ],
)
def test_bad_uploads_are_400_and_store_nothing(
    writable: httpx.Client, name: str, data: bytes, problem: str
) -> None:
    before = snapshot(writable)
    resp = writable.post("/api/documents", files={"file": (name, data)}, headers=auth())
    assert resp.status_code == 400, resp.text
    detail = resp.json()["detail"]
    assert name in detail and problem in detail
    assert snapshot(writable) == before


def test_upload_then_delete_round_trip(writable: httpx.Client, eval_docs: Path) -> None:
    before = snapshot(writable)
    source = sorted(eval_docs.glob("*.txt"))[1]
    resp = writable.post("/api/documents", files={"file": (source.name, source.read_bytes())}, headers=auth())
    assert resp.status_code == 201, resp.text
    added = resp.json()
    assert added["status"] == "added" and added["facts_added"] > 0 and added["nodes_added"] > 0
    doc = added["document"]
    detail = writable.get(f"/api/documents/{enc(doc)}").json()
    assert len(detail["edges"]) == added["facts_added"]
    assert writable.get("/api/stats").json()["documents"] == before[0]["documents"] + 1  # type: ignore[index]

    again = writable.post(
        "/api/documents", files={"file": (source.name, source.read_bytes())}, headers=auth()
    )
    assert again.status_code == 201 and again.json()["status"] == "unchanged"

    gone = writable.delete(f"/api/documents/{enc(doc)}", headers=auth())
    assert gone.status_code == 200, gone.text
    assert gone.json()["facts_removed"] == added["facts_added"]
    assert writable.get(f"/api/documents/{enc(doc)}").status_code == 404
    assert writable.delete(f"/api/documents/{enc(doc)}", headers=auth()).status_code == 404
    assert snapshot(writable) == before
