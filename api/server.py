"""What ``kg serve`` runs: the app over the chosen store, in uvicorn."""

from __future__ import annotations

import uvicorn

from graph.store import open_store

from .app import create_app


def serve(store_spec: str | None = None, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Open the store once and serve it until interrupted; the store is closed on the way out."""
    store = open_store(store_spec)
    try:
        uvicorn.run(create_app(store), host=host, port=port, log_level="info")
    finally:
        store.close()
