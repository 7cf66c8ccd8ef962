"""The Bolt server stops under a running ``kg serve``: 503 within a second or two, then service resumes.

A real ArcadeDB process of its own (free ports, its own folder) so stopping it disturbs no other
test; ``kg serve`` runs in a subprocess, as users start it, and is never restarted.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from graph import dbserver
from graph.neo4j_store import Neo4jStore
from graph.queries import build

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "policykg-outage"
#: The issue's bound for an answer while the store is down.
FAST = 2.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dbserver.ServerConfig]:
    try:
        dbserver.find_runtime()
    except dbserver.ServerError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    cfg = dbserver.ServerConfig(
        directory=tmp_path_factory.mktemp("outage") / "kg-db",
        bolt_port=free_port(),
        http_port=free_port(),
        password=PASSWORD,
        heap="512m",
    )
    dbserver.start(cfg)
    try:
        yield cfg
    finally:
        dbserver.stop(cfg.directory)


def timed_get(client: httpx.Client, path: str, **params: str) -> tuple[httpx.Response, float]:
    t0 = time.monotonic()
    resp = client.get(path, params=params)
    return resp, time.monotonic() - t0


def test_bolt_server_down_then_back_under_kg_serve(
    bolt_server: dbserver.ServerConfig, eval_docs: Path
) -> None:
    store = Neo4jStore(bolt_server.bolt_uri, user=bolt_server.user, password=PASSWORD)
    try:
        build(store, [sorted(eval_docs.glob("*.txt"))[0]])
    finally:
        store.close()
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "KG_NEO4J_USER": bolt_server.user,
        "KG_NEO4J_PASSWORD": PASSWORD,
    }
    cmd = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--store", bolt_server.bolt_uri]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            deadline = time.monotonic() + 120
            while True:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                try:
                    if c.get("/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "kg serve did not answer"
                time.sleep(0.2)
            up, _ = timed_get(c, "/api/documents")
            assert up.status_code == 200 and up.json()["total"] == 1
            health = c.get("/healthz").json()
            assert health["status"] == "ok" and health["reachable"] is True

            dbserver.stop(bolt_server.directory)
            times = []
            for path, params in [
                ("/api/documents", {}),
                ("/healthz", {}),
                ("/api/entities", {"q": "区"}),
            ] * 3:
                resp, took = timed_get(c, path, **params)
                assert resp.status_code == 503, (path, resp.text)
                assert took < FAST, f"{path} took {took:.2f} s while the store was down"
                times.append(took)
            down = c.get("/healthz").json()
            assert down["status"] == "unavailable" and down["reachable"] is False
            assert bolt_server.bolt_uri.split("//")[1] in down["detail"]
            print(f"store down: first 503 in {times[0] * 1000:.0f} ms, slowest {max(times) * 1000:.0f} ms")

            dbserver.start(bolt_server)
            deadline = time.monotonic() + 60
            while c.get("/healthz").status_code != 200:
                assert time.monotonic() < deadline, "service did not resume after the Bolt server came back"
                time.sleep(0.2)
            again, _ = timed_get(c, "/api/documents")
            assert again.status_code == 200 and again.json() == up.json()
            assert proc.poll() is None  # the same kg serve process throughout
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
