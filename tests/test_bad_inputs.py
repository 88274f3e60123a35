"""The bad-input corpus (tests/data/make_bad.py) through `extract`, `ingest` and POST /extract.

For every kind of bad input: a clear error naming the input or a correct skip, no crash, no
hang (each run has a deadline), no memory blow-up (the peak RSS of each child process is
read from the kernel), and every good record around it kept.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import httpx
import pytest

from serving import running_server

HERE = Path(__file__).parent
DETENTE = [sys.executable, "-m", "detente"]
# Generous bounds that only a hang or a blow-up would cross (the model alone is ~0.5 GB).
DEADLINE_S = 1200
PEAK_RSS_MB = 3000


def _make_bad():
    spec = importlib.util.spec_from_file_location("make_bad", HERE / "data" / "make_bad.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_bad"] = module
    spec.loader.exec_module(module)
    return module


make_bad = _make_bad()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


def run_bounded(args: list[str], tmp: Path, timeout: float = DEADLINE_S) -> Run:
    """Run a command with a deadline and read its peak RSS from wait4's rusage."""
    out, err = tmp / "stdout", tmp / "stderr"
    started = time.monotonic()
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(args, stdout=o, stderr=e)
    timer = threading.Timer(timeout, os.kill, (proc.pid, signal.SIGKILL))
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    assert seconds < timeout, f"{' '.join(args)} ran past its {timeout} s deadline"
    return Run(proc.returncode, out.read_text("utf-8", "replace"),
               err.read_text("utf-8", "replace"), seconds, usage.ru_maxrss / 1024)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    directory = tmp_path_factory.mktemp("bad")
    expect = make_bad.make(directory)
    (directory / "MANIFEST.json").unlink()  # not an input
    return directory, expect


def _expected_ids(expect: dict) -> set[str]:
    return {i for how in expect.values() for i in how.articles}


def _bad_files(expect: dict) -> dict[str, object]:
    return {name: how for name, how in expect.items() if how.skipped}


def _check_skips_are_reported(stderr: str, directory: Path, expect: dict) -> None:
    for name, how in _bad_files(expect).items():
        lines = [line for line in stderr.splitlines() if str(directory / name) in line]
        assert len(lines) >= how.skipped, f"{name}: {how.kind} not reported:\n{stderr[-3000:]}"
        assert all(how.reason in line for line in lines[:how.skipped]), (name, lines)


def test_the_generator_writes_every_kind_of_input(corpus):
    directory, expect = corpus
    assert len(expect) >= 25 and all((directory / name).exists() for name in expect)
    assert (directory / "huge_50mb.txt").stat().st_size >= 50_000_000
    assert expect["tiny_articles.jsonl"].count == 100_000


def test_ingest_skips_each_bad_input_with_its_reason_and_keeps_every_good_one(corpus, tmp_path):
    directory, expect = corpus
    db = tmp_path / "bad.duckdb"
    run = run_bounded([*DETENTE, "ingest", str(directory), "--db", str(db), "--no-progress"],
                      tmp_path)
    assert run.code == 1, run.stderr[-3000:]  # 1: some inputs were skipped, none crashed
    assert "Traceback" not in run.stderr
    report = run.stdout + run.stderr
    _check_skips_are_reported(report, directory, expect)
    skipped = sum(how.skipped for how in expect.values())
    good = sum(how.count for how in expect.values())
    assert f"new {good}," in report and f"skipped {skipped}" in report, report[-2000:]
    con = duckdb.connect(str(db), read_only=True)
    try:
        ids = {row[0] for row in con.execute("SELECT id FROM articles").fetchall()}
    finally:
        con.close()
    assert len(ids) == good and _expected_ids(expect) <= ids
    assert run.peak_mb < PEAK_RSS_MB, f"peak RSS {run.peak_mb:.0f} MB"
    print(f"ingest of the bad corpus: {run.seconds:.0f} s, peak RSS {run.peak_mb:.0f} MB")


def test_extract_skips_each_bad_input_with_its_reason_and_codes_every_good_one(corpus,
                                                                              tmp_path):
    directory, expect = corpus
    run = run_bounded([*DETENTE, "extract", str(directory), "--format", "jsonl"], tmp_path)
    assert run.code == 1, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    _check_skips_are_reported(run.stderr, directory, expect)
    ids = [json.loads(line)["article"]["id"] for line in run.stdout.splitlines()]
    assert len(ids) == len(set(ids)) == sum(how.count for how in expect.values())
    assert _expected_ids(expect) <= set(ids)
    assert run.peak_mb < PEAK_RSS_MB, f"peak RSS {run.peak_mb:.0f} MB"
    print(f"extract of the bad corpus: {run.seconds:.0f} s, peak RSS {run.peak_mb:.0f} MB")


@pytest.fixture(scope="module")
def http(example_store: Path):
    with running_server(example_store) as url, httpx.Client(base_url=url, timeout=120) as client:
        yield client


def _texts(directory: Path, expect: dict) -> list[tuple[str, bytes, bool]]:
    """(name, request body, whether it holds a codable article) for each plain-text input and
    each line of the JSONL inputs, sent as they are."""
    bodies: list[tuple[str, bytes, bool]] = []
    for name, how in expect.items():
        data = (directory / name).read_bytes()
        if name.endswith(".txt"):
            try:
                text = data.decode("utf-16" if data[:2] == b"\xff\xfe" else "utf-8")
            except UnicodeDecodeError:  # sent raw: the JSON body is then not UTF-8
                bodies.append((name, b'{"text": "' + data + b'"}', False))
                continue
            bodies.append((name, json.dumps({"text": text}).encode(), how.count > 0))
        elif name.endswith(".jsonl") and name != "tiny_articles.jsonl":
            for n, line in enumerate(data.splitlines(), start=1):
                try:
                    record = json.loads(line)
                    codable = (isinstance(record, dict) and isinstance(record.get("text"), str)
                               and record.get("id") in how.articles)
                except (ValueError, RecursionError):
                    codable = False
                bodies.append((f"{name}:{n}", line, codable))
    return bodies


def test_post_extract_answers_every_bad_body_with_a_clear_4xx(corpus, http):
    directory, expect = corpus
    good = json.dumps({"text": make_bad.GOOD}).encode()
    for name, body, codable in _texts(directory, expect):
        started = time.monotonic()
        response = http.post("/api/extract", content=body,
                             headers={"Content-Type": "application/json"})
        assert time.monotonic() - started < 120, name
        if codable:
            assert response.status_code == 200, (name, response.text[:500])
            assert response.json()["article"]["text"]
        else:
            assert 400 <= response.status_code < 500, (name, response.status_code,
                                                       response.text[:500])
            detail = response.json().get("detail")
            assert detail and isinstance(detail, str | list), (name, response.text[:500])
        # the server is still up and codes a good article after each bad one
        after = http.post("/api/extract", content=good,
                          headers={"Content-Type": "application/json"})
        assert after.status_code == 200 and after.json()["events"], name
