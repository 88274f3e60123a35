"""Read gold JSONL files; a bad line is an error that names the file and the line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.errors import InputError


class GoldError(InputError):
    """A gold file that cannot be scored: the message names the file, the line and the fix."""


@dataclass(frozen=True)
class Fraction:
    """``hits`` out of ``total``, with a share that is 0 when there is nothing to count."""

    hits: int
    total: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"hits": self.hits, "total": self.total, "share": round(self.share, 4)}


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 from true positives, predictions and gold items."""

    tp_pred: int  # predictions that count as correct
    predicted: int
    tp_gold: int  # gold items that were found
    gold: int

    @property
    def precision(self) -> float:
        return self.tp_pred / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tp_pred": self.tp_pred, "predicted": self.predicted, "tp_gold": self.tp_gold,
                "gold": self.gold, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


def read_gold(path: Path | str, required: Iterable[str],
              limit: int | None = None) -> list[tuple[int, dict[str, Any]]]:
    """(line number, record) for each non-blank line of ``path``, at most ``limit`` of them.

    Every record must be a JSON object with the ``required`` fields; otherwise
    :class:`GoldError` says which file and line, and what is wrong.
    """
    path = Path(path)
    required = tuple(required)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise GoldError(f"{path}: cannot open the gold file ({err.strerror})") from err
    records: list[tuple[int, dict[str, Any]]] = []
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if limit is not None and len(records) >= limit:
                    break
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise GoldError(f"{path}:{number}: not valid JSON ({err.msg} at column "
                                    f"{err.colno}); write one JSON object per line") from err
                if not isinstance(record, dict):
                    raise GoldError(f"{path}:{number}: expected a JSON object, "
                                    f"got {type(record).__name__}")
                missing = [name for name in required if name not in record]
                if missing:
                    raise GoldError(f"{path}:{number}: missing field(s) {', '.join(missing)}; "
                                    f"is this the right gold file?")
                records.append((number, record))
        except UnicodeDecodeError as err:
            raise GoldError(f"{path}: not UTF-8 text ({err.reason}); save it as UTF-8") from err
    if not records:
        raise GoldError(f"{path}: no records; the gold file is empty")
    return records


def field_error(path: Path | str, number: int, message: str) -> GoldError:
    """A :class:`GoldError` for a record whose fields have the wrong shape."""
    return GoldError(f"{path}:{number}: {message}")
