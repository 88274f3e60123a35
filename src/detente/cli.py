"""The ``detente`` command line. Heavy imports (spaCy) happen inside the commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from detente import __version__
from detente.cli_store import dictionary_options, jobs_option
from detente.ingest.readers import MAX_CHARS, BadRecord, read_paths
from detente.schema import Article

if TYPE_CHECKING:
    from detente.parallel import Extractor

FORMATS = ("table", "json", "jsonl", "plover")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="detente")
def main() -> None:
    """detente: news about international affairs in, event data out."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS),
              help="Output format (default: table on a terminal, jsonl otherwise).")
@click.option("--date", help="Article date (YYYY-MM-DD) for inputs that do not give one.")
@click.option("--model", default=None, help="Name of an installed spaCy English pipeline.")
@click.option("--max-chars", default=MAX_CHARS, show_default=True,
              help="Skip articles longer than this many characters.")
@click.option("--batch-size", default=32, show_default=True,
              help="Articles parsed per batch (a batch also ends before 16,000 characters).")
@dictionary_options
@click.option("--petrarch-verbs", multiple=True, type=click.Path(exists=True),
              help="A PETRARCH/TABARI verb dictionary (e.g. CAMEO.2.0.txt), as it is; "
                   "repeatable. Replaces the packaged verb dictionary when given.")
@click.option("--petrarch-verb-codes", type=click.Choice(["cameo", "weis"]), default="cameo",
              show_default=True,
              help="How the codes of --petrarch-verbs are read: CAMEO, or WEIS (KEDS-era "
                   "dictionaries such as PETR.Validate.verbs.txt) through the packaged "
                   "WEIS-to-CAMEO crosswalk.")
@jobs_option
def extract(paths: tuple[str, ...], fmt: str | None, date: str | None, model: str | None,
            max_chars: int, batch_size: int, actor_files: tuple[str, ...],
            role_files: tuple[str, ...], petrarch_actors: tuple[str, ...],
            petrarch_agents: tuple[str, ...], petrarch_verbs: tuple[str, ...],
            petrarch_verb_codes: str, jobs: int) -> None:
    """Extract actors, events, quotes, stances and entities from articles.

    PATHS are .txt articles, .jsonl(.gz) files with one {"id", "text", "title", "date",
    "url"} object a line, directories of those, or - for standard input. The exit status
    is 1 when any input was skipped (each is listed on standard error). With --jobs N
    (0: one per core), N worker processes extract; the output is the same, in input order.
    """
    from detente.errors import DetenteError
    from detente.events.dates import parse_iso
    from detente.parallel import PipelinePool, PipelineSpec, resolve_jobs

    if date is not None and parse_iso(date) is None:
        raise click.BadParameter(f"{date!r} is not a date; write YYYY-MM-DD", param_hint="--date")
    fmt = fmt or ("table" if sys.stdout.isatty() else "jsonl")
    spec = PipelineSpec(model, actor_files, role_files, petrarch_actors, petrarch_agents,
                        petrarch_verbs, petrarch_verb_codes)
    jobs = resolve_jobs(jobs)
    if jobs > 1:
        with PipelinePool(spec, jobs) as pool:
            _extract_to(paths, pool, fmt, date, max_chars, batch_size)
        return
    try:
        pipeline = spec.build_for_process()
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    _extract_to(paths, pipeline, fmt, date, max_chars, batch_size)


def _extract_to(paths: tuple[str, ...], extractor: Extractor, fmt: str, date: str | None,
                max_chars: int, batch_size: int) -> None:
    """Write the Documents of ``paths`` to standard output in ``fmt``."""
    from detente.errors import DetenteError
    from detente.export import plover_records, to_jsonl, to_table

    skipped: list[BadRecord] = []

    def good() -> Iterator[Article]:
        for item in read_paths(paths, date=date, max_chars=max_chars):
            if isinstance(item, BadRecord):
                skipped.append(item)
                click.echo(f"detente: skipped {item}", err=True)
            else:
                yield item

    out = sys.stdout
    first = True
    if fmt == "json":
        out.write("[")
    try:
        for document in extractor.extract_many(good(), batch_size=batch_size):
            if fmt == "jsonl":
                out.write(to_jsonl(document) + "\n")
            elif fmt == "json":
                out.write(("" if first else ",") + "\n"
                          + json.dumps(document.to_dict(), ensure_ascii=False, indent=2))
            elif fmt == "plover":
                for record in plover_records(document):
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
            else:
                out.write(("" if first else "\n") + to_table(document) + "\n")
            first = False
            out.flush()
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    if fmt == "json":
        out.write("\n]\n")
    if skipped:
        click.echo(f"detente: {len(skipped)} input(s) skipped; see the messages above", err=True)
        sys.exit(1)


# Other command groups live in their own modules and register here.
from detente.cli_store import register  # noqa: E402

register(main)

from detente.evaluate.cli import eval_group  # noqa: E402

main.add_command(eval_group)

from detente.api.cli import serve  # noqa: E402

main.add_command(serve)

if __name__ == "__main__":
    main()
