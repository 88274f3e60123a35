"""The server's caches (detente.api.cache.QueryCache) and its request slots (Service.slot)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from detente.analysis.result import Result
from detente.api.app import Service
from detente.api.cache import QueryCache, answer_bytes
from detente.store import Store


def test_the_least_recently_used_result_goes_first():
    cache = QueryCache(2)
    for key in "ab":
        cache.get(key, lambda key=key: key.upper())
    assert cache.get("a", lambda: "recomputed") == "A"  # a is now the most recent
    cache.get("c", lambda: "C")
    assert cache.peek("b") is None and cache.peek("a") == "A" and cache.peek("c") == "C"


def test_a_weighed_cache_keeps_results_up_to_their_weight():
    cache = QueryCache(10, weigh=len)
    cache.get("a", lambda: "x" * 4)
    cache.get("b", lambda: "x" * 4)
    assert cache.weight == 8
    cache.get("c", lambda: "x" * 4)  # 12 > 10: the oldest goes
    assert cache.peek("a") is None and cache.weight == 8
    cache.get("huge", lambda: "x" * 50)  # kept alone, though over the bound
    assert cache.peek("huge") == "x" * 50 and cache.weight == 50
    assert cache.peek("b") is None and cache.peek("c") is None


def test_answers_weigh_about_what_they_hold():
    assert answer_bytes(b"x" * 1000) == 1100
    small = answer_bytes(Result(["a", "b"], [(1, "x")]))
    big = answer_bytes(Result(["a", "b"], [(i, "x") for i in range(1000)]))
    assert big - small == 48 * 2 * 999
    assert answer_bytes(object()) == 1000


def test_one_computation_however_many_ask_at_once():
    cache = QueryCache()
    calls = 0
    started = threading.Event()

    def slow() -> int:
        nonlocal calls
        calls += 1
        started.set()
        time.sleep(0.2)
        return 42

    answers: list[int] = []
    threads = [threading.Thread(target=lambda: answers.append(cache.get("k", slow)))
               for _ in range(8)]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert answers == [42] * 8 and calls == 1


def test_a_failure_reaches_every_asker_and_is_not_kept():
    cache = QueryCache()
    with pytest.raises(ValueError):
        cache.get("k", lambda: int("x"))
    assert cache.get("k", lambda: 7) == 7


def test_a_request_holds_one_slot_however_deep_it_asks(example_store: Path):
    store = Store(example_store, read_only=True)
    try:
        service = Service(store=store, slots=1)
        assert store.pairs is not None  # read-only: the server keeps pairs' units
        inside = threading.Event()
        release = threading.Event()
        order: list[str] = []

        def first() -> None:
            with service.slot(), service.slot():  # the inner one does not wait for itself
                inside.set()
                release.wait(5)
                order.append("first")

        def second() -> None:
            with service.slot():
                order.append("second")

        one = threading.Thread(target=first)
        one.start()
        inside.wait(5)
        two = threading.Thread(target=second)
        two.start()
        time.sleep(0.2)
        assert order == []  # the second waits for the only slot
        release.set()
        one.join(5)
        two.join(5)
        assert order == ["first", "second"]
    finally:
        store.close()


def test_a_request_holding_the_slot_and_another_asking_the_same_query_both_finish(
        example_store: Path):
    """A query's computer holds a slot before it is known as the computer: else, with one
    slot, it would wait for the slot of a request that waits for its result."""
    store = Store(example_store, read_only=True)
    try:
        service = Service(store=store, slots=1)
        holding = threading.Event()
        answers: list[Result] = []

        def run(_: Store) -> Result:
            return Result(["x"], [(1,)])

        def request() -> None:  # as cached_json: the slot, then the query inside
            with service.slot():
                holding.set()
                time.sleep(0.3)  # the other thread asks meanwhile
                answers.append(service.query(("k",), run))

        def warm() -> None:  # as the warm-up or a page: the query alone
            holding.wait(5)
            answers.append(service.query(("k",), run))

        threads = [threading.Thread(target=request, daemon=True),
                   threading.Thread(target=warm, daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(5)
        assert len(answers) == 2 and answers[0] is answers[1]
    finally:
        store.close()
