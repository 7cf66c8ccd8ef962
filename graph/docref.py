"""What a person types to name a stored report: its id, its path, its file name or its file stem.

``kg extract`` names a report by its file stem (``001_4853349fa1cdb6f5``),
the store keys it by a hash of its text; both, and the path it was read
from, name the same document everywhere (``kg remove``, ``/api/documents/{id}``).
One function picks the document so every backend answers alike.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePath

from .errors import DocumentNotFound, NotFound
from .model import DocumentRecord


class AmbiguousDocument(NotFound):
    """A path, name or stem shared by several stored reports (different texts under one name)."""

    def __init__(self, ref: str, candidates: list[DocumentRecord]) -> None:
        listed = ", ".join(f"{d.id} ({d.title or d.file}, {d.date or 'no date'})" for d in candidates[:5])
        super().__init__(f"{ref!r} names {len(candidates)} stored reports: {listed}; give the id")
        self.ref = ref
        self.candidates = candidates


def _path_forms(path: str) -> set[str]:
    return {path, os.path.abspath(path), os.path.realpath(path)}


def pick_document(ref: str, docs: Iterable[DocumentRecord]) -> DocumentRecord:
    """The one document ``ref`` names: exact id, else path (as given or resolved), else file name, else stem.

    The first rule that matches anything decides; several documents matching
    it raise :class:`AmbiguousDocument`, none at all :class:`DocumentNotFound`.
    """
    ref = ref.strip()
    records = list(docs)
    for d in records:
        if d.id == ref:
            return d
    wanted = _path_forms(ref) if ref else set()
    rules = (
        lambda d: d.path == ref,
        lambda d: bool(_path_forms(d.path) & wanted),
        lambda d: PurePath(d.path).name == ref,
        lambda d: PurePath(d.path).stem == ref,
    )
    for rule in rules:
        found = [d for d in records if rule(d)]
        if len(found) == 1:
            return found[0]
        if found:
            found.sort(key=lambda d: (d.date or "", d.id))
            raise AmbiguousDocument(ref, found)
    raise DocumentNotFound(ref)
