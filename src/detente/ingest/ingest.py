"""Stream articles into a store: read -> skip what is stored -> extract -> write.

Articles whose id and content hash are stored already are counted as unchanged and never
parsed, so a second run over the same input is quick and changes nothing. The Documents are
written a few articles per transaction (every ``commit_every`` articles, or every
``commit_seconds``, whichever comes first): a crash or a kill loses at most that last group,
never part of an article, and running the same command again finishes the job.
"""

from __future__ import annotations

import csv
import gzip
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.ingest.readers import (
    MAX_CHARS,
    BadRecord,
    CsvColumns,
    _is_csv,
    _is_html,
    _is_jsonl,
    read_path,
)
from detente.schema import Article, Document
from detente.store.rows import content_hash

if TYPE_CHECKING:
    from detente.pipeline import Pipeline
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
    startup_seconds: float = 0.0  # of seconds: starting workers (the Ray engine)
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


def ingest(paths: Iterable[str], store: Store, pipeline: Pipeline | Callable[[], Pipeline], *,
           date: str | None = None,
           max_chars: int = MAX_CHARS, columns: CsvColumns | None = None,
           batch_size: int = 32, commit_every: int = 32, commit_seconds: float = 2.0,
           force: bool = False, on_skip: Callable[[BadRecord], None] | None = None,
           on_progress: Callable[[int], None] | None = None) -> IngestReport:
    """Read ``paths``, extract the new and changed articles, and write them to ``store``.

    ``on_skip`` is called with every skipped input as it is found and ``on_progress`` with
    the number of inputs dealt with since its last call (written, unchanged or skipped).
    ``force`` re-extracts and rewrites articles that are stored unchanged (after a new
    detente or new dictionaries). ``pipeline`` may be a function that builds one: it is then
    called only when some article needs extracting, so a run with nothing new is quick.
    """
    report = IngestReport()
    started = time.perf_counter()
    progress = on_progress or (lambda n: None)
    todo = pending_articles(paths, store.stored_hashes(), report, date=date,
                            max_chars=max_chars, columns=columns, force=force,
                            on_skip=on_skip, on_progress=progress)

    buffer: list[Document] = []
    last_commit = time.perf_counter()

    def flush() -> None:
        nonlocal last_commit
        if buffer:
            report.add(store.write_many(buffer, force=force))
            progress(len(buffer))
            buffer.clear()
        last_commit = time.perf_counter()

    try:
        first = next(todo, None)
        if first is None:
            return report
        extractor = pipeline() if callable(pipeline) else pipeline
        for document in extractor.extract_many(chain([first], todo),
                                               batch_size=batch_size):
            buffer.append(document)
            if (len(buffer) >= commit_every
                    or time.perf_counter() - last_commit >= commit_seconds):
                flush()
        flush()
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        report.seconds = time.perf_counter() - started
    return report
