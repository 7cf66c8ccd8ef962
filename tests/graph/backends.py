"""How the tests get a fresh, empty store of each backend."""

from __future__ import annotations

from pathlib import Path

from graph.store import GraphStore


def make_embedded_store(tmp_path: Path) -> GraphStore:
    """A new embedded store in a folder of its own under the test's tmp_path."""
    from graph.embedded import EmbeddedStore

    return EmbeddedStore(str(tmp_path / "kg-data"))


def make_neo4j_store() -> GraphStore:
    """An empty Neo4j-over-Bolt store: ``KG_TEST_BOLT_URI`` (default bolt://127.0.0.1:7687), wiped first.

    Credentials from ``KG_NEO4J_USER`` / ``KG_NEO4J_PASSWORD`` / ``KG_NEO4J_DATABASE`` (defaults: the
    ``kg db start`` ones).  When nothing answers: with ``CI`` set the test fails; otherwise, for a
    local address, the server is started with ``graph.dbserver`` in ``.kg-db`` beside the checkout
    (stopped again when pytest exits), and the test is skipped only if that is impossible.
    """
    import atexit
    import os
    from urllib.parse import urlsplit

    import pytest

    from graph import dbserver
    from graph.neo4j_store import Neo4jStore

    uri = os.environ.get("KG_TEST_BOLT_URI", "bolt://127.0.0.1:7687")
    user = os.environ.get("KG_NEO4J_USER", dbserver.DEFAULT_USER)
    password = os.environ.get("KG_NEO4J_PASSWORD", dbserver.DEFAULT_PASSWORD)
    database = os.environ.get("KG_NEO4J_DATABASE", dbserver.DEFAULT_DATABASE)
    state = _NEO4J_SERVER
    if "problem" not in state:
        problem = dbserver.probe_bolt(uri, user, password, database)
        where = urlsplit(uri)
        if problem and not os.environ.get("CI") and where.hostname in {"127.0.0.1", "localhost"}:
            folder = Path(__file__).resolve().parents[2] / ".kg-db"
            config = dbserver.ServerConfig(
                directory=folder,
                bolt_port=where.port or 7687,
                password=password,
                user=user,
                database=database,
            )
            try:
                started = dbserver.start(config)
            except dbserver.ServerError as exc:
                problem = f"{problem}; starting a local server failed: {exc}"
            else:
                problem = None
                if not started.already_running:
                    atexit.register(dbserver.stop, folder)
        state["problem"] = problem
    if state["problem"]:
        message = f"no Bolt server at {uri}: {state['problem']}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    store = Neo4jStore(uri, user=user, password=password, database=database)
    store.wipe()
    return store


#: whether the Bolt server answered, probed once per test session
_NEO4J_SERVER: dict[str, str | None] = {}
