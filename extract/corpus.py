"""Evidence pooled across the reports of one batch: names one report makes certain help the others.

A company written once with its legal form (青川云帆新材料科技有限公司), a title in 《》, a
short name introduced by 以下简称 — a name the model is sure of in one report is a name in
every report of the batch, also where it stands bare and the model alone would hesitate.  The
batch is extracted once, the sure names are collected, and the reports that contain one of
them are extracted again with those names known (a second pass, deterministic in the batch).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from extract.errors import LoadError
from extract.model import Extraction

#: How sure the model must be of a name for the batch to rely on it.
MIN_CONFIDENCE = 0.9
#: Shorter names recur by accident (科技, 南湖); they are never carried between reports.
MIN_CHARS = 4
_LEGAL = re.compile(r"(?:有限公司|有限责任公司|股份有限公司|集团)$")


def known_names(extractions: Iterable[Extraction]) -> dict[str, str]:
    """Name → type for the names the batch is sure of; a name typed two ways is left out."""
    return sure_names((e.name, e.aliases, e.type, e.confidence) for ex in extractions for e in ex.entities)


def sure_names(entities: Iterable[tuple[str, Sequence[str], str, float]]) -> dict[str, str]:
    """Name → type of the (name, aliases, type, confidence) the extractor was sure of.

    A company counts only with its legal form or a short name it was given (以下简称); a
    name typed two ways is left out.  Shared by the batch's first pass and the store's
    entities, so a build knows what earlier builds were sure of.
    """
    seen: dict[str, set[str]] = {}
    for name, aliases, etype, confidence in entities:
        if confidence < MIN_CONFIDENCE or etype == "Agency":
            continue
        strong = etype != "Company" or _LEGAL.search(name) is not None or bool(aliases)
        if not strong:
            continue
        for form in (name, *aliases):
            if len(form) >= MIN_CHARS:
                seen.setdefault(form, set()).add(etype)
    return {form: next(iter(types)) for form, types in sorted(seen.items()) if len(types) == 1}


def merge_known(*sources: dict[str, str]) -> dict[str, str]:
    """The union of known names; a name two sources type differently is left out."""
    types: dict[str, set[str]] = {}
    for known in sources:
        for name, etype in known.items():
            types.setdefault(name, set()).add(etype)
    return {name: next(iter(ts)) for name, ts in sorted(types.items()) if len(ts) == 1}


def needs_second_pass(text: str, known: dict[str, str]) -> bool:
    """Whether a report mentions any name the batch knows (only those are extracted again)."""
    return any(name in text for name in known)


def batch_known_names(
    inputs: Sequence[str | Path | LoadError], jobs: int | None = 1, max_bytes: int | None = None
) -> dict[str, str]:
    """The first pass over a batch: what its reports are sure of (a second pass uses it as ``known``).

    Measured by leave-one-report-out (``bench/eval.py --corpus``) before it was offered: it
    costs a second extraction of the batch, so builds take it only when asked (``--corpus``).
    """
    import contextlib

    from extract.batch import extract_batch

    with contextlib.closing(extract_batch(inputs, jobs, max_bytes)) as results:
        return known_names(r for r in results if isinstance(r, Extraction))
