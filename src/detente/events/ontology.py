"""CAMEO codes with Goldstein values, quad classes and their PLOVER coding (data/cameo.tsv)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from detente.actors.dictionary import DATA, read_tsv
from detente.errors import DictionaryError
from detente.schema import Cameo, Plover


@dataclass(frozen=True)
class CodeInfo:
    """One row of the CAMEO table."""

    cameo: Cameo
    plover: Plover | None


@lru_cache(maxsize=1)
def cameo_table() -> dict[str, CodeInfo]:
    """All CAMEO codes by code string ("043")."""
    table: dict[str, CodeInfo] = {}
    columns = ("code", "name", "root", "goldstein", "quad_class", "plover", "mode", "context")
    for _, row in read_tsv(DATA / "cameo.tsv", columns):
        cameo = Cameo(
            code=row["code"],
            name=row["name"],
            root=row["root"],
            goldstein=float(row["goldstein"]),
            quad_class=int(row["quad_class"]),
        )
        plover = (
            Plover(row["plover"], row["mode"] or None, row["context"] or None)
            if row["plover"]
            else None
        )
        table[row["code"]] = CodeInfo(cameo, plover)
    return table


def code_event(code: str) -> CodeInfo:
    """The CAMEO and PLOVER coding of ``code``; unknown codes are a dictionary error."""
    try:
        return cameo_table()[code]
    except KeyError:
        raise DictionaryError(
            f"CAMEO code {code!r} is not in the CAMEO table; use a code listed in "
            f"detente/data/cameo.tsv"
        ) from None
