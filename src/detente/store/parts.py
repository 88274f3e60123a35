"""Parquet parts: one batch of extracted articles as one file per table, staged on disk.

Engines that extract elsewhere (``detente ingest --engine ray``) hand their rows to the
store as parts in a staging directory beside the store file, ``<db>.parts/``::

    detente.duckdb.parts/part-<uuid>/articles.parquet, actors.parquet, events.parquet, ...

A part is written under a temporary name and renamed when complete, so a part that exists is
whole; :meth:`detente.store.Store.write_part` stores it in one transaction and the engine then
deletes it. Parts left by a crashed run are stored by the next run before anything else, and
half-written temporary ones are removed.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from detente.store.rows import SCHEMAS

_PREFIX = "part-"
_TEMP = ".tmp-"


def staging_dir(db: str | Path) -> Path:
    """Where the parts of the store ``db`` are staged: ``<db>.parts/`` beside it."""
    db = Path(db)
    return db.with_name(db.name + ".parts")


def table_file(part: Path, table: str) -> Path:
    return part / f"{table}.parquet"


def write_part(tables: dict[str, pa.Table], staging: Path) -> Path:
    """Write one batch's tables as a part in ``staging``; returns the part's directory.

    Written to a temporary directory and renamed: readers never see a part half-written.
    """
    staging.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    temp = staging / f"{_TEMP}{name}"
    temp.mkdir()
    try:
        for table, schema in SCHEMAS.items():
            rows = tables.get(table)
            pq.write_table(rows if rows is not None else schema.empty_table(),
                           table_file(temp, table))
        final = staging / f"{_PREFIX}{name}"
        temp.rename(final)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return final


def complete_parts(staging: Path) -> list[Path]:
    """The whole parts waiting in ``staging`` (oldest first); half-written ones are removed."""
    if not staging.is_dir():
        return []
    for temp in staging.glob(f"{_TEMP}*"):
        shutil.rmtree(temp, ignore_errors=True)
    parts = [p for p in staging.glob(f"{_PREFIX}*") if p.is_dir()]
    return sorted(parts, key=lambda p: (p.stat().st_mtime, p.name))


def remove_part(part: Path) -> None:
    """Delete a stored part, and the staging directory when it is left empty."""
    shutil.rmtree(part, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: another part is waiting
        part.parent.rmdir()


__all__ = ["complete_parts", "remove_part", "staging_dir", "table_file", "write_part"]
