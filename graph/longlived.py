"""Objects made to live as long as the graph: kept out of the cyclic garbage collector's walks.

The in-memory graph and the caches over it are millions of small objects
without reference cycles.  Every full collection walked all of them: pauses
of 0.1-0.3 s in the middle of API requests (seen with a gc callback under
load) and during ingest.  Freezing them moves them out of the collector's
generations; refcounting still frees them when they are dropped.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def long_lived() -> Iterator[None]:
    """No cyclic GC while a bulk of long-lived objects is made, then freeze everything alive."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic GC while many short-lived, acyclic objects are made (a snapshot's columns), then on again.

    Each collection would walk the young objects the loop just made, only to find no cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
