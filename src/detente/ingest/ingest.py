"""Stream articles into a store: read -> skip what is stored -> extract -> write.

Articles whose id and content hash are stored already are counted as unchanged and never
parsed, so a second run over the same input is quick and changes nothing. The Documents are
written a few articles per transaction (every ``commit_every`` articles, or every
``commit_seconds``, whichever comes first) by a writer thread, while the next group is
extracted: a crash or a kill loses what was not committed, at most the group being written
and the articles extracted since, never part of an article, and running the same command
again finishes the job. Extraction runs in this process (a Pipeline) or in worker processes
(a :class:`~detente.parallel.PipelinePool`, ``--jobs N``); either gives the same rows.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from detente.ingest.readers import (
    MAX_CHARS,
    BadRecord,
    CsvColumns,
    _is_csv,
    _is_html,
    _is_jsonl,
    read_path,
)
from detente.nlp import BATCH_CHARS, BATCH_SIZE
from detente.parallel import PipelinePool
from detente.schema import Article, Document
from detente.store.rows import content_hash

T = TypeVar("T")

#: articles an ingest writes between two reopenings of its store (see :func:`release_memory`)
RELEASE_EVERY = 1000

if TYPE_CHECKING:
    import pyarrow as pa

    from detente.parallel import Extractor
    from detente.store.store import Store, WriteResult


@dataclass
class IngestReport:
    """What one ingest did."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    skipped: list[BadRecord] = field(default_factory=list)
    events: int = 0
    quotes: int = 0
    seconds: float = 0.0
    startup_seconds: float = 0.0  # of seconds: starting workers (--jobs N, the Ray engine)
    interrupted: bool = False

    def add(self, result: WriteResult) -> None:
        """Count what one store write did."""
        self.new += result.new
        self.replaced += result.replaced
        self.unchanged += result.unchanged
        self.events += result.events
        self.quotes += result.quotes

    @property
    def written(self) -> int:
        return self.new + self.replaced

    @property
    def read(self) -> int:
        return self.new + self.replaced + self.unchanged + len(self.skipped)

    def skipped_by_reason(self) -> list[tuple[str, int]]:
        """Skipped inputs counted by the short form of their reason, most frequent first."""
        def short(reason: str) -> str:
            return reason.split(";")[0].split(" (")[0].strip()

        return Counter(short(b.reason) for b in self.skipped).most_common()

    def summary(self) -> str:
        rate = self.written / self.seconds if self.seconds else 0.0
        lines = [
            f"articles   new {self.new}, replaced {self.replaced}, unchanged {self.unchanged}, "
            f"skipped {len(self.skipped)}",
            f"extracted  {self.events} events, {self.quotes} quotes from {self.written} "
            f"articles in {self.seconds:.1f} s ({rate:.1f} articles/s)",
        ]
        for reason, count in self.skipped_by_reason():
            lines.append(f"skipped    {count} × {reason}")
        if self.interrupted:
            lines.append("interrupted: what was committed is kept; run the same command again "
                         "to finish")
        return "\n".join(lines)


def _input_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(f for f in path.rglob("*") if f.is_file() and
                      (f.suffix == ".txt" or _is_jsonl(f) or _is_csv(f) or _is_html(f)))
    return [path] if path.exists() else []


def count_records(paths: Iterable[str]) -> int | None:
    """About how many records ``paths`` hold (for the progress bar), without parsing them.

    None when it cannot be told cheaply (standard input).
    """
    total = 0
    for name in paths:
        if name == "-":
            return None
        for path in _input_files(Path(name)):
            try:
                opener: Any = gzip.open if path.name.endswith(".gz") else open
                if _is_jsonl(path):
                    with opener(path, "rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                elif _is_csv(path):
                    with opener(path, "rt", encoding="utf-8", errors="replace",
                                newline="") as handle:
                        total += max(0, sum(1 for _ in csv.reader(handle)) - 1)
                else:
                    total += 1
            except (OSError, EOFError, csv.Error):
                total += 1
    return total


def pending_articles(paths: Iterable[str], stored: dict[str, str], report: IngestReport, *,
                     date: str | None = None, max_chars: int = MAX_CHARS,
                     columns: CsvColumns | None = None, force: bool = False,
                     on_skip: Callable[[BadRecord], None] | None = None,
                     on_progress: Callable[[int], None] | None = None) -> Iterator[Article]:
    """The articles of ``paths`` that need extracting, as every engine decides them.

    ``stored`` maps stored ids to content hashes (updated as articles are yielded). Bad
    inputs, articles stored unchanged (unless ``force``) and an id given twice in one run
    with other content are counted in ``report`` and not yielded.
    """
    seen: set[str] = set()
    progress = on_progress or (lambda n: None)

    def skip(bad: BadRecord) -> None:
        report.skipped.append(bad)
        if on_skip:
            on_skip(bad)
        progress(1)

    for name in paths:
        for item in read_path(name, date, max_chars, columns):
            if isinstance(item, BadRecord):
                skip(item)
                continue
            digest = content_hash(item)
            if item.id in seen:
                if stored.get(item.id) == digest:
                    report.unchanged += 1
                    progress(1)
                else:
                    skip(BadRecord(name, None, f"the id {item.id!r} was given to another "
                                               "article earlier in this run; give each "
                                               "article its own id"))
                continue
            seen.add(item.id)
            if not force and stored.get(item.id) == digest:
                report.unchanged += 1
                progress(1)
                continue
            stored[item.id] = digest
            yield item


class _Writer:
    """Stores groups of articles in a thread of its own, one transaction a group.

    DuckDB releases the GIL while it executes, so the writes overlap the extraction. One
    group at a time: :meth:`submit` first waits for the group before it, so what is not
    committed is at most the group being written and the articles extracted since.
    ``report`` and ``progress`` are updated in the calling thread, as each write is seen done.
    Every ``release_every`` articles written, the writer thread reopens the store and hands
    freed heap back to the system (:func:`release_memory`), so that memory stays flat in the
    length of the input.
    """

    def __init__(self, store: Store, force: bool, report: IngestReport,
                 progress: Callable[[int], None], release_every: int = RELEASE_EVERY) -> None:
        self.store, self.force, self.report, self.progress = store, force, report, progress
        self.release_every = release_every
        self._executor: ThreadPoolExecutor | None = None
        self._pending: Future[WriteResult] | None = None
        self._count = 0
        self._since_release = 0

    def submit(self, documents: list[Document]) -> None:
        """Store Documents (extracted in this process)."""
        self._submit(self.store.write_many, documents, len(documents))

    def submit_tables(self, groups: list[dict[str, pa.Table]]) -> None:
        """Store rows a worker made (:meth:`PipelinePool.extract_rows`), several chunks as
        one group."""
        import pyarrow as pa

        if not groups:
            return
        tables = groups[0] if len(groups) == 1 else {
            name: pa.concat_tables([g[name] for g in groups]) for name in groups[0]}
        self._submit(self.store.write_tables, tables, tables["articles"].num_rows)

    def _submit(self, write: Callable[..., WriteResult], rows: Any, count: int) -> None:
        self.wait()
        if not count:
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="detente-writer")
        self._since_release += count
        release = 0 < self.release_every <= self._since_release
        if release:
            self._since_release = 0

        def job() -> WriteResult:
            result = write(rows, force=self.force)
            if release:
                release_memory(self.store)
            return result

        self._pending = self._executor.submit(job)
        self._count = count

    def poll(self) -> None:
        """Count the last write if it is done (keeps the progress bar current)."""
        if self._pending is not None and self._pending.done():
            self.wait()

    def wait(self) -> None:
        """Wait for the group being written, count it, and raise what it raised."""
        if self._pending is None:
            return
        future, self._pending = self._pending, None
        self.report.add(future.result())
        self.progress(self._count)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)


def release_memory(store: Store) -> None:
    """Reopen ``store`` (DuckDB then frees what it keeps of the tables it wrote) and ask
    glibc's allocator to give free heap pages back to the system (a no-op elsewhere)."""
    import ctypes

    store.reopen()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to trim
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _groups(items: Iterable[T], size: Callable[[T], int], commit_every: int,
            commit_seconds: float, poll: Callable[[], None]) -> Iterator[list[T]]:
    """``items`` in groups of ``commit_every`` articles (``size``: an item's articles) or of
    what came in ``commit_seconds``; the last group may be empty. ``poll`` after each item."""
    group: list[T] = []
    count = 0
    last_commit = time.perf_counter()
    for item in items:
        group.append(item)
        count += size(item)
        poll()
        if count >= commit_every or time.perf_counter() - last_commit >= commit_seconds:
            yield group
            group, count = [], 0
            last_commit = time.perf_counter()
    yield group


def _writer_threads(store: Store, threads: int) -> int:
    """Set DuckDB's threads for ``store`` and return the previous number. The writes of an
    ingest are small transactions: one thread does them with less CPU than several (whose
    start-up per statement costs more than it saves), and leaves the cores to extraction."""
    row = store.con.execute("SELECT current_setting('threads')").fetchone()
    store.con.execute(f"SET threads = {int(threads)}")
    return int(row[0]) if row else threads


def ingest(paths: Iterable[str], store: Store,
           pipeline: Extractor | Callable[[], Extractor], *,
           date: str | None = None,
           max_chars: int = MAX_CHARS, columns: CsvColumns | None = None,
           batch_size: int = BATCH_SIZE, batch_chars: int = BATCH_CHARS,
           commit_every: int = 128, commit_seconds: float = 2.0,
           force: bool = False, on_skip: Callable[[BadRecord], None] | None = None,
           on_progress: Callable[[int], None] | None = None,
           release_every: int = RELEASE_EVERY) -> IngestReport:
    """Read ``paths``, extract the new and changed articles, and write them to ``store``.

    ``on_skip`` is called with every skipped input as it is found and ``on_progress`` with
    the number of inputs dealt with since its last call (written, unchanged or skipped).
    ``force`` re-extracts and rewrites articles that are stored unchanged (after a new
    detente or new dictionaries). ``pipeline`` is a :class:`~detente.pipeline.Pipeline`, a
    :class:`~detente.parallel.PipelinePool` (several processes; the caller closes it) or a
    function that builds one: it is then called only when some article needs extracting, so
    a run with nothing new is quick.

    Articles are parsed in batches of at most ``batch_size`` articles and ``batch_chars``
    characters (:func:`detente.nlp.batches`). The Documents are stored every
    ``commit_every`` articles (or ``commit_seconds``), one transaction per group, by a
    writer thread while the next group is extracted. Every
    ``release_every`` articles (0: never) the store is reopened to free DuckDB's memory
    (:func:`release_memory`): cursors of ``store`` taken before keep the old connection.
    """
    report = IngestReport()
    started = time.perf_counter()
    progress = on_progress or (lambda n: None)
    todo = pending_articles(paths, store.stored_hashes(), report, date=date,
                            max_chars=max_chars, columns=columns, force=force,
                            on_skip=on_skip, on_progress=progress)

    writer = _Writer(store, force, report, progress, release_every)
    extractor: Extractor | None = None
    threads = _writer_threads(store, 1)
    try:
        first = next(todo, None)
        if first is None:
            return report
        extractor = pipeline() if callable(pipeline) else pipeline
        articles = chain([first], todo)
        if isinstance(extractor, PipelinePool):
            # the workers build the rows: this process reads, and writes what comes back
            for tables in _groups(extractor.extract_rows(articles, batch_size, batch_chars),
                                  lambda t: t["articles"].num_rows, commit_every,
                                  commit_seconds, writer.poll):
                writer.submit_tables(tables)
        else:
            for documents in _groups(extractor.extract_many(articles, batch_size, batch_chars),
                                     lambda d: 1, commit_every, commit_seconds, writer.poll):
                writer.submit(documents)
        writer.wait()
    except KeyboardInterrupt:
        report.interrupted = True
        writer.wait()  # the group being written commits; the one being gathered is dropped
    finally:
        writer.close()
        _writer_threads(store, threads)
        report.seconds = time.perf_counter() - started
        report.startup_seconds = getattr(extractor, "startup_seconds", None) or 0.0
    return report
