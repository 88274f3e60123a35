"""Exports read back with the libraries users load them with: json, csv, pyarrow, duckdb."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.dataset as ds
import pytest

from conftest import EXAMPLES
from detente.export import plover_records
from detente.ingest.readers import BadRecord, read_path
from detente.store import Store
from detente.store.exports import GDELT_COLUMNS

DETENTE = [sys.executable, "-m", "detente.cli"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory, pipeline):
    articles = [a for a in read_path(str(EXAMPLES)) if not isinstance(a, BadRecord)]
    docs = list(pipeline.extract_many(articles))
    path = tmp_path_factory.mktemp("export") / "s.duckdb"
    with Store(path) as store:
        store.write_many(docs)
    return path, docs


def test_plover_jsonl_holds_the_records_of_every_document(tmp_path: Path, stored):
    path, docs = stored
    out = tmp_path / "events.jsonl"
    with Store(path, read_only=True) as store:
        n = store.export_plover(out)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [r for d in docs for r in plover_records(d)]
    assert n == len(records) == len(expected) > 0
    assert sorted(records, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"])
    assert {"id", "date", "actor", "recipient", "event", "mode", "context",
            "text_info"} <= set(records[0])


def test_gdelt_tsv_has_the_61_gdelt_columns_and_our_values(tmp_path: Path, stored):
    path, _ = stored
    out, every = tmp_path / "events.tsv", tmp_path / "mentions.tsv"
    with Store(path, read_only=True) as store:
        n = store.export_gdelt(out)
        m = store.export_gdelt(every, dedupe=False)
        dyads = store.counts()["dyads"]
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(GDELT_COLUMNS) == 61 and list(rows[0]) == list(GDELT_COLUMNS)
    assert len(rows) == n and m == dyads and n <= m
    with Store(path, read_only=True) as store:
        code, src, tgt, day, goldstein, name, article = store.sql(
            "SELECT d.cameo_code, d.source_country, d.target_country, d.date, d.goldstein, "
            "d.source_name, d.article_id FROM dyads d WHERE source_country IS NOT NULL AND "
            "target_country IS NOT NULL ORDER BY article_id, event_n LIMIT 1").rows[0]
    row = next(r for r in rows if r["EventCode"] == code and r["Actor1CountryCode"] == src
               and r["Actor2CountryCode"] == tgt and r["SQLDATE"] == day.strftime("%Y%m%d"))
    assert row["MonthYear"] == day.strftime("%Y%m") and row["Year"] == str(day.year)
    assert row["EventRootCode"] == code[:2] and row["EventBaseCode"] == code[:3]
    assert row["QuadClass"] in {"1", "2", "3", "4"}
    assert float(row["GoldsteinScale"]) == pytest.approx(goldstein)
    assert row["Actor1Name"] == name.upper() and row["SOURCEURL"] == article
    assert int(row["NumMentions"]) >= 1 and int(row["NumArticles"]) >= 1
    assert row["AvgTone"] == "" and row["ActionGeo_Lat"] == ""
    assert len(set(r["GLOBALEVENTID"] for r in rows)) == len(rows)
    with open(every, newline="", encoding="utf-8") as handle:
        assert all(r["NumMentions"] == "1" for r in csv.DictReader(handle, delimiter="\t"))


def test_parquet_is_partitioned_by_year_and_month(tmp_path: Path, stored):
    path, _ = stored
    out = tmp_path / "parquet"
    with Store(path, read_only=True) as store:
        counts = store.export_parquet(out)
        assert counts == store.counts()
    assert (out / "events" / "year=2025" / "month=2").is_dir()
    events = ds.dataset(out / "events", format="parquet", partitioning="hive").to_table()
    assert events.num_rows == counts["events"]
    assert {"cameo_code", "goldstein", "quad_class", "start_char", "year", "month"} <= set(
        events.column_names)
    con = duckdb.connect()
    try:
        (rows,) = con.execute("SELECT count(*) FROM read_parquet(?, hive_partitioning = true) "
                              "WHERE year = 2025 AND month = 2",
                              [str(out / "events" / "**" / "*.parquet")]).fetchone()
    finally:
        con.close()
    with Store(path, read_only=True) as store:
        (expected,) = store.sql("SELECT count(*) FROM events WHERE year(date) = 2025 "
                                "AND month(date) = 2").rows[0]
    assert rows == expected > 0


def test_csv_of_dyads_reads_back(tmp_path: Path, stored):
    path, _ = stored
    out = tmp_path / "dyads.csv"
    with Store(path, read_only=True) as store:
        n = store.export_csv(out)
        assert n == store.counts()["dyads"]
        store.export_csv(tmp_path / "events.csv", table="events")
    with open(out, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == n and {"source_country", "cameo_code", "event_group"} <= set(rows[0])
    with open(tmp_path / "events.csv", newline="", encoding="utf-8") as handle:
        first = next(csv.DictReader(handle))
    assert isinstance(json.loads(first["source"]), list)


def test_export_command_writes_each_format(tmp_path: Path, stored):
    path, _ = stored
    for fmt, target in (("plover", "p.jsonl"), ("gdelt", "g.tsv"), ("csv", "c.csv"),
                        ("parquet", "pq")):
        result = subprocess.run([*DETENTE, "export", "--format", fmt, "--db", str(path), "-o",
                                 str(tmp_path / target)], capture_output=True, text=True,
                                timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / target).exists() and "wrote" in result.stderr
    stdout = subprocess.run([*DETENTE, "export", "--format", "gdelt", "--no-header", "--db",
                             str(path)], capture_output=True, text=True, timeout=120,
                            check=False).stdout
    assert len(stdout.splitlines()[0].split("\t")) == 61


def test_table_exports_keep_only_the_rows_of_a_date_range(tmp_path: Path, stored):
    path, _ = stored
    with Store(path, read_only=True) as store:
        (months,) = store.sql("SELECT count(DISTINCT date_trunc('month', date)) FROM events "
                              "WHERE date IS NOT NULL").rows[0]
        assert months >= 2  # the examples span several months, so a range splits them
        (expected,) = store.sql("SELECT count(*) FROM events WHERE date >= DATE '2025-02-01' "
                                "AND date <= DATE '2025-02-28'").rows[0]
        counts = store.export_parquet(tmp_path / "pq", start="2025-02-01", end="2025-02-28")
        n = store.export_csv(tmp_path / "e.csv", table="events", start="2025-02-01",
                             end="2025-02-28")
    assert counts["events"] == n == expected > 0
    events = ds.dataset(tmp_path / "pq" / "events", format="parquet",
                        partitioning="hive").to_table()
    assert events.num_rows == expected
    assert set(events.column("month").to_pylist()) == {2}
    with open(tmp_path / "e.csv", newline="", encoding="utf-8") as handle:
        assert {row["date"][:7] for row in csv.DictReader(handle)} == {"2025-02"}
