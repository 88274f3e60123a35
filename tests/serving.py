"""Helpers for the API and dashboard tests: a store of the example articles, and the real
server (`detente serve`) started on a free loopback port in a child process."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: an article written to break out of the page: it must come back as text everywhere
HOSTILE = {
    "id": "xss-probe",
    "title": "Probe <img src=x onerror=\"window.__pwned=1\"> title",
    "date": "2025-02-20",
    "text": ("Probe <img src=x onerror=\"window.__pwned=1\"> title\n\nRussia expelled two "
             "Estonian diplomats on Thursday <script>window.__pwned=2</script>, the foreign "
             "ministry said. Estonia condemned the expulsion <b onmouseover=\"x()\">loudly</b>."),
}


def build_store(path: Path, pipeline) -> Path:
    """The example articles, and the hostile one, ingested into ``path``."""
    from detente.ingest.ingest import ingest
    from detente.store import Store

    hostile = path.parent / "hostile.jsonl"
    hostile.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    with Store(path) as store:
        ingest([str(EXAMPLES), str(hostile)], store, pipeline)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: the process id of each running server, by its base URL
PIDS: dict[str, int] = {}


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@contextmanager
def running_server(db: Path, token: str | None = None, timeout: float = 90.0,
                   extract_rate: float = 0, host: str = "127.0.0.1",
                   workers: int = 1) -> Iterator[str]:
    """``detente serve --db DB`` on 127.0.0.1; yields its base URL, stops it after.

    ``extract_rate`` is the server's POST /api/extract limit a minute per client: none by
    default, since the tests post from one address far faster than a person would."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DETENTE_TOKEN"}
    if token:
        env["DETENTE_TOKEN"] = token
    log = db.parent / f"serve-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "detente", "serve", "--db", str(db),
                                 "--port", str(port), "--extract-rate", str(extract_rate),
                                 "--host", host, "--workers", str(workers)],
                                stdout=out, stderr=subprocess.STDOUT,
                                env=env)
    url = f"http://127.0.0.1:{port}"
    PIDS[url] = proc.pid
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"detente serve did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
