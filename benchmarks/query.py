"""History queries on a big store: a monthly dyad series and the top actors over 10M events.

    .venv/bin/python benchmarks/query.py [--events 10000000] [--db /tmp/detente-bench-v2.duckdb]

Builds (once; reused when the file is there with the same size) a synthetic store with the
real schema: 10 events an article, countries drawn with a skewed distribution so a few pairs
are busy as in real news, dates over 25 years, CAMEO codes from the real table; the rows go
in by SQL and `Store.rebuild_summaries()` sums them into the summary tables. Then times
`Store.dyad("CHN", "RUS", by="month")` with and without dedupe, `Store.actors()`, a filtered
page of `Store.events()` and `Store.network()`, each run once cold and then 5 times, printing
the first and the median time. The target is under 300 ms for each but the network.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import duckdb

from detente.actors.dictionary import DATA, read_tsv
from detente.events.ontology import cameo_table
from detente.store import SCHEMA_VERSION, Store

#: named by schema version, so that a store built by another version is not reused
DEFAULT_DB = f"/tmp/detente-bench-v{SCHEMA_VERSION}.duckdb"


def countries() -> list[str]:
    # busiest first, so that the skewed draw makes these the frequent sides
    first = ["USA", "CHN", "RUS", "GBR", "FRA", "DEU", "IRN", "ISR", "UKR", "IND", "JPN",
             "PRK", "KOR", "TUR", "SAU", "PAK", "AFG", "SYR", "IRQ", "EGY"]
    rest = sorted({row["iso3"] for _, row in read_tsv(DATA / "countries.tsv", ("iso3",))
                   if row["iso3"] and row["iso3"] not in first})
    return first + rest


def build(db: Path, n_events: int) -> None:
    if db.exists():
        db.unlink()
    Path(f"{db}.wal").unlink(missing_ok=True)
    Store(db).close()  # the real schema
    con = duckdb.connect(str(db))
    sides = countries()
    codes = sorted((c.cameo.code, c.cameo.name, c.cameo.root, c.cameo.goldstein,
                    c.cameo.quad_class) for c in cameo_table().values())
    con.execute("CREATE TEMP TABLE side_list AS SELECT unnest($s) AS side, "
                "generate_subscripts($s, 1) AS i", {"s": sides})
    con.execute("CREATE TEMP TABLE codes (code VARCHAR, name VARCHAR, root VARCHAR, "
                "goldstein DOUBLE, quad TINYINT, i INTEGER)")
    con.executemany("INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?)",
                    [(*c, i) for i, c in enumerate(codes, start=1)])
    n_articles = n_events // 10
    n_sides, n_codes = len(sides), len(codes)
    started = time.perf_counter()
    con.execute("SELECT setseed(0.42)")
    con.execute("""
        INSERT INTO articles
        SELECT 'bench-' || i, md5(i::VARCHAR), 'Article ' || i,
               DATE '2000-01-01' + CAST(floor(random() * 9131) AS INTEGER), NULL,
               'synthetic', 6, 10, 0, 0, 0, 'bench', TIMESTAMP '2025-01-01'
        FROM range($n) t(i)""", {"n": n_articles})
    # One event a row: two different sides drawn with a skew (random()^3 favours the first).
    con.execute("""
        CREATE TEMP TABLE ev AS
        SELECT a.id AS article_id, CAST(k + 1 AS INTEGER) AS n, a.date,
               CAST(1 + floor(pow(random(), 3) * $ns) AS INTEGER) AS s,
               CAST(1 + floor(pow(random(), 3) * ($ns - 1)) AS INTEGER) AS t0,
               CAST(1 + floor(random() * $nc) AS INTEGER) AS c
        FROM articles a, range(10) r(k)""", {"ns": n_sides, "nc": n_codes})
    con.execute("""
        INSERT INTO events BY NAME
        SELECT article_id, n, date, [src.side] AS source, [tgt.side] AS target,
               [src.side] AS source_sides, [tgt.side] AS target_sides,
               code AS cameo_code, name AS cameo_name, root AS cameo_root, goldstein,
               quad AS quad_class, NULL AS plover_event, NULL AS plover_mode,
               NULL AS plover_context, random() < 0.03 AS negated, NULL AS modality,
               0 AS sentence, 'trigger' AS trigger, 0 AS start_char, 7 AS end_char
        FROM ev JOIN side_list src ON src.i = ev.s
                JOIN side_list tgt ON tgt.i = CASE WHEN ev.t0 >= ev.s THEN ev.t0 + 1 ELSE ev.t0 END
                JOIN codes ON codes.i = ev.c""")
    con.execute("""
        INSERT INTO dyads BY NAME
        SELECT article_id, n AS event_n, date, source[1] AS source_actor,
               source[1] AS source_name, source[1] AS source_code,
               source[1] AS source_country, NULL AS source_sector, source[1] AS source_side,
               target[1] AS target_actor, target[1] AS target_name, target[1] AS target_code,
               target[1] AS target_country, NULL AS target_sector, target[1] AS target_side,
               cameo_code, cameo_name, cameo_root, quad_class, goldstein, NULL AS plover_event,
               negated, 0 AS sentence,
               strftime(date, '%Y-%m-%d') || '|' || source[1] || '|' || target[1] || '|'
                   || cameo_root AS event_group
        FROM events""")
    # Six actors an article: the sides of its events, and people from a pool of 20,000.
    con.execute("""
        CREATE TEMP TABLE people AS
        SELECT a.id, a.date, k, CAST(floor(pow(random(), 3) * 20000) AS INTEGER) AS p
        FROM articles a, range(6) r(k)""")
    con.execute("""
        INSERT INTO actors BY NAME
        SELECT x.id AS article_id, CAST(k + 1 AS INTEGER) AS n, 'p' || p AS actor_id,
               CASE WHEN p < 200 THEN s.side ELSE 'Person ' || p END AS name,
               CASE WHEN p < 200 THEN 'country' ELSE 'person' END AS kind,
               s.side AS country, CASE WHEN p < 200 THEN NULL ELSE 'GOV' END AS sector,
               CASE WHEN p < 200 THEN s.side ELSE s.side || 'GOV' END AS code, NULL AS role,
               s.side AS side, x.date, CAST(1 + floor(random() * 8) AS INTEGER) AS n_mentions,
               CAST(floor(random() * 5) AS INTEGER) AS n_events, [] AS mentions
        FROM people x JOIN side_list s ON s.i = 1 + x.p % $ns""", {"ns": n_sides})
    con.close()
    # the rows went in by SQL, not through Store.write_many: the store's own code sums them
    # into its summary tables (what the migration of an existing store runs)
    with Store(db) as store:
        store.rebuild_summaries()
        store.con.execute("CHECKPOINT")
    print(f"built {n_events:,} events in {time.perf_counter() - started:.0f} s")


def ready(db: Path, n_events: int, rebuild: bool = False) -> None:
    """The store at ``db``: built when missing (or with ``rebuild``), else opened for writing
    once, which migrates a store built by an older detente to the current schema."""
    if rebuild or not db.exists():
        build(db, n_events)
    else:
        Store(db).close()


def timed(label: str, run) -> None:
    started = time.perf_counter()
    result = run()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        run()
        warm.append(time.perf_counter() - started)
    print(f"{label:<40} first {cold * 1000:6.0f} ms   median {statistics.median(warm) * 1000:6.0f}"
          f" ms   ({len(result)} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    db = Path(args.db)
    ready(db, args.events, args.rebuild)
    with Store(db, read_only=True) as store:
        counts = store.counts()
        print(f"store {db}: {counts['events']:,} events, {counts['dyads']:,} dyads, "
              f"{counts['actors']:,} actor rows, {counts['articles']:,} articles, "
              f"{db.stat().st_size / 1e9:.2f} GB")
        timed("dyad CHN RUS --by month", lambda: store.dyad("CHN", "RUS", by="month"))
        timed("dyad CHN RUS --by month --no-dedupe",
              lambda: store.dyad("CHN", "RUS", by="month", dedupe=False))
        timed("dyad USA IRN --by year", lambda: store.dyad("USA", "IRN", by="year"))
        timed("actors (top 20 by events)", lambda: store.actors(limit=20))
        timed("actors --country RUS", lambda: store.actors(limit=20, country="RUS"))
        timed("events --country USA --type 04, page 3",
              lambda: store.events(country="USA", type="04", offset=200))
        timed("events --country EGY --type 19, page 3",
              lambda: store.events(country="EGY", type="19", offset=200))
        timed("network", lambda: store.network())


if __name__ == "__main__":
    main()
