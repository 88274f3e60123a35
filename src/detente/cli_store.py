"""The store commands: ingest, dyad, actors, events, quotes, stances, network, export.

Registered on the main ``detente`` group by :func:`register`. Heavy imports (spaCy, DuckDB)
happen inside the commands so that ``detente --help`` stays quick.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from detente.ingest.readers import MAX_CHARS

if TYPE_CHECKING:
    from detente.actors.dictionary import ActorDictionary
    from detente.analysis.result import Result
    from detente.store.store import Store

DEFAULT_DB = "detente.duckdb"
OUTPUT_FORMATS = ("table", "csv", "jsonl", "json")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from datetime import date

    if value is None:
        return None
    try:
        if _DATE.match(value):
            date.fromisoformat(value)
            return value
    except ValueError:
        pass
    raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD")


def db_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--db", default=DEFAULT_DB, show_default=True, envvar="DETENTE_DB",
                        type=click.Path(dir_okay=False),
                        help="The store file (DuckDB); also $DETENTE_DB.")(f)


def range_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--to", "end", callback=_check_date,
                     help="Last date included (YYYY-MM-DD).")(f)
    return click.option("--from", "start", callback=_check_date,
                        help="First date included (YYYY-MM-DD).")(f)


def dictionary_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--actors, --roles, --petrarch-actors, --petrarch-agents: a user's own dictionaries."""
    for option in reversed([
        click.option("--actors", "actor_files", multiple=True, type=click.Path(exists=True),
                     help="Your own actor TSV (columns phrase, name, iso3, sector, kind); "
                          "repeatable."),
        click.option("--roles", "role_files", multiple=True, type=click.Path(exists=True),
                     help="Your own role-noun TSV (columns phrase, sector, kind, role); "
                          "repeatable."),
        click.option("--petrarch-actors", multiple=True, type=click.Path(exists=True),
                     help="A PETRARCH/TABARI actor dictionary, as it is; repeatable."),
        click.option("--petrarch-agents", multiple=True, type=click.Path(exists=True),
                     help="A PETRARCH/TABARI agents dictionary, as it is; repeatable."),
    ]):
        f = option(f)
    return f


def jobs_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """--jobs N: extraction in N worker processes (0: one per core)."""
    return click.option("--jobs", "-j", type=click.IntRange(min=0), default=1,
                        show_default=True,
                        help="Extract in this many worker processes, each with the model "
                             "loaded (0: one per core). Same output, in the same order.")(f)


def format_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table",
                        show_default=True, help="How to print the rows.")(f)


def _open(db: str, read_only: bool = True) -> Store:
    from detente.store import Store, StoreError

    try:
        return Store(db, read_only=read_only)
    except StoreError as err:
        raise click.ClickException(str(err)) from err


def _show(result: Result, fmt: str) -> None:
    import json

    if fmt == "csv":
        sys.stdout.write(result.to_csv())
    elif fmt == "jsonl":
        sys.stdout.write(result.to_jsonl())
    elif fmt == "json":
        sys.stdout.write(json.dumps(result.to_dicts(), ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo(result.to_table())


def _query(db: str, fmt: str, run: Callable[[Store], Result]) -> None:
    from detente.errors import DetenteError

    store = _open(db)
    try:
        result = run(store)
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    finally:
        store.close()
    _show(result, fmt)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@click.option("--date", callback=_check_date,
              help="Article date (YYYY-MM-DD) for inputs that do not give one.")
@click.option("--model", default=None, help="Name of an installed spaCy English pipeline.")
@click.option("--max-chars", default=MAX_CHARS, show_default=True,
              help="Skip articles longer than this many characters.")
@click.option("--batch-size", default=32, show_default=True,
              help="Articles parsed per batch (a batch also ends before 16,000 characters).")
@click.option("--commit-every", default=128, show_default=True,
              help="Articles per transaction (a commit also happens every 2 seconds).")
@click.option("--text-column", default="text", show_default=True,
              help="CSV column with the article text.")
@click.option("--id-column", default="id", show_default=True, help="CSV column with the id.")
@click.option("--title-column", default="title", show_default=True,
              help="CSV column with the title.")
@click.option("--date-column", default="date", show_default=True,
              help="CSV column with the date (ISO 8601).")
@click.option("--url-column", default="url", show_default=True, help="CSV column with the URL.")
@click.option("--force", is_flag=True,
              help="Extract and rewrite articles that are stored unchanged (after upgrading "
                   "detente or changing dictionaries).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when standard error is a terminal).")
@dictionary_options
@jobs_option
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local",
              show_default=True,
              help="Extract in this process, or on a Ray cluster (pip install 'detente[ray]').")
@click.option("--address", default=None,
              help="With --engine ray: a running Ray cluster's head, HOST:6379 (default: start "
                   "a local cluster for this run).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="With --engine ray: pipelines to run, one per CPU (default: every CPU of "
                   "the cluster).")
def ingest(paths: tuple[str, ...], db: str, date: str | None, model: str | None,
           max_chars: int, batch_size: int, commit_every: int, text_column: str,
           id_column: str, title_column: str, date_column: str, url_column: str, force: bool,
           progress: bool | None, actor_files: tuple[str, ...], role_files: tuple[str, ...],
           petrarch_actors: tuple[str, ...], petrarch_agents: tuple[str, ...], jobs: int,
           engine: str, address: str | None, workers: int | None) -> None:
    """Extract articles into the store (--db), skipping those stored already.

    PATHS are .txt articles, .jsonl(.gz) files, .csv(.gz) files with a header row (see the
    --*-column options), saved .html pages, directories of those, or - for standard input.
    An article whose id is stored with the same content is left alone; one whose content
    changed replaces its old rows. Bad inputs are listed and skipped (exit status 1). An
    interrupted run keeps what it committed: run the same command again to finish.

    With --jobs N (0: one per core), N worker processes extract while this one reads the
    inputs and writes the store; the rows are the same as with one.

    With --engine ray, batches of --batch-size articles are extracted on Ray workers (a local
    cluster, or the one at --address) and stored one transaction per batch; the store ends
    up with the same rows as with the local engine.
    """
    from detente.errors import DetenteError
    from detente.ingest.ingest import count_records
    from detente.ingest.ingest import ingest as run_ingest
    from detente.ingest.readers import CsvColumns
    from detente.nlp import DEFAULT_MODEL
    from detente.parallel import PipelinePool, PipelineSpec, resolve_jobs

    if commit_every < 1:
        raise click.BadParameter("give at least 1", param_hint="--commit-every")
    if engine == "local" and (address or workers):
        raise click.BadParameter("only with --engine ray",
                                 param_hint="--address" if address else "--workers")
    if engine == "ray" and jobs != 1:
        raise click.BadParameter("only with --engine local (with Ray, give --workers)",
                                 param_hint="--jobs")

    def build_dictionary() -> ActorDictionary | None:
        from detente.actors.dictionary import build_dictionary as build

        return build(actor_files, role_files, petrarch_actors, petrarch_agents)

    spec = PipelineSpec(model, actor_files, role_files, petrarch_actors, petrarch_agents)
    jobs = resolve_jobs(jobs)
    # built (or started) only when some article needs extracting: a run with nothing new is
    # quick; the workers of a pool start on its first chunk
    pool = PipelinePool(spec, jobs) if jobs > 1 else None

    store = _open(db, read_only=False)
    columns = CsvColumns(text=text_column, id=id_column, title=title_column, date=date_column,
                         url=url_column)
    show_bar = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=count_records(paths), unit=" articles", file=sys.stderr,
                   dynamic_ncols=True, smoothing=0.1, mininterval=0.2)

    def on_skip(bad: Any) -> None:
        message = f"detente: skipped {bad}"
        if bar is not None:
            bar.write(message, file=sys.stderr)
        else:
            click.echo(message, err=True)

    try:
        if engine == "ray":
            from detente.ingest.ray_engine import ingest_ray  # imports Ray

            report = ingest_ray(paths, store, model=model or DEFAULT_MODEL,
                                dictionary=build_dictionary(), address=address,
                                workers=workers, date=date, max_chars=max_chars,
                                columns=columns, batch_size=batch_size, force=force,
                                on_skip=on_skip,
                                on_progress=bar.update if bar is not None else None)
        else:
            report = run_ingest(paths, store, pool or spec.build_for_process, date=date,
                                max_chars=max_chars, columns=columns, batch_size=batch_size,
                                commit_every=commit_every, force=force, on_skip=on_skip,
                                on_progress=bar.update if bar is not None else None)
            if pool is not None:
                pool.close(wait=not report.interrupted)
        counts = store.counts()
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    finally:
        if pool is not None:
            pool.close(wait=False)
        if bar is not None:
            bar.close()
        store.close()
    click.echo(report.summary())
    click.echo(f"store      {db}: {counts['articles']} articles, {counts['events']} events, "
               f"{counts['quotes']} quotes")
    if report.interrupted:
        sys.exit(130)
    if report.skipped:
        sys.exit(1)


@click.command()
@click.argument("a")
@click.argument("b")
@db_option
@click.option("--by", type=click.Choice(["day", "week", "month", "year"]), default="month",
              show_default=True, help="Length of a period.")
@range_options
@click.option("--dedupe/--no-dedupe", default=True, show_default=True,
              help="Count one happening reported by several articles once (same day, sides "
                   "and CAMEO root), or count every coded mention.")
@click.option("--include-negated", is_flag=True,
              help="Also count negated events (\"did not attack\").")
@click.option("--top", default=3, show_default=True, help="Event types listed per period.")
@click.option("--fill/--no-fill", default=True, show_default=True,
              help="List every period in the range, with zeros where nothing happened, or "
                   "only the periods with events.")
@format_option
def dyad(a: str, b: str, db: str, by: str, start: str | None, end: str | None, dedupe: bool,
         include_negated: bool, top: int, fill: bool, fmt: str) -> None:
    """The history of a pair, e.g. `detente dyad CHN RUS --by month`.

    A and B are ISO 3166 alpha-3 countries (or IGO codes such as IGOUNO). For every period
    from the first event to the last (or from --from to --to): both directions together
    (A<>B), then A>B and B>A, with event counts by quad class, the summed and mean Goldstein
    score, and the most frequent CAMEO types.
    """
    _query(db, fmt, lambda s: s.dyad(a, b, by=by, start=start, end=end, dedupe=dedupe,
                                     include_negated=include_negated, top=top, fill=fill))


@click.command()
@db_option
@click.option("--limit", default=20, show_default=True, help="How many actors (0: all).")
@click.option("--country", help="Only actors of this country (ISO3) or IGO code.")
@click.option("--kind", type=click.Choice(["person", "country", "igo", "organization", "group"]),
              help="Only actors of this kind.")
@range_options
@click.option("--by", "order", type=click.Choice(["events", "mentions", "articles"]),
              default="events", show_default=True, help="What makes an actor active.")
@format_option
def actors(db: str, limit: int, country: str | None, kind: str | None, start: str | None,
           end: str | None, order: str, fmt: str) -> None:
    """The most active actors: articles, mentions and events they take part in."""
    _query(db, fmt, lambda s: s.actors(limit=limit, country=country, kind=kind, start=start,
                                       end=end, order=order))


@click.command()
@db_option
@click.option("--actor", help="An actor taking part: part of its name, or its code (CHNGOV).")
@click.option("--country", help="A country (ISO3) or IGO code on either side.")
@click.option("--type", "type_", help="A CAMEO code or prefix (19, 042) or a PLOVER event "
                                      "(ASSAULT).")
@range_options
@click.option("--text", help="Words the article contains (case-insensitive).")
@click.option("--negated/--no-negated", default=True, show_default=True,
              help="List negated events too.")
@click.option("--limit", default=100, show_default=True, help="How many events (0: all).")
@format_option
def events(db: str, actor: str | None, country: str | None, type_: str | None,
           start: str | None, end: str | None, text: str | None, negated: bool, limit: int,
           fmt: str) -> None:
    """Coded events, oldest first, with their evidence in the text."""
    _query(db, fmt, lambda s: s.events(actor=actor, country=country, type=type_, start=start,
                                       end=end, text=text, include_negated=negated,
                                       limit=limit))


@click.command()
@db_option
@click.option("--speaker", help="Part of the speaker's name, a code (USAGOV) or a country.")
@click.option("--text", help="Words the quote contains (case-insensitive).")
@range_options
@click.option("--limit", default=100, show_default=True, help="How many quotes (0: all).")
@format_option
def quotes(db: str, speaker: str | None, text: str | None, start: str | None,
           end: str | None, limit: int, fmt: str) -> None:
    """Quotes with their speakers, oldest first."""
    _query(db, fmt, lambda s: s.quotes(speaker=speaker, text=text, start=start, end=end,
                                       limit=limit))


@click.command()
@db_option
@click.option("--holder", help="Part of the holder's name, a code (CHNGOV) or a country.")
@click.option("--polarity", type=click.Choice(["support", "oppose"]), help="Only this side.")
@click.option("--topic", help="Words the topic contains (case-insensitive).")
@range_options
@click.option("--limit", default=100, show_default=True, help="How many stances (0: all).")
@format_option
def stances(db: str, holder: str | None, polarity: str | None, topic: str | None,
            start: str | None, end: str | None, limit: int, fmt: str) -> None:
    """Who supports or opposes what, oldest first."""
    _query(db, fmt, lambda s: s.stances(holder=holder, polarity=polarity, topic=topic,
                                        start=start, end=end, limit=limit))


@click.command()
@db_option
@range_options
@click.option("--dedupe/--no-dedupe", default=True, show_default=True,
              help="Weigh edges by happenings or by coded mentions.")
@click.option("--directed", is_flag=True, help="Keep source and target apart.")
@click.option("--country", help="Only edges touching this country (ISO3) or IGO code.")
@click.option("--min-weight", default=1, show_default=True, help="Leave out lighter edges.")
@click.option("--include-negated", is_flag=True, help="Also count negated events.")
@click.option("--limit", default=0, show_default=True, help="How many edges (0: all).")
@format_option
def network(db: str, start: str | None, end: str | None, dedupe: bool, directed: bool,
            country: str | None, min_weight: int, include_negated: bool, limit: int,
            fmt: str) -> None:
    """The weighted graph of country pairs: events, cooperation, conflict, Goldstein.

    `--format csv` gives an edge list that graph tools (networkx, Gephi) read.
    """
    _query(db, fmt, lambda s: s.network(start=start, end=end, dedupe=dedupe, directed=directed,
                                        include_negated=include_negated,
                                        min_weight=min_weight, limit=limit, country=country))


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["plover", "gdelt", "parquet", "csv"]),
              required=True, help="plover: PLOVER JSONL; gdelt: TSV of GDELT 2.0 event "
                                  "columns; parquet: every table, partitioned by year and "
                                  "month; csv: one table.")
@click.option("--output", "-o", default=None,
              help="Output file ('-' for standard output, the default), or the directory for "
                   "parquet (default detente-parquet).")
@click.option("--table", default="dyads", show_default=True,
              type=click.Choice(["dyads", "events", "articles", "actors", "quotes", "stances",
                                 "entities"]),
              help="The table written by --format csv.")
@click.option("--dedupe/--no-dedupe", default=True, show_default=True,
              help="gdelt: one row per happening (NumMentions, NumArticles count its reports), "
                   "or one per coded dyad.")
@click.option("--header/--no-header", default=True, show_default=True,
              help="gdelt: write the column names first (GDELT's own files have none).")
@range_options
def export(db: str, fmt: str, output: str | None, table: str, dedupe: bool, header: bool,
           start: str | None, end: str | None) -> None:
    """Write the store in formats other tools load."""
    store = _open(db)
    try:
        if fmt == "parquet":
            target = output or "detente-parquet"
            counts = store.export_parquet(target, start=start, end=end)
            click.echo(f"wrote {', '.join(f'{n} {t}' for t, n in counts.items())} to {target}/",
                       err=True)
            return
        target = output or "-"
        if fmt == "plover":
            n = store.export_plover(target, start=start, end=end)
            what = "PLOVER records"
        elif fmt == "gdelt":
            n = store.export_gdelt(target, dedupe=dedupe, header=header, start=start, end=end)
            what = "GDELT event rows"
        else:
            n = store.export_csv(target, table=table, start=start, end=end)
            what = f"{table} rows"
        if target != "-":
            click.echo(f"wrote {n} {what} to {target}", err=True)
    finally:
        store.close()


COMMANDS = (ingest, dyad, actors, events, quotes, stances, network, export)


def register(group: click.Group) -> None:
    """Add the store commands to the ``detente`` command group."""
    for command in COMMANDS:
        group.add_command(command)
