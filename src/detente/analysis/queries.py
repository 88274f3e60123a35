"""The history queries over a store: dyad series, actors, events, quotes, stances, the network.

Each function takes an open DuckDB connection to a detente store and returns a
:class:`~detente.analysis.result.Result`. User values only ever reach SQL as parameters; the
only text put into SQL is chosen from the fixed tables below.

Counting with ``dedupe=True`` (the default) counts *happenings*, not reports: the rows of a
direction that share the day, the sides and the CAMEO root are one event (the
``event_group`` of the ``dyads`` table; for both directions together the pair is taken
unordered). With ``dedupe=False`` every coded event mention counts once. ``dyad()`` and
``network()`` read the ``happenings`` summary of ``dyads`` (see :mod:`detente.store.schema`),
which the store keeps in step with it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Protocol

from detente.analysis import series
from detente.analysis.result import (
    ActorRanking,
    DyadSeries,
    EventList,
    Network,
    QuoteList,
    StanceList,
)
from detente.errors import DetenteError
from detente.store.schema import PAIR_SHIFT

PERIODS = series.PERIODS  # the periods of dyad(), by the label format
ACTOR_ORDER = ("events", "mentions", "articles")
POLARITIES = ("support", "oppose")
NO_LIMIT = 2**62


class PairCache(Protocol):
    """Where :func:`dyad` keeps pairs' units: ``get`` returns the value kept for ``key`` or
    keeps and returns ``compute()`` (:class:`detente.api.cache.QueryCache`)."""

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any: ...


class QueryError(DetenteError):
    """A query argument that cannot be used; the message says what to give instead."""


def _date(value: str | date | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name} {value!r} is not a date; write YYYY-MM-DD") from None


def _dates(start: str | date | None, end: str | date | None) -> dict[str, date | None]:
    return {"start": _date(start, "the start date"), "end": _date(end, "the end date")}


def _limit(limit: int | None) -> int:
    return NO_LIMIT if not limit or limit <= 0 else limit


def _offset(offset: int | None) -> int:
    return max(0, offset or 0)


_DATE_FILTER = ("($start::DATE IS NULL OR {col} >= $start::DATE) "
                "AND ($end::DATE IS NULL OR {col} <= $end::DATE)")


def _cameo_names() -> dict[str, str]:
    from detente.events.ontology import cameo_table

    return {code: info.cameo.name for code, info in cameo_table().items()}


@lru_cache(maxsize=1)
def _type_prefixes() -> dict[str, str]:
    """``"036 Express intent to meet or negotiate ×"`` by code: a top type without its count."""
    return {code: f"{code} {name} ×" for code, name in _cameo_names().items()}


def _fetch(con: Any, sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def dyad(con: Any, a: str, b: str, by: str = "month", start: str | date | None = None,
         end: str | date | None = None, dedupe: bool = True, include_negated: bool = False,
         top: int = 3, fill: bool = True, pairs: PairCache | None = None,
         sides: dict[str, int] | None = None) -> DyadSeries:
    """The history of the pair ``a``–``b`` (ISO3 countries or IGO codes) per period.

    Three rows per period: both directions together (``A<>B``), then ``A>B`` and ``B>A``
    (one row when ``a == b``: events within one country). Each row counts events by quad
    class (1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material
    conflict), sums and averages their Goldstein scores, and lists the ``top`` CAMEO types.
    Negated events ("did not attack") are left out unless ``include_negated``. With ``fill``
    (the default) every period from the first to the last (or from ``start`` to ``end`` when
    given) has its rows, zeros where nothing happened; without it only periods with events.

    ``pairs`` keeps each pair's counting units (:class:`~detente.analysis.series.PairUnits`)
    for the next query on the pair, whatever its period or dates: for a store that nothing
    writes to while the cache is used (the server's, opened read-only). ``sides`` keeps the
    numbers of the sides looked up in the store's ``sides`` table (they never change).
    """
    if by not in PERIODS:
        raise QueryError(f"cannot group by {by!r}; use one of {', '.join(PERIODS)}")
    a, b = a.strip().upper(), b.strip().upper()
    if not a or not b:
        raise QueryError("give two sides, e.g. CHN RUS")
    lo, hi = sorted((a, b))
    dates = _dates(start, end)
    directions = 3 if a != b else 1
    key = _pair_key(con, lo, hi, {} if sides is None else sides)
    if pairs is None:
        units = _pair_units(con, key, dedupe, include_negated, directions, dates)
    else:  # all the pair's days, kept for the next query on the pair whatever its dates
        units = pairs.get(("dyad", lo, hi, bool(dedupe), bool(include_negated)),
                          lambda: _pair_units(con, key, dedupe, include_negated,
                                              directions, _dates(None, None)))
    labels = [f"{a}<>{b}", f"{a}>{b}", f"{b}>{a}"][:directions]
    found = series.count(units, by, a == lo, max(int(top), 0), _type_prefixes(),
                         dates["start"], dates["end"])
    # every period gets a row for each direction, zeros where it has none, from the start
    # (or the first event) to the end (or the last); without fill, the periods with events
    periods = sorted(set().union(*(c.periods.tolist() for c in found if c is not None)))
    if fill and (periods or (dates["start"] and dates["end"])):
        periods = series.period_range(
            by, dates["start"] or series.EPOCH + timedelta(days=periods[0]),
            dates["end"] or series.EPOCH + timedelta(days=periods[-1]))
    rows = series.series_rows(by, periods, found, labels)
    how = "happenings (deduplicated)" if dedupe else "event mentions"
    return DyadSeries(list(DyadSeries.COLUMNS), rows, title=f"{a}–{b} by {by}: {how}")


def _pair_key(con: Any, lo: str, hi: str, sides: dict[str, int]) -> int | None:
    """The number of the pair ``lo``–``hi`` in ``happenings.pair`` (None: a side has no
    happenings), from the numbers of ``sides`` or else the store's ``sides`` table (read
    whole: a few hundred rows, faster than finding two): a number, once given, never
    changes, so ``sides`` may keep them for every later query."""
    if lo not in sides or hi not in sides:
        sides.update(con.execute("SELECT side, id FROM sides").fetchall())
    if lo not in sides or hi not in sides:
        return None
    return sides[lo] * PAIR_SHIFT + sides[hi]


def _pair_units(con: Any, key: int | None, dedupe: bool, include_negated: bool,
                directions: int, dates: dict[str, date | None]) -> series.PairUnits:
    """The counting units of the pair numbered ``key`` (None: none) from its rows of the
    happenings summary (detente.store.schema: one row per pair, day, CAMEO code, negated and
    which directions the event has); detente.analysis.series says what a unit is with and
    without dedupe."""
    if key is None:
        return series.PairUnits([None] * directions, [])
    # only the conditions asked for (a condition that is always true still costs its test
    # on every row of the pair: 0.6-1.2 ms a query). The pair's number is written into the
    # SQL: an integer made here, never text from the user, and binding it as a parameter
    # cost 0.5 ms a query, an eighth of the read
    params: dict[str, Any] = {}
    where = [f"pair = {int(key)}", "day IS NOT NULL"]
    for name, test in (("start", "day >= $start"), ("end", "day <= $end")):
        if dates[name] is not None:
            where.append(test)
            params[name] = dates[name]
    if not include_negated:
        where.append("NOT negated")
    table = con.execute(f"SELECT {', '.join(series.COLUMNS[bool(dedupe)])} FROM happenings "
                        f"WHERE {' AND '.join(where)}", params or None).to_arrow_table()
    return series.prepare(table, bool(dedupe), directions)


def actors(con: Any, limit: int = 20, country: str | None = None, kind: str | None = None,
           start: str | date | None = None, end: str | date | None = None,
           order: str = "events") -> ActorRanking:
    """The most active actors, by the events they take part in (or mentions, or articles)."""
    if order not in ACTOR_ORDER:
        raise QueryError(f"cannot order actors by {order!r}; use one of {', '.join(ACTOR_ORDER)}")
    sql = f"""
    SELECT name, code, country, kind, count(*) AS articles,
           sum(n_mentions)::BIGINT AS mentions, sum(n_events)::BIGINT AS events
    FROM actors
    WHERE ($country IS NULL OR country = upper($country) OR side = upper($country))
      AND ($kind IS NULL OR kind = lower($kind))
      AND {_DATE_FILTER.format(col="date")}
    GROUP BY name, code, country, kind
    ORDER BY {order} DESC, name, code
    LIMIT $limit
    """
    params = {"country": country, "kind": kind, "limit": _limit(limit), **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    return ActorRanking(columns, rows, title=f"most active actors (by {order})")


def events(con: Any, actor: str | None = None, country: str | None = None,
           type: str | None = None, start: str | date | None = None,
           end: str | date | None = None, text: str | None = None,
           include_negated: bool = True, limit: int = 100, offset: int = 0) -> EventList:
    """Coded events, oldest first, filtered by actor (name or code), country (either side),
    type (CAMEO code prefix such as ``19`` or ``042``, or a PLOVER event such as ``ASSAULT``),
    date range, and words of the article (case-insensitive). ``offset`` skips that many
    events first (pages of ``limit``)."""
    # Only the filters given go into the query (from the fixed fragments below; the values
    # stay parameters): an "x IS NULL OR EXISTS (...)" left in for an absent filter still
    # costs a join over every event on a big store.
    where = [_DATE_FILTER.format(col="e.date"), "($negated OR NOT e.negated)"]
    params: dict[str, Any] = {"negated": include_negated, "limit": _limit(limit),
                              "offset": _offset(offset), **_dates(start, end)}
    if country and not actor and not text:
        # a country's page: from event_sides, where the rows of the page are stored ready,
        # one per side of each event, sorted by side and date (detente.store.schema)
        where.append("e.side = upper($country)")
        params["country"] = country
        if type:
            where.append("(starts_with(e.cameo_code, $type) OR e.plover_event = upper($type))")
            params["type"] = type
        sql = f"""
        SELECT e.date, e.source, e.target, e.cameo_code AS cameo, e.cameo_name AS event,
               e.plover_event AS plover, e.goldstein, e.quad_class AS quad, e.negated,
               e.modality, e.evidence, e.article_id, e.n
        FROM event_sides e
        WHERE {" AND ".join(where)}
        ORDER BY e.date NULLS LAST, e.article_id, e.n
        LIMIT $limit OFFSET $offset
        """
        columns, rows = _fetch(con, sql, params)
        return EventList(columns, rows, title="events")
    if country:
        where.append("(list_contains(e.source_sides, upper($country)) "
                     "OR list_contains(e.target_sides, upper($country)))")
        params["country"] = country
    if type:
        where.append("(starts_with(e.cameo_code, $type) OR e.plover_event = upper($type))")
        params["type"] = type
    if actor:
        where.append("""EXISTS (
                SELECT 1 FROM actors a
                WHERE a.article_id = e.article_id
                  AND (list_contains(e.source, a.actor_id) OR list_contains(e.target, a.actor_id))
                  AND (contains(lower(a.name), lower($actor)) OR a.code = upper($actor)))""")
        params["actor"] = actor
    if text:
        where.append("""EXISTS (
                SELECT 1 FROM articles ar
                WHERE ar.id = e.article_id
                  AND (contains(lower(ar.text), lower($text))
                       OR contains(lower(coalesce(ar.title, '')), lower($text))))""")
        params["text"] = text
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
    columns, rows = _fetch(con, sql, params)
    return EventList(columns, rows, title="events")


def quotes(con: Any, speaker: str | None = None, text: str | None = None,
           start: str | date | None = None, end: str | date | None = None,
           limit: int = 100, offset: int = 0) -> QuoteList:
    """Quotes, oldest first, by speaker (part of the name, a code such as ``USAGOV`` or a
    country) and words of the quote; ``offset`` skips that many first."""
    sql = f"""
    SELECT date, speaker_name AS speaker, speaker_code AS code, kind, text, cue, article_id, n
    FROM quotes
    WHERE ($speaker IS NULL OR contains(lower(speaker_name), lower($speaker))
                            OR speaker_code = upper($speaker)
                            OR speaker_country = upper($speaker))
      AND ($text IS NULL OR contains(lower(text), lower($text)))
      AND {_DATE_FILTER.format(col="date")}
    ORDER BY date NULLS LAST, article_id, n
    LIMIT $limit OFFSET $offset
    """
    params = {"speaker": speaker, "text": text, "limit": _limit(limit),
              "offset": _offset(offset), **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    return QuoteList(columns, rows, title="quotes")


def stances(con: Any, holder: str | None = None, polarity: str | None = None,
            topic: str | None = None, start: str | date | None = None,
            end: str | date | None = None, limit: int = 100, offset: int = 0) -> StanceList:
    """Stances, oldest first: who supports or opposes what. ``holder`` is part of the
    holder's name, a code (``CHNGOV``) or a country; ``topic`` words of the topic."""
    if polarity is not None and polarity.lower() not in POLARITIES:
        raise QueryError(f"polarity {polarity!r} is not one of {', '.join(POLARITIES)}")
    sql = f"""
    SELECT date, holder_name AS holder, holder_code AS code, polarity, topic, article_id, n
    FROM stances
    WHERE ($holder IS NULL OR contains(lower(holder_name), lower($holder))
                           OR holder_code = upper($holder)
                           OR holder_country = upper($holder))
      AND ($polarity IS NULL OR polarity = lower($polarity))
      AND ($topic IS NULL OR contains(lower(topic), lower($topic)))
      AND {_DATE_FILTER.format(col="date")}
    ORDER BY date NULLS LAST, article_id, n
    LIMIT $limit OFFSET $offset
    """
    params = {"holder": holder, "polarity": polarity, "topic": topic, "limit": _limit(limit),
              "offset": _offset(offset), **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    return StanceList(columns, rows, title="stances")


def network(con: Any, start: str | date | None = None, end: str | date | None = None,
            dedupe: bool = True, directed: bool = False, include_negated: bool = False,
            min_weight: int = 1, limit: int = 0, country: str | None = None) -> Network:
    """The weighted graph of sides (countries, IGOs): one edge per pair that has events.

    ``weight`` is the number of events (happenings with ``dedupe``), split into cooperation
    (quad classes 1-2) and conflict (3-4), with the Goldstein sum and mean. Undirected by
    default; ``directed`` keeps source and target apart.
    """
    # Read from the happenings summary (see dyad() for the units). A directed edge takes the
    # rows of its direction; with dedupe a directed happening is (day, root), an undirected
    # one (day, root, which directions the report has). Events without a date count alone.
    if directed:
        edges = """
        SELECT lo AS a, hi AS b, day, cameo_code, cameo_root, quad_class, sig, events,
               goldstein, rows_fwd AS r, goldstein_fwd AS g FROM h WHERE rows_fwd > 0
        UNION ALL
        SELECT hi AS a, lo AS b, day, cameo_code, cameo_root, quad_class, sig, events,
               goldstein, rows_back AS r, goldstein_back AS g FROM h WHERE rows_back > 0"""
        unit = "a, b, day, cameo_root"
    else:
        edges = """
        SELECT lo AS a, hi AS b, day, cameo_code, cameo_root, quad_class, sig, events,
               goldstein, rows_fwd + rows_back AS r, goldstein_fwd + goldstein_back AS g
        FROM h"""
        unit = "a, b, day, cameo_root, sig"
    units = ("SELECT a, b, events AS w, quad_class, goldstein FROM e" if not dedupe else f"""
        SELECT a, b, 1 AS w, any_value(quad_class) AS quad_class, sum(g) / sum(r) AS goldstein
        FROM e WHERE day IS NOT NULL GROUP BY {unit}
        UNION ALL
        SELECT a, b, events AS w, quad_class, goldstein FROM e WHERE day IS NULL""")
    sql = f"""
    WITH h AS (
        SELECT * FROM happenings
        WHERE lo <> hi AND {_DATE_FILTER.format(col="day")} AND ($negated OR NOT negated)
          AND ($country IS NULL OR lo = upper($country) OR hi = upper($country))
    ),
    e AS ({edges}
    ),
    u AS ({units}
    )
    SELECT a AS {"source" if directed else "a"}, b AS {"target" if directed else "b"},
           sum(w)::BIGINT AS weight,
           coalesce(sum(w) FILTER (WHERE quad_class <= 2), 0)::BIGINT AS cooperation,
           coalesce(sum(w) FILTER (WHERE quad_class >= 3), 0)::BIGINT AS conflict,
           sum(goldstein) AS goldstein_sum, sum(goldstein) / sum(w) AS goldstein_mean
    FROM u GROUP BY a, b
    HAVING sum(w) >= $min_weight
    ORDER BY weight DESC, a, b
    LIMIT $limit
    """
    params = {"negated": include_negated, "min_weight": min_weight, "limit": _limit(limit),
              "country": country, **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    kind = "directed" if directed else "undirected"
    return Network(columns, rows, title=f"{kind} network of sides")
