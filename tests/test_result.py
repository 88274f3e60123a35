"""Result.to_dicts: the JSON-ready rows the API and exports give, and its bulk rounding."""

from __future__ import annotations

import math
import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from detente.analysis.result import Result, round4


def same(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    if math.isnan(x):
        return math.isnan(y)
    return x == y and math.copysign(1, x) == math.copysign(1, y)


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                max_size=50))
def test_bulk_rounding_is_pythons_round(values):
    assert all(same(got, None if v is None else round(v, 4))
               for got, v in zip(round4(values), values, strict=True))


def test_bulk_rounding_on_halves_and_the_values_of_a_series():
    rng = random.Random(4)
    # halves of the fourth decimal (where a product's error could tip the rounding), Goldstein
    # means (sums of one-decimal scores over counts), large and tiny values, negative zero
    values = [k / 1e4 + 0.00005 for k in range(-30_000, 30_000, 7)]
    values += [sum(rng.choice(range(-100, 101)) / 10 for _ in range(n)) / n
               for n in rng.choices(range(1, 60), k=20_000)]
    values += [1.13125, -3.49375, 2.0**52 / 1e4, 1e300, -1e-300, -0.0, 0.0, 5e-5, -5e-5]
    assert all(same(got, round(v, 4)) for got, v in zip(round4(values), values, strict=True))


def test_rows_as_dicts_with_dates_as_text_and_floats_rounded():
    result = Result(["day", "n", "score", "mean", "name"],
                    [(date(2024, 1, 8), 3, 0.1 + 0.2, None, "a"),
                     (date(2024, 1, 9), 0, 0.0, -2.123456, None)])
    assert result.to_dicts() == [
        {"day": "2024-01-08", "n": 3, "score": 0.3, "mean": None, "name": "a"},
        {"day": "2024-01-09", "n": 0, "score": 0.0, "mean": -2.1235, "name": None}]
    assert Result(["x"], []).to_dicts() == []
