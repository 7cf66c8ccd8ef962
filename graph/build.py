"""Filling a store: report files through the extractor (``build``), or extractions made elsewhere (``load``).

A use case of its own, between the extractor and the stores, that the CLI and
the API both call.  Documents reach the store in input order through one
``ingest_many`` stream, which the store commits in groups of whole reports
(the embedded store: at least every two seconds), so:

- a parallel build stores exactly what a serial one does (each report is
  resolved against the ones before it, whichever process extracted it);
- a crash or a ``kill -9`` leaves every report of the groups committed
  before it, whole, and nothing of the group being written;
- one bad input is reported and the others are still stored: extractions
  the store would refuse are checked (:func:`graph.ingest.prepare`) before
  they join the stream, since a refusal inside it would fail the whole group.

Committing per group and not per report: a commit costs a few fsyncs (20–40 ms
on the development machine), which per report made storing the bottleneck
of a parallel build.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from extract.errors import LoadError
from extract.model import Extraction

from .errors import InvalidExtraction
from .model import IngestResult, Stats
from .store import GraphStore

#: ``load``'s name for standard input.
STDIN = "-"


@dataclass(slots=True)
class BuildFailure:
    path: str
    message: str


@dataclass(slots=True)
class BuildProgress:
    """Reported after each input, so a front end can draw a bar without knowing about extraction.

    ``total`` is ``None`` while it is not known (``load`` reads a stream).  A step without a
    failure means the store has taken the report in; it is committed with its group.
    """

    done: int
    total: int | None
    path: str
    failure: BuildFailure | None = None


@dataclass(slots=True)
class BuildSummary:
    results: list[IngestResult]
    failures: list[BuildFailure]
    #: counts over the whole store once the build is done
    stats: Stats
    #: the input (file, or JSONL file and line) each of ``results`` came from, in the same order
    sources: list[str] = field(default_factory=list)

    def kept_beside(self) -> list[tuple[str, IngestResult]]:
        """Inputs whose text changed under a stored name and were stored beside the older text."""
        return [(src, r) for src, r in zip(self.sources, self.results, strict=False) if r.same_path]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def added(self) -> int:
        return self.count("added")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def replaced(self) -> int:
        return self.count("replaced")

    @property
    def failed(self) -> int:
        return len(self.failures)


Progress = Callable[[BuildProgress], None]


def build(
    store: GraphStore,
    paths: Iterable[str | Path],
    progress: Progress | None = None,
    jobs: int | None = 1,
    max_bytes: int | None = None,
    *,
    replace: bool = False,
    min_confidence: float = 0.0,
    corpus: bool = False,
) -> BuildSummary:
    """Extract every report under ``paths`` with ``jobs`` processes and store them in input order.

    ``jobs=None`` uses every core this process may run on.  The result does
    not depend on ``jobs``: same documents, keys, facts and ids.  An edited
    file is stored beside its earlier text unless ``replace``.  ``min_confidence``
    leaves out what the extractor is less sure of; ``corpus`` extracts the batch twice,
    the second time knowing the names the first was sure of and those the store already
    holds with high confidence (what earlier builds were sure of).
    """
    from extract.batch import extract_batch
    from extract.corpus import batch_known_names, merge_known
    from extract.walk import iter_inputs

    inputs = list(iter_inputs(paths))
    known = (
        merge_known(store_known_names(store), batch_known_names(inputs, jobs, max_bytes)) if corpus else None
    )
    with contextlib.closing(extract_batch(inputs, jobs, max_bytes, known)) as extracted:
        kept = (got.filtered(min_confidence) if isinstance(got, Extraction) else got for got in extracted)
        named = ((_name(item), got) for item, got in zip(inputs, kept, strict=True))
        return _ingest(store, named, len(inputs), progress, by_line=False, replace=replace)


def store_known_names(store: GraphStore) -> dict[str, str]:
    """Name → type of the stored entities the extractor was sure of, for a build's second pass.

    Records stored before confidence was kept read as 1.0; the legal-form rule for companies
    and the shortest length still apply to them.
    """
    from extract.corpus import sure_names

    return sure_names((n.name, n.aliases, n.type, n.confidence) for n in store.iter_nodes())


def load(
    store: GraphStore,
    sources: Iterable[str | Path],
    progress: Progress | None = None,
    *,
    stdin: BinaryIO | None = None,
    max_line_bytes: int | None = None,
    replace: bool = False,
) -> BuildSummary:
    """Store the extractions in JSON Lines files (``kg extract --json`` output); ``-`` is standard input.

    A folder stands for its ``*.jsonl`` files in name order (``kg extract --engine dask`` partitions).

    A line that is not an extraction, or whose extraction the store refuses,
    is one failure naming the file and line; the other lines are stored.
    """
    records = _records(sources, stdin, max_line_bytes)
    return _ingest(store, records, None, progress, by_line=True, replace=replace)


def _name(item: str | Path | LoadError) -> str:
    return item.path if isinstance(item, LoadError) else str(item)


def _expand(sources: Iterable[str | Path]) -> Iterator[str | Path]:
    """A folder stands for its ``*.jsonl`` files in name order (the partitions of a Dask run)."""
    for source in sources:
        if str(source) != STDIN and Path(source).is_dir():
            yield from sorted(Path(source).glob("*.jsonl"))
        else:
            yield source


def _records(
    sources: Iterable[str | Path], stdin: BinaryIO | None, max_line_bytes: int | None
) -> Iterator[tuple[str, Extraction | LoadError]]:
    from extract.jsonl import read_jsonl

    for source in _expand(sources):
        name = str(source)
        if name == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            for got in read_jsonl(stream, "<stdin>", max_line_bytes):
                yield (got.path, got) if isinstance(got, LoadError) else (got.where, got.extraction)
            continue
        try:
            fh = open(source, "rb")  # noqa: SIM115 - closed below, after the generator is done with it
        except OSError as exc:
            yield name, LoadError(name, f"cannot read: {exc.strerror or exc}")
            continue
        with fh:
            for got in read_jsonl(fh, name, max_line_bytes):
                yield (got.path, got) if isinstance(got, LoadError) else (got.where, got.extraction)


def _ingest(
    store: GraphStore,
    items: Iterable[tuple[str, Extraction | LoadError]],
    total: int | None,
    progress: Progress | None,
    *,
    by_line: bool,
    replace: bool,
) -> BuildSummary:
    """Stream the good extractions into the store in order; report every input as the store takes it.

    ``by_line``: the inputs are records of a JSONL file, and a refusal names the file and line.
    Steps carry no ``result`` (a report is committed with its group); the summary has them all.
    """
    from .ingest import prepare

    failures: list[BuildFailure] = []
    sources: list[str] = []
    done = 0

    def report(step: BuildProgress) -> None:
        nonlocal done
        done += 1
        step.done, step.total = done, total
        if step.failure is not None:
            failures.append(step.failure)
        if progress is not None:
            progress(step)

    def feed() -> Iterator[Extraction]:
        for where, got in items:
            step = BuildProgress(done=0, total=None, path=where)
            if isinstance(got, LoadError):
                step.failure = BuildFailure(where, str(got))
            else:
                try:
                    prepare(got)
                except InvalidExtraction as exc:
                    # The store names a document by its path; a record of a file is found by its line.
                    step.failure = BuildFailure(where, f"{where}: {exc}" if by_line else str(exc))
                else:
                    sources.append(where)
                    yield got  # resumed once the store has staged it
            report(step)

    results = store.ingest_many(feed(), replace=replace)
    return BuildSummary(results=results, failures=failures, stats=store.stats(), sources=sources)


__all__ = ["STDIN", "BuildFailure", "BuildProgress", "BuildSummary", "build", "load"]
