"""The embedded store's corrections files: the log, and one file per report it changed, each atomic.

The log is one small file (readers such as the API marking confirmed facts
read it often).  The uncorrected records of a report the log changed sit in
a file of their own (``corrections-originals/<document id>.json``), so a
build writes one small file per corrected report rather than rewriting all
of them.  A writer writes those files first, then the log, then the
manifest: a crash in between leaves originals of reports whose stored
records they still equal, never a corrected report without its original.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import orjson

from .corrections import Correction, FixState, Originals, records_bytes
from .errors import CorruptStore
from .persist import FIX_ORIGINALS, FIXES, DocRecords, fsync_dir, write_atomic

T = TypeVar("T")
_DOC_FILE = re.compile(r"^[0-9a-zA-Z_-]{1,128}\.json$")


def read_log(folder: Path) -> list[Correction]:
    return _read(folder / FIXES, FixState.parse_log, [])


def _original_path(folder: Path, doc_id: str) -> Path:
    name = f"{doc_id}.json"
    if not _DOC_FILE.match(name):
        raise CorruptStore(f"{folder}: a document id unfit for a file name: {doc_id!r}")
    return folder / FIX_ORIGINALS / name


def read_originals(folder: Path) -> Originals:
    """Every kept original, read but not decoded (see :class:`graph.corrections.Originals`)."""
    base = folder / FIX_ORIGINALS
    raw: dict[str, bytes] = {}
    if base.is_dir():
        for path in sorted(base.iterdir()):
            if _DOC_FILE.match(path.name):
                with contextlib.suppress(FileNotFoundError):
                    raw[path.name[:-5]] = path.read_bytes()
    return _Checked(folder, raw)


class _Checked(Originals):
    """Originals whose decoding failure names the file (a one-line error, never a traceback)."""

    def __init__(self, folder: Path, raw: dict[str, bytes]) -> None:
        super().__init__(raw)
        self._folder = folder

    def __getitem__(self, doc: str) -> DocRecords:
        if doc not in self:
            raise KeyError(doc)
        try:
            return super().__getitem__(doc)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            path = _original_path(self._folder, doc)
            raise CorruptStore(f"{path}: not a corrections file ({type(exc).__name__}: {exc})") from None


def read_state(folder: Path) -> FixState:
    return FixState(log=read_log(folder), originals=read_originals(folder))


def write_originals(folder: Path, changes: dict[str, DocRecords | None]) -> None:
    """Several reports' originals at once (a batch of a build): each file made durable, the folder once."""
    base = folder / FIX_ORIGINALS
    written = False
    for doc_id, rec in changes.items():
        path = _original_path(folder, doc_id)
        if rec is None:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        base.mkdir(exist_ok=True)
        write_atomic(path, records_bytes(rec), sync_dir=False)
        written = True
    if written or changes:
        with contextlib.suppress(FileNotFoundError):
            fsync_dir(base)


def write_state(folder: Path, state: FixState, docs: Iterable[str]) -> None:
    """The originals of ``docs`` as ``state`` has them (none of reports it dropped), then the log."""
    write_originals(folder, {d: state.originals.get(d) for d in docs})
    base = folder / FIX_ORIGINALS
    if base.is_dir():
        for path in base.iterdir():
            if _DOC_FILE.match(path.name) and path.name[:-5] not in state.originals:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
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
