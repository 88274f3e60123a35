"""--jobs: ingest speed with 1 and 2 jobs, and the wall time and memory of a whole ingest.

    .venv/bin/python benchmarks/jobs.py speed ../shared/corpus/reuters21578.jsonl.gz --limit 1000
    .venv/bin/python benchmarks/jobs.py run ../shared/corpus/reuters21578.jsonl.gz --limit 2000 \\
        --jobs 2
    .venv/bin/python benchmarks/jobs.py nprocess ../shared/corpus/reuters21578.jsonl.gz --limit 500
    .venv/bin/python benchmarks/jobs.py memory ../shared/corpus/reuters21578.jsonl.gz --every 2000

``speed`` ingests the first ``--limit`` good articles into a fresh store once per value of
``--jobs`` (default 1 then 2), in this process, with the pipeline (or the pool's workers)
loaded before the clock starts, and prints articles/s, the CPU seconds of the process tree
(this process and the workers) and the ratio of each to the first. ``--repeat R`` runs the
sequence R times (alternating, so that a change of load on the machine hits both) and keeps
the best run of each.

``run`` runs ``detente ingest --jobs N`` as a user would (a subprocess, model loading
included) on the corpus (or its first ``--limit`` good articles) and polls /proc every 0.1 s
for the resident memory of the whole process tree (the ingest, its workers and helpers):
it prints the wall time, the peak of the tree's summed RSS and PSS (PSS counts shared pages
once), the peak of any one process, and the tree's RSS at the end of each quarter of the run.

``memory`` ingests in this process (``--jobs 1``) and, every ``--every`` articles, prints
where the memory is: the RSS now and its peak so far (polled every 0.1 s), glibc's main heap
(in use and free-but-kept), DuckDB's own accounting (``duckdb_memory()``), and the spaCy
vocabulary (lexemes, strings): what grows with the corpus and what does not.

``nprocess`` compares, on bare extraction (no store), the pool of ``--jobs`` workers with
spaCy's own ``nlp.pipe(n_process=...)``, which parses in worker processes and runs the rest
of the pipeline (actors, quotes, events, stances) in this one.

All print the load average before and after: other work on the machine changes the
figures, less so their ratios.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from detente.ingest.ingest import ingest
from detente.ingest.readers import BadRecord, read_paths
from detente.parallel import Extractor, PipelinePool, PipelineSpec
from detente.schema import Document
from detente.store import Store

DETENTE = [sys.executable, "-m", "detente.cli"]
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def sample(paths: list[str], limit: int | None, directory: str) -> tuple[list[str], int]:
    """The inputs to ingest: ``paths`` as they are, or a JSONL of their first ``limit`` good
    articles; and the number of good articles."""
    good = (a for a in read_paths(paths) if not isinstance(a, BadRecord))
    if limit is None:
        return paths, sum(1 for _ in good)
    articles = list(itertools.islice(good, limit))
    path = Path(directory) / "sample.jsonl"
    path.write_text("".join(json.dumps(vars(a)) + "\n" for a in articles), encoding="utf-8")
    return [str(path)], len(articles)


# ---- /proc --------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree(root: int) -> list[int]:
    """``root`` and all its live descendants."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0] != "Z":
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (threads included)."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# ---- speed --------------------------------------------------------------------------------

def speed(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inputs, count = sample(args.paths, args.limit, tmp)
        print(f"{count} articles; {load()}")
        spec = PipelineSpec()
        best: dict[int, tuple[float, float]] = {}
        for round_ in range(args.repeat):
            order = args.jobs if round_ % 2 == 0 else list(reversed(args.jobs))
            for jobs in order:
                rate, cpu = speed_once(spec, jobs, inputs, Path(tmp) / f"j{jobs}-{round_}.duckdb",
                                       args.batch_size)
                old = best.get(jobs)
                if old is None or rate > old[0]:
                    best[jobs] = (rate, cpu)
        first = args.jobs[0]
        base_rate, base_cpu = best[first]
        print(f"best of {args.repeat}; {load()}")
        for jobs in args.jobs:
            rate, cpu = best[jobs]
            print(f"jobs {jobs}: {rate:6.1f} articles/s, {cpu:6.1f} CPU s  "
                  f"speed ×{rate / base_rate:.2f} of jobs {first}, CPU ×{cpu / base_cpu:.2f}")


def speed_once(spec: PipelineSpec, jobs: int, inputs: list[str], db: Path,
               batch_size: int) -> tuple[float, float]:
    before = load()
    pool = PipelinePool(spec, jobs) if jobs > 1 else None
    try:
        extractor: Extractor
        if pool is not None:
            started = time.perf_counter()
            pool.start()
            print(f"  jobs {jobs}: workers ready in {time.perf_counter() - started:.1f} s")
            extractor, pids = pool, [os.getpid(), *pool.pids]
        else:
            extractor, pids = spec.build_for_process(), [os.getpid()]  # as the CLI does
        warm = [str(Path(__file__).resolve().parents[1] / "examples")]
        with Store(db.with_suffix(".warm.duckdb")) as store:  # every worker parses once
            ingest(warm, store, extractor, batch_size=1)
        main_cpu, cpu = cpu_seconds(pids[:1]), cpu_seconds(pids)
        with Store(db) as store:
            report = ingest(inputs, store, extractor, batch_size=batch_size)
        main_cpu, cpu = cpu_seconds(pids[:1]) - main_cpu, cpu_seconds(pids) - cpu
    finally:
        if pool is not None:
            pool.close()
    rate = report.written / report.seconds
    print(f"  jobs {jobs}: {report.written} articles in {report.seconds:.1f} s = "
          f"{rate:.1f} articles/s, CPU {cpu:.1f} s (tree; {main_cpu:.1f} s in this process)  "
          f"[{before} -> {load()}]")
    return rate, cpu


# ---- nprocess ----------------------------------------------------------------------------

def nprocess(args: argparse.Namespace) -> None:
    from detente.pipeline import get_pipeline

    articles = list(itertools.islice(
        (a for a in read_paths(args.paths) if not isinstance(a, BadRecord)), args.limit))
    pipeline = get_pipeline()
    print(f"{len(articles)} articles, {args.jobs} processes; {load()}")

    def timed(name: str, documents: Iterator[Document]) -> float:
        before, started = load(), time.perf_counter()
        events = sum(len(d.events) for d in documents)
        seconds = time.perf_counter() - started
        print(f"  {name:36s} {len(articles) / seconds:6.1f} articles/s ({events} events)  "
              f"[{before} -> {load()}]")
        return len(articles) / seconds

    def spacy_n_process() -> Iterator[Document]:
        pairs = ((a.text, a) for a in articles)
        for doc, article in pipeline.nlp.pipe(pairs, as_tuples=True, batch_size=args.batch_size,
                                              n_process=args.jobs):
            yield pipeline.document(doc, article)

    one = timed("one process", pipeline.extract_many(articles, batch_size=args.batch_size))
    spacy = timed(f"spaCy n_process={args.jobs}", spacy_n_process())
    with PipelinePool(PipelineSpec(), args.jobs) as pool:
        pool.start()
        pooled = timed(f"PipelinePool({args.jobs}) (started)",
                       pool.extract_many(articles, batch_size=args.batch_size))
    print(f"speed-up over one process: spaCy n_process ×{spacy / one:.2f}, "
          f"pool ×{pooled / one:.2f}")


# ---- run ----------------------------------------------------------------------------------

def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inputs, count = sample(args.paths, args.limit, tmp)
        db = Path(tmp) / "run.duckdb"
        command = [*DETENTE, "ingest", *inputs, "--db", str(db), "--no-progress",
                   "--jobs", str(args.jobs), "--batch-size", str(args.batch_size)]
        print(f"{count} articles: {' '.join(command[2:])}")
        print(f"before: {load()}")
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        timeline: list[tuple[float, int, int]] = []  # (seconds, tree RSS, tree PSS)
        peak_one = 0
        polls = 0
        while process.poll() is None:
            pids = tree(process.pid)
            sizes = [rss(p) for p in pids]
            peak_one = max(peak_one, *sizes)
            # PSS is dearer to read: every 5th poll, and the RSS peak is the bound anyway
            total_pss = sum(pss(p) for p in pids) if polls % 5 == 0 else 0
            timeline.append((time.perf_counter() - started, sum(sizes), total_pss))
            polls += 1
            time.sleep(0.1)
        out, err = process.communicate()
        wall = time.perf_counter() - started
        print(f"after:  {load()}")
        print(out.rstrip())
        if process.returncode not in (0, 1):
            print(err, file=sys.stderr)
            sys.exit(process.returncode)
        mb = 1e6
        print(f"wall time         {wall:.1f} s ({count / wall:.1f} articles/s, model loading "
              f"included)")
        print(f"peak tree RSS     {max(t[1] for t in timeline) / mb:.0f} MB (sum over the "
              f"processes); PSS {max(t[2] for t in timeline) / mb:.0f} MB")
        print(f"peak one process  {peak_one / mb:.0f} MB")
        quarters = []
        for q in range(1, 5):
            upto = [t[1] for t in timeline if t[0] <= wall * q / 4]
            quarters.append(f"{max(upto, default=0) / mb:.0f}")
        print(f"tree RSS peak by quarter of the run: {', '.join(quarters)} MB")
        print(f"store             {db.stat().st_size / mb:.1f} MB")


def memory(args: argparse.Namespace) -> None:
    import ctypes
    import threading

    from detente.pipeline import get_pipeline

    class MallInfo(ctypes.Structure):
        _fields_: ClassVar = [(name, ctypes.c_size_t) for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost")]

    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = MallInfo
    except (OSError, AttributeError):
        libc = None  # not glibc: no heap figures
    pipeline = get_pipeline()
    me = os.getpid()
    peak = [rss(me)]

    def poll() -> None:
        while True:
            peak[0] = max(peak[0], rss(me))
            time.sleep(0.1)

    threading.Thread(target=poll, daemon=True).start()
    mb = 2**20
    print(f"before: {load()}")
    print("articles  RSS  peak  heap used/free  DuckDB (MB by tag)  lexemes  strings  seconds")
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "m.duckdb") as store:
        done, shown = [0], [0]
        started = time.perf_counter()

        def show(count: int) -> None:
            done[0] += count
            if done[0] < shown[0] + args.every:
                return
            shown[0] = done[0]
            heap = "-"
            if libc is not None:
                info = libc.mallinfo2()
                heap = f"{info.uordblks // mb}/{info.fordblks // mb}"
            duck = ", ".join(f"{tag} {size}" for tag, size in store.con.execute(
                "SELECT tag, memory_usage_bytes // 1048576 FROM duckdb_memory() "
                "WHERE memory_usage_bytes >= 1048576 ORDER BY tag").fetchall())
            print(f"{done[0]:>8}  {rss(me) // mb:>3}  {peak[0] // mb:>4}  {heap:>14}  {duck}  "
                  f"{len(pipeline.nlp.vocab)}  {len(pipeline.nlp.vocab.strings)}  "
                  f"{time.perf_counter() - started:.0f}", flush=True)

        inputs = args.paths
        if args.limit:
            inputs, _ = sample(args.paths, args.limit, tmp)
        report = ingest(inputs, store, pipeline, on_progress=show)
    print(report.summary())
    print(f"peak RSS {peak[0] // mb} MB; after: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    fast = sub.add_parser("speed", help="articles/s with each --jobs value")
    fast.add_argument("paths", nargs="+")
    fast.add_argument("--limit", type=int, default=1000)
    fast.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    fast.add_argument("--repeat", type=int, default=1)
    fast.add_argument("--batch-size", type=int, default=32)
    versus = sub.add_parser("nprocess", help="the pool against spaCy's n_process")
    versus.add_argument("paths", nargs="+")
    versus.add_argument("--limit", type=int, default=500)
    versus.add_argument("--jobs", type=int, default=2)
    versus.add_argument("--batch-size", type=int, default=32)
    whole = sub.add_parser("run", help="wall time and peak memory of `detente ingest`")
    whole.add_argument("paths", nargs="+")
    whole.add_argument("--limit", type=int, default=None)
    whole.add_argument("--jobs", type=int, default=1)
    whole.add_argument("--batch-size", type=int, default=32)
    anatomy = sub.add_parser("memory", help="where the memory of an ingest goes")
    anatomy.add_argument("paths", nargs="+")
    anatomy.add_argument("--limit", type=int, default=None)
    anatomy.add_argument("--every", type=int, default=2000)
    args = parser.parse_args()
    {"speed": speed, "nprocess": nprocess, "run": run, "memory": memory}[args.mode](args)


if __name__ == "__main__":
    main()
