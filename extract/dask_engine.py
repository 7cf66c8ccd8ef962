"""Extraction on a Dask cluster: a bag of report paths in, JSON Lines partitions out, for ``kg load``.

Beyond one machine the extractor runs where the workers are: the report list
becomes a Dask bag, each worker extracts its partitions with the same
:func:`extract.batch.extract_one` as ``kg build``, and each partition is
written as ``part-NNNNN.jsonl`` holding exactly the lines ``kg extract
--json`` prints for those files, in input order.  Concatenated in name order
the partitions are that command's output, so ``kg load OUT/`` stores what
``kg build`` would have.

The workers read the reports and write the partitions themselves: both
paths must be visible to every worker under the same name (a shared or
network filesystem, or any fsspec URL such as ``s3://bucket/out`` for the
output when the cluster has that filesystem's package).  Without a
scheduler address a ``LocalCluster`` on the loopback interface is started
for the call.  ``dask[distributed]`` is an optional dependency
(``pip install 'policy-kg[dask]'``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .batch import default_jobs, extract_one
from .errors import ExtractError, LoadError
from .jsonl import to_line
from .walk import iter_inputs

#: Reports per partition, at most; more partitions than workers keep them all busy to the end.
PARTITION_REPORTS = 200
PARTITIONS_PER_WORKER = 4


class DaskUnavailable(ExtractError, ImportError):
    """``dask[distributed]`` is not installed here."""


@dataclass(slots=True)
class DaskRun:
    """What a run wrote: the partition files in order, how many reports each file got, and the failures."""

    parts: list[str]
    reports: int = 0
    failures: list[LoadError] = field(default_factory=list)


def part_name(index: int) -> str:
    """Zero-padded, so name order is partition order."""
    return f"{index:05d}"


def _extract_record(path: str, max_bytes: int | None, min_confidence: float) -> tuple[bool, str, str]:
    """Runs on a worker: (True, JSON line, "") or (False, path, problem)."""
    got = extract_one(path, max_bytes)
    if isinstance(got, LoadError):
        return (False, got.path, got.problem)
    return (True, to_line(got.filtered(min_confidence)), "")


def _write_part(records: list[tuple[bool, str, str]], target: str) -> list[tuple[str, str]]:
    """Runs on a worker: write one partition's lines (each ending in a newline), return its failures.

    Written under a temporary name and then renamed, so a run that dies leaves no half partition that
    ``kg load OUT/`` would pick up (it reads ``*.jsonl`` only).
    """
    import fsspec

    fs, path = fsspec.core.url_to_fs(target)
    tmp = f"{path}.tmp"
    with fs.open(tmp, "wt", encoding="utf-8") as fh:
        for ok, line, _ in records:
            if ok:
                fh.write(line + "\n")
    fs.mv(tmp, path)
    return [(path, problem) for ok, path, problem in records if not ok]


def extract_on_dask(
    paths: Iterable[str | Path],
    out: str | Path,
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    partitions: int | None = None,
    max_bytes: int | None = None,
    min_confidence: float = 0.0,
) -> DaskRun:
    """Extract every report under ``paths`` on the cluster at ``scheduler`` into ``out/part-NNNNN.jsonl``.

    ``scheduler`` is a Dask scheduler address (``tcp://10.0.0.5:8786``);
    ``None`` starts a local cluster of ``workers`` processes (default: the
    cores).  Folders are listed here, on the caller's side, in the order
    ``kg extract`` lists them.  Raises :class:`DaskUnavailable` when
    ``dask[distributed]`` is not installed.
    """
    try:
        import dask
        import dask.bag as db
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise DaskUnavailable(
            f"the Dask engine needs dask[distributed] ({exc}); pip install 'policy-kg[dask]'"
        ) from None

    run = DaskRun(parts=[])
    files: list[str] = []
    for item in iter_inputs(paths):
        if isinstance(item, LoadError):
            run.failures.append(item)
        else:
            files.append(str(item))
    if not files:
        return run
    out_dir = str(out).rstrip("/")
    if "://" not in out_dir:
        Path(out_dir).mkdir(parents=True, exist_ok=True)

    cluster: Any = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers or default_jobs(),
            threads_per_worker=1,  # extraction holds the GIL: one report per process at a time
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            n_workers = max(1, len(client.scheduler_info().get("workers", {})) or (workers or 1))
            count = partitions or max(
                math.ceil(len(files) / PARTITION_REPORTS), n_workers * PARTITIONS_PER_WORKER
            )
            count = max(1, min(count, len(files)))
            bag = db.from_sequence(files, npartitions=count).map(_extract_record, max_bytes, min_confidence)
            run.parts = [f"{out_dir}/part-{part_name(i)}.jsonl" for i in range(bag.npartitions)]
            writes = [
                dask.delayed(_write_part)(part, target)
                for part, target in zip(bag.to_delayed(), run.parts, strict=True)
            ]
            failures = [f for part in dask.compute(*writes) for f in part]
    finally:
        if cluster is not None:
            cluster.close()
    run.failures += [LoadError(path, problem) for path, problem in failures]
    run.reports = len(files) - len(failures)
    return run


__all__ = ["DaskRun", "DaskUnavailable", "extract_on_dask", "part_name"]
