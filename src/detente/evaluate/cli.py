"""``detente eval``: score the pipeline against gold standards. spaCy loads inside commands."""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from detente.pipeline import Pipeline

T = TypeVar("T")

GOLD = click.Path(exists=True, dir_okay=False, path_type=Path)
DIRECTORY = click.Path(exists=True, file_okay=False, path_type=Path)


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--limit", type=click.IntRange(min=1), default=None,
                        help="Score only the first N records (for a quick check).")(func)
    func = click.option("--model", default=None,
                        help="Name of an installed spaCy English pipeline.")(func)
    func = click.option("--worst", type=click.IntRange(min=0), default=10, show_default=True,
                        help="How many misses of each kind to print.")(func)
    return click.option("--json", "as_json", is_flag=True,
                        help="Print the report as JSON.")(func)


def _pipeline(model: str | None, petrarch_dir: Path | None = None) -> Pipeline:
    from detente.nlp import DEFAULT_MODEL
    from detente.pipeline import Pipeline, get_pipeline

    if petrarch_dir is None:
        return get_pipeline(model or DEFAULT_MODEL)
    from detente.evaluate.petrarch import load_dictionary, load_verb_dictionary

    return Pipeline(model or DEFAULT_MODEL, dictionary=load_dictionary(petrarch_dir),
                    verb_dictionary=load_verb_dictionary(petrarch_dir))


def _run(job: Callable[[], T]) -> tuple[T, float]:
    """``job()`` and its elapsed seconds; detente errors become clean CLI errors."""
    from detente.errors import DetenteError

    started = time.perf_counter()
    try:
        result = job()
    except DetenteError as err:
        raise click.ClickException(str(err)) from err
    return result, time.perf_counter() - started


@click.group("eval")
def eval_group() -> None:
    """Score detente against gold standards (see ../shared/eval/README.md, section 6)."""


@eval_group.command("events")
@click.argument("gold", type=GOLD)
@_options
def events_command(gold: Path, as_json: bool, worst: int, model: str | None,
                   limit: int | None) -> None:
    """PLOVER events vs. a gold file such as plover_gsr_dev.jsonl."""
    from detente.evaluate.events import score_events
    from detente.evaluate.report import events_text, to_json

    report, seconds = _run(lambda: score_events(_pipeline(model), gold, limit, worst))
    report.seconds = seconds
    click.echo(to_json(report) if as_json else events_text(report))


@eval_group.command("quotes")
@click.argument("gold", type=GOLD)
@_options
def quotes_command(gold: Path, as_json: bool, worst: int, model: str | None,
                   limit: int | None) -> None:
    """Quotes and speakers vs. a gold file such as quotes_dev.jsonl."""
    from detente.evaluate.quotes import score_quotes
    from detente.evaluate.report import quotes_text, to_json

    report, seconds = _run(lambda: score_quotes(_pipeline(model), gold, limit, worst))
    report.seconds = seconds
    click.echo(to_json(report) if as_json else quotes_text(report))


@eval_group.command("petrarch")
@click.argument("records", type=GOLD)
@click.option("--dictionaries", type=DIRECTORY, required=True,
              help="Folder with PETR.Validate.actors.txt, PETR.Validate.agents.txt and "
                   "PETR.Validate.verbs.txt (the only actor and verb dictionaries used).")
@_options
def petrarch_command(records: Path, dictionaries: Path, as_json: bool, worst: int,
                     model: str | None, limit: int | None) -> None:
    """Actor coding and the event decision on PETRARCH's unit-test records
    (petrarch_unittest.jsonl), with the suite's own actor, agent and verb dictionaries."""
    from detente.evaluate.petrarch import score_petrarch
    from detente.evaluate.report import petrarch_text, to_json

    report, seconds = _run(lambda: score_petrarch(_pipeline(model, dictionaries), records,
                                                  limit, worst))
    report.seconds = seconds
    click.echo(to_json(report) if as_json else petrarch_text(report))


@eval_group.command("all")
@click.option("--shared", type=DIRECTORY, required=True,
              help="The shared data folder (holds eval/ and petrarch/).")
@click.option("--write", "write", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the figures as a markdown page (e.g. docs/accuracy.md).")
@_options
def all_command(shared: Path, write: Path | None, as_json: bool, worst: int, model: str | None,
                limit: int | None) -> None:
    """Run the three evaluations on the standard files under --shared and summarise them."""
    from detente.evaluate.events import score_events
    from detente.evaluate.petrarch import score_petrarch
    from detente.evaluate.quotes import score_quotes
    from detente.evaluate.report import (
        Report,
        events_text,
        markdown,
        petrarch_text,
        quotes_text,
        summary_text,
        to_json,
    )

    eval_dir, petrarch_dir = shared / "eval", shared / "petrarch"
    files = {"events": eval_dir / "plover_gsr_dev.jsonl", "quotes": eval_dir / "quotes_dev.jsonl",
             "petrarch": eval_dir / "petrarch_unittest.jsonl"}
    missing = [str(p) for p in [*files.values(), petrarch_dir] if not p.exists()]
    if missing:
        raise click.ClickException(f"not found under --shared: {', '.join(missing)}")
    started = time.perf_counter()
    ev, seconds = _run(lambda: score_events(_pipeline(model), files["events"], limit, worst))
    ev.seconds = seconds
    qu, seconds = _run(lambda: score_quotes(_pipeline(model), files["quotes"], limit, worst))
    qu.seconds = seconds
    pe, seconds = _run(lambda: score_petrarch(_pipeline(model, petrarch_dir),
                                              files["petrarch"], limit, worst))
    pe.seconds = seconds
    reports: dict[str, Report] = {"events": ev, "quotes": qu, "petrarch": pe}
    total = time.perf_counter() - started
    if as_json:
        click.echo(to_json(reports))
    else:
        if worst:
            for text in (events_text(ev), quotes_text(qu), petrarch_text(pe)):
                click.echo(text + "\n")
        click.echo(summary_text(reports, total))
    if write is not None:
        command = (f"detente eval all --shared {shlex.quote(str(shared))} "
                   f"--write {shlex.quote(str(write))}")
        if limit is not None:
            command += f" --limit {limit}"
        if model is not None:
            command += f" --model {shlex.quote(model)}"
        write.parent.mkdir(parents=True, exist_ok=True)
        write.write_text(markdown(reports, total, command, date.today().isoformat()),
                         encoding="utf-8")
        click.echo(f"wrote {write}", err=True)
