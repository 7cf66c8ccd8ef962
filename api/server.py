"""What ``kg serve`` runs: the app over the chosen store, in uvicorn, in one process or several."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from graph.persist import check_folder
from graph.store import GraphStore, is_bolt_uri, open_store, store_spec

from .app import create_app
from .hosts import default_hosts

#: Worker threads for store calls.  The embedded store answers from memory under one GIL, where a
#: few threads give shorter tails than forty convoying ones; a Bolt store waits on the network.
EMBEDDED_THREADS = 4
BOLT_THREADS = 40
#: asyncio's own loop, not uvloop.  With CPU-bound answers of a few milliseconds and 20 clients,
#: uvloop served ~20% more requests but let some wait many rounds: 2-hop neighbours p99 680 ms
#: against 196 ms on asyncio (p50 96 / 124 ms); search p99 155 / 105 ms (wrk, bench/api.py).
LOOP = "asyncio"
#: How ``serve`` tells worker processes (started afresh by uvicorn) which store to open.
_WORKER_STORE = "KG_SERVE_WORKER_STORE"
_WORKER_OPTIONS = "KG_SERVE_WORKER_OPTIONS"


_NON_ASCII = re.compile(rb"[\x80-\xff]")


class NoDelayHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol on a socket with Nagle's algorithm off, and JSON for its own 400s.

    asyncio turns it off only for sockets it created with an explicit TCP
    protocol number; the listening socket uvicorn binds for several workers
    has none, and every answer then waited ~40 ms for the client's delayed
    ACK (/healthz at 20 clients: 454 instead of ~5,900 requests/s).

    A request the HTTP parser cannot read never reaches the app; uvicorn
    answers it in plain text.  Here it gets the API's error shape instead.
    """

    #: the next bytes start a request line (see data_received)
    _at_request_line = True

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": f"bad HTTP request: {msg}"}).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head.append(b"content-type: application/json\r\n")
        head.append(b"content-length: " + str(len(body)).encode("ascii") + b"\r\n")
        head.append(b"connection: close\r\n\r\n")
        self.transport.write(b"".join(head) + body)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        """Raw UTF-8 in the request line (``curl "…/api/entities?q=远帆"``) is percent-encoded first.

        httptools refuses bytes above 0x7f in a URL with a plain-text 400; browsers and
        ``curl --data-urlencode`` send them encoded, which is what this makes of them.  Only the
        request line is touched, never headers or bodies.
        """
        if self._at_request_line:
            end = data.find(b"\n")
            line = data if end < 0 else data[:end]
            if not line.isascii():
                data = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], line) + data[len(line) :]
            self._at_request_line = end < 0
        super().data_received(data)

    def on_message_complete(self) -> None:
        self._at_request_line = True
        super().on_message_complete()


def _uvicorn_options(host: str, port: int) -> dict[str, Any]:
    return {
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": False,  # a log line per request cost more than answering /healthz
        "loop": LOOP,
        "http": NoDelayHttp,
    }


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """What ``kg serve`` was asked for beside the store; worker processes get it through the environment."""

    allow_writes: bool = False
    allowed_hosts: tuple[str, ...] = ()

    def to_env(self) -> None:
        os.environ[_WORKER_OPTIONS] = json.dumps(
            {"allow_writes": self.allow_writes, "allowed_hosts": list(self.allowed_hosts)}
        )

    @classmethod
    def from_env(cls) -> ServeOptions:
        raw = json.loads(os.environ.get(_WORKER_OPTIONS, "{}"))
        return cls(bool(raw.get("allow_writes")), tuple(raw.get("allowed_hosts", ())))


def _app_over(spec: str, options: ServeOptions) -> tuple[FastAPI, GraphStore]:
    store = open_store(spec, fail_fast=True)  # unreachable: 503 at once, see api/breaker.py
    # The loaded graph is millions of long-lived objects; a full collection walking them all paused
    # requests for about a second.  Frozen objects are left out of collections.
    gc.collect()
    gc.freeze()
    app = create_app(
        store,
        threads=BOLT_THREADS if is_bolt_uri(spec) else EMBEDDED_THREADS,
        allow_writes=options.allow_writes,
        allowed_hosts=options.allowed_hosts,
    )
    return app, store


def serve(
    spec: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    *,
    allow_writes: bool = False,
    allowed_hosts: Iterable[str] = (),
) -> None:
    """Serve the store until interrupted.

    Writes are refused unless ``allow_writes`` or ``KG_API_TOKEN`` (see
    :mod:`api.auth`).  The ``Host`` names answered are the loopback names, the
    address listened on, and ``allowed_hosts`` (see :mod:`api.hosts`).

    With ``workers`` > 1 each worker process holds its own copy of an
    embedded graph (memory times ``workers``) and follows the store folder
    on its own, as any reader does; the answers are CPU-bound under one GIL
    per process, so on a machine with free cores this is what raises the
    requests per second (2 workers on 2 cores: 2-hop neighbours p99 154 ->
    73 ms, bench/api.py).
    """
    spec = store_spec(spec)
    options = ServeOptions(allow_writes, (*default_hosts(host), *allowed_hosts))
    if workers > 1:
        if not is_bolt_uri(spec):
            check_folder(Path(spec))  # a folder that is no store fails here, once, not in every worker
        os.environ[_WORKER_STORE] = spec
        options.to_env()
        uvicorn.run("api.server:worker_app", factory=True, workers=workers, **_uvicorn_options(host, port))
        return
    app, store = _app_over(spec, options)
    try:
        uvicorn.run(app, **_uvicorn_options(host, port))
    finally:
        store.close()


def worker_app() -> FastAPI:
    """The app of one worker process of ``serve(workers=N)``, over its own copy of the store."""
    app, _ = _app_over(os.environ[_WORKER_STORE], ServeOptions.from_env())
    return app
