"""A store that cannot be reached: the API answers 503 with the reason instead of a traceback."""

from __future__ import annotations

import httpx

from api.app import create_app
from graph.store import open_store
from tests.api.live import LiveServer

CLOSED = "bolt://127.0.0.1:1"  # nothing listens on port 1


def test_unreachable_neo4j_is_503_with_the_reason() -> None:
    store = open_store(CLOSED)
    try:
        with LiveServer(create_app(store, api_token="")) as srv:
            resp = httpx.get(f"{srv.url}/api/stats", timeout=180)
            assert resp.status_code == 503
            detail = resp.json()["detail"]
            assert detail.startswith("store unavailable: ") and "127.0.0.1:1" in detail
            # the documentation does not need the store
            assert httpx.get(f"{srv.url}/openapi.json", timeout=30).status_code == 200
    finally:
        store.close()
