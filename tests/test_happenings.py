"""The summary tables: ``happenings`` and ``event_sides`` always equal a recomputation from
the article tables, and ``dyad()``, ``network()`` and ``events(country=...)`` read from them
give what the direct queries over ``dyads`` and ``events`` give.

The stores here are real DuckDB files written through the store's own paths (documents,
Parquet parts, replacement, deletion, the migration of a version-1 store). The reference
queries are the ones ``detente.analysis.queries`` ran over ``dyads`` before the summary (with
one documented difference: in the network, an event without a date counts alone).
"""

from __future__ import annotations

import math
import random
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from detente.analysis import queries
from detente.api.cache import QueryCache
from detente.events.ontology import cameo_table
from detente.schema import Actor, Article, Document, Event, Plover
from detente.store import Store, StoreError
from detente.store.schema import EVENT_SIDES_SELECT, HAPPENINGS_SELECT, MIGRATIONS

SIDES = ["CHN", "RUS", "USA", "IGOUNO", "EST"]
CODES = sorted(cameo_table())


# ---- the reference: the queries over dyads -----------------------------------------------

def reference_dyad(con: Any, a: str, b: str, by: str, start: Any, end: Any, dedupe: bool,
                   include_negated: bool, top: int) -> list[tuple]:
    date_filter = queries._DATE_FILTER
    periods = queries.PERIODS
    a, b = a.upper(), b.upper()
    both_key, one_key = (
        ("strftime(date, '%Y%m%d') || cameo_root || '|' || sig",
         "strftime(date, '%Y%m%d') || cameo_root") if dedupe else
        ("article_id || '#' || event_n", "article_id || '#' || event_n"))
    sql = f"""
    WITH m AS MATERIALIZED (
        SELECT article_id, event_n, source_side AS s, date, cameo_code, cameo_root,
               quad_class, goldstein
        FROM dyads
        WHERE ((source_side = $a AND target_side = $b) OR (source_side = $b AND target_side = $a))
          AND date IS NOT NULL AND {date_filter.format(col="date")}
          AND ($negated OR NOT negated)
    ),
    sig AS (
        SELECT article_id, event_n,
               CASE WHEN bool_or(s = $a) AND bool_or(s = $b) THEN 0
                    WHEN bool_or(s = $a) THEN 1 ELSE 2 END AS sig
        FROM m GROUP BY article_id, event_n
    ),
    d AS (
        SELECT m.*, 0 AS dir, {both_key} AS k FROM m JOIN sig USING (article_id, event_n)
        UNION ALL
        SELECT *, CASE WHEN s = $a THEN 1 ELSE 2 END AS dir, {one_key} AS k FROM m
    ),
    u AS MATERIALIZED (
        SELECT dir, date_trunc('{by}', date) AS period, k,
               any_value(quad_class) AS quad_class, avg(goldstein) AS goldstein,
               min(cameo_code) AS type
        FROM d GROUP BY dir, period, k
    ),
    agg AS (
        SELECT dir, period, count(*) AS events,
               count(*) FILTER (WHERE quad_class = 1) AS verbal_coop,
               count(*) FILTER (WHERE quad_class = 2) AS material_coop,
               count(*) FILTER (WHERE quad_class = 3) AS verbal_conflict,
               count(*) FILTER (WHERE quad_class = 4) AS material_conflict,
               sum(goldstein) AS goldstein_sum, avg(goldstein) AS goldstein_mean
        FROM u GROUP BY dir, period
    ),
    types AS (
        SELECT dir, period, type, count(*) AS k,
               row_number() OVER (PARTITION BY dir, period ORDER BY count(*) DESC, type) AS r
        FROM u GROUP BY dir, period, type
    ),
    top AS (
        SELECT dir, period, list(struct_pack(code := type, k := k) ORDER BY r) AS top_types
        FROM types WHERE r <= $top GROUP BY dir, period
    ),
    grid AS (
        SELECT p.period, x.dir
        FROM (SELECT DISTINCT period FROM u) p, (VALUES (0), (1), (2)) x(dir)
        WHERE $a <> $b OR x.dir = 0  -- a side with itself (domestic events): one row
    )
    SELECT strftime(g.period, '{periods[by]}') AS period,
           CASE g.dir WHEN 0 THEN $a || '<>' || $b WHEN 1 THEN $a || '>' || $b
                      ELSE $b || '>' || $a END AS direction,
           coalesce(events, 0) AS events,
           coalesce(verbal_coop, 0) AS verbal_coop,
           coalesce(material_coop, 0) AS material_coop,
           coalesce(verbal_conflict, 0) AS verbal_conflict,
           coalesce(material_conflict, 0) AS material_conflict,
           coalesce(goldstein_sum, 0) AS goldstein_sum,
           goldstein_mean, top_types
    FROM grid g LEFT JOIN agg USING (period, dir) LEFT JOIN top USING (period, dir)
    ORDER BY g.period, g.dir
    """
    params = {"a": a, "b": b, "negated": include_negated, "top": top,
              **queries._dates(start, end)}
    return con.execute(sql, params).fetchall()


def reference_network(con: Any, start: Any, end: Any, dedupe: bool, directed: bool,
                      include_negated: bool, min_weight: int, limit: int,
                      country: str | None) -> list[tuple]:
    date_filter = queries._DATE_FILTER
    a, b = (("source_side", "target_side") if directed else
            ("least(source_side, target_side)", "greatest(source_side, target_side)"))
    # an event without a date is a happening of its own
    key = ("coalesce(strftime(date, '%Y%m%d') || cameo_root || '|' || sig, "
           "article_id || '#' || event_n)" if dedupe else "article_id || '#' || event_n")
    sql = f"""
    WITH m AS (
        SELECT {a} AS a, {b} AS b, source_side < target_side AS fwd, article_id, event_n, date,
               cameo_root, quad_class, goldstein
        FROM dyads
        WHERE source_side IS NOT NULL AND target_side IS NOT NULL
          AND source_side <> target_side
          AND {date_filter.format(col="date")}
          AND ($negated OR NOT negated)
          AND ($country IS NULL OR source_side = upper($country)
                                OR target_side = upper($country))
    ),
    s AS (
        SELECT a, b, article_id, event_n,
               CASE WHEN bool_or(fwd) AND bool_or(NOT fwd) THEN 0
                    WHEN bool_or(fwd) THEN 1 ELSE 2 END AS sig
        FROM m GROUP BY a, b, article_id, event_n
    ),
    u AS (
        SELECT a, b, {key} AS k, any_value(quad_class) AS quad_class,
               avg(goldstein) AS goldstein
        FROM m JOIN s USING (a, b, article_id, event_n) GROUP BY a, b, k
    )
    SELECT a AS {"source" if directed else "a"}, b AS {"target" if directed else "b"},
           count(*) AS weight,
           count(*) FILTER (WHERE quad_class <= 2) AS cooperation,
           count(*) FILTER (WHERE quad_class >= 3) AS conflict,
           sum(goldstein) AS goldstein_sum, avg(goldstein) AS goldstein_mean
    FROM u GROUP BY a, b
    HAVING count(*) >= $min_weight
    ORDER BY weight DESC, a, b
    LIMIT $limit
    """
    params = {"negated": include_negated, "min_weight": min_weight,
              "limit": queries._limit(limit), "country": country,
              **queries._dates(start, end)}
    return con.execute(sql, params).fetchall()


def reference_events(con: Any, country: str, type: str | None, start: Any, end: Any,
                     include_negated: bool, limit: int, offset: int) -> list[tuple]:
    where = [queries._DATE_FILTER.format(col="e.date"), "($negated OR NOT e.negated)",
             "(list_contains(e.source_sides, upper($country)) "
             "OR list_contains(e.target_sides, upper($country)))"]
    params: dict[str, Any] = {"negated": include_negated, "limit": queries._limit(limit),
                              "offset": queries._offset(offset), "country": country,
                              **queries._dates(start, end)}
    if type:
        where.append("(starts_with(e.cameo_code, $type) OR e.plover_event = upper($type))")
        params["type"] = type
    sql = f"""
    WITH e AS MATERIALIZED (
        SELECT e.article_id, e.n, e.date, e.source, e.target, e.cameo_code, e.cameo_name,
               e.plover_event, e.goldstein, e.quad_class, e.negated, e.modality,
               e.start_char, e.end_char
        FROM events e
        WHERE {" AND ".join(where)}
        ORDER BY e.date NULLS LAST, e.article_id, e.n
        LIMIT $limit OFFSET $offset
    ),
    names AS (
        SELECT e.article_id, e.n,
               string_agg(a.name, ' + ' ORDER BY a.n)
                   FILTER (WHERE list_contains(e.source, a.actor_id)) AS source,
               string_agg(a.name, ' + ' ORDER BY a.n)
                   FILTER (WHERE list_contains(e.target, a.actor_id)) AS target
        FROM e JOIN actors a ON a.article_id = e.article_id
        WHERE a.article_id IN (SELECT article_id FROM e)
        GROUP BY e.article_id, e.n
    )
    SELECT e.date, names.source, names.target,
           e.cameo_code AS cameo, e.cameo_name AS event, e.plover_event AS plover,
           e.goldstein, e.quad_class AS quad, e.negated, e.modality,
           substring(ar.text, e.start_char + 1, e.end_char - e.start_char) AS evidence,
           e.article_id, e.n
    FROM e JOIN articles ar ON ar.id = e.article_id
         LEFT JOIN names USING (article_id, n)
    ORDER BY e.date NULLS LAST, e.article_id, e.n
    """
    return con.execute(sql, params).fetchall()


# ---- random stores written through the store ---------------------------------------------

def random_document(rng: random.Random, article_id: str, version: int,
                    sides: list[str] = SIDES) -> Document:
    """An article with a few actors on a few ``sides`` (and some on none) and random events:
    several sources or targets, reciprocal events, one side on both ends, no date."""
    days = [date(2024, 1, d).isoformat() for d in (1, 2, 8, 9, 15, 31)] + ["2024-02-29"]
    actors = []
    for k in range(rng.randint(2, 5)):
        side = rng.choice([*sides, None])
        if side == "IGOUNO":
            actors.append(Actor(id=f"a{k}", name="UN", kind="igo", code="IGOUNO"))
        elif side is None:
            actors.append(Actor(id=f"a{k}", name="crowd", kind="group", code="---CVL"))
        else:
            actors.append(Actor(id=f"a{k}", name=f"{side} {k}", kind="country", country=side,
                                code=side))
    ids = [a.id for a in actors]
    table = cameo_table()
    events = []
    for n in range(rng.randint(0, 6)):
        source = rng.sample(ids, rng.choice([1, 1, 2]))
        rest = [i for i in ids if i not in source]
        target = rng.sample(rest, min(len(rest), rng.choice([0, 1, 1, 1, 2])))
        code = rng.choice(CODES[:40] if rng.random() < 0.7 else CODES)
        events.append(Event(source=source, target=target, cameo=table[code].cameo,
                            plover=Plover("CONSULT", None, None) if rng.random() < 0.5
                            else None,
                            negated=rng.random() < 0.15, sentence=n, trigger="t", start=0,
                            end=1, date=rng.choice([None, None, *days])))
    return Document(article=Article(id=article_id, text=f"text {article_id} v{version}",
                                    date=rng.choice([None, *days, *days])),
                    actors=actors, events=events)


def rounded(con: Any, source: str) -> list[tuple]:
    return con.execute(f"""
        SELECT * REPLACE (round(goldstein, 6) AS goldstein,
                          round(goldstein_fwd, 6) AS goldstein_fwd,
                          round(goldstein_back, 6) AS goldstein_back)
        FROM ({source}) ORDER BY ALL""").fetchall()


def assert_summary_current(store: Store) -> None:
    """The stored summaries are exactly a recomputation from the article tables."""
    stored = rounded(store.con, "SELECT * EXCLUDE (pair) FROM happenings")
    assert stored == rounded(store.con, HAPPENINGS_SELECT.format(join=""))
    assert all(row[8] > 0 for row in stored)  # no empty rows left behind
    # each row's pair number is made of its sides' numbers, one number a side
    assert store.con.execute("""
        SELECT count(*) FROM happenings h
        LEFT JOIN sides l ON l.side = h.lo LEFT JOIN sides r ON r.side = h.hi
        WHERE h.pair IS DISTINCT FROM l.id * 4294967296 + r.id""").fetchone() == (0,)
    assert store.con.execute("SELECT count(DISTINCT id) = count(*) FROM sides").fetchone() \
        == (True,)
    sides = store.con.execute("SELECT * FROM event_sides ORDER BY ALL").fetchall()
    assert sides == store.con.execute(EVENT_SIDES_SELECT.format(join="", join_actors="")
                                      + " ORDER BY ALL").fetchall()


def close(x: Any, y: Any) -> bool:
    if isinstance(x, float) or isinstance(y, float):
        return x is not None and y is not None and math.isclose(x, y, abs_tol=1e-9)
    return bool(x == y)


def assert_rows_equal(got: list[tuple], want: list[tuple]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert all(close(x, y) for x, y in zip(g, w, strict=True)), (g, w)


def assert_queries_match(store: Store, rng: random.Random, n: int = 60) -> None:
    """dyad() and network() over the summary give what the queries over dyads give; a
    dyad() answered from pairs' units kept between queries (as the server does) gives the
    same rows as one read for itself, bit for bit."""
    names = queries._cameo_names()
    pairs = QueryCache(1 << 30, weigh=lambda units: units.nbytes)
    for _ in range(n):
        a, b = rng.choice([*SIDES, "NZL", "XXX"]), rng.choice(SIDES)
        args = {"by": rng.choice(list(queries.PERIODS)),
                "start": rng.choice([None, None, "2024-01-08"]),
                "end": rng.choice([None, None, "2024-01-31"]),
                "dedupe": rng.random() < 0.5, "include_negated": rng.random() < 0.5,
                "top": rng.choice([1, 3, 10])}
        got = store.dyad(a.lower(), b, **args, fill=False).rows
        for _ in range(2):  # the first asks may keep the pair, the second finds it kept
            assert queries.dyad(store.con, a.lower(), b, **args, fill=False,
                                pairs=pairs).rows == got
        want = [(*row[:-1], "; ".join(f"{t['code']} {names.get(t['code'], '')} ×{t['k']}"
                                      for t in row[-1] or []))
                for row in reference_dyad(store.con, a, b, **args)]
        assert_rows_equal(got, want)
    for _ in range(n // 3):
        args = {"country": rng.choice([*SIDES, "chn"]), "type": rng.choice([None, "0", "04",
                                                                            "CONSULT"]),
                "start": rng.choice([None, "2024-01-08"]), "end": None,
                "include_negated": rng.random() < 0.5, "limit": rng.choice([3, 100]),
                "offset": rng.choice([0, 2])}
        assert_rows_equal(store.events(**args).rows, reference_events(store.con, **args))
    for directed in (False, True):
        for dedupe in (False, True):
            for negated in (False, True):
                args = {"start": rng.choice([None, "2024-01-08"]), "end": None,
                        "dedupe": dedupe, "directed": directed, "include_negated": negated,
                        "min_weight": rng.choice([1, 2]), "limit": rng.choice([0, 3]),
                        "country": rng.choice([None, "CHN", "igouno"])}
                assert_rows_equal(store.network(**args).rows,
                                  reference_network(store.con, **args))


def write_part(store: Store, docs: list[Document], tmp_path: Path) -> None:
    from datetime import datetime

    from detente.store.parts import write_part as stage
    from detente.store.rows import RowBuffer

    buffer = RowBuffer()
    for doc in docs:
        buffer.add(doc, datetime.now())
    store.write_part(stage(buffer.tables(), tmp_path / "parts"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_summary_follows_writes_replacements_deletions_parts_and_reopening(
        tmp_path: Path, seed: int):
    rng = random.Random(seed)
    path = tmp_path / "s.duckdb"
    with Store(path) as store:
        docs = [random_document(rng, f"art-{i}", 1) for i in range(70)]
        for k in range(0, len(docs), 9):
            store.write_many(docs[k:k + 9])
        assert store.counts()["dyads"] > 100
        assert_summary_current(store)
        assert_queries_match(store, rng)
        # articles replaced with changed text and events, some new ones in the same write
        changed = [random_document(rng, f"art-{i}", 2) for i in rng.sample(range(70), 20)]
        result = store.write_many([*changed, random_document(rng, "art-new", 1)])
        assert result.replaced == 20 and result.new == 1
        assert_summary_current(store)
        store.delete(rng.sample([d.article.id for d in docs], 10))
        assert_summary_current(store)
        # the Parquet-part path of the Ray engine: replacements and new articles
        write_part(store, [random_document(rng, f"art-{i}", 3) for i in range(60, 75)],
                   tmp_path)
        assert_summary_current(store)
        assert_queries_match(store, rng)
    with Store(path, read_only=True) as store:
        assert_summary_current(store)
        assert_queries_match(store, rng)


def test_a_failed_write_leaves_the_summary_and_the_rows_as_they_were(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    rng = random.Random(4)
    with Store(tmp_path / "s.duckdb") as store:
        store.write_many([random_document(rng, f"art-{i}", 1) for i in range(20)])
        before = store.counts(), rounded(store.con, "SELECT * FROM happenings")

        def fail(self: Store) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(Store, "_refresh_touched", fail)
        with pytest.raises(RuntimeError):
            store.write_many([random_document(rng, f"art-{i}", 2) for i in range(10, 30)])
        assert (store.counts(), rounded(store.con, "SELECT * FROM happenings")) == before


def test_a_version_1_store_gets_the_summary_when_opened_for_writing(tmp_path: Path):
    rng = random.Random(6)
    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        store.write_many([random_document(rng, f"art-{i}", 1) for i in range(40)])
    con = duckdb.connect(str(path))  # back to the tables of migration 1
    con.execute("DROP TABLE happenings")
    con.execute("DROP TABLE event_sides")
    con.execute("DROP TABLE sides")
    con.execute("DELETE FROM schema_migrations WHERE version > 1")
    con.close()
    with Store(path) as store:
        assert store.schema_version == MIGRATIONS[-1].version
        assert store.sql("SELECT count(*) FROM happenings").rows[0][0] > 0
        assert_summary_current(store)
        assert_queries_match(store, rng)


def test_a_version_2_store_gets_its_pairs_numbered_when_opened_for_writing(tmp_path: Path):
    rng = random.Random(9)
    path = tmp_path / "old.duckdb"
    with Store(path) as store:
        store.write_many([random_document(rng, f"art-{i}", 1) for i in range(40)])
        before = rounded(store.con, "SELECT * EXCLUDE (pair) FROM happenings")
    con = duckdb.connect(str(path))  # back to the tables of migration 2
    con.execute("DROP TABLE sides")
    con.execute("ALTER TABLE happenings DROP COLUMN pair")
    con.execute("DELETE FROM schema_migrations WHERE version > 2")
    con.close()
    with pytest.raises(StoreError, match="open it once for writing"):
        Store(path, read_only=True)
    with Store(path) as store:
        assert store.schema_version == MIGRATIONS[-1].version
        assert rounded(store.con, "SELECT * EXCLUDE (pair) FROM happenings") == before
        assert_summary_current(store)
        # sorted by pair (then day), and numbered in the order of the sides' codes
        assert store.sql("SELECT pair FROM happenings").rows == sorted(
            store.sql("SELECT pair FROM happenings").rows)
        assert store.sql("SELECT side FROM sides ORDER BY id").rows == sorted(
            store.sql("SELECT side FROM sides").rows)
        assert_queries_match(store, rng)
        # new sides are numbered after them, the others keep their numbers
        numbers = dict(store.sql("SELECT side, id FROM sides").rows)
        store.write_many([random_document(rng, f"art-{i}", 2, sides=["NZL", "FJI", "CHN"])
                          for i in range(30, 60)])
        after = dict(store.sql("SELECT side, id FROM sides").rows)
        assert {side: after[side] for side in numbers} == numbers
        assert sorted(after.values())[len(numbers):] == [len(numbers) + 1, len(numbers) + 2]
        assert_summary_current(store)
        assert_queries_match(store, rng)


def test_rebuild_puts_rows_written_by_other_means_into_the_summaries(tmp_path: Path):
    rng = random.Random(8)
    with Store(tmp_path / "s.duckdb") as store:
        store.write_many([random_document(rng, f"art-{i}", 1) for i in range(30)])
        store.con.execute("INSERT INTO dyads SELECT * REPLACE ('copy-' || article_id AS "
                          "article_id) FROM dyads")
        store.con.execute("INSERT INTO events SELECT * REPLACE ('copy-' || article_id AS "
                          "article_id) FROM events")
        store.con.execute("INSERT INTO actors SELECT * REPLACE ('copy-' || article_id AS "
                          "article_id) FROM actors")
        store.con.execute("INSERT INTO articles SELECT * REPLACE ('copy-' || id AS id) "
                          "FROM articles")
        store.rebuild_summaries()
        assert store.sql("SELECT count(*) FROM event_sides WHERE article_id LIKE 'copy-%'"
                         ).rows[0][0] > 0
        assert_summary_current(store)
        assert_queries_match(store, rng, n=20)


def test_events_without_a_date_count_alone_in_the_network(tmp_path: Path):
    table = cameo_table()
    actors = [Actor(id="a", name="China", kind="country", country="CHN", code="CHN"),
              Actor(id="b", name="Russia", kind="country", country="RUS", code="RUS")]
    docs = [Document(article=Article(id=f"x{i}", text=f"text {i}"), actors=actors,
                     events=[Event(source=["a"], target=["b"], cameo=table[code].cameo,
                                   plover=None, negated=False, sentence=0, trigger="t",
                                   start=0, end=1)])
            for i, code in enumerate(["036", "036", "190"])]
    with Store(tmp_path / "s.duckdb") as store:
        store.write_many(docs)
        (edge,) = store.network().rows
        assert edge[:5] == ("CHN", "RUS", 3, 2, 1)
        assert len(store.dyad("CHN", "RUS")) == 0  # a series needs dates
