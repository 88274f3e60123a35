"""Extraction on several cores: worker processes that each hold one loaded Pipeline.

``--jobs N`` on ``detente extract`` and ``detente ingest``. The parsing is one part of the work;
actors, quotes, events and stances run in Python after it, so rather than spaCy's
``n_process`` (which parallelises only the parse) every worker runs the whole
:class:`~detente.pipeline.Pipeline` and sends back finished Documents.

- The workers are started (``spawn``: a fresh interpreter, nothing inherited from a process
  that may hold DuckDB threads) on demand, at most ``jobs`` of them, each loading the model
  and the dictionaries once, from the same :class:`PipelineSpec` the one-process path builds
  from, so every worker builds the same Pipeline.
- This process reads the inputs, sends chunks of ``batch_size`` articles (the batches
  ``nlp.pipe`` would form in one process, so the parses are the same) and yields the
  Documents in input order. At most two chunks per worker are in flight, so memory does not
  grow with the input.
- Workers ignore Ctrl-C (the terminal sends it to the whole process group): this process
  gets it, stops, and ends them. A worker whose parent dies (``kill -9``) exits by itself.
  A worker that dies or fails is reported as an error naming what happened.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
import time
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from detente.errors import DetenteError
from detente.gcpause import long_lived
from detente.nlp import BATCH_CHARS, BATCH_SIZE, batches
from detente.schema import Article, Document

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    import pyarrow as pa

    from detente.pipeline import Pipeline

# Chunks queued per worker beyond the one it is working on. The results come back in input
# order, so a worker that finishes early waits for a slower one only when all of these are
# done: two keeps both cores busy through the usual spread of chunk times.
QUEUED_PER_WORKER = 2
_POLL_SECONDS = 0.5


class Extractor(Protocol):
    """What turns articles into Documents in input order: a Pipeline or a PipelinePool."""

    def extract_many(self, articles: Iterable[Article], batch_size: int = ...,
                     batch_chars: int = ...) -> Iterator[Document]: ...


class WorkerError(DetenteError):
    """A worker process failed to start, failed on a chunk, or died."""


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def resolve_jobs(jobs: int) -> int:
    """``jobs`` worker processes; 0 means one per available core."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (all cores) or more")
    return jobs or available_cores()


@dataclass(frozen=True)
class PipelineSpec:
    """How to build a Pipeline: the model and a user's dictionary files (the CLI options).

    Picklable and small: worker processes get the spec and build their own Pipeline from it,
    the same one :meth:`build` gives in this process.
    """

    model: str | None = None
    actor_files: tuple[str, ...] = ()
    role_files: tuple[str, ...] = ()
    petrarch_actors: tuple[str, ...] = ()
    petrarch_agents: tuple[str, ...] = ()
    petrarch_verbs: tuple[str, ...] = ()
    petrarch_verb_codes: str = "cameo"  # how the codes of petrarch_verbs are read (or "weis")

    @property
    def custom(self) -> bool:
        """Whether the user gave dictionaries of their own."""
        return bool(self.actor_files or self.role_files or self.petrarch_actors
                    or self.petrarch_agents or self.petrarch_verbs)

    def build_for_process(self) -> Pipeline:
        """:meth:`build` for a pipeline that lives as long as the process (a command's or a
        worker's): built with no automatic garbage collection, then frozen
        (:func:`detente.gcpause.long_lived`)."""
        with long_lived():
            return self.build()

    def build(self) -> Pipeline:
        """The Pipeline: the process-wide one for the model when no dictionaries are given."""
        from detente.actors.dictionary import build_dictionary
        from detente.nlp import DEFAULT_MODEL
        from detente.pipeline import Pipeline, get_pipeline

        model = self.model or DEFAULT_MODEL
        if not self.custom:
            return get_pipeline(model)
        verb_dictionary = None
        if self.petrarch_verbs:
            from detente.events.petrarch_verbs import load_petrarch_verb_dictionary

            verb_dictionary = load_petrarch_verb_dictionary(self.petrarch_verbs,
                                                            codes=self.petrarch_verb_codes)
        dictionary = build_dictionary(self.actor_files, self.role_files,
                                      self.petrarch_actors, self.petrarch_agents)
        return Pipeline(model, dictionary, verb_dictionary=verb_dictionary)


# ---- the worker process ----------------------------------------------------------------------

def _exit_with_parent() -> None:
    """End this worker when its parent dies (a kill -9 leaves no one to stop it)."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="detente-parent-watch", daemon=True).start()


def _describe(err: BaseException) -> tuple[bool, str]:
    """(whether it is a DetenteError, the message to show)."""
    if isinstance(err, DetenteError):
        return True, str(err)
    return False, "".join(traceback.format_exception(err)).rstrip()


def _work(spec: PipelineSpec, index: int, tasks: Any, results: Any) -> None:
    """A worker's life: build the pipeline, then chunks of articles in, Documents (or the
    store's rows of them, as Arrow tables) out."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_parent()
    if index > 0:  # the first worker alone reports dictionary warnings: once, not N times
        logging.disable(logging.WARNING)
    try:
        pipeline = spec.build_for_process()
    except BaseException as err:  # every failure goes back to the parent
        results.put(("failed", index, None, _describe(err)))
        return
    logging.disable(logging.NOTSET)
    results.put(("ready", index, None, os.getpid()))
    while True:
        task = tasks.get()
        if task is None:
            return
        run, seq, articles, batch_size, batch_chars, as_rows = task
        try:
            documents = pipeline.extract_many(articles, batch_size=batch_size,
                                              batch_chars=batch_chars)
            if as_rows:
                from detente.store.rows import document_tables

                payload: Any = document_tables(documents, datetime.now())
            else:
                payload = list(documents)
        except BaseException as err:  # reported, and the next chunk taken
            results.put(("failed", run, seq, _describe(err)))
            continue
        results.put(("done", run, seq, payload))


# ---- the pool --------------------------------------------------------------------------------

class PipelinePool:
    """``jobs`` worker processes with a Pipeline each; :meth:`extract_many` like a Pipeline's.

    Use it as a context manager (or call :meth:`close`): the workers are started by the
    first :meth:`extract_many` (only as many as there are chunks to share, up to ``jobs``)
    and live until the pool is closed, so their start-up is paid once however many calls.
    The workers are spawned, so a script that makes a pool needs the usual
    ``if __name__ == "__main__":`` guard around its top-level code.
    """

    def __init__(self, spec: PipelineSpec, jobs: int) -> None:
        if jobs < 1:
            raise ValueError("a pool needs at least one worker")
        self.spec = spec
        self.jobs = jobs
        self._context = multiprocessing.get_context("spawn")
        self._tasks: Any = None
        self._results: Any = None
        self._workers: list[BaseProcess] = []
        self._runs = itertools.count()
        self._started_at: float | None = None
        self.startup_seconds: float | None = None  # until every started worker was ready
        self._ready = 0
        self._broken: str | None = None

    def __enter__(self) -> PipelinePool:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        self.close(wait=kind is None)

    @property
    def pids(self) -> list[int]:
        return [w.pid for w in self._workers if w.pid is not None]

    def _spawn(self) -> None:
        if self._tasks is None:
            self._tasks = self._context.Queue()
            self._results = self._context.Queue()
            self._started_at = time.perf_counter()
        worker = self._context.Process(
            target=_work, args=(self.spec, len(self._workers), self._tasks, self._results),
            name=f"detente-worker-{len(self._workers)}", daemon=True)
        # Started with SIGINT ignored, which the new interpreter keeps from its first
        # instruction: a Ctrl-C while it imports spaCy does not print a traceback from it.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if _main_thread() else None
        try:
            worker.start()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self._workers.append(worker)

    def start(self) -> None:
        """Start all ``jobs`` workers now and wait until each has loaded its pipeline (else
        they start with the first chunks that need them)."""
        if self._broken is not None:
            raise WorkerError(f"the pool is broken ({self._broken}); close it first")
        while len(self._workers) < self.jobs:
            self._spawn()
        while self._ready < len(self._workers):
            self._receive(None)

    def _receive(self, run: int | None) -> tuple[int, Any]:
        """The next finished chunk of ``run``: (sequence number, what the worker made)."""
        while True:
            try:
                kind, tag, seq, payload = self._results.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                self._check_alive()
                continue
            if kind == "ready":
                self._ready += 1
                if self._ready == len(self._workers):
                    assert self._started_at is not None
                    self.startup_seconds = time.perf_counter() - self._started_at
                    if run is None:
                        return -1, []
                continue
            if kind == "failed":
                is_ours, message = payload
                if seq is None:
                    self._broken = message
                    raise WorkerError(message if is_ours else
                                      f"a worker could not build the pipeline:\n{message}")
                if tag != run:
                    continue
                self._broken = message
                raise WorkerError(message if is_ours else
                                  f"a worker failed on a chunk of articles:\n{message}")
            if tag == run:  # results of an earlier, abandoned run are dropped
                return seq, payload

    def _check_alive(self) -> None:
        for worker in self._workers:
            if worker.exitcode is not None:
                code = worker.exitcode
                how = (f"was killed by signal {-code}" if code < 0
                       else f"exited with status {code}")
                hint = " (out of memory?)" if code == -signal.SIGKILL else ""
                self._broken = f"worker {worker.pid} {how}"
                raise WorkerError(f"a worker process ({worker.name}, pid {worker.pid}) {how}"
                                  f"{hint}; what was written before is kept, run the same "
                                  f"command again to finish")

    def extract_many(self, articles: Iterable[Article], batch_size: int = BATCH_SIZE,
                     batch_chars: int = BATCH_CHARS) -> Iterator[Document]:
        """Documents for ``articles`` in input order, extracted by the workers."""
        for documents in self._chunks(articles, batch_size, batch_chars, as_rows=False):
            yield from documents

    def extract_rows(self, articles: Iterable[Article], batch_size: int = BATCH_SIZE,
                     batch_chars: int = BATCH_CHARS) -> Iterator[dict[str, pa.Table]]:
        """The store's rows of ``articles`` (see :func:`detente.store.rows.document_tables`),
        one set of tables per batch (:func:`detente.nlp.batches`), in input order. The
        workers build the rows, so this process only writes them: what ``ingest --jobs N``
        uses."""
        yield from self._chunks(articles, batch_size, batch_chars, as_rows=True)

    def _chunks(self, articles: Iterable[Article], batch_size: int, batch_chars: int,
                as_rows: bool) -> Iterator[Any]:
        """What the workers made of each batch of ``articles`` (the batches one process
        would parse: each chunk is parsed as one), in input order."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self._broken is not None:
            raise WorkerError(f"the pool is broken ({self._broken}); close it first")
        run = next(self._runs)
        source = batches(articles, batch_size, batch_chars)
        depth = self.jobs * (1 + QUEUED_PER_WORKER)
        finished: dict[int, Any] = {}
        sent = received = 0
        exhausted = False
        while True:
            while not exhausted and sent - received < depth:
                chunk = next(source, None)
                if chunk is None:
                    exhausted = True
                    break
                if len(self._workers) < min(self.jobs, sent + 1):
                    self._spawn()
                self._tasks.put((run, sent, chunk, batch_size, batch_chars, as_rows))
                sent += 1
            if received == sent:
                return
            while received not in finished:
                seq, payload = self._receive(run)
                finished[seq] = payload
            yield finished.pop(received)
            received += 1

    def close(self, wait: bool = True) -> None:
        """Stop the workers: let them finish and exit (``wait``), or end them at once."""
        workers, self._workers = self._workers, []
        if not workers:
            self._broken = None
            return
        if wait and self._broken is None:
            for _ in workers:
                self._tasks.put(None)
            deadline = time.monotonic() + 10
            for worker in workers:
                worker.join(max(0.0, deadline - time.monotonic()))
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
        for worker in workers:
            worker.join(5)
            if worker.is_alive():
                worker.kill()
                worker.join()
        for q in (self._tasks, self._results):
            q.close()
            q.cancel_join_thread()
        self._tasks = self._results = None
        self._broken = None
        self._ready = 0


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def extractor(spec: PipelineSpec, jobs: int) -> Pipeline | PipelinePool:
    """The Pipeline itself for one job, else a pool of ``jobs`` workers (0: all cores)."""
    jobs = resolve_jobs(jobs)
    return spec.build_for_process() if jobs == 1 else PipelinePool(spec, jobs)


__all__ = ["Extractor", "PipelinePool", "PipelineSpec", "WorkerError", "available_cores",
           "extractor", "resolve_jobs"]
