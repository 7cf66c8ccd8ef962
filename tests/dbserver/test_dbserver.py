"""The local Bolt server launcher: a real ArcadeDB process on spare ports, started, found again, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import dbserver

BOLT_PORT = 7698  # not the shared 7687: these tests must not disturb the server the other tests use
HTTP_PORT = 2498
KG = [sys.executable, "-m", "api.cli"]
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def runtime() -> None:
    try:
        dbserver.find_runtime()
    except dbserver.ServerError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    d = tmp_path / "kg-db"
    yield d
    dbserver.stop(d)  # never leave a server behind, whatever the test did


def config(folder: Path, password: str = "policykg-test") -> dbserver.ServerConfig:
    return dbserver.ServerConfig(
        directory=folder, bolt_port=BOLT_PORT, http_port=HTTP_PORT, password=password
    )


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KG_NEO4J_PASSWORD": "policykg-test"}
    return subprocess.run([*KG, *args], capture_output=True, text=True, cwd=REPO, env=env, timeout=180)


def test_start_status_stop(folder: Path) -> None:
    cfg = config(folder)
    started = dbserver.start(cfg)
    assert started.running and not started.already_running and started.state is not None
    assert dbserver.probe_bolt(cfg.bolt_uri, "root", "policykg-test", "neo4j") is None
    assert (folder / dbserver.PID_FILE).read_text().strip() == str(started.state.pid)
    assert "policykg-test" not in (folder / dbserver.STATE_FILE).read_text()

    again = dbserver.start(cfg)
    assert again.already_running and again.state is not None and again.state.pid == started.state.pid

    st = dbserver.status(folder)
    assert st.running and st.state is not None and st.state.bolt_uri == f"bolt://127.0.0.1:{BOLT_PORT}"
    assert st.settings()["KG_STORE"] == f"bolt://127.0.0.1:{BOLT_PORT}"

    stopped = dbserver.stop(folder)
    assert stopped.running  # it was running before
    assert not dbserver.status(folder).running
    assert not listening(BOLT_PORT)
    assert not (folder / dbserver.PID_FILE).exists()
    assert not dbserver.stop(folder).running  # a second stop has nothing to do


def test_data_survives_a_restart_and_a_wrong_password_is_named(folder: Path) -> None:
    from graph.neo4j_store import Neo4jStore
    from tests.graph.builders import report_a

    cfg = config(folder)
    dbserver.start(cfg)
    with Neo4jStore(cfg.bolt_uri, user="root", password="policykg-test") as store:
        store.ingest(report_a())
    dbserver.stop(folder)

    dbserver.start(cfg)
    with Neo4jStore(cfg.bolt_uri, user="root", password="policykg-test") as store:
        assert store.stats().documents == 1
    dbserver.stop(folder)

    with pytest.raises(dbserver.ServerError, match="another root password"):
        dbserver.start(config(folder, password="another-password"))
    assert not dbserver.status(folder).running and not listening(BOLT_PORT)


def test_bad_settings_fail_with_one_clear_line(folder: Path) -> None:
    with pytest.raises(dbserver.ServerError, match="at least 8 characters"):
        dbserver.start(config(folder, password="short"))
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # the previous test's port may linger
        taken.bind(("127.0.0.1", BOLT_PORT))
        taken.listen()
        with pytest.raises(dbserver.ServerError, match=f"{BOLT_PORT} is already in use"):
            dbserver.start(config(folder))
    assert not dbserver.status(folder).running


def test_stale_pid_file_is_not_a_running_server(folder: Path) -> None:
    folder.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state = dbserver.ServerState(
        pid=dead.pid, bolt_port=BOLT_PORT, http_port=HTTP_PORT, host="127.0.0.1", user="root",
        database="neo4j", started_at=0.0,
    )  # fmt: skip
    dbserver._write_state(folder, state)
    assert not dbserver.status(folder).running
    assert not dbserver.stop(folder).running


def test_cli_start_status_stop(folder: Path) -> None:
    where = ["--dir", str(folder)]
    start = kg("db", "start", *where, "--bolt-port", str(BOLT_PORT), "--http-port", str(HTTP_PORT))
    assert start.returncode == 0, start.stderr
    assert f"export KG_STORE=bolt://127.0.0.1:{BOLT_PORT}" in start.stdout
    assert "export KG_NEO4J_USER=root" in start.stdout
    assert "started" in start.stderr

    again = kg("db", "start", *where, "--bolt-port", str(BOLT_PORT), "--http-port", str(HTTP_PORT))
    assert again.returncode == 0 and "already running" in again.stderr

    status = kg("db", "status", *where)
    assert status.returncode == 0 and "running" in status.stdout

    stop = kg("db", "stop", *where)
    assert stop.returncode == 0 and "stopped" in stop.stdout
    down = kg("db", "status", *where)
    assert down.returncode == 3 and "not running" in down.stdout


def test_cli_error_is_one_line_without_traceback(folder: Path) -> None:
    bad = kg("db", "start", "--dir", str(folder), "--bolt-port", str(BOLT_PORT), "--password", "short")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and bad.stderr.startswith("kg: ")
    assert "Traceback" not in bad.stderr
