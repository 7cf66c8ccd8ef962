"""Fixtures for the page tests: a store built from the real reports, one Chromium, one live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph.store import GraphStore, open_store
from tests.viz.browser import browser, chromium_path

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="session")
def viz_store(tmp_path_factory: pytest.TempPathFactory, eval_dir: Path) -> Iterator[GraphStore]:
    """The evaluation reports through the real pipeline into a real embedded store, once per session."""
    from graph.queries import build

    store = open_store(str(tmp_path_factory.mktemp("viz-store") / "kg-data"))
    summary = build(store, [eval_dir / "docs"])
    assert summary.failed == 0, "the evaluation reports should all extract"
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if chromium_path() is None:
        pytest.fail("Debian's chromium is needed for the page tests: apt-get install chromium fonts-noto-cjk")
    with browser() as b:
        yield b


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def live_viz(viz_store: GraphStore) -> Iterator[Any]:
    """The real app (API routes and the viz router) over the real store, in a real uvicorn."""
    from api.app import create_app
    from tests.api.live import LiveServer

    with LiveServer(create_app(viz_store, api_token="")) as server:
        yield server
