"""What ``kg serve`` runs: the app over the chosen store, in uvicorn."""

from __future__ import annotations

import gc

import uvicorn

from graph.store import is_bolt_uri, open_store, store_spec

from .app import create_app

#: Worker threads for store calls.  The embedded store answers from memory under one GIL, where a
#: few threads give shorter tails than forty convoying ones; a Bolt store waits on the network.
EMBEDDED_THREADS = 4
BOLT_THREADS = 40
#: asyncio's own loop, not uvloop.  With CPU-bound answers of a few milliseconds and 20 clients,
#: uvloop served ~20% more requests but let some wait many rounds: 2-hop neighbours p99 680 ms
#: against 196 ms on asyncio (p50 96 / 124 ms); search p99 155 / 105 ms (wrk, bench/api.py).
LOOP = "asyncio"


def serve(spec: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Open the store once and serve it until interrupted; the store is closed on the way out."""
    spec = store_spec(spec)
    store = open_store(spec)
    threads = BOLT_THREADS if is_bolt_uri(spec) else EMBEDDED_THREADS
    # The loaded graph is millions of long-lived objects; a full collection walking them all paused
    # requests for about a second.  Frozen objects are left out of collections.
    gc.collect()
    gc.freeze()
    try:
        uvicorn.run(
            create_app(store, threads=threads),
            host=host,
            port=port,
            log_level="info",
            access_log=False,  # a log line per request cost more than answering /healthz
            loop=LOOP,
            http="httptools",
        )
    finally:
        store.close()
