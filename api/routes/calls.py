"""How a read route calls the library: inline for an in-memory store, in a worker thread otherwise.

The embedded store answers from memory in a few milliseconds of CPU under
the GIL.  Handing each call to Starlette's thread pool then only adds a hop
and lets twenty CPU-bound threads convoy on the GIL with the event loop
(measured: 2-hop neighbours at 20 concurrent clients went from 81 to 124
requests/s, p99 498 -> 215 ms, once called inline).  A Bolt store waits on
the network, which must not block the event loop, so its calls keep the
thread pool.  The price of inline calls: while another thread writes to the
embedded store (an upload) or it loads another process's new segments, the
event loop waits for that write too, not just the requests reading the store.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import anyio.to_thread
from fastapi import Depends, Request

from graph.store import GraphStore

P = ParamSpec("P")
T = TypeVar("T")


class StoreCalls:
    """The app's store and the way to call the library over it without stalling the event loop."""

    def __init__(self, store: GraphStore, inline: bool) -> None:
        self.store = store
        self.inline = inline

    async def __call__(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self.inline:
            return fn(*args, **kwargs)
        return await anyio.to_thread.run_sync(functools.partial(fn, *args, **kwargs))


async def store_calls(request: Request) -> StoreCalls:
    """An async dependency: a plain ``def`` one would itself be run in the thread pool on every request.

    While the store is known to be unreachable this fails at once (503, see :mod:`api.breaker`).
    """
    request.app.state.breaker.check()
    calls: StoreCalls = request.app.state.store_calls
    return calls


Calls = Annotated[StoreCalls, Depends(store_calls)]
