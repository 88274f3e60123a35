"""Ingest overhead: `detente ingest` against bare extraction of the same articles.

    .venv/bin/python benchmarks/ingest.py ../shared/corpus/wikinews_2019_2020.jsonl.gz
    .venv/bin/python benchmarks/ingest.py ../shared/corpus/reuters21578.jsonl.gz --limit 1000

Loads the pipeline once, then times (1) Pipeline.extract_many over the articles, (2) a full
ingest into a fresh store (read, hash, extract, write), (1) again, (3) a second ingest of the
same input (everything unchanged), and prints articles/s and the ratio of (2) to the faster
of the (1)s, in wall-clock and in CPU time (this process's, all threads: steadier when other
work shares the machine). ``--limit N`` takes the first N good articles (written to a temporary
JSONL file, so that the ingest reads the same ones).
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
import time
from pathlib import Path

from detente.ingest.ingest import ingest
from detente.ingest.readers import BadRecord, read_paths
from detente.pipeline import Pipeline, get_pipeline
from detente.schema import Article
from detente.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="corpus files or directories")
    parser.add_argument("--commit-every", type=int, default=32)
    parser.add_argument("--limit", type=int, default=None, help="the first N good articles")
    args = parser.parse_args()

    pipeline = get_pipeline()
    good = (a for a in read_paths(args.paths) if not isinstance(a, BadRecord))
    articles = list(itertools.islice(good, args.limit))
    with tempfile.TemporaryDirectory() as tmp:
        if args.limit is not None:
            sample = Path(tmp) / "sample.jsonl"
            sample.write_text("".join(json.dumps(vars(a)) + "\n" for a in articles),
                              encoding="utf-8")
            args.paths = [str(sample)]
        run(args, pipeline, articles)


def run(args: argparse.Namespace, pipeline: Pipeline, articles: list[Article]) -> None:
    pipeline.extract("Warm-up: Chile and Peru signed a trade agreement.")

    def bare_extraction() -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        events = sum(len(doc.events) for doc in pipeline.extract_many(articles))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"bare extraction   {len(articles)} articles, {events} events in {seconds:.1f} s "
              f"({len(articles) / seconds:.1f} articles/s), CPU {cpu:.1f} s")
        return seconds, cpu

    # Timed before and after the ingest, the faster run kept: other load on the machine
    # otherwise shows up as ingest overhead (or as a gain).
    first = bare_extraction()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        cpu = time.process_time()
        with Store(db) as store:
            report = ingest(args.paths, store, pipeline, commit_every=args.commit_every)
        cpu = time.process_time() - cpu
        print(f"ingest            {report.written} articles, {report.events} events in "
              f"{report.seconds:.1f} s ({report.written / report.seconds:.1f} articles/s), "
              f"CPU {cpu:.1f} s")
        second = bare_extraction()
        bare, bare_cpu = min(first[0], second[0]), min(first[1], second[1])
        print(f"ingest / bare     {report.seconds / bare:.3f} wall, {cpu / bare_cpu:.3f} CPU")
        with Store(db) as store:
            again = ingest(args.paths, store, pipeline)
        print(f"second ingest     {again.new} new, {again.unchanged} unchanged in "
              f"{again.seconds:.2f} s")
        print(f"store size        {db.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
