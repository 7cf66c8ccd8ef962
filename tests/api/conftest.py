"""A store built from the real reports through the real pipeline, served by a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from graph.queries import BuildSummary, build
from graph.store import GraphStore, open_store
from tests.api.live import LiveServer


@pytest.fixture(scope="session")
def eval_docs(eval_dir: Path) -> Path:
    return eval_dir / "docs"


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, eval_docs: Path
) -> Iterator[tuple[GraphStore, BuildSummary]]:
    """The evaluation reports extracted and stored once for the whole session (read-only tests share it)."""
    store = open_store(str(tmp_path_factory.mktemp("eval-store") / "kg-data"))
    summary = build(store, [eval_docs])
    try:
        yield store, summary
    finally:
        store.close()


@pytest.fixture(scope="session")
def eval_store(built: tuple[GraphStore, BuildSummary]) -> GraphStore:
    return built[0]


@pytest.fixture(scope="session")
def live(eval_store: GraphStore) -> Iterator[LiveServer]:
    with LiveServer(create_app(eval_store, api_token="")) as server:
        yield server


@pytest.fixture(scope="session")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=30) as c:
        yield c
