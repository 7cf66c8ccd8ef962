"""The ``store`` fixture: every contract test runs once per backend (the Neo4j one marked ``neo4j``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.store import GraphStore
from tests.graph.backends import make_embedded_store, make_neo4j_store


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    s = make_embedded_store(tmp_path) if request.param == "embedded" else make_neo4j_store()
    try:
        yield s
    finally:
        s.close()
