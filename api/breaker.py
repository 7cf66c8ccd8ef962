"""A circuit breaker before a store on the network: fail at once while it is down, probe in the background.

Without it every request waited for its own connection attempt to a server
that is gone (16-60 s each under load, /healthz included).  Once a request
finds the store unreachable the breaker opens: requests are answered 503 at
once with the last reason, and one background thread retries a cheap read
every ``interval`` seconds; its first success closes the breaker, so service
resumes by itself when the server is back.  The embedded store lives in this
process and fails fast on its own, so its breaker never opens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from graph.errors import StoreUnavailable

#: Seconds between two background attempts to reach a store that is down.
PROBE_INTERVAL = 0.5


class Breaker:
    """Open (failing fast, ``reason`` set) from a failed request until a background probe succeeds."""

    def __init__(
        self, probe: Callable[[], object], *, enabled: bool = True, interval: float = PROBE_INTERVAL
    ) -> None:
        self._probe = probe
        self.enabled = enabled
        self.interval = interval
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        #: why the store is unreachable while the breaker is open; ``None`` while closed
        self.reason: str | None = None

    def check(self) -> None:
        """Raise :class:`StoreUnavailable` at once while open, instead of trying the store again."""
        reason = self.reason
        if reason is not None:
            raise StoreUnavailable(reason)

    def trip(self, reason: str) -> None:
        """Open the breaker (a request found the store unreachable) and start probing."""
        if not self.enabled or self._stop.is_set():
            return
        with self._lock:
            self.reason = reason
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="store-probe", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._probe()
            except StoreUnavailable as exc:
                self.reason = str(exc)
                continue
            except Exception:
                pass  # the store answered, with some other error: it is reachable
            with self._lock:
                self.reason = None
                self._thread = None
            return

    def close(self) -> None:
        """Stop probing (the app is shutting down)."""
        self._stop.set()
