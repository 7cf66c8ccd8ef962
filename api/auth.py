"""The optional bearer token that guards writes (POST, DELETE) when ``KG_API_TOKEN`` is set."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

_bearer = HTTPBearer(auto_error=False, description="KG_API_TOKEN, needed for POST and DELETE when it is set")


def require_token(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """Reject a write without the configured token; with none configured the API is open (loopback use)."""
    expected: str | None = request.app.state.api_token
    if not expected:
        return
    given = credentials.credentials if credentials is not None else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            401, "a valid bearer token is required (KG_API_TOKEN)", {"WWW-Authenticate": "Bearer"}
        )
