"""--jobs N: worker processes give the same Documents and store rows as one process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import EXAMPLES
from detente.export import to_jsonl
from detente.ingest.ingest import ingest
from detente.ingest.readers import BadRecord, read_paths
from detente.nlp import batches
from detente.parallel import PipelinePool, PipelineSpec, WorkerError, resolve_jobs
from detente.schema import Article
from detente.store import Store, StoreError
from test_ingest import children, example_records, gone, table_contents

DETENTE = [sys.executable, "-m", "detente.cli"]


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, input=stdin,
                          timeout=300, check=False)


def good(paths: list[str]) -> list[Article]:
    return [a for a in read_paths(paths) if not isinstance(a, BadRecord)]


@pytest.fixture(scope="module")
def pool():
    with PipelinePool(PipelineSpec(), 2) as workers:
        yield workers


def test_a_pool_gives_the_documents_of_one_process_in_input_order(pool, pipeline):
    articles = good([str(EXAMPLES)])
    one = [d.to_dict() for d in pipeline.extract_many(articles, batch_size=2)]
    two = [d.to_dict() for d in pool.extract_many(articles, batch_size=2)]
    assert two == one
    pids = pool.pids
    assert len(pids) == 2 and os.getpid() not in pids
    # the workers stay up: a second call pays no start-up
    again = [d.article.id for d in pool.extract_many(articles[:5], batch_size=1)]
    assert again == [a.id for a in articles[:5]]
    assert pool.pids == pids


def test_an_ingest_with_a_pool_stores_the_rows_of_one_process(tmp_path: Path, pool, pipeline):
    for name, extractor in (("one", pipeline), ("two", pool)):
        with Store(tmp_path / f"{name}.duckdb") as store:
            report = ingest([str(EXAMPLES)], store, extractor, batch_size=2, commit_every=3)
        assert (report.new, report.skipped) == (12, [])
    assert table_contents(tmp_path / "two.duckdb") == table_contents(tmp_path / "one.duckdb")


def test_rows_from_the_workers_follow_the_write_rules(tmp_path: Path, pool, pipeline):
    articles = good([str(EXAMPLES)])[:4]
    chunks = list(pool.extract_rows(articles, batch_size=3))
    assert [c["articles"].column("id").to_pylist() for c in chunks] == \
        [[a.id for a in articles[:3]], [articles[3].id]]
    with Store(tmp_path / "rows.duckdb") as store:
        store.write_many(list(pipeline.extract_many(articles[:2])))
        stamps = "SELECT id, ingested_at FROM articles ORDER BY id"
        before = store.con.execute(stamps).fetchall()
        result = store.write_tables(chunks[0])
        # the two stored unchanged are left as they are, the third is new
        assert (result.new, result.replaced, result.unchanged) == (1, 0, 2)
        assert [r for r in store.con.execute(stamps).fetchall() if r[0] in dict(before)] == before
        again = store.write_tables(chunks[0], force=True)
        assert (again.new, again.replaced, again.unchanged) == (0, 3, 0)
        assert store.counts()["articles"] == 3
        with pytest.raises(StoreError, match="twice"):
            store.write_tables({name: pa.concat_tables([t, t]) for name, t in chunks[1].items()})
    with Store(tmp_path / "docs.duckdb") as store:
        store.write_many(list(pipeline.extract_many(articles[:3])))
    assert table_contents(tmp_path / "rows.duckdb") == table_contents(tmp_path / "docs.duckdb")


def examples_and_an_empty_file(tmp_path: Path) -> Path:
    """A folder with the example articles and one empty (bad) file."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in sorted(EXAMPLES.glob("*.txt")):
        (inputs / path.name).write_bytes(path.read_bytes())
    (inputs / "empty.txt").write_bytes(b"")
    return inputs


def test_batches_end_at_the_article_or_character_budget_and_keep_the_order():
    texts = ["a" * n for n in (5, 5, 5, 30, 5, 5, 5, 5, 5)]
    articles = [Article(id=str(i), text=t) for i, t in enumerate(texts)]
    got = [[a.id for a in batch] for batch in batches(articles, size=3, chars=12)]
    # 5+5 fits in 12, a third 5 would not; 30 is over the budget alone: a batch of its own;
    # then batches of two (the characters) until the last article
    assert got == [["0", "1"], ["2"], ["3"], ["4", "5"], ["6", "7"], ["8"]]
    # no character budget: batches of `size` articles
    got = [[a.id for a in batch] for batch in batches(articles, size=4, chars=0)]
    assert got == [["0", "1", "2", "3"], ["4", "5", "6", "7"], ["8"]]
    assert list(batches([], size=4)) == []
    with pytest.raises(ValueError):
        list(batches(articles, size=0))


def test_the_batching_does_not_change_the_documents(pipeline):
    articles = good([str(EXAMPLES)])
    whole = [d.to_dict() for d in pipeline.extract_many(articles, batch_size=64,
                                                         batch_chars=0)]
    assert len(whole) == len(articles) > 3
    # batches of two articles (the examples are 1,600-2,100 characters long)
    small = [d.to_dict() for d in pipeline.extract_many(articles, batch_size=64,
                                                         batch_chars=4000)]
    assert small == whole


def test_extraction_leaves_the_vocabulary_as_it_found_it(pipeline):
    # new words (made-up names, numbers) would otherwise stay in spaCy's string store for
    # the life of the process: a long ingest or a server's memory would grow with them
    text = ("Zorvania's foreign minister Qelbrit Vantosz met Ulmarian envoy Drasko Pembul "
            "in Kettavik on 3 March 2031 and signed a 48,213,977-dollar trade pact.")
    strings = len(pipeline.nlp.vocab.strings)
    first = pipeline.extract(text, date="2031-03-04").to_dict()
    assert len(pipeline.nlp.vocab.strings) == strings
    many = list(pipeline.extract_many([Article(id="z", text=text, date="2031-03-04")] * 3))
    assert len(pipeline.nlp.vocab.strings) == strings
    # the Documents keep their text after the zone is gone, and a second run gives the same
    assert pipeline.extract(text, date="2031-03-04").to_dict() == first
    assert [a.name for a in many[0].actors] == ["Qelbrit Vantosz", "Drasko Pembul"]
    assert {(e.text, e.label) for e in many[0].entities} >= {("Zorvania", "GPE"),
                                                             ("Kettavik", "GPE")}
    assert [d.to_dict() | {"article": None} for d in many] == [first | {"article": None}] * 3


def test_jobs_0_is_one_per_core():
    assert resolve_jobs(0) == len(os.sched_getaffinity(0))
    assert resolve_jobs(3) == 3


def test_extract_with_jobs_2_prints_what_one_process_gives_and_reports_bad_inputs(
        tmp_path: Path, pipeline):
    inputs = examples_and_an_empty_file(tmp_path)
    (inputs / "lines.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Chile and Peru signed a trade agreement."})
        + "\n{oops\n", encoding="utf-8")
    expected = "".join(to_jsonl(d) + "\n"
                       for d in pipeline.extract_many(good([str(inputs)]), batch_size=3))
    result = run("extract", str(inputs), "--format", "jsonl", "--jobs", "2", "--batch-size", "3")
    assert result.returncode == 1
    assert result.stdout == expected
    assert "empty.txt" in result.stderr and "lines.jsonl:2" in result.stderr
    assert "2 input(s) skipped" in result.stderr


def test_ingest_with_jobs_2_stores_the_rows_of_one_process_and_skips_bad_inputs(
        tmp_path: Path, pipeline):
    inputs = examples_and_an_empty_file(tmp_path)
    with Store(tmp_path / "one.duckdb") as store:
        ingest([str(inputs)], store, pipeline)
    db = tmp_path / "two.duckdb"
    result = run("ingest", str(inputs), "--db", str(db), "--jobs", "2", "--batch-size", "2",
                 "--commit-every", "3")
    assert result.returncode == 1, result.stderr
    assert "new 12, replaced 0, unchanged 0, skipped 1" in result.stdout
    assert "empty.txt: the file is empty" in result.stderr
    assert table_contents(db) == table_contents(tmp_path / "one.duckdb")


def test_workers_build_the_users_dictionaries_and_report_their_warnings_once(tmp_path: Path):
    actors = tmp_path / "my.actors.txt"
    actors.write_text("ELROND_HALFELVEN_\n\t[RIVGOV 900101-991231]\n\t[RIVELI >000101]\n"
                      "RIVENDELL_ [RIV]\n", encoding="utf-8")
    agents = tmp_path / "my.agents.txt"
    agents.write_text("HOBBIT [~CVL]\nELF [~ENV}\n", encoding="utf-8")
    text = "Elrond Halfelven condemned Rivendell hobbits."
    stdin = "".join(json.dumps({"id": f"a{n}", "text": text, "date": day}) + "\n"
                    for n, day in enumerate(["1995-05-05", "2005-05-05"] * 2))
    result = run("extract", "-", "--format", "jsonl", "--jobs", "2", "--batch-size", "1",
                 "--petrarch-actors", str(actors), "--petrarch-agents", str(agents),
                 stdin=stdin)
    assert result.returncode == 0, result.stderr
    docs = [json.loads(line) for line in result.stdout.splitlines()]
    codes = [{a["name"].lower(): a["code"] for a in d["actors"]}["elrond halfelven"]
             for d in docs]
    assert codes == ["RIVGOV", "RIVELI", "RIVGOV", "RIVELI"]
    assert result.stderr.count("closed with }") == 1


def test_a_worker_that_cannot_load_the_model_is_reported():
    result = run("extract", "-", "--jobs", "2", "--model", "no_such_pipeline",
                 stdin="Chile met Peru.")
    assert result.returncode == 1
    assert "cannot load the spaCy pipeline 'no_such_pipeline'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_worker_that_dies_is_reported():
    articles = [Article(id=f"a{n}", text="Chile and Peru signed a trade agreement.")
                for n in range(200)]
    with PipelinePool(PipelineSpec(), 1) as workers:
        documents = workers.extract_many(articles, batch_size=1)
        next(documents)
        (pid,) = workers.pids
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerError, match="killed by signal 9"):
            for _ in documents:
                pass


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_progress(log: Path, process: subprocess.Popen[bytes], at_least: int) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        counts = re.findall(r"(\d+)/\d+ ", log.read_text(errors="replace"))
        if counts and int(counts[-1]) >= at_least:
            return
        time.sleep(0.02)
    raise AssertionError(f"the ingest ended or stalled before {at_least} articles:\n"
                         f"{log.read_text(errors='replace')}")


def test_ctrl_c_with_jobs_2_keeps_what_was_committed_and_ends_the_workers(tmp_path: Path,
                                                                          pipeline):
    # enough articles that the run is still going when the signal comes, even on a busy
    # machine where this test polls the progress bar late
    copies = [{**r, "id": f"copy{n:02d}-{r['id']}"} for n in range(20) for r in example_records()]
    total = len(copies)
    src = tmp_path / "copies.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in copies), encoding="utf-8")
    db = tmp_path / "s.duckdb"
    args = ["ingest", str(src), "--db", str(db), "--jobs", "2", "--commit-every", "4",
            "--batch-size", "4"]
    log = tmp_path / "stderr.txt"
    with open(log, "w") as err:
        # a session of its own: Ctrl-C at a terminal goes to the whole process group
        # Ctrl-C as at a terminal: a child inherits an ignored SIGINT (from whatever ran
        # this test with it ignored), and Python then installs no KeyboardInterrupt handler
        process = subprocess.Popen([*DETENTE, *args, "--progress"], stdout=subprocess.PIPE,
                                   stderr=err, start_new_session=True,
                                   preexec_fn=_default_sigint)
    _wait_for_progress(log, process, 12)
    workers = children(process.pid)
    os.killpg(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 130, log.read_text()
    assert "interrupted" in out.decode()
    assert "Traceback" not in log.read_text()
    assert gone(workers)
    with Store(db, read_only=True) as store:
        partial = store.counts()["articles"]
    assert 0 < partial < total

    rerun = run(*args)
    assert rerun.returncode == 0, rerun.stderr
    assert f"new {total - partial}, replaced 0, unchanged {partial}" in rerun.stdout
    with Store(tmp_path / "whole.duckdb") as store:
        ingest([str(src)], store, pipeline)
    assert table_contents(db) == table_contents(tmp_path / "whole.duckdb")
