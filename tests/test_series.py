"""The period arithmetic of detente.analysis.series against the calendar, day by day.

The counting itself is checked against a reference SQL query over the ``dyads`` table in
tests/test_happenings.py; here: which period a day falls in, the periods of a range and their
labels, for days before and after 1970, leap years and ISO weeks across a year's end."""

from __future__ import annotations

import random
from datetime import date, timedelta

import numpy as np
import pytest

from detente.analysis import series
from detente.analysis.queries import PERIODS


def start_of(by: str, day: date) -> date:
    """The calendar's answer, written plainly."""
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    if by == "year":
        return day.replace(month=1, day=1)
    return day


DAYS = [date(1959, 12, 25) + timedelta(days=n) for n in range(0, 365 * 75, 3)]


@pytest.mark.parametrize("by", list(PERIODS))
def test_each_day_falls_in_the_period_the_calendar_says(by: str):
    numbers = np.array([series.day_number(d) for d in DAYS], np.int64)
    got = series.period_start(by, numbers).tolist()
    assert got == [series.day_number(start_of(by, d)) for d in DAYS]


@pytest.mark.parametrize("by", list(PERIODS))
def test_a_range_has_every_period_once_in_order_with_its_label(by: str):
    rng = random.Random(by)
    for _ in range(40):
        first = rng.choice(DAYS)
        last = first + timedelta(days=rng.randrange(0, 3 * 366 if by != "day" else 60))
        want = sorted({start_of(by, first + timedelta(days=n))
                       for n in range((last - first).days + 1)})
        got = series.period_range(by, first, last)
        assert got == [series.day_number(d) for d in want]
        assert [series.label(by, n) for n in got] == [d.strftime(PERIODS[by]) for d in want]


def test_iso_week_labels_across_the_year_end():
    # 2021-01-03 is a Sunday in the last ISO week of 2020; 2024-12-30 opens 2025's first
    assert series.label("week", series.day_number(date(2020, 12, 28))) == "2020-W53"
    assert series.period_range("week", date(2021, 1, 3), date(2021, 1, 4)) == [
        series.day_number(date(2020, 12, 28)), series.day_number(date(2021, 1, 4))]
    assert series.label("week", series.day_number(date(2024, 12, 30))) == "2025-W01"


@pytest.mark.parametrize("by", list(PERIODS))
def test_the_table_of_periods_agrees_with_the_calendar_inside_and_past_its_ends(by: str):
    """Counting looks a day's period up in a table of 1900-2099; days past it are worked out."""
    for first, last in [(date(1899, 12, 20), date(1900, 1, 10)), (date(1985, 3, 1),
                        date(1986, 2, 27)), (date(2099, 12, 20), date(2100, 1, 12)),
                        (date(1800, 2, 27), date(1800, 3, 2))]:
        got = series._period_starts(by, series.day_number(first), series.day_number(last))
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        assert got.tolist() == [series.day_number(start_of(by, d)) for d in days]


@pytest.mark.parametrize("name", ["cameo_code", "cameo_root"])
def test_ranks_from_the_ontology_and_from_values_outside_it_order_alike(name: str):
    import pyarrow as pa

    rng = random.Random(3)
    known = series._vocabulary(name)[1]
    for extra in ([], ["0000", "zz", "200x"]):  # codes a store written by hand may hold
        values = [rng.choice(known + extra) for _ in range(500)] + extra
        column = pa.chunked_array([pa.array(values[:250]), pa.array(values[250:])])
        rank, ordered = series._ranks(column, name)
        assert [ordered[r] for r in rank.tolist()] == values
        assert ordered == sorted(ordered) and len(set(ordered)) == len(ordered)
        assert (ordered == known) == (not extra)


def test_sorted_by_major_then_minor_keeps_ties_in_order():
    rng = np.random.default_rng(5)
    for size, top in ((1000, 50), (1000, 1 << 20), (0, 5)):
        major, minor = rng.integers(0, top, size), rng.integers(0, top, size)
        order = series._sorted_by(major, minor)
        assert order.tolist() == sorted(range(size), key=lambda i: (major[i], minor[i], i))
