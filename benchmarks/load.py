"""A bounded loopback load test of `detente serve`: many clients for a while, then the figures.

    .venv/bin/python benchmarks/load.py [--db STORE] [--clients 100] [--seconds 60]

Starts `detente serve` on a free loopback port over ``--db`` (by default a fresh store of the
example articles), then ``--clients`` concurrent clients each send their next request as soon
as the last is answered, for ``--seconds``: a mix of dashboard pages and their JSON twins
(dyad series, events with filters and pages, network, actors, quotes, stances, article
detail) and, one request in 50, ``POST /api/extract``. Prints requests, errors (connection
failures and 5xx other than 503), load shed by design (503 from the extraction queue),
latency percentiles, and the server's resident memory sampled every second: at the start,
the peak, and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from serving import running_server  # noqa: E402

ARTICLE = ("Chile and Peru signed a trade agreement in Lima on Monday. \"This is a new start,\" "
           "said Chilean Foreign Minister Alberto van Klaveren.")


@dataclass
class LoadReport:
    """What a load run saw."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> int:
        """Connection failures and server errors (503, load shed by design, excepted)."""
        return len(self.failures) + sum(n for s, n in self.statuses.items()
                                        if s >= 500 and s != 503)

    def summary(self) -> str:
        lat = sorted(self.latencies) or [0.0]

        def q(p: float) -> float:
            return lat[min(len(lat) - 1, round(p / 100 * (len(lat) - 1)))] * 1000

        return "\n".join([
            f"requests   {self.requests} in {self.seconds:.0f} s "
            f"({self.requests / max(self.seconds, 1e-9):.0f}/s)",
            f"statuses   {dict(sorted(self.statuses.items()))}",
            f"errors     {self.errors} (connection failures {len(self.failures)})",
            f"latency    p50 {q(50):.0f} ms, p90 {q(90):.0f} ms, p99 {q(99):.0f} ms, "
            f"max {q(100):.0f} ms, mean {statistics.fmean(lat) * 1000:.0f} ms",
            f"server RSS start {self.rss_mb[0] if self.rss_mb else 0:.0f} MB, peak "
            f"{max(self.rss_mb, default=0):.0f} MB, end "
            f"{self.rss_mb[-1] if self.rss_mb else 0:.0f} MB "
            f"({len(self.rss_mb)} samples)",
        ])


def server_pid(port: int) -> int | None:
    """The pid of the `detente serve` listening on ``port`` (found in /proc)."""
    needle = f"--port\x00{port}\x00".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes() + b"\x00":
                    return int(entry.name)
            except OSError:
                continue
    return None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def urls(client: httpx.Client, rng: random.Random, n: int = 400) -> list[str]:
    """A mix of page and JSON requests drawn from what the store holds."""
    edges = client.get("/api/network", params={"limit": 20}).json()["rows"] or [
        {"a": "CHN", "b": "RUS"}]
    events = client.get("/api/events", params={"limit": 50}).json()["rows"]
    articles = sorted({e["article_id"] for e in events}) or ["none"]
    countries = sorted({e["a"] for e in edges} | {e["b"] for e in edges})
    out = []
    for _ in range(n):
        edge = rng.choice(edges)
        country = rng.choice(countries)
        out.append(rng.choice([
            f"/api/dyad?a={edge['a']}&b={edge['b']}&by={rng.choice(['month', 'week', 'year'])}",
            f"/dyad?a={edge['a']}&b={edge['b']}",
            f"/api/events?country={country}&limit=20&offset={rng.choice([0, 20])}",
            f"/events?country={country}",
            f"/api/events?type={rng.choice(['04', '05', '11', '17', '19', 'AGREE'])}",
            "/api/network",
            "/network",
            f"/api/actors?country={country}",
            "/",
            "/api/quotes?limit=20",
            "/api/stances?polarity=oppose",
            f"/api/articles/{rng.choice(articles)}",
            f"/articles/{rng.choice(articles)}",
        ]))
    return out


async def run_load(base: str, pid: int | None, clients: int = 100, seconds: float = 60.0,
                   post_share: float = 0.02, seed: int = 1) -> LoadReport:
    """``clients`` concurrent clients for ``seconds`` against the server at ``base``."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as sync:
        mix = urls(sync, rng)
    report = LoadReport()
    stop = time.monotonic() + seconds

    async def sample() -> None:
        while time.monotonic() < stop:
            if pid:
                report.rss_mb.append(rss_mb(pid))
            await asyncio.sleep(1.0)
        if pid:
            report.rss_mb.append(rss_mb(pid))

    async def client(n: int, http: httpx.AsyncClient) -> None:
        own = random.Random(seed * 1000 + n)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                if own.random() < post_share:
                    response = await http.post("/api/extract", json={"text": ARTICLE})
                else:
                    response = await http.get(own.choice(mix))
                report.statuses[response.status_code] += 1
            except httpx.HTTPError as err:
                report.failures.append(f"{type(err).__name__} after "
                                       f"{time.monotonic() - began:.1f} s: {err!r}")
            report.latencies.append(time.perf_counter() - started)
            report.requests += 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        await asyncio.gather(sample(), *(client(n, http) for n in range(clients)))
    report.seconds = time.monotonic() - began
    return report


def example_store(directory: Path) -> Path:
    from detente.ingest.ingest import ingest
    from detente.pipeline import get_pipeline
    from detente.store import Store

    db = directory / "examples.duckdb"
    with Store(db) as store:
        ingest([str(ROOT / "examples")], store, get_pipeline())
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the store to serve (default: the example articles)")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else example_store(Path(tmp))
        with running_server(db) as base:
            pid = server_pid(int(base.rsplit(":", 1)[1]))
            # one warm-up request per kind, so that the figures are the steady state
            with httpx.Client(base_url=base, timeout=120) as warm:
                warm.post("/api/extract", json={"text": ARTICLE})
            report = asyncio.run(run_load(base, pid, args.clients, args.seconds))
    print(f"load test: {args.clients} clients for {args.seconds:.0f} s on {db.name}")
    print(report.summary())


if __name__ == "__main__":
    main()
