"""The `detente extract` command, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES

DETENTE = [sys.executable, "-m", "detente.cli"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, input=stdin,
                          timeout=300, check=False)


def test_jsonl_has_one_document_a_line_in_input_order(tmp_path: Path):
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps({"id": f"a{i}", "text": t, "date": f"2024-01-0{i}"})
                             for i, t in enumerate(["Chile met Peru.", "Ghana hosted Togo.",
                                                    "Japan condemned North Korea."], 1)),
                   encoding="utf-8")
    result = run("extract", str(src), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["article"]["id"] for d in docs] == ["a1", "a2", "a3"]
    assert set(docs[0]) == {"article", "actors", "events", "quotes", "stances", "entities"}


def test_bad_inputs_are_reported_the_rest_processed_and_the_exit_status_is_1(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 au lait")
    (tmp_path / "big.txt").write_text("Chile met Peru. " * 330_000, encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text('{"id": "x", "text": "Chile met Peru."}\n{oops\n',
                                          encoding="utf-8")
    (tmp_path / "good.txt").write_text("Hungary and Romania signed a trade agreement.",
                                       encoding="utf-8")
    result = run("extract", str(tmp_path), "--format", "jsonl")
    assert result.returncode == 1
    ids = [json.loads(line)["article"]["id"] for line in result.stdout.splitlines()]
    assert ids == ["good", "x"]
    for name in ("empty.txt", "binary.txt", "bad.txt", "big.txt", "lines.jsonl:2"):
        assert name in result.stderr
    assert "5 input(s) skipped" in result.stderr


def test_standard_input_and_date_option():
    result = run("extract", "-", "--format", "json", "--date", "2024-06-24",
                 stdin="The European Union imposed sanctions on Belarus on Monday.")
    assert result.returncode == 0, result.stderr
    (doc,) = json.loads(result.stdout)
    assert doc["article"]["date"] == "2024-06-24"


def test_bad_date_option_is_a_usage_error():
    result = run("extract", "-", "--date", "tuesday", stdin="Chile met Peru.")
    assert result.returncode == 2 and "YYYY-MM-DD" in result.stderr


def test_unknown_model_says_how_to_install_one():
    result = run("extract", "-", "--model", "no_such_pipeline", stdin="Chile met Peru.")
    assert result.returncode == 1 and "pip install" in result.stderr


def test_table_output_on_the_examples():
    result = run("extract", str(EXAMPLES), "--format", "table")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n== ") + result.stdout.startswith("== ") == len(
        list(EXAMPLES.glob("*.txt")))
    assert "events (" in result.stdout and "quotes (" in result.stdout
    # the same table whatever order Python's string hashing gives sets ("Protesters" and
    # "protesters" among an actor's mentions once came out either way round)
    for seed in ("1", "2"):
        again = subprocess.run([*DETENTE, "extract", str(EXAMPLES), "--format", "table"],
                               capture_output=True, text=True, timeout=300, check=False,
                               env={**os.environ, "PYTHONHASHSEED": seed})
        assert again.stdout == result.stdout


def test_plover_records_have_the_plover_fields(tmp_path: Path):
    result = run("extract", "-", "--format", "plover", "--date", "2024-06-24",
                 stdin="The European Union imposed new sanctions on Belarus on Monday.")
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records, "expected at least one PLOVER event"
    rec = records[0]
    assert {"id", "date", "actor", "recipient", "event", "mode", "context",
            "text_info"} <= set(rec)
    assert rec["event"] == "COERCE"  # CAMEO 163 (impose sanctions) is PLOVER COERCE
    assert rec["recipient"][0]["country"] == "BLR"


def test_petrarch_dictionaries_load_as_they_are_and_dated_roles_follow_the_date(tmp_path: Path):
    actors = tmp_path / "my.actors.txt"
    actors.write_text("ELROND_HALFELVEN_\n\t[RIVGOV 900101-991231]\n\t[RIVELI >000101]\n"
                      "RIVENDELL_ [RIV]\n", encoding="utf-8")
    agents = tmp_path / "my.agents.txt"
    agents.write_text("HOBBIT [~CVL]\n", encoding="utf-8")
    text = "Elrond Halfelven condemned Rivendell hobbits."
    codes = {}
    for day in ("1995-05-05", "2005-05-05"):
        result = run("extract", "-", "--format", "jsonl", "--date", day,
                     "--petrarch-actors", str(actors), "--petrarch-agents", str(agents),
                     stdin=text)
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        codes[day] = {a["name"].lower(): a["code"] for a in doc["actors"]}
    assert codes["1995-05-05"]["elrond halfelven"] == "RIVGOV"
    assert codes["2005-05-05"]["elrond halfelven"] == "RIVELI"
