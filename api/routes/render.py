"""Answers written straight to JSON.

Routes hand over either a schema instance or the JSON-ready value a schema's
``encode`` gives (see :mod:`api.schemas`).  FastAPI would otherwise dump and
re-validate every answer against ``response_model``; returning the bytes
keeps the declared schema for /docs and skips that second pass, which
dominated large answers.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Response
from pydantic import BaseModel


def json_answer(body: BaseModel | dict[str, Any], status_code: int = 200) -> Response:
    data = body.model_dump_json().encode() if isinstance(body, BaseModel) else orjson.dumps(body)
    return Response(data, status_code=status_code, media_type="application/json")
