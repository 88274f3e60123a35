"""The store's tables, as numbered migrations.

A migration's SQL is frozen once released: a later change to the tables is a new
migration appended to :data:`MIGRATIONS`, never an edit of an old one. The store records
every applied migration in ``schema_migrations``; opening a store applies the missing ones,
each in its own transaction.

Column conventions: ``article_id`` links every row to ``articles.id``; ``n`` is the row's
1-based position in its Document list (events keep the numbering of the PLOVER ids
``<article id>-<n>``); ``start_char`` / ``end_char`` are 0-based, end-exclusive offsets
into ``articles.text``; ``date`` is the event date for events and dyads and the article
date elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version number, what it does, and its statements."""

    version: int
    description: str
    statements: tuple[str, ...]


_V1 = (
    """
    CREATE TABLE articles (
        id VARCHAR PRIMARY KEY,
        content_hash VARCHAR NOT NULL,
        title VARCHAR,
        date DATE,
        url VARCHAR,
        text VARCHAR NOT NULL,
        n_actors INTEGER NOT NULL,
        n_events INTEGER NOT NULL,
        n_quotes INTEGER NOT NULL,
        n_stances INTEGER NOT NULL,
        n_entities INTEGER NOT NULL,
        detente_version VARCHAR NOT NULL,
        ingested_at TIMESTAMP NOT NULL
    )
    """,
    """
    CREATE TABLE actors (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        actor_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        country VARCHAR,
        sector VARCHAR,
        code VARCHAR,
        role VARCHAR,
        side VARCHAR,
        date DATE,
        n_mentions INTEGER NOT NULL,
        n_events INTEGER NOT NULL,
        mentions STRUCT(text VARCHAR, start_char INTEGER, end_char INTEGER)[]
    )
    """,
    """
    CREATE TABLE events (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        source VARCHAR[] NOT NULL,
        target VARCHAR[] NOT NULL,
        source_sides VARCHAR[] NOT NULL,
        target_sides VARCHAR[] NOT NULL,
        cameo_code VARCHAR NOT NULL,
        cameo_name VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        goldstein DOUBLE NOT NULL,
        quad_class TINYINT NOT NULL,
        plover_event VARCHAR,
        plover_mode VARCHAR,
        plover_context VARCHAR,
        negated BOOLEAN NOT NULL,
        modality VARCHAR,
        sentence INTEGER NOT NULL,
        trigger VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE dyads (
        article_id VARCHAR NOT NULL,
        event_n INTEGER NOT NULL,
        date DATE,
        source_actor VARCHAR NOT NULL,
        source_name VARCHAR,
        source_code VARCHAR,
        source_country VARCHAR,
        source_sector VARCHAR,
        source_side VARCHAR,
        target_actor VARCHAR,
        target_name VARCHAR,
        target_code VARCHAR,
        target_country VARCHAR,
        target_sector VARCHAR,
        target_side VARCHAR,
        cameo_code VARCHAR NOT NULL,
        cameo_name VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        quad_class TINYINT NOT NULL,
        goldstein DOUBLE NOT NULL,
        plover_event VARCHAR,
        negated BOOLEAN NOT NULL,
        sentence INTEGER NOT NULL,
        event_group VARCHAR
    )
    """,
    """
    CREATE TABLE quotes (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        text VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        speaker VARCHAR,
        speaker_name VARCHAR,
        speaker_code VARCHAR,
        speaker_country VARCHAR,
        cue VARCHAR,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        segments STRUCT(start_char INTEGER, end_char INTEGER)[]
    )
    """,
    """
    CREATE TABLE stances (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        holder VARCHAR NOT NULL,
        holder_name VARCHAR,
        holder_code VARCHAR,
        holder_country VARCHAR,
        polarity VARCHAR NOT NULL,
        topic VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE entities (
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        date DATE,
        text VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        country VARCHAR,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL
    )
    """,
)

# ---- migration 2: the happenings summary -------------------------------------------------
#
# ``happenings`` pre-aggregates the ``dyads`` rows that link two sides, so that a pair's
# history (``dyad``) and the network are read from a few sorted rows instead of the whole
# ``dyads`` table. One row per unordered pair of sides ``lo <= hi``, event day, CAMEO code,
# ``negated`` and ``sig``: which directions the event has between the two sides (1: rows
# lo>hi only, 2: hi>lo only, 3: both, and always 3 for a side with itself). ``events``
# counts the events (article, n), ``goldstein`` sums their Goldstein scores, ``rows_fwd`` /
# ``rows_back`` count their dyad rows lo>hi / hi>lo and ``goldstein_fwd`` / ``goldstein_back``
# sum the scores of those rows. Every count and sum is per event and per row, so every
# option of ``dyad()`` and ``network()`` (dedupe or not, negated or not, any period and date
# range, top types) is answered from it exactly as from ``dyads``. It is a function of
# ``dyads``: the store recomputes the rows of the (pair, day) keys a write touches in the
# write's transaction, and this SELECT is that function (``{join}`` narrows the rows of
# ``dyads`` read, empty for all). An event's date, code, score and ``negated`` are the same
# in all its dyad rows.
HAPPENINGS_SELECT = """
    SELECT lo, hi, day, cameo_code, cameo_root, quad_class, negated,
           CAST(CASE WHEN lo = hi OR (rf > 0 AND rb > 0) THEN 3
                     WHEN rf > 0 THEN 1 ELSE 2 END AS TINYINT) AS sig,
           CAST(count(*) AS INTEGER) AS events,
           CAST(sum(g) AS DOUBLE) AS goldstein,
           CAST(sum(rf) AS INTEGER) AS rows_fwd,
           CAST(sum(rb) AS INTEGER) AS rows_back,
           CAST(sum(g * rf) AS DOUBLE) AS goldstein_fwd,
           CAST(sum(g * rb) AS DOUBLE) AS goldstein_back
    FROM (
        SELECT least(d.source_side, d.target_side) AS lo,
               greatest(d.source_side, d.target_side) AS hi,
               d.date AS day, d.article_id, d.event_n, d.cameo_code, d.cameo_root,
               d.quad_class, d.negated,
               -- Goldstein scores have one decimal: summed as decimals, the sums are exact
               -- and the same in any order of the rows (local and Ray writes agree)
               CAST(d.goldstein AS DECIMAL(18, 2)) AS g,
               count(*) FILTER (WHERE d.source_side <= d.target_side) AS rf,
               count(*) FILTER (WHERE d.source_side > d.target_side) AS rb
        FROM dyads d {join}
        WHERE d.source_side IS NOT NULL AND d.target_side IS NOT NULL
        GROUP BY ALL
    ) e
    GROUP BY lo, hi, day, cameo_code, cameo_root, quad_class, negated,
             CASE WHEN lo = hi OR (rf > 0 AND rb > 0) THEN 3 WHEN rf > 0 THEN 1 ELSE 2 END
"""

# ``event_sides`` holds the rows of an events page (``Store.events()``) once for each side of
# the event (the distinct non-null ``source_sides`` and ``target_sides``), sorted by side and
# date when built: a page of one country's events is read from that country's rows, in date
# order, instead of from the whole ``events`` table. Like ``happenings`` it is a function of
# the article tables, recomputed for the articles a write touches in its transaction;
# ``{join}`` narrows the events (alias ``e``) and ``{join_actors}`` the actors (alias ``a``).
EVENT_SIDES_SELECT = """
    WITH e AS MATERIALIZED (
        SELECT e.article_id, e.n, e.date, e.source, e.target, e.source_sides, e.target_sides,
               e.cameo_code, e.cameo_name, e.plover_event, e.goldstein, e.quad_class,
               e.negated, e.modality, e.start_char, e.end_char
        FROM events e {join}
    ),
    names AS (
        SELECT e.article_id, e.n,
               string_agg(a.name, ' + ' ORDER BY a.n)
                   FILTER (WHERE list_contains(e.source, a.actor_id)) AS source,
               string_agg(a.name, ' + ' ORDER BY a.n)
                   FILTER (WHERE list_contains(e.target, a.actor_id)) AS target
        FROM e JOIN (SELECT a.article_id, a.n, a.actor_id, a.name
                     FROM actors a {join_actors}) a ON a.article_id = e.article_id
        GROUP BY e.article_id, e.n
    )
    SELECT s.side, e.date, e.article_id, e.n, names.source, names.target, e.cameo_code,
           e.cameo_name, e.plover_event, e.goldstein, e.quad_class, e.negated, e.modality,
           substring(ar.text, e.start_char + 1, e.end_char - e.start_char) AS evidence
    FROM e CROSS JOIN unnest(list_distinct(list_filter(e.source_sides || e.target_sides,
                                                       x -> x IS NOT NULL))) s(side)
         JOIN articles ar ON ar.id = e.article_id
         LEFT JOIN names ON names.article_id = e.article_id AND names.n = e.n
"""

_V2 = (
    """
    CREATE TABLE happenings (
        lo VARCHAR NOT NULL,
        hi VARCHAR NOT NULL,
        day DATE,
        cameo_code VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        quad_class TINYINT NOT NULL,
        negated BOOLEAN NOT NULL,
        sig TINYINT NOT NULL,
        events INTEGER NOT NULL,
        goldstein DOUBLE NOT NULL,
        rows_fwd INTEGER NOT NULL,
        rows_back INTEGER NOT NULL,
        goldstein_fwd DOUBLE NOT NULL,
        goldstein_back DOUBLE NOT NULL
    )
    """,
    # sorted by pair and day: a pair's rows sit together and the zonemaps skip the rest
    "INSERT INTO happenings " + HAPPENINGS_SELECT.format(join="") + " ORDER BY lo, hi, day",
    """
    CREATE TABLE event_sides (
        side VARCHAR NOT NULL,
        date DATE,
        article_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        source VARCHAR,
        target VARCHAR,
        cameo_code VARCHAR NOT NULL,
        cameo_name VARCHAR NOT NULL,
        plover_event VARCHAR,
        goldstein DOUBLE NOT NULL,
        quad_class TINYINT NOT NULL,
        negated BOOLEAN NOT NULL,
        modality VARCHAR,
        evidence VARCHAR
    )
    """,
    "INSERT INTO event_sides "
    + EVENT_SIDES_SELECT.format(join="", join_actors="")
    + " ORDER BY side, date NULLS LAST, article_id, n",
)

# ---- migration 3: pairs of sides as numbers ------------------------------------------------
#
# ``sides`` gives each side that has happenings a number, once and for good (migration 3
# numbers the sides it finds in the order of their codes; later sides get the next numbers as
# they come). ``happenings.pair`` is ``id(lo) * 2**32 + id(hi)``, and the table is sorted by
# it: a pair's rows are found by comparing one integer on the rows of a row group rather than
# two strings (a first query on a pair of the 10M-event benchmark store read its rows in
# 1.0-1.4 instead of 4.4 ms of CPU). Like HAPPENINGS_SELECT for migration 2, SIDES_ADD and
# keyed() are part of migration 3 and do not change. (The table's columns are written out
# again below, as migration 2's are frozen.)

#: adds the sides of ``{sides}`` (a query of one column; nulls are skipped) that have no number
SIDES_ADD = """
    INSERT INTO sides
    SELECT side, CAST((SELECT coalesce(max(id), 0) FROM sides)
                      + row_number() OVER (ORDER BY side) AS INTEGER)
    FROM (SELECT DISTINCT side FROM ({sides}) s(side) WHERE side IS NOT NULL) n
    WHERE NOT EXISTS (SELECT 1 FROM sides k WHERE k.side = n.side)
"""

#: the number of the pair of sides numbered ``lo`` and ``hi`` (as in ``happenings.pair``)
PAIR_SHIFT = 2**32


def keyed(select: str) -> str:
    """The rows of ``select`` (the columns of HAPPENINGS_SELECT) with their ``pair`` number,
    for an INSERT INTO happenings (every side of the rows must be in ``sides``)."""
    return (f"SELECT h.*, CAST(l.id AS BIGINT) * {PAIR_SHIFT} + r.id AS pair FROM ({select}) h "
            f"JOIN sides l ON l.side = h.lo JOIN sides r ON r.side = h.hi")


_V3 = (
    "CREATE TABLE sides (side VARCHAR PRIMARY KEY, id INTEGER NOT NULL UNIQUE)",
    SIDES_ADD.format(sides="SELECT lo FROM happenings UNION ALL SELECT hi FROM happenings"),
    "ALTER TABLE happenings RENAME TO happenings_v2",
    """
    CREATE TABLE happenings (
        lo VARCHAR NOT NULL,
        hi VARCHAR NOT NULL,
        day DATE,
        cameo_code VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        quad_class TINYINT NOT NULL,
        negated BOOLEAN NOT NULL,
        sig TINYINT NOT NULL,
        events INTEGER NOT NULL,
        goldstein DOUBLE NOT NULL,
        rows_fwd INTEGER NOT NULL,
        rows_back INTEGER NOT NULL,
        goldstein_fwd DOUBLE NOT NULL,
        goldstein_back DOUBLE NOT NULL,
        pair BIGINT NOT NULL
    )
    """,
    # sorted by pair and day: a pair's rows sit together and the zonemaps skip the rest
    "INSERT INTO happenings " + keyed("SELECT * FROM happenings_v2") + " ORDER BY pair, day",
    "DROP TABLE happenings_v2",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "articles, actors, events, dyads, quotes, stances, entities", _V1),
    Migration(2, "happenings (dyads summed per pair of sides, day, CAMEO code) and "
                 "event_sides (events pages by side)", _V2),
    Migration(3, "sides numbered, and happenings found and sorted by their pair's number",
              _V3),
)

SCHEMA_VERSION = MIGRATIONS[-1].version

# The tables that hold an article's rows, children first (the order rows are deleted in).
ARTICLE_TABLES = ("actors", "events", "dyads", "quotes", "stances", "entities", "articles")

# Tables computed from the article tables (kept in step by the store in every write).
SUMMARY_TABLES = ("happenings", "event_sides")
