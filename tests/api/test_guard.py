"""Writes closed by default, foreign Host names refused, cross-origin writes refused: over a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from api.app import create_app
from api.auth import require_write
from graph.queries import build
from graph.store import GraphStore, open_store
from tests.api.helpers import enc
from tests.api.live import LiveServer

TOKEN = "guard-token-81c2"


@pytest.fixture(scope="module")
def guarded_store(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Iterator[GraphStore]:
    """One report in a store of its own: the writes tried here must leave it as it is."""
    store = open_store(str(tmp_path_factory.mktemp("guard-store") / "kg-data"))
    build(store, [sorted(eval_docs.glob("*.txt"))[0]])
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def report(eval_docs: Path) -> tuple[str, bytes]:
    source = sorted(eval_docs.glob("*.txt"))[1]
    return source.name, source.read_bytes()


def documents(c: httpx.Client) -> int:
    return int(c.get("/api/stats").json()["documents"])


def a_document(c: httpx.Client) -> str:
    return str(c.get("/api/documents").json()["items"][0]["id"])


def test_no_token_and_no_allow_writes_is_read_only(
    guarded_store: GraphStore, report: tuple[str, bytes]
) -> None:
    with LiveServer(create_app(guarded_store, api_token="")) as srv, httpx.Client(base_url=srv.url) as c:
        before = documents(c)
        post = c.post("/api/documents", files={"file": report})
        assert post.status_code == 403, post.text
        assert "--allow-writes" in post.json()["detail"] and "KG_API_TOKEN" in post.json()["detail"]
        delete = c.delete(f"/api/documents/{enc(a_document(c))}")
        assert delete.status_code == 403
        assert documents(c) == before
        assert c.get("/api/stats").status_code == 200  # reads stay open


def test_foreign_host_is_refused_for_reads_and_writes(guarded_store: GraphStore) -> None:
    app = create_app(guarded_store, allow_writes=True)
    with LiveServer(app) as srv, httpx.Client(base_url=srv.url) as c:
        for host in ("evil.example", f"evil.example:{srv.port}", "127.0.0.1.evil.example", "localhostx"):
            resp = c.get("/api/stats", headers={"Host": host})
            assert resp.status_code == 400, host
            assert "not served here" in resp.json()["detail"] and "--allowed-host" in resp.json()["detail"]
            assert c.delete(f"/api/documents/{enc(a_document(c))}", headers={"Host": host}).status_code == 400
        for host in (f"127.0.0.1:{srv.port}", f"localhost:{srv.port}", "LOCALHOST", f"[::1]:{srv.port}"):
            assert c.get("/api/stats", headers={"Host": host}).status_code == 200, host


def test_more_host_names_can_be_allowed(guarded_store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_ALLOWED_HOSTS", "kg.internal, other.internal")
    app = create_app(guarded_store, allowed_hosts=["127.0.0.1", "graph.lan"])
    with LiveServer(app) as srv, httpx.Client(base_url=srv.url) as c:
        for host in ("graph.lan", "kg.internal:8000", "other.internal"):
            assert c.get("/api/stats", headers={"Host": host}).status_code == 200, host
        assert c.get("/api/stats", headers={"Host": "localhost"}).status_code == 400  # not in the given list
    with LiveServer(create_app(guarded_store, allowed_hosts=["*"])) as srv:
        assert httpx.get(f"{srv.url}/api/stats", headers={"Host": "anything.example"}).status_code == 200


def test_cross_origin_writes_are_refused(guarded_store: GraphStore, report: tuple[str, bytes]) -> None:
    with (
        LiveServer(create_app(guarded_store, allow_writes=True)) as srv,
        httpx.Client(base_url=srv.url) as c,
    ):
        before = documents(c)
        foreign = [
            {"Origin": "http://evil.example"},
            {"Origin": "null"},
            {"Origin": f"http://localhost:{srv.port + 1}"},
            {"Sec-Fetch-Site": "cross-site"},
            {"Sec-Fetch-Site": "same-site", "Origin": f"http://127.0.0.1:{srv.port}"},
        ]
        for headers in foreign:
            resp = c.post("/api/documents", files={"file": report}, headers=headers)
            assert resp.status_code == 403, (headers, resp.text)
            assert "cross-origin write refused" in resp.json()["detail"]
            assert c.delete(f"/api/documents/{enc(a_document(c))}", headers=headers).status_code == 403
        assert documents(c) == before
        # the page's own origin (as a browser sends it), and clients that are no browser, may write
        own = {"Origin": f"http://127.0.0.1:{srv.port}", "Sec-Fetch-Site": "same-origin"}
        added = c.post("/api/documents", files={"file": report}, headers=own)
        assert added.status_code == 201, added.text
        gone = c.delete(f"/api/documents/{enc(added.json()['document'])}")
        assert gone.status_code == 200 and documents(c) == before


def test_with_a_token_writes_need_it(guarded_store: GraphStore, report: tuple[str, bytes]) -> None:
    with LiveServer(create_app(guarded_store, api_token=TOKEN)) as srv, httpx.Client(base_url=srv.url) as c:
        before = documents(c)
        assert c.post("/api/documents", files={"file": report}).status_code == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        cross = c.post(
            "/api/documents", files={"file": report}, headers={**auth, "Origin": "http://evil.example"}
        )
        assert cross.status_code == 403  # the token does not make another site's page trusted
        added = c.post("/api/documents", files={"file": report}, headers=auth)
        assert added.status_code == 201, added.text
        assert c.delete(f"/api/documents/{enc(added.json()['document'])}", headers=auth).status_code == 200
        assert documents(c) == before


def test_every_write_route_is_guarded(guarded_store: GraphStore) -> None:
    """A write route added later without ``require_write`` fails here."""

    def calls(dependant: object) -> set[object]:
        found = {getattr(dependant, "call", None)}
        for sub in getattr(dependant, "dependencies", []):
            found |= calls(sub)
        return found

    def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):  # how FastAPI keeps an included router's routes
                yield from api_routes(route.original_router.routes)

    app = create_app(guarded_store)
    writes = [r for r in api_routes(app.routes) if r.methods - {"GET", "HEAD", "OPTIONS"}]
    assert {(r.path, m) for r in writes for m in r.methods} >= {
        ("/api/documents", "POST"),
        ("/api/documents/{doc_id:path}", "DELETE"),
    }
    unguarded = [r.path for r in writes if require_write not in calls(r.dependant)]
    assert unguarded == []
