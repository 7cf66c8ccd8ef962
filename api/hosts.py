"""The ``Host`` check: requests naming a host this server does not answer for are refused.

Binding to loopback keeps other machines out, but not other names: a web page
on ``evil.example`` whose DNS answer is switched to ``127.0.0.1`` (DNS
rebinding) reaches this server from the user's own browser with
``Host: evil.example``, and the browser then lets that page read the answers.
Refusing unknown ``Host`` names closes that door for reads and writes alike.

Starlette's ``TrustedHostMiddleware`` does the same check but answers in plain
text; this one answers in the API's JSON error shape and names the option to
change.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

#: Names that always mean this machine.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: Environment variable with more names, comma-separated (``*`` allows any).
ALLOWED_HOSTS_ENV = "KG_ALLOWED_HOSTS"


def host_name(header: str) -> str:
    """The name in a ``Host`` header, lower-case: ``[::1]:8000`` -> ``::1``, ``A.org.`` -> ``a.org``."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def default_hosts(served: str) -> list[str]:
    """Loopback names, and the address the server listens on unless it is a wildcard (``0.0.0.0``, ``::``)."""
    names = list(LOOPBACK_NAMES)
    try:
        wildcard = ipaddress.ip_address(served).is_unspecified
    except ValueError:
        wildcard = False
    if served and not wildcard:
        names.append(host_name(served))
    return names


class HostCheck:
    """ASGI middleware refusing (400, JSON) a request whose ``Host`` is not one of ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(host_name(h) for h in allowed if h.strip())
        self.any = "*" in self.allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope["headers"] if k == b"host"), None)
        name = host_name(header.decode("latin-1")) if header is not None else ""
        if name in self.allowed:
            await self.app(scope, receive, send)
            return
        shown = name[:80] or "(none)"
        detail = (
            f"host {shown!r} is not served here (allowed: {', '.join(sorted(self.allowed))}); "
            f"add it with kg serve --allowed-host or {ALLOWED_HOSTS_ENV}"
        )
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await JSONResponse({"detail": detail}, status_code=400)(scope, receive, send)
