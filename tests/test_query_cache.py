"""The server's caches (detente.api.cache.QueryCache) and its request slots (Service.slot)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from detente.analysis.result import Result
from detente.api.app import Service
from detente.api.cache import QueryCache, answer_bytes
from detente.api.limits import Turns
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


def wait_for(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_slots_are_given_in_the_order_they_were_asked_for():
    """A slot given back goes to the longest waiter, not to a thread that asks later: with a
    semaphore, a request could lose its turn again and again (a long tail of latencies)."""
    turns = Turns(1)
    turns.take()
    served: list[int] = []

    def ask(i: int) -> None:
        turns.take()
        served.append(i)
        time.sleep(0.002)
        turns.give()

    threads = []
    for i in range(8):
        threads.append(threading.Thread(target=ask, args=(i,)))
        threads[-1].start()
        wait_for(lambda n=i + 1: len(turns._waiting) == n)  # queued, in this order
    turns.give()
    # a newcomer asks while the first waiter is being handed the slot: it goes last
    late = threading.Thread(target=ask, args=(99,))
    late.start()
    for thread in (*threads, late):
        thread.join(10)
    assert served == [*range(8), 99]
    turns.take()  # every slot was given back
    turns.give()


def test_more_slots_are_taken_at_once_without_waiting():
    turns = Turns(3)
    for _ in range(3):
        turns.take()
    assert not turns._waiting
    done = threading.Event()
    threading.Thread(target=lambda: (turns.take(), done.set())).start()
    wait_for(lambda: len(turns._waiting) == 1)
    assert not done.is_set()
    turns.give()
    assert done.wait(10)


def test_no_request_hops_to_a_thread_for_a_dependency(example_store: Path):
    """FastAPI runs a plain-function dependency in its thread pool: a hop to a thread and
    back on every request, which cost a third of the throughput of new dyad queries under
    load. The app's dependencies are coroutines."""
    import inspect

    from fastapi.routing import APIRoute

    from detente.api.app import create_app

    app = create_app(example_store, warm=False)
    try:
        found, routes = [], list(app.routes)
        while routes:
            route = routes.pop()
            routes += getattr(getattr(route, "original_router", None), "routes", [])
            if isinstance(route, APIRoute):
                todo = list(route.dependant.dependencies)
                while todo:
                    dependency = todo.pop()
                    todo += dependency.dependencies
                    found.append((route.path, dependency.call))
        assert found, "the API has no dependencies left to check"
        plain = [(path, getattr(call, "__name__", call)) for path, call in found
                 if not inspect.iscoroutinefunction(call)]
        assert plain == []
    finally:
        app.state.service.store.close()
