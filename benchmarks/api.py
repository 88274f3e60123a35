"""Latency of the REST API under load: the dyad and events endpoints, 50 concurrent clients.

    .venv/bin/python benchmarks/api.py [--events 10000000] [--db /tmp/detente-bench-v2.duckdb]
                                       [--clients 50] [--requests 1000] [--workers N]

Uses the synthetic store of benchmarks/query.py (built once, then reused), starts
`detente serve` on a free loopback port (one worker process per core unless `--workers` says
otherwise: the setup docs/api.md advises for many clients), and sends each workload from
`--clients` concurrent clients on this machine, each sending its next request when the last
one is answered, until `--requests` have been answered. Prints p50, p90, p99 and max latency
as the clients saw it, and the throughput. Workloads:

- dyad, 190 pairs: `/api/dyad?a=X&b=Y&by=month` for every pair of the 20 busiest countries,
  in random order; each pair is asked many times, as analysts browsing a dashboard would.
  Then the same again, when every URL has been asked once.
- dyad, all new: `2 × clients` queries the server has not seen (the same pairs × periods ×
  start dates), so no answer comes from its memory; the pairs' counting units do (the server
  keeps those of the pairs it has been asked about, and of the busiest from its warm-up):
  the cost of a new period or date range on a pair in use.
- dyad, new pairs: `2 × clients` monthly series of pairs of 40 other countries (after the
  20 busiest), which the server has not read before: the cost of a first query on a pair,
  read from the store.
- dyad, new busy pairs: `2 × clients` monthly series of a pair of one of the 5 busiest
  countries and one of the next 40 (thousands of summary rows each, against hundreds for the
  pairs above), not read before either.
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
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from query import DEFAULT_DB, countries, ready
from serving import running_server

ROOTS = [f"{r:02d}" for r in range(1, 21)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole answers: the
    least a client can do per request (parsing 200 kB answers with httpx took 5 ms of CPU
    each on the same 2 cores the server has; this takes a tenth of that)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, base: str) -> Connection:
        url = urlsplit(base)
        reader, writer = await asyncio.open_connection(url.hostname, url.port,
                                                       limit=1 << 20)
        return cls(reader, writer, url.netloc)

    async def get(self, path: str) -> tuple[int, bytes]:
        """The status and body of ``GET path`` (answers with a Content-Length, as ours)."""
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        length = next(int(line.split(":", 1)[1]) for line in lines
                      if line.lower().startswith("content-length:"))
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


async def load(base: str, urls: list[str], clients: int,
               lean: bool = True) -> tuple[list[float], float, int]:
    """Send ``urls`` from ``clients`` concurrent clients (each with its own connection,
    :class:`Connection`, or an httpx client unless ``lean``); latencies in seconds, wall
    time, and the number of non-200 answers."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    latencies: list[float] = []
    failures = 0

    async def client(get: Callable[[str], Awaitable[int]]) -> None:
        nonlocal failures
        while True:
            try:
                url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            started = time.perf_counter()
            status = await get(url)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures += 1

    # the clients (an httpx client makes an SSL context, ~20 ms) and their connections are
    # made before the clock starts, so that the first requests do not wait for the others'
    # set-up
    if lean:
        connections = [await Connection.open(base) for _ in range(clients)]
        await asyncio.gather(*(c.get("/api/") for c in connections))

        def getter(connection: Connection) -> Callable[[str], Awaitable[int]]:
            async def get(url: str) -> int:
                return (await connection.get(url))[0]
            return get
        gets = [getter(c) for c in connections]
    else:
        https = [httpx.AsyncClient(base_url=base, timeout=300) for _ in range(clients)]
        await asyncio.gather(*(http.get("/api/") for http in https))

        def http_getter(http: httpx.AsyncClient) -> Callable[[str], Awaitable[int]]:
            async def get(url: str) -> int:
                return (await http.get(url)).status_code
            return get
        gets = [http_getter(http) for http in https]
    started = time.perf_counter()
    await asyncio.gather(*(client(get) for get in gets))
    wall = time.perf_counter() - started
    if lean:
        for connection in connections:
            connection.close()
    else:
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
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="Server processes (`detente serve --workers`); default one per "
                        "core, as docs/api.md advises for many clients (`--workers 1` is "
                        "the command's own default, for one analyst).")
    parser.add_argument("--httpx", action="store_true", help="Clients made with httpx "
                        "(each answer parsed as a full HTTP client does; it takes CPU from "
                        "the server on the same cores) rather than plain keep-alive "
                        "connections.")
    parser.add_argument("--only", default="", help="Workloads to run, by the first word of "
                        "their label (dyad, events), comma-separated; default all.")
    args = parser.parse_args()
    db = Path(args.db)
    ready(db, args.events)
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
    ranked = countries()[20:60]
    other = [(a, b) for i, a in enumerate(ranked) for b in ranked[i + 1:]]
    rng.shuffle(other)
    new_pairs = [f"/api/dyad?a={a}&b={b}&by=month" for a, b in other[: 2 * args.clients]]
    busy = [(a, b) for a in top[:5] for b in ranked]
    rng.shuffle(busy)
    new_busy = [f"/api/dyad?a={a}&b={b}&by=month" for a, b in busy[: 2 * args.clients]]
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
                            ("dyad, new pairs", new_pairs),
                            ("dyad, new busy pairs", new_busy),
                            ("events, 100 filtered pages", events),
                            ("events, all new pages", new_events)]:
            if args.only and label.split(",")[0] not in args.only.split(","):
                continue
            latencies, wall, failures = asyncio.run(load(base, urls, args.clients,
                                                           lean=not args.httpx))
            report(label, latencies, wall, failures)


if __name__ == "__main__":
    main()
