"""A pair's history per period, counted with numpy from its rows of the happenings summary.

:func:`detente.analysis.queries.dyad` fetches a pair's rows of ``happenings`` (see
:mod:`detente.store.schema`) with one plain SQL query, :func:`count` counts them per period
and :func:`series_rows` lays out the rows. Counting here rather than in SQL takes less than
half the CPU of a new series: the SQL that did it cost 3.5-6.5 ms of planning alone for every
query, and its three directions went through an ``unnest`` and two ``GROUP BY`` (docs/api.md,
"Where a new dyad request's time goes").

The counting is the same as the SQL's was (``tests/test_happenings.py`` compares it with a
reference query over the ``dyads`` table):

- direction 0 is both directions together, 1 is A>B, 2 is B>A; a summary row belongs to a
  direction when it has rows in it (``rows_fwd``/``rows_back``);
- with ``dedupe``, a unit is a happening: the rows of a direction with the same day and CAMEO
  root (and, for both directions together, the same ``sig``: which directions the report
  has); its type is the smallest CAMEO code among them, its Goldstein score the mean of its
  dyad rows' scores; without it, a summary row is ``events`` units, its score the sum;
- per period: units by quad class, the Goldstein sum and mean, and the ``top`` types by count
  (ties by code).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import repeat
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: the columns of ``happenings`` that :func:`count` reads, with and without dedupe
COLUMNS = {True: ("day", "cameo_code", "cameo_root", "quad_class", "sig", "rows_fwd",
                  "rows_back", "goldstein_fwd", "goldstein_back"),
           False: ("day", "cameo_code", "quad_class", "events", "goldstein", "rows_fwd",
                   "rows_back")}
EPOCH = date(1970, 1, 1)
#: the periods a series can be counted by, with the strftime format of their labels
PERIODS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}



@dataclass(frozen=True)
class Counts:
    """One direction's counts in the periods that have events (first days, ascending)."""

    periods: np.ndarray
    events: np.ndarray
    #: units by quad class: one row per period, columns quad class 1 to 4
    quads: np.ndarray
    goldstein: np.ndarray
    #: the top types of each period, "code name ×k; ..."
    types: list[str]


def period_start(by: str, days: np.ndarray) -> np.ndarray:
    """The first day of the period (``by``) holding each day (days since 1970-01-01)."""
    if by == "day":
        return days
    if by == "week":  # ISO weeks start on Monday; 1970-01-01 was a Thursday
        return days - (days + 3) % 7
    unit = "M" if by == "month" else "Y"
    as_dates = days.astype("datetime64[D]").astype(f"datetime64[{unit}]")
    return as_dates.astype("datetime64[D]").astype(np.int64)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return (day - EPOCH).days


@lru_cache(maxsize=1 << 16)
def label(by: str, day: int) -> str:
    """The label of the period (``by``) that starts on ``day`` (days since 1970-01-01)."""
    return (EPOCH + timedelta(days=day)).strftime(PERIODS[by])


def period_range(by: str, first: date, last: date) -> list[int]:
    """The first days of every period from the one holding ``first`` to the one holding
    ``last``."""
    lo, hi = period_start(by, np.array([day_number(first), day_number(last)], np.int64))
    if by in ("day", "week"):
        return list(range(int(lo), int(hi) + 1, 1 if by == "day" else 7))
    unit = "M" if by == "month" else "Y"
    months = np.arange(np.datetime64(int(lo), "D").astype(f"datetime64[{unit}]"),
                       np.datetime64(int(hi), "D").astype(f"datetime64[{unit}]") + 1)
    return months.astype("datetime64[D]").astype(np.int64).tolist()


def _ranks(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """Each row's value as its rank among the column's distinct values (sorted), and those
    values."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    values = encoded.dictionary.to_pylist()
    ordered = sorted(values)
    rank = {value: i for i, value in enumerate(ordered)}
    of_value = np.array([rank[v] for v in values], np.int64)
    return of_value[encoded.indices.to_numpy(zero_copy_only=False)], ordered


def _starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in sorted ``keys``."""
    if not len(keys):
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])


def count(rows: pa.Table, by: str, a_is_lo: bool, directions: int, dedupe: bool,
          top: int, prefixes: dict[str, str]) -> list[Counts | None]:
    """The counts of each direction (None: no events) in the periods that have events,
    from a pair's summary ``rows`` (the :data:`COLUMNS` of ``happenings`` for ``dedupe``,
    already filtered by date and negation).

    Periods are given by their first day (days since 1970-01-01); ``a_is_lo`` says whether
    the first side asked for is the pair's ``lo`` (its "fwd" direction is then A>B);
    ``directions`` is 3, or 1 for a side with itself. ``prefixes`` names a CAMEO code in
    the top types (``"036 Express intent to meet or negotiate ×"``).
    """
    found: list[Counts | None] = [None] * directions
    if not rows.num_rows:
        return found
    day = rows.column("day").cast(pa.int32()).to_numpy().astype(np.int64)
    code, codes = _ranks(rows.column("cameo_code"))
    quad = rows.column("quad_class").to_numpy().astype(np.int64)
    period = period_start(by, day)
    rows_fwd, rows_back = rows.column("rows_fwd").to_numpy(), rows.column("rows_back").to_numpy()
    if dedupe:
        root, _ = _ranks(rows.column("cameo_root"))
        sig = rows.column("sig").to_numpy().astype(np.int64)
        day_root = (day - day.min()) * (int(root.max()) + 1) + root
        score_fwd = rows.column("goldstein_fwd").to_numpy()
        score_back = rows.column("goldstein_back").to_numpy()
    else:  # a row counts its events, with their scores summed in "goldstein"
        weight = rows.column("events").to_numpy().astype(np.int64)
        score = rows.column("goldstein").to_numpy()
        score_fwd = score_back = np.zeros(len(day))
    if not a_is_lo:
        rows_fwd, rows_back, score_fwd, score_back = rows_back, rows_fwd, score_back, score_fwd
    n_codes = len(codes)
    sides = [(rows_fwd + rows_back, score_fwd + score_back), (rows_fwd, score_fwd),
             (rows_back, score_back)][:directions]
    for direction, (dir_rows, dir_score) in enumerate(sides):
        present = np.flatnonzero(dir_rows > 0)
        if not len(present):
            continue
        if dedupe:
            # units: rows with the same day and root (and sig, both directions together);
            # sorted with the smallest code first, so a unit's first row has its type
            unit_key = day_root[present] * 4 + sig[present] if direction == 0 \
                else day_root[present]
            order = np.argsort(unit_key * n_codes + code[present], kind="stable")
            by_unit = present[order]
            first = _starts(unit_key[order])
            unit_score = (np.add.reduceat(dir_score[by_unit], first)
                          / np.add.reduceat(dir_rows[by_unit], first))
            units = by_unit[first]
            unit_weight = None
        else:
            units, unit_score, unit_weight = present, score[present], weight[present]
        found[direction] = _periods(period[units], code[units], quad[units], unit_score,
                                    unit_weight, n_codes, codes, top, prefixes)
    return found


def _periods(period: np.ndarray, code: np.ndarray, quad: np.ndarray, score: np.ndarray,
             weight: np.ndarray | None, n_codes: int, codes: list[str], top: int,
             prefixes: dict[str, str]) -> Counts:
    """One direction's units (period, type, quad, score, weight) counted per period."""
    # per (period, type): units and score sums
    key = period * n_codes + code
    order = np.argsort(key, kind="stable")
    keys = key[order]
    first = _starts(keys)
    count = (np.add.reduceat(weight[order], first) if weight is not None
             else np.diff(np.r_[first, len(keys)]))
    type_score = np.add.reduceat(score[order], first)
    type_period, type_code = keys[first] // n_codes, keys[first] % n_codes
    type_quad = quad[order][first]
    # per period
    starts = _starts(type_period)
    period_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(type_period)]))
    events = np.add.reduceat(count, starts)
    scores = np.add.reduceat(type_score, starts)
    by_quad = np.bincount(period_of * 5 + type_quad, weights=count,
                          minlength=len(starts) * 5).reshape(-1, 5).astype(np.int64)
    # the top types of each period: by count (most first), then code
    most = int(count.max()) + 1
    ranked = np.argsort((period_of * most + (most - 1 - count)) * n_codes + type_code,
                        kind="stable")
    kept = ranked[np.arange(len(ranked)) - starts[period_of[ranked]] < top]
    names: list[list[str]] = [[] for _ in starts]
    for p, c, k in zip(period_of[kept].tolist(), type_code[kept].tolist(),
                       count[kept].tolist(), strict=True):
        names[p].append((prefixes.get(codes[c]) or f"{codes[c]}  ×") + str(k))
    return Counts(type_period[starts], events.astype(np.int64), by_quad[:, 1:], scores,
                  ["; ".join(named) for named in names])


def series_rows(by: str, periods: Sequence[int], found: list[Counts | None],
                labels: list[str]) -> list[tuple[Any, ...]]:
    """The rows of a series: for each of ``periods`` (first days, ascending, holding every
    period of ``found``), one row a direction (``labels``): period label, direction, events,
    the four quad classes, Goldstein sum and mean (None without events), top types."""
    at = np.asarray(periods, dtype=np.int64)
    names = [label(by, p) for p in at.tolist()]
    directions = []
    for counts, direction in zip(found, labels, strict=True):
        events, quads = np.zeros(len(at), np.int64), np.zeros((len(at), 4), np.int64)
        scores, types = np.zeros(len(at)), [""] * len(at)
        if counts is not None:
            where = np.searchsorted(at, counts.periods)
            if not np.array_equal(at[np.minimum(where, len(at) - 1)], counts.periods):
                raise ValueError("the periods asked for do not hold every period with events")
            events[where], quads[where], scores[where] = (counts.events, counts.quads,
                                                          counts.goldstein)
            for i, named in zip(where.tolist(), counts.types, strict=True):
                types[i] = named
        n, total = events.tolist(), scores.tolist()
        means = [t / e if e else None for t, e in zip(total, n, strict=True)]
        directions.append(zip(names, repeat(direction), n, *quads.T.tolist(), total, means,
                              types))
    return [row for rows in zip(*directions, strict=True) for row in rows]
