"""History queries: a few dated articles in, dyad series, actors, events, quotes, network out."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from detente.analysis.queries import PERIODS, QueryError
from detente.analysis.result import DyadSeries, Result
from detente.store import Store

DETENTE = [sys.executable, "-m", "detente.cli"]

# (article id, date, text): the January agreement is reported by three articles, once twice
ARTICLES = [
    ("jan-1", "2024-01-10", "China and Russia signed a trade agreement on Monday."),
    ("jan-2", "2024-01-09", "China and Russia signed a trade agreement on Monday. "
                            "Earlier, China and Russia signed a trade agreement on Monday."),
    ("jan-3", "2024-01-08", "China and Russia signed a trade agreement."),
    ("jan-4", "2024-01-20", "China sent aid to Russia."),
    ("feb-1", "2024-02-05", "Russia condemned China over the border incident."),
    ("feb-2", "2024-02-06", "Russia did not attack China."),
    ("mar-1", "2024-03-01", "Russian President Vladimir Putin met Chinese President Xi Jinping "
                            "in Beijing."),
    ("mar-2", "2024-03-02", "\"We will never give up,\" said Chinese Foreign Minister Wang Yi. "
                            "Japan condemned North Korea."),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory, pipeline) -> Path:
    path = tmp_path_factory.mktemp("analysis") / "history.duckdb"
    with Store(path) as store:
        for article_id, day, text in ARTICLES:
            doc = pipeline.extract(text, date=day)
            doc.article = dataclasses.replace(doc.article, id=article_id)
            store.write(doc)
    return path


@pytest.fixture()
def store(db: Path):
    with Store(db, read_only=True) as store:
        yield store


def by_direction(series, period: str) -> dict[str, dict]:
    return {row["direction"]: row for row in series if row["period"] == period}


def test_one_agreement_reported_four_times_counts_once_with_dedupe(store: Store):
    jan = by_direction(store.dyad("CHN", "RUS", by="month"), "2024-01")
    assert jan["CHN<>RUS"]["events"] == 2  # the agreement and the aid
    assert jan["CHN>RUS"]["events"] == 2 and jan["RUS>CHN"]["events"] == 1
    assert jan["CHN<>RUS"]["material_coop"] == 1 and jan["CHN<>RUS"]["verbal_coop"] == 1
    assert jan["CHN<>RUS"]["top_types"].startswith(("057 ", "070 "))

    mentions = by_direction(store.dyad("CHN", "RUS", by="month", dedupe=False), "2024-01")
    assert mentions["CHN<>RUS"]["events"] == 5  # four reports of the agreement, the aid
    assert mentions["RUS>CHN"]["events"] == 4


def test_goldstein_sums_and_means_and_negated_events(store: Store):
    feb = by_direction(store.dyad("RUS", "CHN", by="month"), "2024-02")
    assert feb["RUS>CHN"]["events"] == 1 and feb["RUS>CHN"]["verbal_conflict"] == 1
    assert feb["RUS>CHN"]["goldstein_sum"] == pytest.approx(-2.0)
    assert feb["CHN>RUS"]["events"] == 0 and feb["CHN>RUS"]["goldstein_mean"] is None
    with_negated = by_direction(store.dyad("RUS", "CHN", include_negated=True), "2024-02")
    assert with_negated["RUS>CHN"]["material_conflict"] == 1


def test_periods_and_date_ranges(store: Store):
    months = store.dyad("CHN", "RUS", by="month")
    assert sorted(set(months["period"])) == ["2024-01", "2024-02", "2024-03"]
    assert set(store.dyad("CHN", "RUS", by="year")["period"]) == {"2024"}
    days = store.dyad("CHN", "RUS", by="day", start="2024-01-08", end="2024-01-08")
    assert set(days["period"]) == {"2024-01-08"}  # "on Monday" of Jan 9 and 10 is Jan 8
    weeks = store.dyad("CHN", "RUS", by="week", end="2024-01-31", fill=False)
    assert set(weeks["period"]) == {"2024-W02", "2024-W03"}
    # filled: every week up to the end date, zeros where nothing happened
    weeks = store.dyad("CHN", "RUS", by="week", end="2024-01-31")
    assert sorted(set(weeks["period"])) == ["2024-W02", "2024-W03", "2024-W04", "2024-W05"]
    assert by_direction(weeks, "2024-W05")["CHN<>RUS"]["events"] == 0
    with pytest.raises(QueryError, match="YYYY-MM-DD"):
        store.dyad("CHN", "RUS", start="last week")
    with pytest.raises(QueryError, match="month"):
        store.dyad("CHN", "RUS", by="fortnight")
    assert set(store.dyad("CHN", "CHN")["direction"]) <= {"CHN<>CHN"}  # domestic: one row


def test_a_series_says_rightly_which_columns_need_converting(store: Store):
    """DyadSeries.to_dicts writes its dicts out without the look at each value that
    Result.to_dicts takes: the same dicts, because the columns hold what the class says."""
    for by in PERIODS:
        for a, b in (("CHN", "RUS"), ("RUS", "CHN"), ("CHN", "CHN"), ("USA", "XYZ")):
            series = store.dyad(a, b, by=by, include_negated=by == "day")
            assert tuple(series.columns) == DyadSeries.COLUMNS
            floats = {series.columns.index(c) for c in ("goldstein_sum", "goldstein_mean")}
            assert all(isinstance(v, float | type(None)) if i in floats else
                       isinstance(v, str | int | type(None))
                       for row in series.rows for i, v in enumerate(row))
            assert series.to_dicts() == Result(series.columns, series.rows).to_dicts()


def test_a_series_has_every_period_of_its_range(store: Store):
    days = store.dyad("CHN", "RUS", by="day")
    periods = sorted(set(days["period"]))
    assert periods[0] == "2024-01-08" and len(periods) == len(set(periods))
    assert len(days) == 3 * len(periods)  # both directions and each, every day
    assert all(row["events"] == 0 and row["top_types"] == "" for row in days
               if row["period"] == "2024-01-09")
    ranged = store.dyad("CHN", "RUS", by="month", start="2023-11-15", end="2024-04-01")
    assert sorted(set(ranged["period"])) == ["2023-11", "2023-12", "2024-01", "2024-02",
                                             "2024-03", "2024-04"]
    assert store.dyad("USA", "IRN").rows == []  # nothing at all: no periods


def test_most_active_actors(store: Store):
    top = store.actors(limit=3)
    assert top["name"][:2] == ["China", "Russia"] or top["name"][:2] == ["Russia", "China"]
    assert store.actors(kind="person", country="CHN")["name"] == ["Xi Jinping", "Wang Yi"]


def test_events_filtered_by_actor_country_type_date_and_text(store: Store):
    assert {r["article_id"] for r in store.events(type="057")} == {"jan-1", "jan-2", "jan-3"}
    assert store.events(type="AID")["article_id"] == ["jan-4"]
    (meeting,) = store.events(actor="Putin")
    assert (meeting["source"], meeting["target"]) == ("Vladimir Putin", "Xi Jinping")
    assert meeting["evidence"].startswith("met ")
    assert store.events(country="PRK")["article_id"] == ["mar-2"]
    assert store.events(text="border incident", include_negated=False)["article_id"] == ["feb-1"]
    assert store.events(start="2024-02-06", end="2024-02-06")["negated"] == [True]
    assert len(store.events(limit=2)) == 2


def test_quotes_by_speaker(store: Store):
    (quote,) = store.quotes(speaker="wang")
    assert quote["speaker"] == "Wang Yi" and "never give up" in quote["text"]
    assert store.quotes(speaker="CHNGOV")["speaker"] == ["Wang Yi"]
    assert len(store.quotes(speaker="nobody")) == 0


def test_the_network_weighs_country_pairs(store: Store):
    edges = {(r["a"], r["b"]): r for r in store.network()}
    assert edges[("CHN", "RUS")]["weight"] == 4  # the agreement, the aid, the protest, the visit
    assert edges[("JPN", "PRK")]["conflict"] == 1
    assert store.network(dedupe=False).rows[0][:3] == ("CHN", "RUS", 7)
    directed = {(r["source"], r["target"]) for r in store.network(directed=True)}
    assert ("RUS", "CHN") in directed and ("CHN", "RUS") in directed


def test_results_convert_to_arrow_csv_json_and_print(store: Store):
    series = store.dyad("CHN", "RUS")
    table = series.to_arrow()
    assert table.num_rows == len(series) and table.column_names == series.columns
    assert series.to_csv().splitlines()[0].startswith("period,direction,events")
    assert series.to_dicts()[0]["period"] == "2024-01"
    text = str(series)
    assert "CHN<>RUS" in text and "verbal_coop" in text


def test_to_dicts_converts_only_what_needs_it_value_by_value():
    from datetime import date, datetime
    from decimal import Decimal

    from detente.analysis.result import Result, _plain

    class Score(float):
        pass

    rows = [(1, "a", 1.234567, None, date(2024, 1, 2), True, Decimal("1.5"), Score(2.123456)),
            (None, "b", 2, 3.0, datetime(2024, 1, 2, 3, 4), False, None, None),
            (3, None, None, None, None, None, Decimal("2"), 1)]
    columns = [f"c{i}" for i in range(len(rows[0]))]
    got = Result(columns, rows).to_dicts()
    assert got == [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    assert [type(v) for v in got[0].values()] == [
        type(_plain(v)) for v in rows[0]]  # 1 stays an int, True a bool, Score a float
    assert Result(columns, []).to_dicts() == []
    with pytest.raises(ValueError):
        Result(["a", "b"], [(1, 2), (3,)]).to_dicts()
    with pytest.raises(ValueError):
        Result(["a"], [(1, 2)]).to_dicts()


def test_results_convert_to_pandas(store: Store):
    pytest.importorskip("pandas")
    series = store.dyad("CHN", "RUS")
    assert list(series.to_pandas().columns) == series.columns


def test_the_history_commands(db: Path):
    def run(*args: str) -> str:
        result = subprocess.run([*DETENTE, *args, "--db", str(db)], capture_output=True,
                                text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "CHN<>RUS" in run("dyad", "chn", "rus", "--by", "month")
    assert run("dyad", "CHN", "RUS", "--no-dedupe", "--format", "csv").count("\n") == 10
    assert "Xi Jinping" in run("actors", "--kind", "person")
    assert "Vladimir Putin" in run("events", "--actor", "putin", "--format", "jsonl")
    assert "never give up" in run("quotes", "--speaker", "Wang Yi")
    assert run("network", "--format", "csv").startswith("a,b,weight")
    missing = subprocess.run([*DETENTE, "dyad", "CHN", "RUS", "--db", str(db.parent / "no.db")],
                             capture_output=True, text=True, timeout=120, check=False)
    assert missing.returncode == 1 and "detente ingest" in missing.stderr
