"""`detente ingest --engine ray`: the same rows as the local engine, on a real local cluster."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from conftest import EXAMPLES
from detente.ingest.ingest import ingest
from detente.ingest.ray_engine import RayEngineError, import_ray, ingest_ray
from detente.nlp import DEFAULT_MODEL
from detente.schema import Article
from detente.store import Store
from detente.store.parts import complete_parts, staging_dir, write_part
from detente.store.rows import RowBuffer
from test_ingest import table_contents

ray = pytest.importorskip("ray")

SENTENCES = [
    "Chile and Peru signed a trade agreement in Lima.",
    "Japan condemned North Korea for firing a missile over the sea.",
    "Russian President Vladimir Putin met Chinese President Xi Jinping in Moscow on Tuesday.",
    "Ghana hosted Togo for talks on the border. \"We want peace,\" the Togolese minister said.",
    "Hungary accused Romania of violating the agreement, and Romania rejected the claim.",
    "The United Nations urged Israel and Iran to show restraint.",
]


@pytest.fixture(scope="module")
def cluster():
    """One local Ray cluster of 2 CPUs for the module."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture
def sample(tmp_path: Path) -> list[str]:
    """The 12 example articles and 18 generated ones in a JSONL file."""
    lines = [json.dumps({"id": f"gen-{i}", "date": f"2024-0{1 + i % 9}-1{i % 10}",
                         "title": f"Report {i}",
                         "text": " ".join(SENTENCES[(i + k) % len(SENTENCES)]
                                          for k in range(1 + i % 3))})
             for i in range(18)]
    generated = tmp_path / "generated.jsonl"
    generated.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(EXAMPLES), str(generated)]




def test_ray_with_two_workers_stores_the_same_rows_as_the_local_engine(
        cluster, sample, pipeline, tmp_path: Path):
    with Store(tmp_path / "local.duckdb") as store:
        local = ingest(sample, store, pipeline)
    with Store(tmp_path / "ray.duckdb") as store:
        remote = ingest_ray(sample, store, model=DEFAULT_MODEL, workers=2, batch_size=4)
    assert local.new == remote.new == 30
    assert (remote.events, remote.quotes) == (local.events, local.quotes)
    expected = table_contents(tmp_path / "local.duckdb")
    assert all(expected[t] for t in ("articles", "actors", "events", "dyads", "quotes"))
    assert table_contents(tmp_path / "ray.duckdb") == expected
    assert not staging_dir(tmp_path / "ray.duckdb").exists()  # every part stored and deleted

    with Store(tmp_path / "ray.duckdb") as store:
        again = ingest_ray(sample, store, model=DEFAULT_MODEL, workers=2, batch_size=4)
    assert (again.new, again.replaced, again.unchanged) == (0, 0, 30)

    # a changed article is replaced, as by the local engine
    generated = Path(sample[1])
    lines = generated.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["text"] = "Kenya and Uganda agreed to build a railway."
    generated.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n", encoding="utf-8")
    with Store(tmp_path / "local.duckdb") as store:
        ingest(sample, store, pipeline)
    with Store(tmp_path / "ray.duckdb") as store:
        changed = ingest_ray(sample, store, model=DEFAULT_MODEL, workers=2)
    assert (changed.new, changed.replaced, changed.unchanged) == (0, 1, 29)
    assert table_contents(tmp_path / "ray.duckdb") == table_contents(tmp_path / "local.duckdb")


def test_the_command_runs_on_an_existing_cluster_given_its_address(cluster, tmp_path: Path):
    db = tmp_path / "s.duckdb"
    args = [sys.executable, "-m", "detente.cli", "ingest", str(EXAMPLES), "--db", str(db),
            "--engine", "ray", "--address", cluster, "--workers", "2", "--batch-size", "3"]
    first = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert first.returncode == 0, first.stderr
    assert "new 12, replaced 0, unchanged 0, skipped 0" in first.stdout
    second = subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)
    assert "new 0, replaced 0, unchanged 12, skipped 0" in second.stdout


def test_parts_left_by_a_crashed_run_are_stored_and_half_written_ones_dropped(
        pipeline, tmp_path: Path):
    db = tmp_path / "s.duckdb"
    buffer = RowBuffer()
    for doc in pipeline.extract_many([Article(id="left",
                                              text="Chile and Peru signed a trade agreement.")]):
        buffer.add(doc, datetime.now())
    staging = staging_dir(db)
    write_part(buffer.tables(), staging)
    (staging / ".tmp-half").mkdir()
    (staging / ".tmp-half" / "articles.parquet").write_bytes(b"PAR1 truncated")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    with Store(db) as store:
        report = ingest_ray([str(empty)], store, model=DEFAULT_MODEL)  # nothing to extract
        assert report.new == 0
        assert [r[0] for r in store.sql("SELECT id FROM articles").rows] == ["left"]
        assert store.counts()["events"] == 1
    assert complete_parts(staging) == [] and not staging.exists()


def test_without_ray_installed_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RayEngineError, match=r"pip install 'detente\[ray\]'"):
        import_ray()


def test_an_unreachable_address_is_named_in_the_error(tmp_path: Path):
    result = subprocess.run(
        [sys.executable, "-m", "detente.cli", "ingest", str(EXAMPLES), "--db",
         str(tmp_path / "s.duckdb"), "--engine", "ray", "--address", "127.0.0.1:1"],
        capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "cannot connect to the Ray cluster at 127.0.0.1:1" in result.stderr


def test_the_local_engine_does_not_import_ray(tmp_path: Path):
    article = tmp_path / "a.txt"
    article.write_text("Chile and Peru signed a trade agreement.", encoding="utf-8")
    code = ("import sys; from click.testing import CliRunner; from detente.cli import main; "
            f"r = CliRunner().invoke(main, ['ingest', {str(article)!r}, '--db', "
            f"{str(tmp_path / 's.duckdb')!r}]); "
            "print(r.exit_code, 'ray' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.stdout.strip() == "0 False", result.stderr
