"""Limits on ``POST /api/extract``, the one endpoint that costs a parse per request.

- :class:`RateLimit`: a token bucket per client address: ``per_minute`` requests a minute on
  average, bursts of up to ``burst``; past it the answer is 429 with ``Retry-After``.
- :class:`Gate`: at most ``size`` extractions running or waiting at once, whoever asks (the
  pipeline parses one article at a time); past it the answer is 503 with ``Retry-After``, so
  a crowd of POST requests cannot take every worker thread from the GET requests.
- :class:`Turns`: places given in the order they were asked for (the server's query slots).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class RateLimit:
    """Token buckets keyed by client; thread-safe. ``per_minute <= 0`` means no limit."""

    def __init__(self, per_minute: float, burst: int | None = None,
                 clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.per_second = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, math.ceil(per_minute / 6)))
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, client: str) -> float:
        """0 when ``client`` may go now (and one request is counted), else the seconds until
        it may."""
        if self.per_second <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            tokens, then = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.per_second)
            allowed = tokens >= 1.0
            self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
            while len(self._buckets) > self.max_clients:  # forget the longest-idle clients
                self._buckets.popitem(last=False)
            return 0.0 if allowed else (1.0 - tokens) / self.per_second


class Turns:
    """``size`` places taken in the order they were asked for: a place given back goes to the
    longest waiter, never to a thread that comes later (a semaphore lets a newcomer take it
    first, and a waiter can lose its turn again and again). Thread-safe."""

    def __init__(self, size: int) -> None:
        self._free = max(1, size)
        self._waiting: deque[threading.Lock] = deque()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait for a place, in turn."""
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by give() when the place is handed over

    def give(self) -> None:
        """Give a place back: to the longest waiter if any."""
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1


class Gate:
    """At most ``size`` holders at once; :meth:`enter` never blocks."""

    def __init__(self, size: int) -> None:
        self._free = threading.BoundedSemaphore(max(1, size))

    def enter(self) -> bool:
        """True (and a place is taken: call :meth:`leave`) when there is room."""
        return self._free.acquire(blocking=False)

    def leave(self) -> None:
        self._free.release()


__all__ = ["Gate", "RateLimit", "Turns"]
