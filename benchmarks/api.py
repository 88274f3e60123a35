"""Latency of the REST API under load: the dyad and events endpoints, 50 concurrent clients.

    .venv/bin/python benchmarks/api.py [--events 10000000] [--db /tmp/detente-bench-v2.duckdb]
                                       [--clients 50] [--requests 1000] [--workers 2]

Uses the synthetic store of benchmarks/query.py (built once, then reused), starts
`detente serve` on a free loopback port, and sends each workload from `--clients` concurrent
clients on this machine, each sending its next request when the last one is answered, until
`--requests` have been answered. Prints p50, p90, p99 and max latency as the clients saw it,
and the throughput. Workloads:

- dyad, 190 pairs: `/api/dyad?a=X&b=Y&by=month` for every pair of the 20 busiest countries,
  in random order; each pair is asked many times, as analysts browsing a dashboard would.
  Then the same again, when every URL has been asked once.
- dyad, all new: `2 × clients` queries the server has not seen (pairs × periods × start
  dates), so none is answered from the server's memory: the cost of the query itself.
- events, filtered pages: `/api/events?country=X&type=R&limit=100&offset=K` drawn from 100
  pages (10 busiest countries, 5 CAMEO roots, 2 pages); then `2 × clients` pages not asked
  before (third pages).

The server keeps query results while it runs (its store is read-only and no other process can
write to it) and, when it starts, computes the network and the monthly series of the busiest
pairs in the background; the benchmark waits for that warm-up, then the first workload
measures what an analyst sees, the second the worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from query import DEFAULT_DB, build, countries
from serving import running_server

ROOTS = [f"{r:02d}" for r in range(1, 21)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def load(base: str, urls: list[str], clients: int) -> tuple[list[float], float, int]:
    """Send ``urls`` from ``clients`` concurrent clients; latencies in seconds, wall time,
    and the number of non-200 answers."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    latencies: list[float] = []
    failures = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal failures
        while True:
            try:
                url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            response = await http.get(url)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures += 1

    # the clients (each makes an SSL context, ~20 ms) and their connections are made before
    # the clock starts, so that the first requests do not wait for the others' set-up
    https = [httpx.AsyncClient(base_url=base, timeout=300) for _ in range(clients)]
    await asyncio.gather(*(http.get("/api/") for http in https))
    started = time.perf_counter()
    await asyncio.gather(*(client(http) for http in https))
    wall = time.perf_counter() - started
    for http in https:
        await http.aclose()
    return latencies, wall, failures


def report(label: str, latencies: list[float], wall: float, failures: int) -> None:
    ms = [x * 1000 for x in latencies]
    print(f"{label:<34} n={len(ms):5d}  p50 {statistics.median(ms):7.0f} ms  "
          f"p90 {percentile(ms, 90):7.0f} ms  p99 {percentile(ms, 99):7.0f} ms  "
          f"max {max(ms):7.0f} ms  {len(ms) / wall:6.1f} req/s"
          + (f"  ({failures} failed)" if failures else ""))


def main() -> None:
    # a kill stops the server too (the context manager's cleanup runs on SystemExit)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1,
                        help="Server processes (`detente serve --workers`); default 1.")
    parser.add_argument("--only", default="", help="Workloads to run, by the first word of "
                        "their label (dyad, events), comma-separated; default all.")
    args = parser.parse_args()
    db = Path(args.db)
    if not db.exists():
        build(db, args.events)
    rng = random.Random(args.seed)
    top = countries()[:20]
    pairs = [(a, b) for i, a in enumerate(top) for b in top[i + 1:]]
    n = args.requests
    popular = [f"/api/dyad?a={a}&b={b}&by=month" for a, b in
               (rng.choice(pairs) for _ in range(n))]
    again = [f"/api/dyad?a={a}&b={b}&by=month" for a, b in
             (rng.choice(pairs) for _ in range(n))]
    fresh = [f"/api/dyad?a={a}&b={b}&by={by}&from={year}-01-01"
             for a, b in pairs for by in ("month", "year", "week") for year in range(2000, 2025)]
    rng.shuffle(fresh)
    fresh = fresh[: 2 * args.clients]
    browsing = [f"/api/events?country={c}&type={r}&limit=100&offset={k}"
                for c in top[:10] for r in ("01", "04", "05", "14", "19") for k in (0, 100)]
    events = [rng.choice(browsing) for _ in range(n)]
    new_events = [f"/api/events?country={c}&type={r}&limit=100&offset=200"
                  for c in top for r in ROOTS]
    rng.shuffle(new_events)
    new_events = new_events[: 2 * args.clients]
    with running_server(db, timeout=300, workers=args.workers) as base:
        started = time.perf_counter()
        # each worker warms up by itself: wait until a run of answers all say it is done
        done = 0
        while done < 4 * args.workers:
            done = 0 if httpx.get(f"{base}/api/", timeout=300).json()["warming"] else done + 1
            time.sleep(1 if done == 0 else 0.1)
        print(f"server {base} on {db} ({db.stat().st_size / 1e9:.2f} GB), "
              f"{args.workers} worker process(es), {args.clients} concurrent clients; "
              f"warm-up (network, busiest pairs) "
              f"took {time.perf_counter() - started:.0f} s after start")
        for label, urls in [("dyad, 190 pairs, by month", popular),
                            ("dyad, 190 pairs, again", again),
                            ("dyad, all new queries", fresh),
                            ("events, 100 filtered pages", events),
                            ("events, all new pages", new_events)]:
            if args.only and label.split(",")[0] not in args.only.split(","):
                continue
            latencies, wall, failures = asyncio.run(load(base, urls, args.clients))
            report(label, latencies, wall, failures)


if __name__ == "__main__":
    main()
