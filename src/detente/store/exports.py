"""Exports of a store in the formats users already load.

- PLOVER JSONL: the records of :func:`detente.export.plover_records`, article by article.
- GDELT 2.0 TSV: the 61 event columns of GDELT 2.0 in their order, with what detente knows
  filled in (dates, actors, CAMEO codes, quad class, Goldstein, mention and article counts,
  DATEADDED, SOURCEURL) and the rest (tone, geography, ethnicity, religion) left empty. One row
  per happening by default (``NumMentions`` / ``NumArticles`` count its reports), or one row
  per coded dyad with ``dedupe=False``.
- Parquet: every table, partitioned by year and month (Hive style: ``events/year=2020/
  month=1/data_0.parquet``); rows without a date go to ``year=NULL/month=NULL``.
- CSV: one table, ``dyads`` by default (one row per source-target pair of an event).

Every export takes a date range (inclusive). PLOVER records are chosen by their article's
date; the table exports (GDELT, Parquet, CSV) by each row's ``date``: the event date for
events and dyads, the article date for the other tables.
"""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from detente.analysis.queries import _DATE_FILTER, _date, _dates
from detente.export import plover_records
from detente.store.schema import ARTICLE_TABLES

if TYPE_CHECKING:
    from collections.abc import Iterator

    from detente.store.store import Store

ACTOR_COLUMNS = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode",
                 "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
GEO_COLUMNS = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long",
               "FeatureID")
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{c}" for c in ACTOR_COLUMNS),
    *(f"Actor2{c}" for c in ACTOR_COLUMNS),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
    *(f"Actor1Geo_{c}" for c in GEO_COLUMNS),
    *(f"Actor2Geo_{c}" for c in GEO_COLUMNS),
    *(f"ActionGeo_{c}" for c in GEO_COLUMNS),
    "DATEADDED", "SOURCEURL",
)
CSV_TABLES = ("dyads", "events", "articles", "actors", "quotes", "stances", "entities")
ORDER = {"articles": "id", "dyads": "article_id, event_n, source_actor, target_actor"}
# Rows dated in a range: the event date for events and dyads, the article date for the rest.
RANGE_FILTER = _DATE_FILTER.format(col="date")


@contextmanager
def _open_text(path: str | Path) -> Iterator[TextIO]:
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            yield handle


def plover(store: Store, path: str | Path, start: str | date | None = None,
           end: str | date | None = None) -> int:
    """Write PLOVER JSONL for every stored article in (date, id) order."""
    written = 0
    with _open_text(path) as out:
        for document in store.documents(start, end):
            for record in plover_records(document):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                written += 1
    return written


def _actor_sql(n: int, side: str) -> str:
    # side is "source" or "target" (fixed strings, never user text)
    return f"""
        r.{side}_code AS Actor{n}Code,
        upper(replace(replace(r.{side}_name, chr(9), ' '), chr(10), ' ')) AS Actor{n}Name,
        r.{side}_country AS Actor{n}CountryCode,
        CASE WHEN starts_with(r.{side}_code, 'IGO') OR starts_with(r.{side}_code, 'NGO')
             THEN substr(r.{side}_code, 4) END AS Actor{n}KnownGroupCode,
        NULL AS Actor{n}EthnicCode, NULL AS Actor{n}Religion1Code,
        NULL AS Actor{n}Religion2Code,
        r.{side}_sector AS Actor{n}Type1Code, NULL AS Actor{n}Type2Code,
        NULL AS Actor{n}Type3Code"""


def _gdelt_sql(dedupe: bool) -> str:
    key = ("coalesce(d.event_group, d.article_id || '#' || d.event_n || '#' || d.source_actor "
           "|| '#' || coalesce(d.target_actor, ''))" if dedupe else
           "d.article_id || '#' || d.event_n || '#' || d.source_actor || '#' || "
           "coalesce(d.target_actor, '')")
    geo = ",\n        ".join(f"NULL AS {p}Geo_{c}" for p in ("Actor1", "Actor2", "Action")
                             for c in GEO_COLUMNS)
    return f"""
    WITH d AS (
        SELECT d.*, {key} AS k, a.url, a.ingested_at,
               regexp_extract(a.url, '^[A-Za-z]+://([^/:]+)', 1) AS domain
        FROM dyads d JOIN articles a ON a.id = d.article_id
        WHERE ($start::DATE IS NULL OR d.date >= $start::DATE)
          AND ($end::DATE IS NULL OR d.date <= $end::DATE)
    ),
    g AS (
        SELECT k, count(DISTINCT (article_id, event_n)) AS mentions,
               count(DISTINCT coalesce(nullif(domain, ''), url, article_id)) AS sources,
               count(DISTINCT article_id) AS articles, avg(goldstein) AS goldstein
        FROM d GROUP BY k
    ),
    r AS (
        SELECT * FROM (
            SELECT d.*, row_number() OVER (PARTITION BY k ORDER BY article_id, event_n,
                                           source_actor, target_actor) AS rn
            FROM d) WHERE rn = 1
    )
    SELECT row_number() OVER (ORDER BY r.date NULLS LAST, r.k) AS GLOBALEVENTID,
        strftime(r.date, '%Y%m%d') AS SQLDATE,
        strftime(r.date, '%Y%m') AS MonthYear,
        year(r.date) AS Year,
        round(year(r.date) + (dayofyear(r.date) - 1) / 365.0, 4) AS FractionDate,
        {_actor_sql(1, "source")},
        {_actor_sql(2, "target")},
        CASE WHEN r.sentence = 0 THEN 1 ELSE 0 END AS IsRootEvent,
        r.cameo_code AS EventCode,
        substr(r.cameo_code, 1, 3) AS EventBaseCode,
        r.cameo_root AS EventRootCode,
        r.quad_class AS QuadClass,
        round(g.goldstein, 2) AS GoldsteinScale,
        g.mentions AS NumMentions,
        g.sources AS NumSources,
        g.articles AS NumArticles,
        NULL AS AvgTone,
        {geo},
        strftime(r.ingested_at, '%Y%m%d%H%M%S') AS DATEADDED,
        coalesce(r.url, r.article_id) AS SOURCEURL
    FROM r JOIN g USING (k)
    ORDER BY GLOBALEVENTID
    """


def gdelt(store: Store, path: str | Path, dedupe: bool = True, header: bool = True,
          start: str | date | None = None, end: str | date | None = None) -> int:
    """Write the GDELT 2.0 event TSV; returns the number of event rows."""
    import csv as csvlib

    params = {"start": _date(start, "the start date"), "end": _date(end, "the end date")}
    cursor = store.con.execute(_gdelt_sql(dedupe), params)
    columns = [d[0] for d in cursor.description]
    assert tuple(columns) == GDELT_COLUMNS, columns
    written = 0
    with _open_text(path) as out:
        writer = csvlib.writer(out, delimiter="\t", lineterminator="\n",
                               quoting=csvlib.QUOTE_MINIMAL)
        if header:
            writer.writerow(columns)
        while rows := cursor.fetchmany(10_000):
            writer.writerows(["" if v is None else v for v in row] for row in rows)
            written += len(rows)
    return written


def parquet(store: Store, directory: str | Path, start: str | date | None = None,
            end: str | date | None = None) -> dict[str, int]:
    """Write every table under ``directory/<table>/year=Y/month=M/``; rows per table.

    With ``start`` / ``end`` only the rows dated in that range (inclusive) are written.
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    params = _dates(start, end)
    for table in reversed(ARTICLE_TABLES):
        where = f"WHERE {RANGE_FILTER}" if start or end else ""
        relation = store.con.sql(f"SELECT *, year(date) AS year, month(date) AS month "
                                 f"FROM {table} {where}", params=params if where else None)
        row = store.con.execute(f"SELECT count(*) FROM {table} {where}",
                                params if where else None).fetchone()
        counts[table] = int(row[0]) if row else 0
        relation.write_parquet(str(root / table), partition_by=["year", "month"],
                               overwrite=True)
    return counts


def csv(store: Store, path: str | Path, table: str = "dyads", start: str | date | None = None,
        end: str | date | None = None) -> int:
    """Write one table as CSV with a header; list and struct cells are written as JSON.

    With ``start`` / ``end`` only the rows dated in that range (inclusive) are written.
    """
    import csv as csvlib

    if table not in CSV_TABLES:
        from detente.analysis.queries import QueryError

        raise QueryError(f"no table {table!r}; choose one of {', '.join(CSV_TABLES)}")
    order = ORDER.get(table, "article_id, n")
    cursor = store.con.execute(f"SELECT * FROM {table} WHERE {RANGE_FILTER} ORDER BY {order}",
                               _dates(start, end))
    columns = [d[0] for d in cursor.description]
    written = 0

    def cell(value: Any) -> Any:
        if value is None:
            return ""
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, default=str)
        return value

    with _open_text(path) as out:
        writer = csvlib.writer(out, lineterminator="\n")
        writer.writerow(columns)
        while rows := cursor.fetchmany(10_000):
            writer.writerows([cell(v) for v in row] for row in rows)
            written += len(rows)
    return written
