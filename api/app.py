"""The FastAPI application: routers per resource, library errors mapped to HTTP statuses."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY

from extract.errors import LoadError
from extract.model import PREDICATE_LABELS_ZH, TYPE_LABELS_ZH
from graph.embedded import EmbeddedStore
from graph.errors import CorruptStore, NotFound, StaleWrite, StoreError, StoreLocked, StoreUnavailable
from graph.fixing import CorrectionError
from graph.store import GraphStore
from viz.web import router as viz_router

from .auth import WritePolicy
from .breaker import Breaker
from .docs import install_docs
from .hosts import ALLOWED_HOSTS_ENV, HostCheck, default_hosts
from .routes import corrections, documents, entities, funding, links, paths, stats
from .routes.calls import StoreCalls
from .schemas import ValidationErrorOut, ValidationIssueOut

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


#: Caps on what a 422 answer repeats of the request: its size stays small whatever was sent.
MAX_ISSUES = 20
MAX_ECHO = 80
MAX_DETAIL = 1000
#: The largest request body of any route that declares no limit of its own (the upload does).
DEFAULT_BODY_LIMIT = 1024 * 1024


def _cut(value: object, n: int) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"


def _issues(exc: RequestValidationError) -> list[ValidationIssueOut]:
    issues = []
    for err in exc.errors()[:MAX_ISSUES]:
        loc = [x if isinstance(x, int) else _cut(x, MAX_ECHO) for x in err.get("loc", ())]
        given = err.get("input")
        issues.append(
            ValidationIssueOut(
                loc=loc,
                msg=_cut(err.get("msg", "invalid"), 300),
                type=_cut(err.get("type", "value_error"), MAX_ECHO),
                input=None if given is None else _cut(given, MAX_ECHO),
            )
        )
    return issues


def _validation_message(issues: list[ValidationIssueOut], total: int) -> str:
    """One line naming each bad parameter: ``limit: Input should be less than or equal to 1000``."""
    parts = []
    for issue in issues:
        loc = [str(x) for x in issue.loc if x not in ("query", "path", "body", "header")]
        parts.append(f"{'.'.join(loc) or 'request'}: {issue.msg}")
    if total > len(issues):
        parts.append(f"and {total - len(issues)} more")
    return _cut("; ".join(parts) or "invalid request", MAX_DETAIL)


def install_error_handlers(app: FastAPI) -> None:
    """Library errors become statuses here, so routes stay free of try/except."""

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(LoadError)
    async def bad_upload(_: Request, exc: LoadError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(CorrectionError)
    async def bad_correction(_: Request, exc: CorrectionError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> JSONResponse:
        if isinstance(exc, StaleWrite):
            return _error(409, str(exc))
        if isinstance(exc, StoreLocked):
            return _error(503, f"store busy: {exc}", {"Retry-After": "1"})
        if isinstance(exc, StoreUnavailable):
            request.app.state.breaker.trip(str(exc))
            return _error(503, f"store unavailable: {exc}", {"Retry-After": "1"})
        if isinstance(exc, CorruptStore):
            return _error(503, f"store unavailable: {exc}")
        return _error(500, f"store error: {exc}")

    @app.exception_handler(RequestValidationError)
    async def bad_params(_: Request, exc: RequestValidationError) -> JSONResponse:
        issues = _issues(exc)
        body = ValidationErrorOut(detail=_validation_message(issues, len(exc.errors())), errors=issues)
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 413 and exc.detail == "Content Too Large":
            limit = request.scope.get(MAX_BODY_SIZE_SCOPE_KEY)
            shown = f"{limit / (1024 * 1024):.2f} MB" if isinstance(limit, int) else "the limit"
            return _error(413, f"request body larger than {shown}; not read any further")
        if exc.status_code == 405:
            allowed = _allowed_methods(request.app, request.url.path)
            if allowed:
                return _error(405, f"method {request.method} not allowed here", {"Allow": ", ".join(allowed)})
        return await http_exception_handler(request, exc)


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method documented for ``path``: Starlette's ``Allow`` names only one of the routes that match.

    (``GET`` and ``POST /api/documents`` are two routes; a ``PUT`` there was told ``Allow: GET``.)
    """
    templates: list[tuple[re.Pattern[str], list[str]]] | None = getattr(app.state, "allow_templates", None)
    if templates is None:
        templates = []
        for template, operations in app.openapi().get("paths", {}).items():
            parts = re.split(r"(\{[^}]+\})", template)
            pattern = "".join(".+" if part.startswith("{") else re.escape(part) for part in parts)
            templates.append((re.compile(pattern), [m.upper() for m in operations]))
        app.state.allow_templates = templates
    methods = {m for pattern, ms in templates if pattern.fullmatch(path) for m in ms}
    return sorted(methods)


def create_app(
    store: GraphStore,
    api_token: str | None = None,
    threads: int | None = None,
    inline: bool | None = None,
    *,
    allow_writes: bool = False,
    allowed_hosts: Iterable[str] | None = None,
) -> FastAPI:
    """An app serving ``store``, read-only unless ``allow_writes`` or a token is given.

    ``api_token`` (default ``KG_API_TOKEN``) makes every write need that bearer
    token; ``allow_writes`` opens writes without one (see :mod:`api.auth`).
    ``allowed_hosts`` are the ``Host`` names answered (default: loopback names),
    plus any in ``KG_ALLOWED_HOSTS``; ``*`` answers any (see :mod:`api.hosts`).

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
    breaker = Breaker(lambda: store.documents(limit=1), enabled=not isinstance(store, EmbeddedStore))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if threads is not None:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        yield
        breaker.close()

    app = FastAPI(
        title="policy-kg 政策知识图谱",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
        # Declared for every route: the 422 this app answers is not FastAPI's default shape.
        responses={422: {"model": ValidationErrorOut, "description": "参数错误 Invalid parameters"}},
        max_body_size=DEFAULT_BODY_LIMIT,
    )
    install_docs(app)
    app.state.store = store
    app.state.store_calls = StoreCalls(store, inline)
    app.state.breaker = breaker
    token = api_token if api_token is not None else os.environ.get("KG_API_TOKEN")
    app.state.write_policy = WritePolicy(token=token or None, allow_writes=allow_writes)
    hosts = [*(default_hosts("127.0.0.1") if allowed_hosts is None else allowed_hosts)]
    hosts += [h for h in os.environ.get(ALLOWED_HOSTS_ENV, "").split(",") if h.strip()]
    app.add_middleware(HostCheck, allowed=hosts)
    install_error_handlers(app)
    for module in (entities, paths, funding, links, documents, stats, corrections):
        app.include_router(module.router)
    app.include_router(corrections.writes)
    app.include_router(viz_router)
    return app
