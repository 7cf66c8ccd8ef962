"""The embedded store's corrections files: the log and the uncorrected records, each replaced atomically.

Two files, because readers (the API marking confirmed facts) need only the
small log, while the originals can hold whole documents.  A writer replaces
the originals first, then the log, then the manifest: a crash in between
leaves originals that equal what is stored, never a corrected document
without its original.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import orjson

from .corrections import Correction, FixState
from .errors import CorruptStore
from .persist import FIX_ORIGINALS, FIXES, DocRecords, write_atomic

T = TypeVar("T")


def read_log(folder: Path) -> list[Correction]:
    return _read(folder / FIXES, FixState.parse_log, [])


def read_originals(folder: Path) -> dict[str, DocRecords]:
    return _read(folder / FIX_ORIGINALS, FixState.parse_originals, {})


def read_state(folder: Path) -> FixState:
    return FixState(log=read_log(folder), originals=read_originals(folder))


def write_originals(folder: Path, state: FixState) -> None:
    if state.originals or (folder / FIX_ORIGINALS).exists():
        write_atomic(folder / FIX_ORIGINALS, state.originals_bytes())


def write_state(folder: Path, state: FixState) -> None:
    write_originals(folder, state)
    write_atomic(folder / FIXES, state.log_bytes())


def _read(path: Path, parse: Callable[[bytes], T], empty: T) -> T:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return empty
    try:
        return parse(raw)
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CorruptStore(f"{path}: not a corrections file ({type(exc).__name__}: {exc})") from None
