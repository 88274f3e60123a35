"""A pair's history per period, counted with numpy from its rows of the happenings summary.

:func:`detente.analysis.queries.dyad` fetches a pair's rows of ``happenings`` (see
:mod:`detente.store.schema`) with one plain SQL query, :func:`prepare` makes them the pair's
counting units (:class:`PairUnits`, which a server keeps for the next query on the pair),
:func:`count` counts those per period and :func:`series_rows` lays out the rows. Counting
here rather than in SQL takes less than half the CPU of a new series: the SQL that did it
cost 3.5-6.5 ms of planning alone for every query, and its three directions went through an
``unnest`` and two ``GROUP BY`` (docs/api.md, "Where a new dyad request's time goes").

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
from itertools import pairwise, repeat
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: the columns of ``happenings`` that :func:`prepare` reads, with and without dedupe
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


#: the days whose periods are kept in a table, 1900-2099 (days since 1970-01-01)
_TABLE_DAYS = (day_number(date(1900, 1, 1)), day_number(date(2100, 1, 1)))


@lru_cache(maxsize=len(PERIODS))
def _period_table(by: str) -> np.ndarray:
    return period_start(by, np.arange(*_TABLE_DAYS, dtype=np.int64))


def _period_starts(by: str, first: int, last: int) -> np.ndarray:
    """The first day of the period (``by``) of each day from ``first`` to ``last``."""
    lo, hi = _TABLE_DAYS
    if lo <= first and last < hi:
        return _period_table(by)[first - lo:last + 1 - lo]
    return period_start(by, np.arange(first, last + 1, dtype=np.int64))


@lru_cache(maxsize=2)
def _vocabulary(column: str) -> tuple[pa.Array, list[str]]:
    """The CAMEO codes (``cameo_code``) or roots (``cameo_root``) of the ontology, sorted."""
    from detente.events.ontology import cameo_table

    values = sorted({getattr(info.cameo, column.removeprefix("cameo_"))
                     for info in cameo_table().values()})
    return pa.array(values, pa.string()), values


def _ranks(column: pa.ChunkedArray, name: str) -> tuple[np.ndarray, list[str]]:
    """Each row's value as its rank among sorted values that hold them all, and those
    values: the ontology's CAMEO codes or roots (column ``name``), a lookup a third the
    cost of sorting the column's own values, which a value outside them falls back to."""
    known, values = _vocabulary(name)
    index = pc.index_in(column, value_set=known)
    if index.null_count == 0:
        return index.to_numpy().astype(np.int64), values
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


@dataclass(frozen=True)
class Units:
    """One direction's counting units, sorted by type then day: a unit's day, type (its
    rank in :attr:`PairUnits.codes`), quad class, Goldstein score and, without dedupe, its
    number of events."""

    day: np.ndarray
    code: np.ndarray
    quad: np.ndarray
    score: np.ndarray
    weight: np.ndarray | None

    @property
    def nbytes(self) -> int:
        arrays = (self.day, self.code, self.quad, self.score, self.weight)
        return sum(a.nbytes for a in arrays if a is not None)


@dataclass(frozen=True)
class PairUnits:
    """A pair's units, ready to count by any period and date range: the pair's ``lo``–``hi``
    order, directions both (0), lo>hi (1) and hi>lo (2) (one direction for a side with
    itself; None where there are none), and the CAMEO codes the units' types index."""

    directions: list[Units | None]
    codes: list[str]

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (what a cache of pairs weighs them by)."""
        return sum(u.nbytes for u in self.directions if u is not None) + 64 * len(self.codes)


def prepare(rows: pa.Table, dedupe: bool, directions: int) -> PairUnits:
    """The units of a pair from its summary ``rows`` (the :data:`COLUMNS` of ``happenings``
    for ``dedupe``, already filtered by negation and maybe date), in the ``lo``–``hi``
    order; ``directions`` is 3, or 1 for a side with itself."""
    found: list[Units | None] = [None] * directions
    if not rows.num_rows:
        return PairUnits(found, [])
    day = rows.column("day").cast(pa.int32()).to_numpy().astype(np.int64)
    code, codes = _ranks(rows.column("cameo_code"), "cameo_code")
    quad = rows.column("quad_class").to_numpy().astype(np.int8)
    rows_fwd, rows_back = rows.column("rows_fwd").to_numpy(), rows.column("rows_back").to_numpy()
    if dedupe:
        root, _ = _ranks(rows.column("cameo_root"), "cameo_root")
        sig = rows.column("sig").to_numpy().astype(np.int64)
        day_root = (day - day.min()) * (int(root.max()) + 1) + root
        score_fwd = rows.column("goldstein_fwd").to_numpy()
        score_back = rows.column("goldstein_back").to_numpy()
    else:  # a row counts its events, with their scores summed in "goldstein"
        weight = rows.column("events").to_numpy().astype(np.int64)
        score = rows.column("goldstein").to_numpy()
        score_fwd = score_back = np.zeros(len(day))
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
        # by type, then day; a stable sort keeps the units of one type and day in the order
        # above, so that sums come out the same whatever the period
        order = _sorted_by(code[units], day[units] - day.min())
        units = units[order]
        found[direction] = Units(day[units].astype(np.int32), code[units].astype(np.int32),
                                 quad[units], unit_score[order],
                                 None if unit_weight is None else unit_weight[order])
    return PairUnits(found, codes)


def count(pair: PairUnits, by: str, a_is_lo: bool, top: int, prefixes: dict[str, str],
          first: date | None = None, last: date | None = None) -> list[Counts | None]:
    """The counts of each direction of ``pair`` (None: no events) in the periods (``by``)
    that have events from ``first`` to ``last`` (inclusive; None: no limit).

    Periods are given by their first day (days since 1970-01-01); ``a_is_lo`` says whether
    the first side asked for is the pair's ``lo`` (its direction 1 is then A>B).
    ``prefixes`` names a CAMEO code in the top types (``"036 Express intent to meet or
    negotiate ×"``).
    """
    directions = list(pair.directions)
    if not a_is_lo and len(directions) == 3:
        directions[1], directions[2] = directions[2], directions[1]
    lo = None if first is None else day_number(first)
    hi = None if last is None else day_number(last)
    return [None if units is None else _periods(units, by, lo, hi, pair.codes, top, prefixes)
            for units in directions]


def _periods(units: Units, by: str, lo: int | None, hi: int | None, codes: list[str],
             top: int, prefixes: dict[str, str]) -> Counts | None:
    """One direction's units from day ``lo`` to ``hi`` counted per period."""
    day, code, quad, score, weight = (units.day, units.code, units.quad, units.score,
                                      units.weight)
    if lo is not None or hi is not None:
        keep = np.ones(len(day), bool)
        if lo is not None:
            keep &= day >= lo
        if hi is not None:
            keep &= day <= hi
        if not keep.all():
            day, code, quad, score = day[keep], code[keep], quad[keep], score[keep]
            weight = None if weight is None else weight[keep]
    if not len(day):
        return None
    # each unit's period by a table of the days it spans; per (type, period): units and
    # score sums, runs of the units' order (type, then day)
    first_day, last_day = int(day.min()), int(day.max())
    starts_of = _period_starts(by, first_day, last_day)
    base = int(starts_of[0])  # the first period may start before its day
    period = starts_of[day - first_day] - base
    key = code.astype(np.int64) * (last_day + 1 - base) + period
    first = _starts(key)
    count = (np.add.reduceat(weight, first) if weight is not None
             else np.diff(np.r_[first, len(key)]))
    type_score = np.add.reduceat(score, first)
    # the (type, period) runs in period order, types ascending within each: the sums below
    # add up in the same order whatever order the units came in
    order = np.argsort(_small(period[first]), kind="stable")
    count, type_score, first = count[order].astype(np.int64), type_score[order], first[order]
    type_period, type_code = period[first], code[first].astype(np.int64)
    type_quad = quad[first].astype(np.int64)
    # per period
    starts = _starts(type_period)
    period_of = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(type_period)]))
    events = np.add.reduceat(count, starts)
    scores = np.add.reduceat(type_score, starts)
    by_quad = np.bincount(period_of * 5 + type_quad, weights=count,
                          minlength=len(starts) * 5).reshape(-1, 5).astype(np.int64)
    return Counts(type_period[starts] + base, events.astype(np.int64), by_quad[:, 1:], scores,
                  _top_types(period_of, type_code, count, len(starts), top, codes, prefixes))


def _sorted_by(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    """The stable order of ``major`` then ``minor`` (non-negative): two stable sorts, the
    minor key's first, each a linear-time radix sort when its keys fit in 16 bits (a third
    of the time of one sort of a combined key)."""
    order = np.argsort(_small(minor), kind="stable")
    return order[np.argsort(_small(major[order]), kind="stable")]


def _small(keys: np.ndarray) -> np.ndarray:
    """``keys`` (non-negative) as 16 bits when they fit: numpy sorts those stably in linear
    time (a radix sort), others by merging."""
    return keys.astype(np.uint16) if len(keys) and int(keys.max()) < 1 << 16 else keys


def _top_types(period_of: np.ndarray, type_code: np.ndarray, count: np.ndarray, periods: int,
               top: int, codes: list[str], prefixes: dict[str, str]) -> list[str]:
    """Each period's ``top`` types by count (most first), then code: "code name ×k; ...".
    The types come in period order, codes ascending within each period."""
    if top <= 0:
        return [""] * periods
    # two stable sorts: by count (most first), then by period, keep codes ascending in ties
    ranked = np.argsort(_small(int(count.max()) - count), kind="stable")
    ranked = ranked[np.argsort(_small(period_of[ranked]), kind="stable")]
    in_period = period_of[ranked]
    bounds = np.searchsorted(in_period, np.arange(periods + 1))
    kept = ranked[np.arange(len(ranked)) - bounds[in_period] < top]
    named = [prefixes.get(code) or f"{code}  ×" for code in codes]
    parts = list(map(str.__add__, map(named.__getitem__, type_code[kept].tolist()),
                     map(str, count[kept].tolist())))
    ends = np.searchsorted(period_of[kept], np.arange(periods + 1)).tolist()
    return ["; ".join(parts[i:j]) for i, j in pairwise(ends)]


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
