"""`detente ingest --engine ray`: extraction on a Ray cluster, rows into the same store.

The driver (this process) reads the inputs and decides what needs extracting exactly as the
local engine does (:func:`detente.ingest.ingest.pending_articles`). Batches of articles go to
Ray actors, each holding one loaded :class:`~detente.pipeline.Pipeline`; an actor turns its
batch into the store's rows (:func:`detente.store.rows.document_tables`, the code every write
goes through) and sends them back as Arrow tables. The driver writes each batch as a Parquet
part beside the store (:mod:`detente.store.parts`), stores the part in one transaction with
the usual rules (same content hash: left alone; another hash: replaced) and deletes it.

At most two batches per actor are in flight (one running, one queued), so memory stays flat
however long the input. A crashed actor is restarted and its batch retried; when that fails
too the run stops with an error and keeps every part it stored: run it again to finish.

Ray is imported only here, so ``detente`` starts as quickly as ever with the local engine.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import chain, islice
from typing import TYPE_CHECKING, Any

from detente.errors import DetenteError
from detente.ingest.ingest import IngestReport, pending_articles
from detente.ingest.readers import MAX_CHARS, BadRecord, CsvColumns
from detente.schema import Article

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.actors.dictionary import ActorDictionary
    from detente.store.store import Store

INSTALL_HINT = "pip install 'detente[ray]'"
# Batches queued per actor beyond the one it is working on: enough to keep it busy while the
# driver stores a part, few enough that memory does not grow with the input.
QUEUED_PER_WORKER = 1
MAX_RESTARTS = 2


class RayEngineError(DetenteError):
    """Ray is missing, the cluster cannot be reached, or a worker failed for good."""


def import_ray() -> Any:
    """The ``ray`` module, or an error that says how to install it."""
    try:
        import ray
    except ImportError as err:
        raise RayEngineError(f"--engine ray needs Ray, which is not installed; install it "
                             f"with `{INSTALL_HINT}`") from err
    return ray


class ExtractionWorker:
    """A Ray actor's state: one loaded pipeline; batches of articles in, table rows out."""

    def __init__(self, model: str, dictionary: ActorDictionary | None = None) -> None:
        from detente.pipeline import Pipeline

        self.pipeline = Pipeline(model, dictionary)

    def ready(self) -> int:
        """The actor's process id, once its pipeline is loaded."""
        return os.getpid()

    def extract(self, articles: list[Article], batch_size: int) -> dict[str, pa.Table]:
        """The store rows of ``articles``: one Arrow table per store table."""
        from detente.store.rows import document_tables

        return document_tables(self.pipeline.extract_many(articles, batch_size=batch_size),
                               datetime.now())


def connect(address: str | None, workers: int | None) -> tuple[Any, int, bool]:
    """Ray connected to ``address`` (a new local cluster when None).

    Returns the module, the number of workers to start and whether this call started Ray
    (and so should shut it down). A Ray already initialised in this process is used as it is.
    """
    ray = import_ray()
    started = False
    if not ray.is_initialized():
        if address:
            _check_reachable(address)
        try:
            if address:
                ray.init(address=address, log_to_driver=False)
            else:
                ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False,
                         log_to_driver=False)
        except (ConnectionError, TimeoutError, RuntimeError, ValueError) as err:
            where = (f"the Ray cluster at {address}" if address
                     else "a local Ray cluster")
            hint = ("; is `ray start --head` running there, and is the address HOST:PORT "
                    "(port 6379 by default)?" if address else "")
            raise RayEngineError(f"cannot connect to {where}: {err}{hint}") from err
        started = True
    cpus = int(ray.cluster_resources().get("CPU", 0))
    if workers is None:
        workers = max(1, cpus)
    elif workers > cpus:
        if started:
            ray.shutdown()
        raise RayEngineError(f"{workers} workers need {workers} CPUs and the Ray cluster"
                             f"{' at ' + address if address else ''} has {cpus}; give "
                             f"--workers {cpus} or fewer, or add nodes")
    return ray, workers, started


def _check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast when nothing listens at a HOST:PORT address (Ray itself retries for
    minutes). Other forms (``auto``, ``ray://...``) are left to Ray."""
    host, _, port = address.rpartition(":")
    if not host or "/" in host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        raise RayEngineError(f"cannot connect to the Ray cluster at {address}: {err}; is "
                             f"`ray start --head` running there, and is the address "
                             f"HOST:PORT of its head (port 6379 by default)?") from err


def ingest_ray(paths: Iterable[str], store: Store, *, model: str,
               dictionary: ActorDictionary | None = None, address: str | None = None,
               workers: int | None = None, date: str | None = None,
               max_chars: int = MAX_CHARS, columns: CsvColumns | None = None,
               batch_size: int = 32, force: bool = False,
               on_skip: Callable[[BadRecord], None] | None = None,
               on_progress: Callable[[int], None] | None = None) -> IngestReport:
    """Like :func:`detente.ingest.ingest.ingest`, with extraction on ``workers`` Ray actors.

    ``address`` is a running cluster's (``HOST:6379``); without one a local cluster of
    ``workers`` CPUs is started for this call (and stopped after it). ``workers`` defaults to
    the cluster's CPUs. ``batch_size`` articles go to an actor at a time and make one part
    (one transaction).
    """
    from detente.store.parts import complete_parts, remove_part, staging_dir, write_part

    if workers is not None and workers < 1:
        raise RayEngineError("--workers must be at least 1")
    if batch_size < 1:
        raise RayEngineError("--batch-size must be at least 1")
    report = IngestReport()
    began = time.perf_counter()
    progress = on_progress or (lambda n: None)
    staging = staging_dir(store.path)

    # parts a crashed run stored on disk but not in the store: they are whole, store them
    for part in complete_parts(staging):
        store.write_part(part)
        remove_part(part)

    todo = pending_articles(paths, store.stored_hashes(), report, date=date,
                            max_chars=max_chars, columns=columns, force=force,
                            on_skip=on_skip, on_progress=progress)
    ray = None
    started = False
    actors: list[Any] = []
    try:
        first = next(todo, None)
        if first is None:
            return report
        ray, workers, started = connect(address, workers)
        actor_class = ray.remote(num_cpus=1, max_restarts=MAX_RESTARTS,
                                 max_task_retries=MAX_RESTARTS)(ExtractionWorker)
        shared = ray.put(dictionary) if dictionary is not None else None
        actors = [actor_class.remote(model, shared) for _ in range(workers)]
        try:
            ray.get([a.ready.remote() for a in actors])
        except Exception as err:
            raise RayEngineError(f"the Ray workers could not load the pipeline: {err}; is "
                                 f"detente (and the model {model!r}) installed on every "
                                 f"node?") from err
        report.startup_seconds = time.perf_counter() - began

        batches: Iterator[list[Article]] = _batches(chain([first], todo), batch_size)
        in_flight: dict[Any, tuple[int, int]] = {}  # result ref -> (actor, batch length)
        load = [0] * len(actors)
        limit = 1 + QUEUED_PER_WORKER
        exhausted = False
        while True:
            while not exhausted and min(load) < limit:
                batch = next(batches, None)
                if batch is None:
                    exhausted = True
                    break
                index = load.index(min(load))
                in_flight[actors[index].extract.remote(batch, batch_size)] = (index, len(batch))
                load[index] += 1
            if not in_flight:
                break
            (done,), _ = ray.wait(list(in_flight), num_returns=1)
            index, count = in_flight.pop(done)
            load[index] -= 1
            try:
                tables = ray.get(done)
            except Exception as err:
                raise RayEngineError(
                    f"a Ray worker failed on a batch of {count} articles after "
                    f"{MAX_RESTARTS} retries: {err}; the articles stored so far are kept, run "
                    f"the same command again to finish") from err
            part = write_part(tables, staging)
            report.add(store.write_part(part, force=force))
            remove_part(part)
            progress(count)
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        report.seconds = time.perf_counter() - began
        if ray is not None:
            for actor in actors:  # free their CPUs for whatever runs next on the cluster
                ray.kill(actor)
            if started:
                ray.shutdown()
    return report


def _batches(articles: Iterator[Article], size: int) -> Iterator[list[Article]]:
    while batch := list(islice(articles, size)):
        yield batch


__all__ = ["ExtractionWorker", "RayEngineError", "connect", "import_ray", "ingest_ray"]
