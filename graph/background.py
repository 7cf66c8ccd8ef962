"""Saving the embedded store's snapshot in a forked child, so the writer does not wait for it.

Encoding the indexes of 200,000 relations takes about 2 s of CPU, and a
writer used to spend it once per long write call and on close: a tenth of
ingest's time per fact.  The writer's memory, copied on write by ``fork``,
is exactly the state to save, with no second copy made by us; the child
encodes it, replaces ``snapshot.json`` atomically and exits while the parent
goes on writing on the other core.  A snapshot is only a speed-up that the
store checks against the manifest when it opens, so a child killed halfway
(or a parent killed meanwhile) leaves the old snapshot or the new one, never
a broken store.

A child is forked only when this process runs one thread: another thread (a
process pool's manager, a server's workers) may hold a lock the child would
then wait for forever, which is also why ``extract/batch.py`` starts its
workers from a fork server.  There the caller saves inline, as before.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable


def can_fork() -> bool:
    """Whether a child may be forked here without inheriting another thread's held locks."""
    return hasattr(os, "fork") and threading.active_count() == 1


class BackgroundJob:
    """At most one forked child at a time running a job; the parent waits for it only when asked."""

    def __init__(self) -> None:
        self._pid: int | None = None

    @property
    def running(self) -> bool:
        return self._pid is not None

    def start(self, job: Callable[[], str | None]) -> bool:
        """Run ``job`` in a forked child (after the previous one ends, so saves land in order).

        ``job`` returns None when it did its work, or one line saying why not,
        which the child writes to stderr.  Returns False when no child could be
        forked here: the caller then runs the job itself.
        """
        self.wait()
        if not can_fork():
            return False
        try:
            pid = os.fork()
        except OSError:
            return False
        if pid == 0:  # the child: never returns
            _run_child(job)
        self._pid = pid
        return True

    def wait(self) -> bool:
        """Wait for the running child, if any; True unless it failed."""
        return self._reap(0)

    def poll(self) -> bool:
        """Collect a child that has ended without waiting for one that has not; True unless it failed."""
        return self._reap(os.WNOHANG)

    def _reap(self, flags: int) -> bool:
        if self._pid is None:
            return True
        try:
            pid, status = os.waitpid(self._pid, flags)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): its outcome is unknown
            self._pid = None
            return True
        if pid == 0:
            return True  # still running
        self._pid = None
        return os.waitstatus_to_exitcode(status) == 0


def _run_child(job: Callable[[], str | None]) -> None:
    """The forked child: hold no inherited file (a writers' lock above all), do the job, exit at once.

    ``os._exit`` skips ``atexit`` handlers, finalisers and buffered output, all the parent's.
    """
    code = 1
    try:
        with contextlib.suppress(OSError):
            os.closerange(3, _max_fd())
        problem = job()
        if problem is None:
            code = 0
        else:
            os.write(2, problem.encode("utf-8", "replace"))
    except BaseException:  # a signal or a bug: the parent carries on without this snapshot
        code = 1
    finally:
        os._exit(code)


def _max_fd() -> int:
    try:
        return int(os.sysconf("SC_OPEN_MAX"))
    except (ValueError, OSError):
        return 65536


__all__ = ["BackgroundJob", "can_fork"]
