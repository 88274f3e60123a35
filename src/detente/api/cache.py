"""Query results kept while the server runs, computed once however many ask at the same time.

The server opens its store read-only, and DuckDB lets no other process write to a file that
is open, so a result cannot go stale while the server holds it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class QueryCache:
    """A bounded LRU map from a query's arguments to its result, with single flight: while
    one thread computes a key, the others asking for it wait for that result.

    ``size`` bounds the number of results, or with ``weigh`` the sum of their weights (bytes,
    say); the result just computed is kept even when it alone weighs more."""

    def __init__(self, size: int = 512, weigh: Callable[[Any], int] | None = None) -> None:
        self.size = size
        self.weigh = weigh
        self.weight = 0
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, _Pending] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _weight(self, value: Any) -> int:
        return 1 if self.weigh is None else self.weigh(value)

    def peek(self, key: Hashable) -> Any:
        """The value kept for ``key``, or None (nothing is computed)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        return None

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            pending = self._pending.get(key)
            owner = pending is None
            if pending is None:
                pending = self._pending[key] = _Pending()
                self.misses += 1
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            pending.value = compute()
        except BaseException as err:
            pending.error = err
            raise
        finally:
            with self._lock:
                del self._pending[key]
                if pending.error is None:
                    self._items[key] = pending.value
                    self.weight += self._weight(pending.value)
                    while self.weight > self.size and len(self._items) > 1:
                        self.weight -= self._weight(self._items.popitem(last=False)[1])
            pending.done.set()
        return pending.value


def answer_bytes(value: Any) -> int:
    """About the memory an answer holds: a JSON body its length, a query's rows about 48
    bytes a value (a tuple's slot, a float or a short string of its own), anything else
    1 kB."""
    if isinstance(value, bytes | str):
        return 100 + len(value)
    rows, columns = getattr(value, "rows", None), getattr(value, "columns", None)
    if isinstance(rows, list) and isinstance(columns, list):
        return 200 + 48 * len(rows) * max(1, len(columns))
    return 1000
