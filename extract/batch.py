"""Extracting a batch of reports, on one core or on a pool of processes, with results in input order.

The batch is the unit a build works on: a list of report files in, one
:class:`~extract.model.Extraction` (or the :class:`~extract.errors.LoadError`
saying why not) out per file, in the order given.  Input order is what makes a
parallel build store exactly what a serial one stores: the store resolves each
report against the ones before it, so reports must reach it in the same order
whichever process extracted them.

Why processes and not threads: extraction is pure-Python CPU work (jieba and
our rules), which threads would run one at a time.  Workers are started by a
fork server (never forked from the caller, which may hold threads and locks,
e.g. a progress bar's), ignore Ctrl-C (the caller handles it once and stops
them), and are terminated when the caller stops reading early.  At most
``jobs * WINDOW_PER_JOB`` reports are in flight, so memory stays bounded
however long the batch.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .errors import ExtractError, LoadError
from .model import Extraction

#: Reports submitted ahead per worker: enough to keep every worker busy while the caller stores one,
#: and while a long report at the head of the (ordered) results holds back the ones done after it.
WINDOW_PER_JOB = 8
#: Top-level packages of this project (whose loaded modules the fork server preloads).
_OWN_PACKAGES = frozenset({"api", "extract", "graph"})
#: Set to show an extractor bug's traceback instead of turning it into one line for that file.
DEBUG_ENV = "KG_DEBUG"

Item = str | Path | LoadError


class WorkerDied(ExtractError, RuntimeError):
    """A worker process ended without answering (killed, out of memory); the batch cannot go on."""


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def extract_one(
    path: str | Path, max_bytes: int | None = None, known: dict[str, str] | None = None
) -> Extraction | LoadError:
    """One file, with its problem as a value: unreadable input, or an extractor bug on that file.

    A bug on one report must not hide the others' results, so it becomes that
    file's one-line error unless ``KG_DEBUG`` is set, which lets it raise.
    """
    from .pipeline import extract_file

    try:
        return extract_file(path, max_bytes, known)
    except LoadError as exc:
        return exc
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        problem = f"extraction failed ({type(exc).__name__}: {exc}); set {DEBUG_ENV}=1 for details"
        return LoadError(str(path), problem)


def extract_batch(
    inputs: Iterable[Item],
    jobs: int | None = None,
    max_bytes: int | None = None,
    known: dict[str, str] | None = None,
) -> Generator[Extraction | LoadError, None, None]:
    """Extract report files with ``jobs`` processes (default: the cores), yielding results in input order.

    ``inputs`` are report files; a :class:`LoadError` among them (what
    :func:`extract.walk.iter_inputs` yields for an unreadable folder) comes
    out unchanged in its place, so a walk can be fed in directly::

        for item in extract_batch(iter_inputs(["reports/"]), jobs=2):
            ...

    ``jobs=1`` extracts in this process.  Closing the iterator early (or an
    exception in the caller, Ctrl-C included) terminates the workers.  Raises
    :class:`WorkerDied` if a worker is killed under it.
    """
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    if jobs == 1:
        for item in inputs:
            yield item if isinstance(item, LoadError) else extract_one(item, max_bytes, known)
        return
    yield from _pooled(inputs, jobs, max_bytes, known)


def _pooled(
    inputs: Iterable[Item], jobs: int, max_bytes: int | None, known: dict[str, str] | None
) -> Iterator[Extraction | LoadError]:
    ctx = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, so each worker starts with the modules loaded and the
    # extractor's tables built (extract.warm), and with the caller's own modules: a worker
    # re-imports the caller's main module (the kg command) before its first report.
    ctx.set_forkserver_preload(
        ["extract.batch", "extract.pipeline", "extract.engine", *_callers_modules(), "extract.warm"]
    )
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=ctx, initializer=_init_worker, initargs=(os.getpid(),)
    )
    window = jobs * WINDOW_PER_JOB
    pending: deque[LoadError | tuple[str, Future[Extraction | tuple[str, str]]]] = deque()
    in_flight = 0
    finished = False
    try:
        for item in inputs:
            if isinstance(item, LoadError):
                pending.append(item)
            else:
                pending.append((str(item), pool.submit(_work, str(item), max_bytes, known)))
                in_flight += 1
            # Hand back what is ready at the head; wait for the head only when the window is full.
            while pending and (in_flight >= window or _ready(pending[0])):
                head = pending.popleft()
                if not isinstance(head, LoadError):
                    in_flight -= 1
                yield _result(head)
        while pending:
            yield _result(pending.popleft())
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:
            _stop(pool)


def _callers_modules() -> list[str]:
    """This project's modules the caller has imported (the CLI's, say), for the fork server to preload."""
    return sorted(
        name
        for name in sys.modules
        if name.partition(".")[0] in _OWN_PACKAGES
        and name != "extract.warm"
        and not name.endswith("__main__")
    )


def _ready(head: LoadError | tuple[str, Future[Extraction | tuple[str, str]]]) -> bool:
    return isinstance(head, LoadError) or head[1].done()


def _result(head: LoadError | tuple[str, Future[Extraction | tuple[str, str]]]) -> Extraction | LoadError:
    if isinstance(head, LoadError):
        return head
    path, future = head
    try:
        got = future.result()
    except BrokenProcessPool:
        raise WorkerDied(
            f"{path}: a worker process died while extracting it (killed or out of memory)"
        ) from None
    if isinstance(got, tuple):
        return LoadError(*got)
    return got


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop now: drop queued reports and end the workers mid-report (their results are not wanted)."""
    # ProcessPoolExecutor has no public way to end running workers before Python 3.14.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:
        if proc.is_alive():
            proc.terminate()
    for proc in workers:
        proc.join(timeout=5)


def _init_worker(caller: int) -> None:
    # Ctrl-C reaches the whole process group; only the caller acts on it (and then stops us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(caller,), name="kg-caller-watch", daemon=True).start()


def _exit_with(caller: int) -> None:
    """End this worker as soon as the caller is gone (a ``kill -9`` of ``kg build`` must not leave us).

    A worker holds both ends of its own task queue, so it would never see end of file from a dead
    caller: it watches the caller's process instead (a pidfd, where Linux has them).
    """
    try:
        fd = os.pidfd_open(caller)
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        select.select([fd], [], [])  # readable once the process has ended
    else:
        while _alive(caller):
            time.sleep(0.5)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _work(path: str, max_bytes: int | None, known: dict[str, str] | None) -> Extraction | tuple[str, str]:
    """Runs in a worker.  A LoadError travels as (path, problem): its constructor does not unpickle."""
    got = extract_one(path, max_bytes, known)
    if isinstance(got, LoadError):
        return (got.path, got.problem)
    return got


__all__ = ["WorkerDied", "default_jobs", "extract_batch", "extract_one"]
