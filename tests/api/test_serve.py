"""``kg serve`` as users start it: several worker processes, and Nagle's algorithm off on every socket."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from api.app import create_app
from api.server import NoDelayHttp
from graph.store import GraphStore

REPO = Path(__file__).resolve().parents[2]
CLOSE = {"Connection": "close"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_accepted_sockets_have_nagle_off(eval_store: GraphStore) -> None:
    """A listening socket without a protocol number (how uvicorn binds for workers) still gets TCP_NODELAY."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(eval_store), loop="asyncio", http=NoDelayHttp, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}", timeout=30) as client:
            assert client.get("/healthz").status_code == 200
            (connection,) = server.server_state.connections
            accepted = connection.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()


def test_serve_with_two_workers_answers(eval_store: GraphStore) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "api.cli", "serve", "--workers", "2", "--port", str(port),
           "--store", eval_store.location]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            try:
                if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "kg serve --workers 2 did not answer"
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(8):  # new connections, spread over the workers
                found = client.get(
                    "/api/entities", params={"q": "凌智产业园"}, headers={"Connection": "close"}
                )
                assert found.status_code == 200
                assert "凌智产业园" in [i["name"] for i in found.json()["items"]]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _raw_get(sock: socket.socket, target: bytes, port: int) -> tuple[bytes, bytes]:
    """One request with the target's bytes as given (raw UTF-8, as curl sends an unencoded URL)."""
    sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(
        next(h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")).split(b":")[1]
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def test_raw_utf8_in_the_query_string_is_answered(eval_store: GraphStore) -> None:
    """``curl "…/api/entities?q=凌智"`` sends the bytes unencoded: answered, twice on one connection."""
    import json

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(eval_store), loop="asyncio", http=NoDelayHttp, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            for target in ("/api/entities?q=凌智", "/api/entities/Project:凌智产业园"):
                head, body = _raw_get(client, target.encode(), port)
                assert head.startswith(b"HTTP/1.1 200"), (target, head, body)
                answer = json.loads(body)
                assert "凌智产业园" in json.dumps(answer, ensure_ascii=False), target
    finally:
        server.should_exit = True
        thread.join(timeout=20)
        sock.close()
