"""Words per second of `extract` against the bare spaCy pipeline, on the same articles.

    python benchmarks/throughput.py CORPUS.jsonl.gz [--limit N] [--batch-size N]

Both runs happen in this one process, on the same articles, with the same model and the same
components, so the ratio is fair on a noisy machine. The spaCy run goes first and warms the
same model; the extract run then streams the articles and prints the resident memory at
quarters of the corpus, which should stay flat (articles are never all held at once).
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from detente.ingest.readers import BadRecord, read_path
from detente.pipeline import Pipeline
from detente.schema import Article


def rss_mb() -> float:
    """Current resident memory in MB (Linux)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 1e6


def articles(path: str, limit: int | None) -> Iterator[Article]:
    good = (a for a in read_path(path) if not isinstance(a, BadRecord))
    return itertools.islice(good, limit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    count = sum(1 for _ in articles(args.corpus, args.limit))
    words = sum(len(a.text.split()) for a in articles(args.corpus, args.limit))
    pipeline = Pipeline()
    print(f"corpus: {args.corpus}: {count} articles, {words:,} words")
    print(f"pipeline components: {', '.join(pipeline.nlp.pipe_names)}")

    start = time.perf_counter()
    for _ in pipeline.nlp.pipe((a.text for a in articles(args.corpus, args.limit)),
                               batch_size=args.batch_size):
        pass
    spacy_s = time.perf_counter() - start

    marks = {max(1, count * q // 4) for q in (1, 2, 3, 4)}
    start = time.perf_counter()
    events = 0
    for n, doc in enumerate(pipeline.extract_many(articles(args.corpus, args.limit),
                                                  batch_size=args.batch_size), start=1):
        events += len(doc.events)
        if n in marks:
            print(f"  after {n:>6} articles: RSS {rss_mb():7.1f} MB")
    extract_s = time.perf_counter() - start

    spacy_wps, extract_wps = words / spacy_s, words / extract_s
    print(f"spaCy alone : {spacy_s:8.2f} s  {spacy_wps:10,.0f} words/s")
    print(f"extract     : {extract_s:8.2f} s  {extract_wps:10,.0f} words/s  ({events} events)")
    print(f"ratio extract/spaCy: {extract_wps / spacy_wps:.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
