"""Faults during ingest: kill -9 at random points, a full disk, a Ray worker killed mid-run.

After each, the store opens, holds every committed article whole (no half-written one), and
rerunning the same command gives exactly the rows of an uninterrupted run.

The kill loop runs ``DETENTE_FAULT_REPEATS`` times (5 by default; the issue's 20 with
``DETENTE_FAULT_REPEATS=20``).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from conftest import EXAMPLES

DETENTE = [sys.executable, "-m", "detente"]
REPEATS = int(os.environ.get("DETENTE_FAULT_REPEATS", "5"))


def run(*args: str, timeout: int = 600, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, timeout=timeout,
                          check=False, **kwargs)


def store_contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the store (whatever tables it has), in a fixed order,
    without the ingest timestamps and the numbers of sides and pairs (given in the order
    sides come in, which differs between runs: ``sides`` is compared by its codes)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_name <> 'schema_migrations' ORDER BY 1").fetchall()]
        out = {}
        for table in tables:
            columns = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                [table]).fetchall()]
            numbers = {"ingested_at", "pair"} | ({"id"} if table == "sides" else set())
            keep = ", ".join(f'"{c}"' for c in columns if c not in numbers)
            out[table] = con.execute(f"SELECT {keep} FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def assert_whole_articles(db: Path) -> int:
    """Every article in the store has all its rows (as many events, quotes, stances... as it
    says); returns how many articles there are."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        (articles,) = con.execute("SELECT count(*) FROM articles").fetchone()
        for table, column in (("events", "n_events"), ("quotes", "n_quotes"),
                              ("stances", "n_stances"), ("entities", "n_entities"),
                              ("actors", "n_actors")):
            bad = con.execute(f"""
                SELECT a.id, a.{column}, count(t.article_id) FROM articles a
                LEFT JOIN {table} t ON t.article_id = a.id
                GROUP BY a.id, a.{column} HAVING a.{column} <> count(t.article_id)""").fetchall()
            assert not bad, f"half-written articles in {table}: {bad[:3]}"
            (orphans,) = con.execute(f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                                     "(SELECT id FROM articles)").fetchone()
            assert orphans == 0, f"{orphans} {table} rows without their article"
        return int(articles)
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """60 dated articles (the examples, five times over under other ids) as JSONL."""
    records = [{"id": f"copy{n:02d}-{p.stem}", "date": p.name[:10],
                "text": p.read_text(encoding="utf-8")}
               for n in range(5) for p in sorted(EXAMPLES.glob("*.txt"))]
    path = tmp_path_factory.mktemp("faults") / "copies.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def uninterrupted(corpus: Path, tmp_path_factory) -> dict[str, list[tuple]]:
    db = tmp_path_factory.mktemp("whole") / "whole.duckdb"
    done = run("ingest", str(corpus), "--db", str(db), "--commit-every", "4", "--no-progress")
    assert done.returncode == 0, done.stderr
    return store_contents(db)


def test_kill_9_at_random_points_then_a_rerun_equals_an_uninterrupted_run(
        corpus: Path, uninterrupted, tmp_path: Path):
    db = tmp_path / "killed.duckdb"
    rng = random.Random(7)
    args = ["ingest", str(corpus), "--db", str(db), "--commit-every", "4", "--batch-size", "4",
            "--progress"]
    landed, stored = [], 0
    for _ in range(REPEATS):
        log = tmp_path / "progress.log"
        with open(log, "w") as err:
            process = subprocess.Popen([*DETENTE, *args], stdout=subprocess.DEVNULL, stderr=err)
        # a random point: while the model loads (target 0), or after a random number of
        # articles, plus a random fraction of a batch
        step = max(2, 50 // REPEATS)  # so that every kill lands before the job is done
        target = rng.choice([0, *range(stored + 1, min(59, stored + step + 1))])
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and process.poll() is None:
            counts = re.findall(r"(\d+)/60", log.read_text(errors="replace"))
            if (int(counts[-1]) if counts else 0) >= target:
                break
            time.sleep(0.01)
        time.sleep(rng.uniform(0, 0.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        stored = assert_whole_articles(db) if db.exists() else 0
        landed.append(stored)
    args[-1] = "--no-progress"
    rerun = run(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert store_contents(db) == uninterrupted
    print(f"{REPEATS} kills, articles stored when each landed: {landed}")


@contextmanager
def small_disk(tmp_path: Path, kilobytes: int) -> Iterator[tuple[Path, dict]]:
    """A directory on a full-able disk: a tmpfs of ``kilobytes`` when this process may mount
    one (root), else a file size limit (RLIMIT_FSIZE) on the child processes."""
    mount = tmp_path / "disk"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kilobytes}k", "tmpfs",
                              str(mount)], capture_output=True, check=False).returncode == 0
    if mounted:
        try:
            yield mount, {}
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
        return

    def limit() -> None:  # in the child: writes past the limit fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (kilobytes * 1024, kilobytes * 1024))

    yield mount, {"preexec_fn": limit}


def test_a_full_disk_is_a_clear_error_and_the_store_keeps_every_committed_article(
        corpus: Path, uninterrupted, tmp_path: Path):
    with small_disk(tmp_path, 1200) as (disk, limits):
        db = disk / "store.duckdb"
        args = ["ingest", str(corpus), "--db", str(db), "--commit-every", "4", "--no-progress"]
        failed = run(*args, **limits)
        assert failed.returncode != 0
        assert "Traceback" not in failed.stderr, failed.stderr
        assert f"cannot write to the store {db}" in failed.stderr, failed.stderr
        assert "run the same command again" in failed.stderr
        stored = assert_whole_articles(db)
        assert 0 < stored < 60
        # the committed articles are exactly those of an uninterrupted run
        partial = store_contents(db)
        ids = {row[0] for row in partial["articles"]}
        assert partial["articles"] == [r for r in uninterrupted["articles"] if r[0] in ids]
        assert partial["events"] == [r for r in uninterrupted["events"] if r[0] in ids]
        # queries still work on it
        assert run("actors", "--db", str(db), **limits).returncode == 0
        if not limits:  # room again: the same command finishes the job
            subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
            rerun = run(*args)
            assert rerun.returncode == 0, rerun.stderr
            assert store_contents(db) == uninterrupted


def _worker_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if b"ExtractionWorker" in cmdline:
                pids.append(int(entry.name))
    return pids


def test_a_ray_worker_killed_mid_run_is_restarted_and_nothing_is_lost(
        corpus: Path, uninterrupted, tmp_path: Path):
    pytest.importorskip("ray")
    db = tmp_path / "ray.duckdb"
    args = [*DETENTE, "ingest", str(corpus), "--db", str(db), "--engine", "ray", "--workers",
            "2", "--batch-size", "4", "--progress"]
    log = tmp_path / "ray.log"
    with open(log, "w") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
    killed = None
    deadline = time.monotonic() + 300
    try:
        # once some batches are stored, kill a worker that holds a loaded pipeline
        while time.monotonic() < deadline and process.poll() is None:
            counts = re.findall(r"(\d+)/60", log.read_text(errors="replace"))
            if counts and int(counts[-1]) >= 8 and _worker_pids():
                killed = _worker_pids()[0]
                os.kill(killed, signal.SIGKILL)
                break
            time.sleep(0.2)
        code = process.wait(timeout=600)
    finally:
        if process.poll() is None:
            process.kill()
    output = log.read_text(errors="replace")
    assert killed is not None, f"no worker to kill:\n{output[-2000:]}"
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    assert store_contents(db) == uninterrupted
