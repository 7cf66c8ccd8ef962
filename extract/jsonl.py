"""Extractions as JSON Lines: the line ``kg extract --json`` prints, and reading such lines back.

Extraction can run anywhere (another machine, a Dask cluster) and be loaded
later with ``kg load``; this module is both ends of that hand-over.  Reading
is strict about types, because the lines may come from anywhere: a record
that is not the SCHEMA.md shape becomes one :class:`~extract.errors.LoadError`
naming the file, the line and the first problem, and reading goes on with the
next line.  Every line is bounded (the file size limit applies per line).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import orjson

from .errors import LoadError
from .load import max_bytes_from_env
from .model import Extraction

_BOM = b"\xef\xbb\xbf"


def to_line(extraction: Extraction) -> str:
    """One extraction as one JSON line (UTF-8 text, Chinese as is), without the newline."""
    return json.dumps(extraction.to_json(), ensure_ascii=False)


@dataclass(slots=True)
class Record:
    """An extraction read back, with where it came from (``records.jsonl:12``) for messages."""

    where: str
    extraction: Extraction


def read_jsonl(
    stream: BinaryIO, name: str, max_line_bytes: int | None = None
) -> Iterator[Record | LoadError]:
    """The extractions in ``stream`` (named ``name`` in messages), in order; bad lines as LoadError items.

    Blank lines are skipped; a UTF-8 byte order mark at the start is ignored.
    """
    limit = max_bytes_from_env() if max_line_bytes is None else max_line_bytes
    lineno = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        lineno += 1
        where = f"{name}:{lineno}"
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line without holding it
                raw = stream.readline(limit + 1)
            yield LoadError(where, f"line longer than {limit:,} bytes (see KG_MAX_FILE_MB); skipped")
            continue
        if lineno == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if not raw.strip():
            continue
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield LoadError(where, f"not JSON ({exc})")
            continue
        problem = check_shape(data)
        if problem is not None:
            yield LoadError(where, f"not a kg extract record: {problem}")
            continue
        yield Record(where, Extraction.from_json(data))


# -- the shape check --------------------------------------------------------------------------------------
#
# Extraction.from_json trusts its input (it reads our own output); these checks make sure that what it
# gets has the types it assumes, so that a wrong record is refused here, with its place, and never
# reaches the store as a half-typed object.


def _str(v: object) -> bool:
    return isinstance(v, str)


def _opt_str(v: object) -> bool:
    return v is None or isinstance(v, str)


def _int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _span(v: object) -> bool:
    return isinstance(v, list) and len(v) == 2 and _int(v[0]) and _int(v[1])


def _check_fields(obj: dict[str, Any], where: str, checks: dict[str, tuple[Any, str]]) -> str | None:
    for key, (test, wanted) in checks.items():
        if key in obj and not test(obj[key]):
            return f"{where}.{key} must be {wanted}, got {json.dumps(obj[key], ensure_ascii=False)[:60]}"
    return None


def _bool(v: object) -> bool:
    return isinstance(v, bool)


def _str_list(v: object) -> bool:
    return isinstance(v, list) and all(map(_str, v))


def _span_list(v: object) -> bool:
    return isinstance(v, list) and all(map(_span, v))


def _opt_number(v: object) -> bool:
    return v is None or _number(v)


_STRING = (_str, "a string")
_OPT_STRING = (_opt_str, "a string or null")
_FLAG = (_bool, "true or false")
_CONFIDENCE = (_number, "a number")
_PERIOD = {"text": _STRING, "start": _OPT_STRING, "end": _OPT_STRING, "inherited": _FLAG}
_AMOUNT = {
    "value": (_opt_number, "a number or null"),
    "currency": _STRING,
    "masked": _FLAG,
    "approx": _FLAG,
    "shared": _FLAG,
    "group": _OPT_STRING,
}
_DOC = {
    "path": _STRING,
    "title": _OPT_STRING,
    "date": _OPT_STRING,
    "issuer": _OPT_STRING,
    "sha256": _OPT_STRING,
}
_ENTITY = {
    "aliases": (_str_list, "a list of strings"),
    "mentions": (_span_list, "a list of [start, end]"),
    "confidence": _CONFIDENCE,
}
_RELATION = {
    "evidence": _STRING,
    "span": (_span, "[start, end]"),
    "agency": _OPT_STRING,
    "action": _OPT_STRING,
    "confidence": _CONFIDENCE,
}


def _check_period(p: object, where: str) -> str | None:
    if p is None:
        return None
    if not isinstance(p, dict):
        return f"{where} must be an object or null"
    return _check_fields(p, where, _PERIOD)


def check_shape(data: object) -> str | None:
    """The first way ``data`` is not the SCHEMA.md record (``entities[3].name must be a string``), or None."""
    if not isinstance(data, dict):
        return "a line must hold one JSON object"
    doc = data.get("doc")
    if not isinstance(doc, dict):
        return "missing 'doc' object"
    if not isinstance(doc.get("id"), str) or not doc["id"]:
        return "doc.id must be a non-empty string"
    problem = _check_fields(doc, "doc", _DOC) or _check_period(doc.get("period"), "doc.period")
    if problem:
        return problem
    for field_name in ("entities", "relations"):
        if not isinstance(data.get(field_name, []), list):
            return f"'{field_name}' must be a list"
    for i, e in enumerate(data.get("entities", [])):
        where = f"entities[{i}]"
        if not isinstance(e, dict):
            return f"{where} must be an object"
        for key in ("id", "name", "type"):
            if not isinstance(e.get(key), str):
                return f"{where}.{key} must be a string"
        problem = _check_fields(e, where, _ENTITY)
        if problem:
            return problem
    for i, r in enumerate(data.get("relations", [])):
        where = f"relations[{i}]"
        if not isinstance(r, dict):
            return f"{where} must be an object"
        for key in ("subject", "predicate", "object"):
            if not isinstance(r.get(key), str):
                return f"{where}.{key} must be a string"
        problem = _check_fields(r, where, _RELATION) or _check_period(r.get("period"), f"{where}.period")
        if problem:
            return problem
        amount = r.get("amount")
        if amount is not None:
            if not isinstance(amount, dict) or not isinstance(amount.get("text"), str):
                return f"{where}.amount must be an object with a 'text' string"
            problem = _check_fields(amount, f"{where}.amount", _AMOUNT)
            if problem:
                return problem
    return None


__all__ = ["Record", "check_shape", "read_jsonl", "to_line"]
