"""Shared fixtures: one pipeline for the whole run, and the path of ../shared when present."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from detente.pipeline import Pipeline, get_pipeline
from detente.schema import Document

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def pytest_configure(config: pytest.Config) -> None:
    """The run (and the commands it starts) caches in a directory of its own, removed at
    the end, never in the user's ~/.cache/detente."""
    os.environ["DETENTE_CACHE_DIR"] = tempfile.mkdtemp(prefix="detente-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.pop("DETENTE_CACHE_DIR", ""), ignore_errors=True)


def shared_dir() -> Path | None:
    """``../shared`` beside the repository (or $DETENTE_SHARED), None when absent."""
    path = Path(os.environ.get("DETENTE_SHARED", ROOT.parent / "shared"))
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if path is None:
        pytest.skip("../shared is not here (set DETENTE_SHARED to its path)")
    return path


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return get_pipeline()


@pytest.fixture(scope="session")
def extract(pipeline: Pipeline):
    """Sentence in, Document out."""

    def run(text: str, date: str | None = "2024-05-08") -> Document:
        return pipeline.extract(text, date=date)

    return run


def actor_named(doc: Document, name: str):
    """The actor whose name is ``name`` or that has a mention with that exact text."""
    for actor in doc.actors:
        if actor.name == name or any(m.text == name for m in actor.mentions):
            return actor
    raise AssertionError(f"no actor {name!r} in {[a.name for a in doc.actors]}")


def countries(doc: Document, ids: list[str]) -> set[str | None]:
    """The countries of the actors ``ids`` (IGOs give 'IGO')."""
    out = set()
    for actor_id in ids:
        actor = doc.actor(actor_id)
        out.add("IGO" if actor.kind == "igo" else actor.country)
    return out


@pytest.fixture(scope="session")
def example_store(tmp_path_factory, pipeline: Pipeline) -> Path:
    """A store of the example articles (and one hostile article: see tests/serving.py)."""
    from serving import build_store

    return build_store(tmp_path_factory.mktemp("store") / "examples.duckdb", pipeline)


@pytest.fixture(scope="session")
def server(example_store: Path):
    """The base URL of `detente serve` running on the example store."""
    from serving import running_server

    with running_server(example_store) as url:
        yield url
