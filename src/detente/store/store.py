"""The embedded store: Documents into DuckDB tables, history queries out.

>>> store = Store("detente.duckdb")          # created (and migrated) when needed
>>> store.write_many(documents)              # whole articles per transaction
>>> store.dyad("CHN", "RUS", by="month")     # a DyadSeries; .to_pandas(), .rows, print()

Articles are keyed by ``id`` and versioned by a content hash (text, title, date, url):
writing an article again with the same content changes nothing; with other content its old
rows are replaced. Every commit holds whole articles, so a crash loses at most the articles
of the transaction it interrupted, never part of one. The summary tables that the history
queries read (``happenings``, ``event_sides``) are updated in the same transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from detente.analysis import queries
from detente.analysis.result import (
    ActorRanking,
    DyadSeries,
    EventList,
    Network,
    QuoteList,
    Result,
    StanceList,
)
from detente.errors import DetenteError
from detente.schema import Document
from detente.store.rows import content_hash, document_from_rows, document_tables
from detente.store.schema import (
    ARTICLE_TABLES,
    EVENT_SIDES_SELECT,
    HAPPENINGS_SELECT,
    MIGRATIONS,
    SCHEMA_VERSION,
    SIDES_ADD,
    keyed,
)

DEFAULT_DB = "detente.duckdb"


class StoreError(DetenteError):
    """A store that cannot be opened or used; the message names the file and the fix."""


@dataclass
class WriteResult:
    """What one :meth:`Store.write_many` did."""

    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    events: int = 0
    quotes: int = 0

    def __iadd__(self, other: WriteResult) -> WriteResult:
        self.new += other.new
        self.replaced += other.replaced
        self.unchanged += other.unchanged
        self.events += other.events
        self.quotes += other.quotes
        return self


class Store:
    """A detente store in one DuckDB file (``detente.duckdb`` by default)."""

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        import duckdb

        self.path = Path(path)
        self.read_only = read_only
        #: where dyad() keeps pairs' units between queries (see queries.dyad): set only on a
        #: store opened read-only, which no one can write to while it is open (the server's)
        self.pairs: queries.PairCache | None = None
        #: the numbers of sides in ``sides`` that dyad() has looked up (never changed)
        self.sides: dict[str, int] = {}
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}; create one with "
                             f"`detente ingest PATH... --db {self.path}`")
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as err:
            message = str(err)
            if "lock" in message.lower():
                raise StoreError(f"the store {self.path} is in use by another process (an "
                                 f"ingest?); wait for it to finish or use another --db") from err
            raise StoreError(f"cannot open the store {self.path}: {message}; is it a "
                             f"DuckDB file written by detente?") from err
        except duckdb.Error as err:
            raise StoreError(f"cannot open the store {self.path}: {err}") from err
        try:
            self._migrate()
        except BaseException:
            self.con.close()
            raise

    # ---- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self.con.close()

    def reopen(self) -> None:
        """Close the DuckDB connection and open it again, keeping its ``threads`` setting.

        DuckDB keeps table data it has written in memory (about 70 MB once it has
        checkpointed, however big the store) until the database is closed; a long ingest
        calls this every few thousand articles so that its memory stays flat. Cursors taken
        with :meth:`cursor` keep the old connection, and its memory, alive."""
        import duckdb

        row = self.con.execute("SELECT current_setting('threads')").fetchone()
        self.con.close()
        self.con = duckdb.connect(str(self.path), read_only=self.read_only)
        if row:
            self.con.execute(f"SET threads = {int(row[0])}")

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def cursor(self) -> Store:
        """The same store through a new DuckDB cursor, for use in another thread (one
        connection must not run two queries at once). Close it when done; the store stays
        open."""
        view = object.__new__(Store)
        view.path, view.read_only, view.con = self.path, self.read_only, self.con.cursor()
        view.pairs, view.sides = self.pairs, self.sides
        return view

    @property
    def schema_version(self) -> int:
        row = self.con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations"
                               ).fetchone()
        return int(row[0]) if row else 0

    def _migrate(self) -> None:
        exists = self.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
        ).fetchone()
        if not exists or not exists[0]:
            if self.read_only:
                raise StoreError(f"{self.path} is not a detente store (it has no "
                                 f"schema_migrations table); give the --db that "
                                 f"`detente ingest` wrote")
            self.con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                             "description VARCHAR, applied_at TIMESTAMP)")
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(f"the store {self.path} has schema version {version}, newer than "
                             f"this detente knows ({SCHEMA_VERSION}); upgrade detente")
        pending = [m for m in MIGRATIONS if m.version > version]
        if pending and self.read_only:
            raise StoreError(f"the store {self.path} has schema version {version} and needs "
                             f"migrating to {SCHEMA_VERSION}; open it once for writing to "
                             f"migrate it: `detente ingest PATH... --db {self.path}` with any "
                             f"articles (those already stored are skipped), or in Python "
                             f"`Store({str(self.path)!r}).close()`")
        for migration in pending:
            self.con.begin()
            try:
                for statement in migration.statements:
                    self.con.execute(statement)
                self.con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                                 [migration.version, migration.description, datetime.now()])
                self.con.commit()
            except BaseException:
                self.con.rollback()
                raise

    # ---- writing ----------------------------------------------------------------------------

    def stored_hashes(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        """The content hash of every stored article (or of those among ``ids``)."""
        if ids is None:
            rows = self.con.execute("SELECT id, content_hash FROM articles").fetchall()
        else:
            rows = self.con.execute(
                "SELECT id, content_hash FROM articles WHERE id IN (SELECT unnest($ids))",
                {"ids": list(ids)},
            ).fetchall()
        return dict(rows)

    def write(self, document: Document) -> WriteResult:
        """Store one Document in one transaction (see :meth:`write_many`)."""
        return self.write_many([document])

    def write_many(self, documents: Iterable[Document], force: bool = False) -> WriteResult:
        """Store Documents in one transaction: all of them or, on any error, none.

        An article whose id and content hash are stored already is left as it is (rewritten
        with ``force``); one whose id is stored with another hash has its old rows replaced.
        """
        docs = list(documents)
        keep, replace, result = self._plan(
            [(d.article.id, content_hash(d.article)) for d in docs], force)
        if not keep:
            return result
        for i in keep:
            result.events += len(docs[i].events)
            result.quotes += len(docs[i].quotes)
        tables = document_tables((docs[i] for i in keep), datetime.now())
        self._replace(replace, [docs[i].article.id for i in keep], self._inserter(tables))
        return result

    def write_tables(self, tables: dict[str, pa.Table], force: bool = False) -> WriteResult:
        """Store rows made by :func:`detente.store.rows.document_tables` (in a worker
        process) in one transaction, by the rules of :meth:`write_many`."""
        articles = tables["articles"].select(["id", "content_hash", "n_events", "n_quotes"])
        rows = list(zip(*(articles.column(i).to_pylist() for i in range(4)), strict=True))
        if len({r[0] for r in rows}) < len(rows):
            raise StoreError("the same article id appears twice in one write; give each "
                             "article its own id")
        ids, replace, result = self._plan_stored(rows, force)
        if not ids:
            return result
        if len(ids) < len(rows):
            import pyarrow.compute as pc

            wanted = pa.array(ids)
            tables = {name: table.filter(pc.is_in(
                          table.column("id" if name == "articles" else "article_id"), wanted))
                      for name, table in tables.items()}
        self._replace(replace, ids, self._inserter(tables))
        return result

    def _inserter(self, tables: dict[str, pa.Table]) -> Callable[[str], None]:
        """Inserts a table's rows from ``tables`` (Arrow, read in place by DuckDB)."""
        def insert(table: str) -> None:
            rows = tables[table]
            if rows.num_rows:
                self.con.register("_detente_rows", rows)
                try:
                    self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _detente_rows")
                finally:
                    self.con.unregister("_detente_rows")

        return insert

    def write_part(self, part: str | Path, force: bool = False) -> WriteResult:
        """Store one Parquet part (see :mod:`detente.store.parts`) in one transaction.

        The same rules as :meth:`write_many`: an article stored with the same content hash is
        left as it is (rewritten with ``force``), one stored with another hash is replaced.
        """
        from detente.store.parts import table_file

        part = Path(part)
        rows = self.con.execute(
            "SELECT id, content_hash, n_events, n_quotes FROM read_parquet($path)",
            {"path": str(table_file(part, "articles"))}).fetchall()
        ids, replace, result = self._plan_stored(rows, force)
        if not ids:
            return result

        def insert(table: str) -> None:
            key = "id" if table == "articles" else "article_id"
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet($path) "
                             f"WHERE {key} IN (SELECT unnest($ids))",
                             {"path": str(table_file(part, table)), "ids": ids})

        self._replace(replace, ids, insert)
        return result

    def _plan_stored(self, rows: list[tuple[Any, ...]],
                     force: bool) -> tuple[list[str], list[str], WriteResult]:
        """:meth:`_plan` for articles rows (id, content hash, n_events, n_quotes): the ids to
        write, the stored ids they replace, and the counts."""
        keep, replace, result = self._plan([(r[0], r[1]) for r in rows], force)
        result.events = sum(rows[i][2] for i in keep)
        result.quotes = sum(rows[i][3] for i in keep)
        return [rows[i][0] for i in keep], replace, result

    def _plan(self, articles: list[tuple[str, str]],
              force: bool) -> tuple[list[int], list[str], WriteResult]:
        """Which of ``articles`` (id, content hash) to write, which stored ids they replace,
        and the counts: the idempotency rules of every write."""
        result = WriteResult()
        stored = self.stored_hashes({aid for aid, _ in articles}) if articles else {}
        keep: list[int] = []
        replace: list[str] = []
        taken: dict[str, str] = {}
        for i, (aid, digest) in enumerate(articles):
            if taken.get(aid) == digest or (not force and stored.get(aid) == digest):
                result.unchanged += 1
                continue
            if aid in taken:
                raise StoreError(f"article {aid!r} appears twice with different content in one "
                                 f"write; give each article its own id")
            if aid in stored:
                replace.append(aid)
                result.replaced += 1
            else:
                result.new += 1
            taken[aid] = digest
            keep.append(i)
        return keep, replace, result

    def _replace(self, replace: list[str], written: list[str],
                 insert: Callable[[str], None]) -> None:
        """One transaction: delete the rows of the ``replace`` articles, then ``insert``
        every table's new rows (articles first; ``written`` are their ids), then bring the
        summary tables up to date: the happenings of the (pair, day) keys of the old and new
        rows, and the event_sides rows of the articles."""
        self.con.begin()
        try:
            self._touch_start()
            if replace:
                self._touch(replace)
                self._delete_rows(replace)
            for table in reversed(ARTICLE_TABLES):  # articles first
                insert(table)
            self._touch(written)
            self._refresh_touched()
            self._add_event_sides(written)
            self.con.commit()
        except BaseException as err:
            import duckdb

            # after a failed commit (a full disk) DuckDB has already ended the transaction
            with contextlib.suppress(duckdb.Error):
                self.con.rollback()
            if isinstance(err, duckdb.IOException) or (
                    isinstance(err, duckdb.Error) and "Could not write" in str(err)):
                raise StoreError(self._write_failure(err)) from err
            raise

    def _write_failure(self, err: Exception) -> str:
        """What a failed write to the disk tells the user: the file, the cause, the fix."""
        cause = str(err).split("\n")[0]
        full = any(s in cause for s in ("No space left", "Disk quota", "File too large"))
        fix = ("free some disk space (or give --db a store on another disk)" if full
               else "check that the disk is writable and healthy")
        return (f"cannot write to the store {self.path}: {cause}. The articles of this "
                f"transaction were not stored; every article committed before is kept. Then "
                f"{fix}, and run the same command again to finish the job.")

    def delete(self, article_ids: Iterable[str]) -> None:
        """Remove articles and all their rows, in one transaction."""
        ids = list(article_ids)
        self.con.begin()
        try:
            self._touch_start()
            self._touch(ids)
            self._delete_rows(ids)
            self._refresh_touched()
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    def _delete_rows(self, ids: list[str]) -> None:
        """Delete the rows of articles ``ids`` from every article table and from
        ``event_sides`` (the happenings are recomputed by key after)."""
        for table in (*ARTICLE_TABLES, "event_sides"):
            key = "id" if table == "articles" else "article_id"
            self.con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT unnest($ids))",
                             {"ids": ids})

    # ---- the summary tables (see detente.store.schema) -----------------------------------------

    def _add_event_sides(self, article_ids: list[str]) -> None:
        """The event_sides rows of articles just written."""
        if not article_ids:
            return
        self.con.execute("INSERT INTO event_sides " + EVENT_SIDES_SELECT.format(
            join="SEMI JOIN (SELECT unnest($ids) AS id) w ON w.id = e.article_id",
            join_actors="SEMI JOIN (SELECT unnest($ids) AS id) w ON w.id = a.article_id"),
            {"ids": article_ids})

    def _touch_start(self) -> None:
        """An empty list of touched (pair, day) keys, in this connection's temporary schema."""
        self.con.execute("CREATE TEMP TABLE IF NOT EXISTS _detente_touched "
                         "(lo VARCHAR, hi VARCHAR, day DATE)")
        self.con.execute("DELETE FROM _detente_touched")

    def _touch(self, article_ids: list[str]) -> None:
        """Note the (pair, day) keys of the stored dyads of ``article_ids``."""
        if not article_ids:
            return
        self.con.execute("""
            INSERT INTO _detente_touched
            SELECT DISTINCT least(source_side, target_side), greatest(source_side, target_side),
                   date
            FROM dyads
            WHERE article_id IN (SELECT unnest($ids))
              AND source_side IS NOT NULL AND target_side IS NOT NULL""", {"ids": article_ids})

    def _refresh_touched(self) -> None:
        """Recompute the happenings of the touched keys from ``dyads`` (in the open
        transaction: the summary never disagrees with the rows it sums)."""
        keys = "(SELECT DISTINCT lo, hi, day FROM _detente_touched) k"
        self.con.execute(f"DELETE FROM happenings h USING {keys} WHERE k.lo = h.lo "
                         f"AND k.hi = h.hi AND k.day IS NOT DISTINCT FROM h.day")
        self.con.execute(SIDES_ADD.format(
            sides="SELECT lo FROM _detente_touched UNION ALL SELECT hi FROM _detente_touched"))
        # the days first (a cheap test of one column), then the pairs of those days' rows
        self.con.execute("INSERT INTO happenings " + keyed(HAPPENINGS_SELECT.format(
            join="SEMI JOIN (SELECT DISTINCT day FROM _detente_touched) kd "
                 "ON kd.day IS NOT DISTINCT FROM d.date "
                 f"SEMI JOIN {keys} ON k.lo = least(d.source_side, d.target_side) "
                 f"AND k.hi = greatest(d.source_side, d.target_side) "
                 f"AND k.day IS NOT DISTINCT FROM d.date")))

    def rebuild_summaries(self) -> None:
        """Recompute the summary tables (``happenings``, ``event_sides``) from the article
        tables, sorted for reading, in one transaction. Writes through the store keep them up
        to date on their own: this is for rows put into the article tables by other means
        (your own SQL), and to restore the sort order after many small writes."""
        self.con.begin()
        try:
            self.con.execute("DELETE FROM happenings")
            self.con.execute(SIDES_ADD.format(
                sides="SELECT source_side FROM dyads WHERE target_side IS NOT NULL UNION ALL "
                      "SELECT target_side FROM dyads WHERE source_side IS NOT NULL"))
            self.con.execute("INSERT INTO happenings " + keyed(HAPPENINGS_SELECT.format(join=""))
                             + " ORDER BY pair, day")
            self.con.execute("DELETE FROM event_sides")
            self.con.execute("INSERT INTO event_sides "
                             + EVENT_SIDES_SELECT.format(join="", join_actors="")
                             + " ORDER BY side, date NULLS LAST, article_id, n")
            self.con.commit()
        except BaseException:
            self.con.rollback()
            raise

    # ---- reading ----------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        out = {}
        for table in reversed(ARTICLE_TABLES):
            row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()
            out[table] = int(row[0]) if row else 0
        return out

    def _dicts(self, sql: str, params: Any) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def document(self, article_id: str) -> Document | None:
        """The stored Document of one article (None when there is none)."""
        articles = self._dicts("SELECT * FROM articles WHERE id = ?", [article_id])
        if not articles:
            return None
        parts = [self._dicts(f"SELECT * FROM {t} WHERE article_id = ? ORDER BY n", [article_id])
                 for t in ("actors", "events", "quotes", "stances", "entities")]
        return document_from_rows(articles[0], *parts)

    def article_ids(self, start: str | date | None = None,
                    end: str | date | None = None) -> list[str]:
        """Stored article ids in (date, id) order, optionally within a date range."""
        rows = self.con.execute(
            "SELECT id FROM articles WHERE ($start::DATE IS NULL OR date >= $start::DATE) "
            "AND ($end::DATE IS NULL OR date <= $end::DATE) ORDER BY date NULLS LAST, id",
            {"start": queries._date(start, "start"), "end": queries._date(end, "end")},
        ).fetchall()
        return [r[0] for r in rows]

    def documents(self, start: str | date | None = None,
                  end: str | date | None = None) -> Iterator[Document]:
        """Every stored Document in (date, id) order."""
        for article_id in self.article_ids(start, end):
            doc = self.document(article_id)
            if doc is not None:
                yield doc

    def sql(self, query: str, params: Any = None) -> Result:
        """Run your own SQL (parameters as ``?`` or ``$name``) and get a Result."""
        cursor = self.con.execute(query, params)
        return Result([d[0] for d in cursor.description], cursor.fetchall())

    # ---- history ------------------------------------------------------------------------------

    def dyad(self, a: str, b: str, by: str = "month", start: str | date | None = None,
             end: str | date | None = None, dedupe: bool = True,
             include_negated: bool = False, top: int = 3, fill: bool = True) -> DyadSeries:
        """The history of a pair per period; see :func:`detente.analysis.queries.dyad`."""
        return queries.dyad(self.con, a, b, by=by, start=start, end=end, dedupe=dedupe,
                            include_negated=include_negated, top=top, fill=fill,
                            pairs=self.pairs, sides=self.sides)

    def actors(self, limit: int = 20, country: str | None = None, kind: str | None = None,
               start: str | date | None = None, end: str | date | None = None,
               order: str = "events") -> ActorRanking:
        """The most active actors; see :func:`detente.analysis.queries.actors`."""
        return queries.actors(self.con, limit=limit, country=country, kind=kind, start=start,
                              end=end, order=order)

    def events(self, actor: str | None = None, country: str | None = None,
               type: str | None = None, start: str | date | None = None,
               end: str | date | None = None, text: str | None = None,
               include_negated: bool = True, limit: int = 100, offset: int = 0) -> EventList:
        """Coded events; see :func:`detente.analysis.queries.events`."""
        return queries.events(self.con, actor=actor, country=country, type=type, start=start,
                              end=end, text=text, include_negated=include_negated, limit=limit,
                              offset=offset)

    def quotes(self, speaker: str | None = None, text: str | None = None,
               start: str | date | None = None, end: str | date | None = None,
               limit: int = 100, offset: int = 0) -> QuoteList:
        """Quotes by speaker; see :func:`detente.analysis.queries.quotes`."""
        return queries.quotes(self.con, speaker=speaker, text=text, start=start, end=end,
                              limit=limit, offset=offset)

    def stances(self, holder: str | None = None, polarity: str | None = None,
                topic: str | None = None, start: str | date | None = None,
                end: str | date | None = None, limit: int = 100,
                offset: int = 0) -> StanceList:
        """Who supports or opposes what; see :func:`detente.analysis.queries.stances`."""
        return queries.stances(self.con, holder=holder, polarity=polarity, topic=topic,
                               start=start, end=end, limit=limit, offset=offset)

    def network(self, start: str | date | None = None, end: str | date | None = None,
                dedupe: bool = True, directed: bool = False, include_negated: bool = False,
                min_weight: int = 1, limit: int = 0, country: str | None = None) -> Network:
        """The weighted pair graph; see :func:`detente.analysis.queries.network`."""
        return queries.network(self.con, start=start, end=end, dedupe=dedupe,
                               directed=directed, include_negated=include_negated,
                               min_weight=min_weight, limit=limit, country=country)

    # ---- exports ------------------------------------------------------------------------------

    def export_plover(self, path: str | Path, start: str | date | None = None,
                      end: str | date | None = None) -> int:
        """PLOVER JSONL event records; returns how many were written."""
        from detente.store import exports

        return exports.plover(self, path, start=start, end=end)

    def export_gdelt(self, path: str | Path, dedupe: bool = True, header: bool = True,
                     start: str | date | None = None, end: str | date | None = None) -> int:
        """A TSV with the GDELT 2.0 event columns; returns how many rows were written."""
        from detente.store import exports

        return exports.gdelt(self, path, dedupe=dedupe, header=header, start=start, end=end)

    def export_parquet(self, directory: str | Path, start: str | date | None = None,
                       end: str | date | None = None) -> dict[str, int]:
        """Every table as Parquet files partitioned by year and month; rows per table."""
        from detente.store import exports

        return exports.parquet(self, directory, start=start, end=end)

    def export_csv(self, path: str | Path, table: str = "dyads",
                   start: str | date | None = None, end: str | date | None = None) -> int:
        """One table as CSV; returns how many rows were written."""
        from detente.store import exports

        return exports.csv(self, path, table=table, start=start, end=end)


__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "Store", "StoreError", "WriteResult"]
