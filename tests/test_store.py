"""The store: Documents in, the same Documents out; idempotent, replacing, all-or-nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

import detente
from conftest import EXAMPLES
from detente.ingest.readers import BadRecord, read_path
from detente.schema import Actor, Document
from detente.store import SCHEMA_VERSION, Store, StoreError
from detente.store.rows import SCHEMAS, event_group, side, to_date


@pytest.fixture(scope="module")
def example_docs(pipeline) -> list[Document]:
    articles = [a for a in read_path(str(EXAMPLES)) if not isinstance(a, BadRecord)]
    return list(pipeline.extract_many(articles))


def test_a_stored_document_comes_back_unchanged(tmp_path: Path, example_docs):
    with Store(tmp_path / "s.duckdb") as store:
        result = store.write_many(example_docs)
        assert (result.new, result.replaced, result.unchanged) == (len(example_docs), 0, 0)
        for doc in example_docs:
            assert store.document(doc.article.id) == doc
        assert store.document("no-such-article") is None


def test_writing_the_same_articles_again_changes_nothing(tmp_path: Path, example_docs):
    with Store(tmp_path / "s.duckdb") as store:
        store.write_many(example_docs)
        before = {t: store.sql(f"SELECT * FROM {t} ORDER BY ALL").rows for t in SCHEMAS}
        again = store.write_many(example_docs)
        assert (again.new, again.replaced, again.unchanged) == (0, 0, len(example_docs))
        assert {t: store.sql(f"SELECT * FROM {t} ORDER BY ALL").rows for t in SCHEMAS} == before


def test_an_article_whose_text_changed_replaces_its_old_rows(tmp_path: Path, extract):
    first = extract("China and Russia signed a trade agreement. Japan condemned North Korea.")
    first.article = dataclasses.replace(first.article, id="a1")
    second = extract("Ghana hosted Togo.")
    second.article = dataclasses.replace(second.article, id="a1")
    with Store(tmp_path / "s.duckdb") as store:
        store.write(first)
        result = store.write(second)
        assert (result.new, result.replaced) == (0, 1)
        assert store.document("a1") == second
        counts = store.counts()
        assert counts["articles"] == 1
        assert counts["events"] == len(second.events)
        assert counts["actors"] == len(second.actors)


def test_a_failing_write_leaves_nothing_behind(tmp_path: Path, extract):
    good = extract("Hungary and Romania signed a trade agreement.")
    bad = extract("Chile met Peru.")
    bad.article = dataclasses.replace(bad.article, id="bad")
    bad.actors.append(Actor(id="x", name=None, kind="person"))  # type: ignore[arg-type]
    with Store(tmp_path / "s.duckdb") as store:
        with pytest.raises(duckdb.ConstraintException):
            store.write_many([good, bad])
        assert set(store.counts().values()) == {0}
        store.write(good)  # the connection is usable after the rollback
        assert store.counts()["articles"] == 1


def test_the_schema_version_is_recorded_and_a_newer_store_is_refused(tmp_path: Path):
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (999, 'from the future', now())")
    con.close()
    with pytest.raises(StoreError, match="upgrade detente"):
        Store(path)


def test_opening_a_missing_store_read_only_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(StoreError, match="detente ingest"):
        Store(tmp_path / "none.duckdb", read_only=True)


def test_a_file_that_is_not_a_store_is_named(tmp_path: Path):
    path = tmp_path / "notes.duckdb"
    path.write_text("these are my notes, not a database\n" * 200, encoding="utf-8")
    with pytest.raises(StoreError, match="notes.duckdb"):
        Store(path)


def test_store_is_exported_lazily_from_the_package():
    assert detente.Store is Store


def test_sides_and_event_groups():
    country = Actor(id="CHN", name="China", kind="country", country="CHN", code="CHN")
    igo = Actor(id="UN", name="United Nations", kind="igo", code="IGOUNO")
    crowd = Actor(id="p", name="protesters", kind="group", code="---CVL")
    assert (side(country), side(igo), side(crowd), side(None)) == ("CHN", "IGOUNO", None, None)
    day = to_date("2024-01-08")
    assert event_group(day, "CHN", "RUS", "05") == "2024-01-08|CHN|RUS|05"
    assert event_group(day, "CHN", None, "05") is None
    assert event_group(None, "CHN", "RUS", "05") is None
    assert to_date("2024-01-08T10:00:00") == day and to_date("soon") is None


def test_an_older_store_is_migrated_when_opened_for_writing(tmp_path: Path, monkeypatch):
    from detente.store import store as store_module
    from detente.store.schema import MIGRATIONS, Migration

    path = tmp_path / "s.duckdb"
    Store(path).close()
    later = Migration(SCHEMA_VERSION + 1, "a column for a later detente",
                      ("ALTER TABLE articles ADD COLUMN language VARCHAR",))
    monkeypatch.setattr(store_module, "MIGRATIONS", (*MIGRATIONS, later))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", later.version)
    with pytest.raises(StoreError, match="needs migrating"):
        Store(path, read_only=True)
    with Store(path) as store:
        assert store.schema_version == later.version
        assert "language" in store.sql("SELECT * FROM articles").columns
    with Store(path, read_only=True) as store:
        assert store.schema_version == later.version
