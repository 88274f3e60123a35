"""The ``detente`` command line. Heavy imports (spaCy) happen inside the commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import click

from detente import __version__
from detente.cli_store import dictionary_options
from detente.ingest.readers import MAX_CHARS, BadRecord, read_paths
from detente.schema import Article

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
@click.option("--batch-size", default=32, show_default=True, help="Articles parsed per batch.")
@dictionary_options
@click.option("--petrarch-verbs", multiple=True, type=click.Path(exists=True),
              help="A PETRARCH/TABARI verb dictionary (e.g. CAMEO.2.0.txt), as it is; "
                   "repeatable. Replaces the packaged verb dictionary when given.")
@click.option("--petrarch-verb-codes", type=click.Choice(["cameo", "weis"]), default="cameo",
              show_default=True,
              help="How the codes of --petrarch-verbs are read: CAMEO, or WEIS (KEDS-era "
                   "dictionaries such as PETR.Validate.verbs.txt) through the packaged "
                   "WEIS-to-CAMEO crosswalk.")
def extract(paths: tuple[str, ...], fmt: str | None, date: str | None, model: str | None,
            max_chars: int, batch_size: int, actor_files: tuple[str, ...],
            role_files: tuple[str, ...], petrarch_actors: tuple[str, ...],
            petrarch_agents: tuple[str, ...], petrarch_verbs: tuple[str, ...],
            petrarch_verb_codes: str) -> None:
    """Extract actors, events, quotes, stances and entities from articles.

    PATHS are .txt articles, .jsonl(.gz) files with one {"id", "text", "title", "date",
    "url"} object a line, directories of those, or - for standard input. The exit status
    is 1 when any input was skipped (each is listed on standard error).
    """
    from detente.actors.dictionary import build_dictionary
    from detente.errors import DetenteError
    from detente.events.dates import parse_iso
    from detente.export import plover_records, to_jsonl, to_table
    from detente.nlp import DEFAULT_MODEL
    from detente.pipeline import Pipeline, get_pipeline

    if date is not None and parse_iso(date) is None:
        raise click.BadParameter(f"{date!r} is not a date; write YYYY-MM-DD", param_hint="--date")
    fmt = fmt or ("table" if sys.stdout.isatty() else "jsonl")
    try:
        verb_dictionary = None
        if petrarch_verbs:
            from detente.events.petrarch_verbs import load_petrarch_verb_dictionary

            verb_dictionary = load_petrarch_verb_dictionary(petrarch_verbs,
                                                            codes=petrarch_verb_codes)
        dictionary = build_dictionary(actor_files, role_files, petrarch_actors,
                                      petrarch_agents)
        if dictionary is not None or verb_dictionary is not None:
            pipeline = Pipeline(model or DEFAULT_MODEL, dictionary,
                                verb_dictionary=verb_dictionary)
        else:
            pipeline = get_pipeline(model or DEFAULT_MODEL)
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
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
    for document in pipeline.extract_many(good(), batch_size=batch_size):
        if fmt == "jsonl":
            out.write(to_jsonl(document) + "\n")
        elif fmt == "json":
            out.write(("" if first else ",") + "\n" + json.dumps(document.to_dict(),
                                                                 ensure_ascii=False, indent=2))
        elif fmt == "plover":
            for record in plover_records(document):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            out.write(("" if first else "\n") + to_table(document) + "\n")
        first = False
        out.flush()
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
