"""FastAPI dependencies: the store the app was built with, injected so tests can override it."""

from __future__ import annotations

from fastapi import Request

from graph.store import GraphStore


async def get_store(request: Request) -> GraphStore:
    """Async on purpose: a plain ``def`` dependency costs a thread-pool hop on every request.

    While the store is known to be unreachable this fails at once (503, see :mod:`api.breaker`).
    """
    request.app.state.breaker.check()
    store: GraphStore = request.app.state.store
    return store
