"""schemathesis against the live OpenAPI schema: no generated request may cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from graph.queries import build
from graph.store import open_store
from tests.api.live import LiveServer


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, eval_docs: Path) -> Iterator[LiveServer]:
    """Its own store: generated uploads land here, never in the store other tests read."""
    store = open_store(str(tmp_path_factory.mktemp("fuzz-store") / "kg-data"))
    build(store, [eval_docs])
    with LiveServer(create_app(store, api_token="")) as srv:
        yield srv
    store.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json").include(
        # reads, and the upload (which only ever adds a document); deletes are covered by test_writes
        func=lambda ctx: (
            ctx.operation.method.upper() == "GET"
            or (ctx.operation.method.upper() == "POST" and ctx.operation.path == "/api/documents")
        )
    )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case, fuzz_server: LiveServer) -> None:
    response = case.call(base_url=fuzz_server.url, timeout=60)
    case.validate_response(response, checks=[not_a_server_error])
