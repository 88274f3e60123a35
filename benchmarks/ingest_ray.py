"""Scale-out: the local engine against `--engine ray` with 1 and 2 workers, from one run.

    .venv/bin/python benchmarks/ingest_ray.py ../shared/corpus/reuters21578.jsonl.gz --limit 1000

Takes the first ``--limit`` articles of the inputs, then times on the same articles: bare
extraction (Pipeline.extract_many, before and after, the faster kept), a local ingest into a
fresh store, and Ray ingests with 1 and 2 workers (each into a fresh store, on one local
cluster started once with 2 CPUs). Ray figures are given for the whole call and without
starting the workers (each loads its own pipeline: a few seconds, paid once per run).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from itertools import islice
from pathlib import Path

from detente.ingest.ingest import IngestReport, ingest
from detente.ingest.ray_engine import import_ray, ingest_ray
from detente.ingest.readers import BadRecord, read_paths
from detente.nlp import DEFAULT_MODEL
from detente.pipeline import get_pipeline
from detente.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="corpus files or directories")
    parser.add_argument("--limit", type=int, default=1000, help="articles to take")
    parser.add_argument("--batch-size", type=int, default=32, help="articles per Ray batch")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="Ray worker counts to time")
    args = parser.parse_args()

    articles = list(islice((a for a in read_paths(args.paths)
                            if not isinstance(a, BadRecord)), args.limit))
    chars = sum(len(a.text) for a in articles)
    print(f"sample            {len(articles)} articles, {chars / len(articles):.0f} chars "
          f"on average, {os.cpu_count()} CPUs")
    pipeline = get_pipeline()
    pipeline.extract("Warm-up: Chile and Peru signed a trade agreement.")

    def bare_extraction() -> float:
        started = time.perf_counter()
        events = sum(len(doc.events) for doc in pipeline.extract_many(articles))
        seconds = time.perf_counter() - started
        print(f"bare extraction   {len(articles)} articles, {events} events in {seconds:.1f} s "
              f"({len(articles) / seconds:.1f} articles/s)")
        return seconds

    def show(name: str, report: IngestReport) -> float:
        rate = report.written / report.seconds
        line = (f"{name:<18}{report.written} articles, {report.events} events in "
                f"{report.seconds:.1f} s ({rate:.1f} articles/s)")
        if report.startup_seconds:
            steady = report.written / (report.seconds - report.startup_seconds)
            line += (f"; workers started in {report.startup_seconds:.1f} s, "
                     f"{steady:.1f} articles/s after")
        print(line)
        return rate

    ray = import_ray()
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.jsonl"
        with sample.open("w", encoding="utf-8") as out:
            for a in articles:
                out.write(json.dumps({"id": a.id, "text": a.text, "title": a.title,
                                      "date": a.date, "url": a.url}) + "\n")
        first = bare_extraction()
        with Store(Path(tmp) / "local.duckdb") as store:
            local = ingest([str(sample)], store, pipeline)
        show("ingest, local", local)
        bare = min(first, bare_extraction())
        print(f"local ingest / bare extraction  {local.seconds / bare:.3f} (wall clock)")

        ray.init(num_cpus=max(args.workers), include_dashboard=False, log_to_driver=False)
        reports: dict[int, IngestReport] = {}
        try:
            for workers in args.workers:
                with Store(Path(tmp) / f"ray{workers}.duckdb") as store:
                    reports[workers] = ingest_ray([str(sample)], store, model=DEFAULT_MODEL,
                                                  workers=workers, batch_size=args.batch_size)
                show(f"ingest, ray-{workers}", reports[workers])
        finally:
            ray.shutdown()
        if 1 in reports and 2 in reports:
            one, two = reports[1], reports[2]
            total = one.seconds / two.seconds
            steady = ((one.seconds - one.startup_seconds)
                      / (two.seconds - two.startup_seconds))
            print(f"ray-2 / ray-1     {total:.2f}x articles/s ({steady:.2f}x after starting "
                  f"the workers)")


if __name__ == "__main__":
    main()
