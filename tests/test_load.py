"""A bounded load test on loopback: 100 clients against the real server, no errors, memory
flat. ``DETENTE_LOAD_SECONDS`` sets the length (10 s here; the issue's 60 s with
``benchmarks/load.py``, whose figures are in docs/api.md)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from load import ARTICLE, run_load, server_pid

SECONDS = float(os.environ.get("DETENTE_LOAD_SECONDS", "10"))


def test_100_clients_get_answers_and_the_server_memory_stays_flat(server: str):
    pid = server_pid(int(server.rsplit(":", 1)[1]))
    assert pid, "the server process was not found"
    with httpx.Client(base_url=server, timeout=120) as warm:  # the pipeline loads once
        assert warm.post("/api/extract", json={"text": ARTICLE}).status_code == 200
    report = asyncio.run(run_load(server, pid, clients=100, seconds=SECONDS))
    print(report.summary())
    assert report.requests >= 100
    assert report.errors == 0, (report.statuses, report.failures[:5])
    assert set(report.statuses) <= {200, 503}, report.statuses
    # flat: what the server holds after the run is what it held at the start, give or take
    # its caches (a leak per request would add up over thousands of requests)
    assert report.rss_mb[-1] - report.rss_mb[0] < 100, report.rss_mb
