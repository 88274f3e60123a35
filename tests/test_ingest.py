"""`detente ingest`: articles in, store rows out; bad inputs skipped; a killed run resumes."""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import EXAMPLES
from detente.ingest.ingest import count_records, ingest
from detente.ingest.readers import BadRecord, CsvColumns, read_path
from detente.store import Store
from detente.store.schema import ARTICLE_TABLES, SUMMARY_TABLES

DETENTE = [sys.executable, "-m", "detente.cli"]


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)


def children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid``."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError):
            continue
        if int(parent) == pid and state != "Z":
            out.add(int(stat.parent.name))
    return out


def gone(pids: set[int], timeout: float = 15) -> bool:
    """Whether the processes ``pids`` all exit within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def example_records() -> list[dict[str, str]]:
    records = []
    for path in sorted(EXAMPLES.glob("*.txt")):
        records.append({"id": path.stem, "date": path.name[:10],
                        "text": path.read_text(encoding="utf-8")})
    return records


def table_contents(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table (the happenings summary too), in a fixed order, without the
    ingest timestamps."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in ARTICLE_TABLES:
            columns = "* EXCLUDE (ingested_at)" if table == "articles" else "*"
            out[table] = con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        for table in SUMMARY_TABLES:  # Goldstein sums are exact decimals: equal in any order
            # (the numbers of pairs of sides depend on the order sides came in: left out)
            columns = "* EXCLUDE (pair)" if table == "happenings" else "*"
            out[table] = con.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def test_ingest_then_ingest_again_reports_no_new_articles(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    first = run("ingest", str(EXAMPLES), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "new 12, replaced 0, unchanged 0, skipped 0" in first.stdout
    assert re.search(r"\d+ events, \d+ quotes from 12 articles", first.stdout)
    before = table_contents(db)
    second = run("ingest", str(EXAMPLES), "--db", str(db))
    assert second.returncode == 0, second.stderr
    assert "new 0, replaced 0, unchanged 12, skipped 0" in second.stdout
    assert table_contents(db) == before


def test_a_changed_article_is_replaced_and_the_others_left_alone(tmp_path: Path, pipeline):
    src = tmp_path / "in.jsonl"
    records = [{"id": "a", "text": "Chile and Peru signed a trade agreement.",
                "date": "2024-03-01"},
               {"id": "b", "text": "Japan condemned North Korea.", "date": "2024-03-02"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        ingest([str(src)], store, pipeline)
        records[1]["text"] = "Ghana hosted Togo."
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        report = ingest([str(src)], store, pipeline)
        assert (report.new, report.replaced, report.unchanged) == (0, 1, 1)
        doc = store.document("b")
        assert doc is not None and doc.article.text == "Ghana hosted Togo."
        assert store.counts()["articles"] == 2


def test_bad_inputs_are_skipped_and_reported_and_the_rest_stored(tmp_path: Path, pipeline):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (inputs / "latin1.txt").write_bytes("Les relations franco-allemandes, déjà".encode("latin-1"))
    (inputs / "huge.txt").write_text("Chile met Peru. " * 330_000, encoding="utf-8")  # 5 MB
    (inputs / "lines.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Chile and Peru signed a trade agreement."}) + "\n"
        + '{"id": "j2", "text": "truncated\n', encoding="utf-8")
    (inputs / "rows.csv").write_bytes(
        b'id,text\nc1,"Ghana hosted Togo."\nc2,"unclosed quote\x00"\nc3,caf\xe9 au lait\n')
    (inputs / "broken.html").write_bytes(b"<<<<>>>></></></p><p<p<p")
    (inputs / "script.html").write_bytes(b"<html><head><script>var x = 1;</script></head>"
                                         b"<body><div></div></body>")
    (inputs / "blob.html").write_bytes(b"\x00\x01\x02" * 100)
    (inputs / "good.txt").write_text("Hungary and Romania signed a trade agreement.",
                                     encoding="utf-8")
    skipped: list[BadRecord] = []
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([str(inputs)], store, pipeline, on_skip=skipped.append)
        stored = {r[0] for r in store.sql("SELECT id FROM articles").rows}
    assert stored == {"j1", "c1", "good"}
    assert report.new == 3 and report.skipped == skipped
    reasons = {(Path(b.source).name, b.line): b.reason for b in skipped}
    assert "empty" in reasons[("empty.txt", None)]
    assert "binary" in reasons[("binary.txt", None)]
    assert "UTF-8" in reasons[("latin1.txt", None)]
    assert "limit" in reasons[("huge.txt", None)]
    assert "malformed JSON" in reasons[("lines.jsonl", 2)]
    assert any(name == "rows.csv" for name, _ in reasons) and len(
        [k for k in reasons if k[0] == "rows.csv"]) == 2
    assert "no article text" in reasons[("broken.html", None)]
    assert "no article text" in reasons[("script.html", None)]
    assert "binary" in reasons[("blob.html", None)]
    summary = report.summary()
    assert "skipped 10" in summary and "× the file is empty" in summary


def test_csv_columns_are_mapped_by_name(tmp_path: Path, pipeline):
    src = tmp_path / "news.csv"
    src.write_text('headline,body,published,link\n'
                   '"Talks","Chile and Peru signed a trade agreement.",2024-02-01,http://x/1\n'
                   '"Visit","Japan condemned North Korea.",2024-02-03,http://x/2\n',
                   encoding="utf-8")
    columns = CsvColumns(text="body", title="headline", date="published", url="link")
    articles = list(read_path(str(src), columns=columns))
    assert [(a.title, a.date, a.url) for a in articles] == [
        ("Talks", "2024-02-01", "http://x/1"), ("Visit", "2024-02-03", "http://x/2")]
    (bad,) = list(read_path(str(src)))
    assert isinstance(bad, BadRecord) and "--text-column" in bad.reason and "body" in bad.reason
    with Store(tmp_path / "s.duckdb") as store:
        report = ingest([str(src)], store, pipeline, columns=columns)
        assert report.new == 2


def test_an_html_page_gives_its_article_text_title_and_date(tmp_path: Path):
    page = tmp_path / "2024-05-08-trade.html"
    body = "".join(f"<p>{s}</p>" for s in [
        "Hungary and Romania signed a trade agreement on Monday in Bucharest.",
        "The agreement lowers tariffs on grain, steel and machinery between the two "
        "neighbours, officials said after the ceremony.",
        "Both governments said the deal would take effect next year and be reviewed "
        "after three years of operation."])
    page.write_text(f"<html><head><title>Hungary and Romania sign trade deal</title></head>"
                    f"<body><nav><a href='/'>Home</a></nav><article><h1>Hungary and Romania "
                    f"sign trade deal</h1>{body}</article><footer>© News</footer></body></html>",
                    encoding="utf-8")
    (article,) = list(read_path(str(page)))
    assert not isinstance(article, BadRecord)
    assert article.title == "Hungary and Romania sign trade deal"
    assert article.date == "2024-05-08"
    assert "signed a trade agreement on Monday" in article.text
    assert "Home" not in article.text and "©" not in article.text


def test_records_are_counted_for_the_progress_bar(tmp_path: Path):
    src = tmp_path / "a.jsonl.gz"
    with gzip.open(src, "wt", encoding="utf-8") as handle:
        handle.write('{"text": "a"}\n\n{"text": "b"}\n')
    (tmp_path / "b.csv").write_text('text\n"one"\n"two"\n"three"\n', encoding="utf-8")
    assert count_records([str(tmp_path), str(EXAMPLES)]) == 2 + 3 + 12
    assert count_records(["-"]) is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_killed_ingest_resumes_to_exactly_the_rows_of_an_uninterrupted_one(tmp_path: Path,
                                                                             jobs: str):
    records = example_records()
    copies = [{**r, "id": f"copy{n:02d}-{r['id']}"} for n in range(5) for r in records]
    assert len(copies) == 60
    src = tmp_path / "copies.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in copies), encoding="utf-8")
    killed, whole = tmp_path / "killed.duckdb", tmp_path / "whole.duckdb"
    args = ["ingest", str(src), "--commit-every", "4", "--batch-size", "4", "--progress",
            "--jobs", jobs]

    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:
        process = subprocess.Popen([*DETENTE, *args, "--db", str(killed)],
                                   stdout=subprocess.DEVNULL, stderr=err)
    done = 0
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        counts = re.findall(r"(\d+)/60", log.read_text(errors="replace"))
        done = int(counts[-1]) if counts else 0
        if done >= 12:
            break
        time.sleep(0.02)
    workers = children(process.pid)
    assert len(workers) >= int(jobs) - 1  # the workers (and a resource tracker)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the ingest ended before it could be killed"
    assert gone(workers), "the workers of a killed ingest did not exit"

    with Store(killed, read_only=True) as store:
        partial = store.counts()["articles"]
    assert 0 < partial < 60
    # no half-written article: every stored article has all its rows
    rows = table_contents(killed)
    stored = {r[0] for r in rows["articles"]}
    assert {r[0] for t in ("actors", "events", "quotes") for r in rows[t]} <= stored

    rerun = run(*args, "--db", str(killed))
    assert rerun.returncode == 0, rerun.stderr
    assert f"new {60 - partial}, replaced 0, unchanged {partial}" in rerun.stdout
    uninterrupted = run(*args, "--db", str(whole))
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    assert table_contents(killed) == table_contents(whole)


def test_the_ingest_command_lists_skipped_inputs_and_exits_1(tmp_path: Path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "rows.csv").write_text("body\nChile met Peru.\n", encoding="utf-8")
    result = run("ingest", str(tmp_path), "--db", str(tmp_path / "s.duckdb"))
    assert result.returncode == 1
    assert "empty.txt: the file is empty" in result.stderr
    assert 'no "text" column' in result.stderr and "--text-column" in result.stderr
    assert "skipped 2" in result.stdout


def test_a_failed_write_stops_the_ingest_and_keeps_the_groups_committed_before(tmp_path: Path,
                                                                            pipeline):
    from detente.store import StoreError

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"a{n}", "text": "Chile met Peru."}) + "\n"
                           for n in range(6)), encoding="utf-8")
    with Store(tmp_path / "s.duckdb") as store:
        threads = store.sql("SELECT current_setting('threads')").rows
        write_many, calls = store.write_many, []

        def failing(documents, force=False):
            calls.append(len(documents))
            if len(calls) == 2:
                raise StoreError("disk full")
            return write_many(documents, force=force)

        store.write_many = failing  # type: ignore[method-assign]
        with pytest.raises(StoreError, match="disk full"):
            ingest([str(src)], store, pipeline, batch_size=2, commit_every=2)
        assert store.counts()["articles"] == 2
        assert store.sql("SELECT current_setting('threads')").rows == threads


def test_a_long_ingest_reopens_its_store_and_stores_the_same_rows(tmp_path: Path, pipeline):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in example_records()), encoding="utf-8")
    contents = []
    for every in (0, 4):
        db = tmp_path / f"s{every}.duckdb"
        with Store(db) as store:
            store.con.execute("SET threads = 2")
            calls: list[int] = []

            def counted(reopen=store.reopen, calls=calls) -> None:
                calls.append(1)
                reopen()

            store.reopen = counted  # type: ignore[method-assign]
            first = store.con
            report = ingest([str(src)], store, pipeline, batch_size=2, commit_every=2,
                            release_every=every)
            assert report.new == 12
            # 12 articles, a reopening after every 4 written; none when 0
            assert len(calls) == (3 if every else 0)
            assert (store.con is first) == (not every)
            assert store.sql("SELECT current_setting('threads')").rows == [(2,)]
            assert store.counts()["articles"] == 12
        contents.append(table_contents(db))
    assert contents[0] == contents[1]
