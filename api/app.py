"""The FastAPI application: routers per resource, library errors mapped to HTTP statuses."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from extract.errors import LoadError
from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.embedded import EmbeddedStore
from graph.errors import CorruptStore, NotFound, StoreError, StoreLocked, StoreUnavailable
from graph.store import GraphStore
from viz.web import router as viz_router

from .docs import install_docs
from .routes import documents, entities, funding, links, paths, stats
from .routes.calls import StoreCalls

DESCRIPTION = (
    "政策知识图谱 policy-kg: projects, companies, policies and funding read from local-government "
    "work reports. "
    "Every answer carries the evidence sentence and the source report.\n\n"
    "实体类型 Entity types: " + ", ".join(f"{zh} {en}" for en, zh in TYPE_LABELS_ZH.items()) + ".\n\n"
    "关系 Predicates: " + ", ".join(f"{en} {zh}" for en, zh in PREDICATE_LABELS_ZH.items()) + ".\n\n"
    'Lists answer `{"items": [...], "total": N}` and take `limit` (≤ 1000) and `offset`. '
    "Entity keys contain Chinese and `:`; URL-encode them in paths."
)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    """One line naming each bad parameter: ``limit: Input should be less than or equal to 1000``."""
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body", "header")]
        parts.append(f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    """Library errors become statuses here, so routes stay free of try/except."""

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(LoadError)
    async def bad_upload(_: Request, exc: LoadError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(_: Request, exc: StoreError) -> JSONResponse:
        if isinstance(exc, StoreLocked):
            return _error(503, f"store busy: {exc}", {"Retry-After": "1"})
        if isinstance(exc, StoreUnavailable | CorruptStore):
            return _error(503, f"store unavailable: {exc}")
        return _error(500, f"store error: {exc}")

    @app.exception_handler(RequestValidationError)
    async def bad_params(_: Request, exc: RequestValidationError) -> JSONResponse:
        body: dict[str, Any] = {"detail": _validation_message(exc), "errors": jsonable_encoder(exc.errors())}
        return JSONResponse(body, status_code=422)


def create_app(
    store: GraphStore, api_token: str | None = None, threads: int | None = None, inline: bool | None = None
) -> FastAPI:
    """An app serving ``store``; writes need ``api_token`` (default ``KG_API_TOKEN``) when one is set.

    ``inline`` runs the read routes' store calls on the event loop (see
    :mod:`api.routes.calls`); by default it does so for the embedded store,
    which answers from memory, and not for a store behind a network.
    ``threads`` caps the worker threads that run the other (blocking) calls.
    An in-process store is CPU-bound under one GIL, where a few threads
    answer sooner than forty convoying ones; a server store waits on the
    network and wants more.  ``None`` keeps Starlette's default (40).
    """
    if inline is None:
        inline = isinstance(store, EmbeddedStore)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield

    app = FastAPI(
        title="policy-kg 政策知识图谱",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
    )
    install_docs(app)
    app.state.store = store
    app.state.store_calls = StoreCalls(store, inline)
    app.state.api_token = api_token if api_token is not None else os.environ.get("KG_API_TOKEN") or None
    install_error_handlers(app)
    for module in (entities, paths, funding, links, documents, stats):
        app.include_router(module.router)
    app.include_router(viz_router)
    return app
