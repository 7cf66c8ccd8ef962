"""Answers written straight to JSON.

The schemas are built without validation from records the store already
validated, and FastAPI would otherwise dump and re-validate every answer
against ``response_model``; returning the bytes keeps the declared schema for
/docs and skips that second pass, which dominated large answers.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_answer(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
