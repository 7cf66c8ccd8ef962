"""schemathesis against the live OpenAPI schema: no generated request may cause a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
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
    with LiveServer(create_app(store, api_token="", allow_writes=True)) as srv:
        yield srv
    store.close()


def wanted(operation: schemathesis.APIOperation) -> bool:
    """Reads, and the upload (which only ever adds a document); deletes are covered by test_writes."""
    method = operation.method.upper()
    return method == "GET" or (method == "POST" and operation.path == "/api/documents")


def test_no_server_errors(fuzz_server: LiveServer) -> None:
    # Operations are walked here rather than with schemathesis.pytest.from_fixture, whose lazy
    # parametrisation touches pytest internals that pytest 9 no longer has.
    schema = schemathesis.openapi.from_url(f"{fuzz_server.url}/openapi.json")
    operations = [r.ok() for r in schema.get_all_operations()]
    checked = [op for op in operations if wanted(op)]
    assert len(checked) >= 12, [op.label for op in checked]
    for operation in checked:
        fuzz(operation, fuzz_server.url)


def fuzz(operation: schemathesis.APIOperation, base_url: str) -> None:
    """At most 20 generated requests for one operation; any 5xx fails with the request that caused it."""

    @given(case=operation.as_strategy())
    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, timeout=60)
        case.validate_response(response, checks=[not_a_server_error])

    call()
