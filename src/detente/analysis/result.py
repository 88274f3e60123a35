"""A small table of query results that prints, serialises and converts.

Every history query returns one of these: columns and rows in plain Python, printable as a
table on the terminal, writable as CSV or JSON lines, and convertible to Arrow or pandas for
notebooks, the REST API and the dashboard.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import repeat
from typing import Any, ClassVar


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


#: the types of values that _plain returns unchanged
_AS_THEY_ARE = frozenset({str, int, bool, type(None)})
_FLOATS = frozenset({float, type(None)})


def round4(values: Sequence[float | None]) -> list[float | None]:
    """``round(v, 4)`` of each value, None kept, exactly as Python rounds but in bulk (a
    tenth of the time for a long series): numpy rounds ``v * 10**4`` to an integer, and
    where that product lies too near a half for its rounding error to be ruled out (or is
    not finite, or too large), Python's ``round`` decides."""
    import numpy as np

    given = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # infinities: Python's round decides
        scaled = given * 1e4
        out: list[float | None] = (np.rint(scaled) / 1e4).tolist()
        off_half = np.abs(scaled - np.floor(scaled) - 0.5)
        unsure = ~(off_half > 8 * np.spacing(np.abs(scaled))) | ~(np.abs(scaled) < 2.0**52)
    for i in np.flatnonzero(unsure).tolist():
        value = values[i]
        out[i] = None if value is None else round(value, 4)
    return out


def _cell(value: Any, width: int | None = None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, float):
        text = f"{value:+.2f}" if value else "0"
    elif isinstance(value, list | tuple):
        text = ", ".join(str(v) for v in value)
    else:
        text = str(_plain(value))
    text = " ".join(text.split())
    if width is not None and len(text) > width:
        text = text[: width - 1] + "…"
    return text


@dataclass
class Result:
    """Rows of a query, with the names of its columns and a title saying what it is."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    title: str = ""
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            yield dict(zip(self.columns, row, strict=True))

    def __getitem__(self, column: str) -> list[Any]:
        """All values of one column, e.g. ``series["events"]``."""
        try:
            index = self.columns.index(column)
        except ValueError:
            raise KeyError(f"no column {column!r}; the columns are {self.columns}") from None
        return [row[index] for row in self.rows]

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready dicts (dates as ISO strings, floats rounded)."""
        if not self.rows:
            return []
        # column by column: only a column holding values that _plain changes (floats, dates)
        # is converted, value by value; the others are taken as they are (what a server does
        # for each request, made cheap: a weekly series has thousands of rows)
        values: list[Sequence[Any]] = list(zip(*self.rows, strict=True))
        if len(values) != len(self.columns):
            raise ValueError(f"rows of {len(values)} values for {len(self.columns)} columns")
        for i, column in enumerate(values):
            types = set(map(type, column))
            if types <= _AS_THEY_ARE:
                continue
            values[i] = round4(column) if types <= _FLOATS else list(map(_plain, column))
        return list(map(dict, map(zip, repeat(self.columns), zip(*values, strict=True))))

    def to_arrow(self) -> Any:
        """The rows as a ``pyarrow.Table``."""
        import pyarrow as pa

        return pa.table({c: [row[i] for row in self.rows] for i, c in enumerate(self.columns)})

    def to_pandas(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (pandas is needed: ``pip install pandas``)."""
        return self.to_arrow().to_pandas()

    def to_csv(self, delimiter: str = ",") -> str:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if v is None else _plain(v) for v in row])
        return out.getvalue()

    def to_jsonl(self) -> str:
        return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in self.to_dicts())

    def to_table(self, max_width: int = 60) -> str:
        """The rows as an aligned text table; long cells are cut to ``max_width``."""
        cells = [[_cell(v, max_width) for v in row] for row in self.rows]
        widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(self.columns)]
        numeric = [all(isinstance(row[i], int | float) or row[i] is None for row in self.rows)
                   and bool(self.rows) for i in range(len(self.columns))]

        def line(values: Sequence[str]) -> str:
            parts = [v.rjust(w) if num else v.ljust(w)
                     for v, w, num in zip(values, widths, numeric, strict=True)]
            return "  ".join(parts).rstrip()

        out = [self.title] if self.title else []
        out.append(line(self.columns))
        out.append(line(["-" * w for w in widths]))
        out.extend(line(r) for r in cells)
        if not self.rows:
            out.append("(no rows)")
        out.extend(self.notes)
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_table()

    def _repr_html_(self) -> str:  # notebooks
        from html import escape

        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
                       for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class DyadSeries(Result):
    """Per period and direction: event counts by quad class, Goldstein sum and mean, top types."""

    #: the columns of a series (detente.analysis.queries.dyad): the two Goldstein columns
    #: hold floats or None, the others str or int
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "period", "direction", "events", "verbal_coop", "material_coop", "verbal_conflict",
        "material_conflict", "goldstein_sum", "goldstein_mean", "top_types")

    def to_dicts(self) -> list[dict[str, Any]]:
        """The rows as JSON-ready dicts, as :meth:`Result.to_dicts` makes them, written out
        for the columns of a series (a long series is a server's commonest answer: this
        takes two thirds of the time)."""
        if tuple(self.columns) != self.COLUMNS:
            return super().to_dicts()
        rows = self.rows
        sums, means = round4([r[7] for r in rows]), round4([r[8] for r in rows])
        return [{"period": r[0], "direction": r[1], "events": r[2], "verbal_coop": r[3],
                 "material_coop": r[4], "verbal_conflict": r[5], "material_conflict": r[6],
                 "goldstein_sum": total, "goldstein_mean": mean, "top_types": r[9]}
                for r, total, mean in zip(rows, sums, means, strict=True)]


class ActorRanking(Result):
    """The most active actors: articles, mentions and events."""


class EventList(Result):
    """Coded events with their actors and the words that support them."""


class QuoteList(Result):
    """Quotes with their speakers."""


class StanceList(Result):
    """Stances: who supports or opposes what."""


class Network(Result):
    """Weighted edges between countries (or IGOs): events, cooperation, conflict, Goldstein."""
