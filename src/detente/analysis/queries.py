"""The history queries over a store: dyad series, actors, events, quotes, stances, the network.

Each function takes an open DuckDB connection to a detente store and returns a
:class:`~detente.analysis.result.Result`. User values only ever reach SQL as parameters; the
only text put into SQL is chosen from the fixed tables below.

Counting with ``dedupe=True`` (the default) counts *happenings*, not reports: the rows of a
direction that share the day, the sides and the CAMEO root are one event (the
``event_group`` of the ``dyads`` table; for both directions together the pair is taken
unordered). With ``dedupe=False`` every coded event mention counts once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from detente.analysis.result import (
    ActorRanking,
    DyadSeries,
    EventList,
    Network,
    QuoteList,
    StanceList,
)
from detente.errors import DetenteError

PERIODS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}
ACTOR_ORDER = ("events", "mentions", "articles")
POLARITIES = ("support", "oppose")
NO_LIMIT = 2**62


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


def _fetch(con: Any, sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor = con.execute(sql, params)
    columns = [d[0] for d in cursor.description]
    return columns, cursor.fetchall()


def dyad(con: Any, a: str, b: str, by: str = "month", start: str | date | None = None,
         end: str | date | None = None, dedupe: bool = True, include_negated: bool = False,
         top: int = 3, fill: bool = True) -> DyadSeries:
    """The history of the pair ``a``–``b`` (ISO3 countries or IGO codes) per period.

    Three rows per period with events: both directions together (``A<>B``), then ``A>B``
    and ``B>A`` (one row when ``a == b``: events within one country). Each row counts events
    by quad class (1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material
    conflict), sums and averages their Goldstein scores, and lists the ``top`` CAMEO types.
    Negated events ("did not attack") are left out unless ``include_negated``. With ``fill``
    (the default) every period from the first to the last (or from ``start`` to ``end`` when
    given) has its rows, zeros where nothing happened; without it only periods with events.
    """
    if by not in PERIODS:
        raise QueryError(f"cannot group by {by!r}; use one of {', '.join(PERIODS)}")
    a, b = a.strip().upper(), b.strip().upper()
    if not a or not b:
        raise QueryError("give two sides, e.g. CHN RUS")
    # The unit counted: with dedupe, a happening of one direction is (day, root); in the
    # both-directions row it is (day, root, which directions the report has), so that "A and
    # B agreed" reported by three articles is one event while A expelling B's diplomats and B
    # expelling A's on the same day stay two. Without dedupe, an event mention.
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
          AND date IS NOT NULL AND {_DATE_FILTER.format(col="date")}
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
    bounds AS (
        SELECT date_trunc('{by}', coalesce($start::DATE, min(date))) AS first,
               date_trunc('{by}', coalesce($end::DATE, max(date))) AS last
        FROM m
    ),
    periods AS (
        {"SELECT unnest(generate_series(first, last, INTERVAL 1 " + by + "))::DATE AS period "
         "FROM bounds" if fill else "SELECT DISTINCT period FROM u"}
    ),
    grid AS (
        SELECT p.period, x.dir
        FROM periods p, (VALUES (0), (1), (2)) x(dir)
        WHERE $a <> $b OR x.dir = 0  -- a side with itself (domestic events): one row
    )
    SELECT strftime(g.period, '{PERIODS[by]}') AS period,
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
    params = {"a": a, "b": b, "negated": include_negated, "top": top, **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    # CAMEO names are looked up here rather than read from the 10M-row table
    names = _cameo_names()
    rows = [(*row[:-1], "; ".join(f"{t['code']} {names.get(t['code'], '')} ×{t['k']}"
                                  for t in row[-1] or [])) for row in rows]
    how = "happenings (deduplicated)" if dedupe else "event mentions"
    return DyadSeries(columns, rows, title=f"{a}–{b} by {by}: {how}")


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
    a, b = (("source_side", "target_side") if directed else
            ("least(source_side, target_side)", "greatest(source_side, target_side)"))
    # With dedupe an undirected edge counts (day, root, which directions the report has);
    # see dyad() for why.
    key = ("strftime(date, '%Y%m%d') || cameo_root || '|' || sig" if dedupe else
           "article_id || '#' || event_n")
    sql = f"""
    WITH m AS (
        SELECT {a} AS a, {b} AS b, source_side < target_side AS fwd, article_id, event_n, date,
               cameo_root, quad_class, goldstein
        FROM dyads
        WHERE source_side IS NOT NULL AND target_side IS NOT NULL
          AND source_side <> target_side
          AND {_DATE_FILTER.format(col="date")}
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
    params = {"negated": include_negated, "min_weight": min_weight, "limit": _limit(limit),
              "country": country, **_dates(start, end)}
    columns, rows = _fetch(con, sql, params)
    kind = "directed" if directed else "undirected"
    return Network(columns, rows, title=f"{kind} network of sides")
