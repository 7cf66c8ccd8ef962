"""Who may change the store: the one dependency every write route (POST, PUT, PATCH, DELETE) uses.

Writes are closed by default.  They open in one of two ways, chosen when the
server starts: a bearer token (``KG_API_TOKEN``), which every write must then
carry, or ``kg serve --allow-writes``, which lets any client that can reach the
(loopback) address write.  Either way a write sent by a web page of another
origin is refused: a browser lets any page POST to ``127.0.0.1`` with a
``no-cors`` fetch, and only the ``Sec-Fetch-Site`` / ``Origin`` headers it adds
tell such a request from the page this server serves.  Clients that are not
browsers (curl, httpx) send neither header and are not affected.

A new write route gets all of this by declaring ``dependencies=[Depends(require_write)]``;
``tests/api/test_guard.py`` walks the app's routes and fails for any write route without it.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .schemas import ErrorOut

_bearer = HTTPBearer(
    auto_error=False,
    description="KG_API_TOKEN: needed for POST and DELETE when the server was started with one",
)

#: What ``Sec-Fetch-Site`` says for a request the page itself made, or one typed into the address bar.
_OWN_SITE = frozenset({"same-origin", "none"})

ENABLE_HINT = (
    "start the server with `kg serve --allow-writes`, or set KG_API_TOKEN and send it as a bearer token"
)

#: The refusals, for the OpenAPI description of every write route.
WRITE_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "需要令牌 Bearer token required (KG_API_TOKEN is set)"},
    403: {
        "model": ErrorOut,
        "description": "禁止写入 Writes disabled (no --allow-writes/KG_API_TOKEN), or from another origin",
    },
}


@dataclass(frozen=True, slots=True)
class WritePolicy:
    """How the server was started: with a token (writes need it), open for local writes, or read-only."""

    token: str | None = None
    allow_writes: bool = False

    @property
    def writable(self) -> bool:
        return bool(self.token) or self.allow_writes


def _cross_origin(request: Request) -> str | None:
    """Why this request looks sent by another site's page, or ``None`` when it does not."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.lower() not in _OWN_SITE:
        return f"Sec-Fetch-Site: {site[:40]}"
    origin = request.headers.get("origin")
    if origin is None:
        return None
    host = request.headers.get("host")
    own = f"{request.url.scheme}://{host}".lower() if host else None
    if origin.lower() != own:
        return f"Origin: {origin[:80]}"
    return None


def require_write(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Refuse a write from another origin, without the configured token, or while writes are disabled."""
    policy: WritePolicy = request.app.state.write_policy
    foreign = _cross_origin(request)
    if foreign is not None:
        raise HTTPException(403, f"cross-origin write refused ({foreign}): use the page this server serves")
    if policy.token:
        given = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(given.encode(), policy.token.encode()):
            raise HTTPException(
                401, "a valid bearer token is required (KG_API_TOKEN)", {"WWW-Authenticate": "Bearer"}
            )
        return
    if not policy.allow_writes:
        raise HTTPException(403, f"writes are disabled: {ENABLE_HINT}")


#: The name the first write routes used; routes written against it get the same checks.
require_token = require_write
