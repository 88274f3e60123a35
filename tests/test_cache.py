"""The disk cache, and the gazetteer kept in it: it saves time and never changes an answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from detente import cache
from detente.actors import places
from detente.actors.places import Gazetteer, Place, build_gazetteer, cached_gazetteer

KEY = cache.cache_key("test", "1")
VALUE = {"moscow": (0, 2), "rows": [("Moscow", "RUS", "city", 10_381_222)], "n": None}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache directory for the test (the user's is never touched)."""
    path = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV_VAR, str(path))
    return path


@pytest.fixture(scope="module")
def fresh() -> dict[str, tuple[Place, ...]]:
    """The whole index of a gazetteer built now, from the installed packages."""
    return dict(build_gazetteer().items())


def test_the_cache_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "detente"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "detente"


def test_a_stored_value_loads_back(cache_dir: Path):
    assert cache.load("test", KEY) is None
    assert cache.store("test", KEY, VALUE)
    assert cache.load("test", KEY) == VALUE
    assert [p.name for p in cache_dir.iterdir()] == [cache.cache_path("test", KEY).name]


def test_another_key_does_not_read_the_old_file(cache_dir: Path):
    assert cache.store("test", KEY, VALUE)
    other = cache.cache_key("test", "2")
    assert cache.load("test", other) is None
    # even under the other key's file name: the full key inside the file must match
    cache.cache_path("test", KEY).rename(cache.cache_path("test", other))
    assert cache.load("test", other) is None


@pytest.mark.parametrize("damage", ["empty", "truncated", "flipped", "foreign"])
def test_a_damaged_file_loads_as_nothing_and_is_replaced(cache_dir: Path, damage: str):
    assert cache.store("test", KEY, VALUE)
    path = cache.cache_path("test", KEY)
    data = path.read_bytes()
    damaged = {"empty": b"", "truncated": data[: len(data) // 2],
               "flipped": data[:-3] + bytes([data[-3] ^ 0xFF]) + data[-2:],
               "foreign": b"\x00not a cache file at all" * 10}[damage]
    path.write_bytes(damaged)
    assert cache.load("test", KEY) is None
    assert cache.store("test", KEY, VALUE)
    assert cache.load("test", KEY) == VALUE


def test_a_directory_that_cannot_be_made_means_no_cache(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker / "cache"))
    assert cache.store("test", KEY, VALUE) is False
    assert cache.load("test", KEY) is None


def test_no_home_directory_means_no_cache(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:  # what pathlib does with no $HOME and no passwd entry
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    with pytest.raises(OSError, match=cache.ENV_VAR):
        cache.cache_dir()
    assert cache.store("test", KEY, VALUE) is False
    assert cache.load("test", KEY) is None


def test_the_cached_gazetteer_has_the_index_of_a_fresh_build(cache_dir: Path, fresh):
    built = cached_gazetteer()  # nothing on disk: built, then written
    assert dict(built.items()) == fresh
    path = cache.cache_path(places.CACHE_NAME, places.gazetteer_cache_key())
    assert path.is_file()
    state = cache.load(places.CACHE_NAME, places.gazetteer_cache_key())
    assert state is not None
    loaded = Gazetteer.from_state(state)
    assert len(loaded) == len(fresh)
    assert dict(loaded.items()) == fresh
    assert loaded.lookup("Moscow", country_hint="USA") == built.lookup("Moscow", "USA")
    assert loaded.candidates("Heilongjiang Province") == built.candidates("Heilongjiang")


def test_a_good_cache_file_is_loaded_not_rebuilt(cache_dir: Path, fresh,
                                                monkeypatch: pytest.MonkeyPatch):
    cached_gazetteer()

    def no_build() -> Gazetteer:
        raise AssertionError("the gazetteer was built again")

    monkeypatch.setattr(places, "build_gazetteer", no_build)
    assert dict(cached_gazetteer().items()) == fresh


def test_a_corrupt_gazetteer_file_is_ignored_and_replaced(cache_dir: Path, fresh):
    cached_gazetteer()
    path = cache.cache_path(places.CACHE_NAME, places.gazetteer_cache_key())
    path.write_bytes(path.read_bytes()[:100_000])  # as a process killed mid-write would
    assert dict(cached_gazetteer().items()) == fresh
    assert cache.load(places.CACHE_NAME, places.gazetteer_cache_key()) is not None


def test_a_stale_gazetteer_is_not_used(cache_dir: Path):
    tiny = Gazetteer()
    tiny.add("Avalon", Place("Avalon", "AAA", "city", 1))
    tiny.finish()
    # a gazetteer stored under another key, even in the current key's file, is not read
    old_key = cache.cache_key(places.CACHE_NAME, "an older detente")
    assert cache.store(places.CACHE_NAME, old_key, tiny.to_state())
    cache.cache_path(places.CACHE_NAME, old_key).rename(
        cache.cache_path(places.CACHE_NAME, places.gazetteer_cache_key()))
    gazetteer = cached_gazetteer()
    assert gazetteer.lookup("Avalon") is None
    assert gazetteer.lookup("Moscow").country == "RUS"


def test_a_file_that_is_not_a_gazetteer_is_rebuilt(cache_dir: Path):
    key = places.gazetteer_cache_key()
    assert cache.store(places.CACHE_NAME, key, ([("Avalon", "AAA", "city", 1)], {"avalon": 7}))
    assert cached_gazetteer().lookup("Moscow").country == "RUS"
    assert Gazetteer.from_state(cache.load(places.CACHE_NAME, key)).lookup("Moscow") is not None


ROW = ("Avalon", "AAA", "city", 1)


@pytest.mark.parametrize("state", [
    None, "gazetteer", ([ROW],), ([ROW], []), ([("Avalon", "AAA", "city")], {"avalon": 0}),
    ([list(ROW)], {"avalon": 0}), ([ROW], {"avalon": 1}), ([ROW], {"avalon": -1}),
    ([ROW], {"avalon": "0"}), ([ROW], {"avalon": (0, 1)}), ([ROW], {"avalon": (0, "0")}),
    ([ROW], {"avalon": ([0],)}), ([ROW], {"avalon": (0.0,)}), ([ROW], {"avalon": [0]}),
])
def test_from_state_refuses_what_to_state_cannot_give(state):
    with pytest.raises(ValueError, match="not a gazetteer state"):
        Gazetteer.from_state(state)


def test_from_state_gives_back_the_gazetteer():
    state = ([ROW, ("Avalon", "BBB", "region", None)], {"avalon": (0, 1), "avalon town": 0})
    gazetteer = Gazetteer.from_state(state)
    assert gazetteer.candidates("Avalon") == (Place(*ROW), Place("Avalon", "BBB", "region", None))
    assert gazetteer.lookup("Avalon Town") == Place(*ROW)
    assert gazetteer.to_state() == state


def test_an_unwritable_cache_dir_still_gives_the_gazetteer(tmp_path: Path, fresh,
                                                          monkeypatch: pytest.MonkeyPatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker / "cache"))
    assert dict(cached_gazetteer().items()) == fresh


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions that apply (root writes anywhere)")
def test_a_read_only_cache_dir_still_gives_the_gazetteer(cache_dir: Path):
    cache_dir.mkdir()
    cache_dir.chmod(0o500)
    try:
        assert cached_gazetteer().lookup("Moscow").country == "RUS"
        assert list(cache_dir.iterdir()) == []
    finally:
        cache_dir.chmod(0o700)


def test_processes_starting_together_share_the_cache(cache_dir: Path, fresh):
    """As the workers of --jobs 2 do: both build and write at once; the file stays good."""
    script = ("from detente.actors.places import cached_gazetteer; "
              "print(cached_gazetteer().lookup('Kiev').country)")
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              text=True, env=os.environ.copy()) for _ in range(2)]
    outputs = [proc.communicate(timeout=120)[0].strip() for proc in procs]
    assert outputs == ["UKR", "UKR"]
    assert [p.name for p in cache_dir.iterdir()] == [
        cache.cache_path(places.CACHE_NAME, places.gazetteer_cache_key()).name]  # no temp files
    state = cache.load(places.CACHE_NAME, places.gazetteer_cache_key())
    assert dict(Gazetteer.from_state(state).items()) == fresh
