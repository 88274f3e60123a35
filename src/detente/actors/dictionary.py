"""Actor dictionaries: the data files in ``detente/data`` and a user's own files.

Every name an actor can go by is one :class:`ActorEntry`; every role noun
("foreign minister", "troops", "newspaper") is one :class:`AgentEntry`. Both are
plain records so that the packaged TSV files, a user's TSV files and imported
PETRARCH/TABARI dictionaries (``actors.petrarch``) all feed one resolver.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

from detente.errors import DictionaryError
from detente.schema import ActorKind

DATA = Path(str(resources.files("detente") / "data"))


@dataclass(frozen=True)
class DatedCode:
    """A CAMEO actor code valid from ``start`` to ``end`` (inclusive; None is open)."""

    code: str
    start: date | None = None
    end: date | None = None

    def applies(self, on: date | None) -> bool:
        """True when the code is in force on ``on`` (an unknown date takes any code)."""
        if on is None:
            return True
        if self.start is not None and on < self.start:
            return False
        return not (self.end is not None and on > self.end)


@dataclass(frozen=True)
class ActorEntry:
    """One name of an actor. ``phrase`` is matched case-insensitively, token by token."""

    phrase: str
    name: str
    kind: ActorKind
    country: str | None = None
    sector: str | None = None
    code: str | None = None
    role: str | None = None
    dated_codes: tuple[DatedCode, ...] = ()
    # how the phrase names the actor: "name", "adjective" (Chinese), "capital" (Beijing)
    form: str = "name"
    # a compound actor (PETRARCH's [FRO/BIL/SAM]): the name stands for several actors, one
    # for each code, and acts as all of them; empty for a single actor
    members: tuple[str, ...] = ()

    def code_on(self, on: date | None) -> str | None:
        """The CAMEO code in force on ``on``: the first dated code that applies, else ``code``."""
        for dated in self.dated_codes:
            if dated.applies(on):
                return dated.code
        return self.code


@dataclass(frozen=True)
class AgentEntry:
    """A role noun: what kind of actor it names and in which sector."""

    phrase: str
    sector: str | None
    kind: ActorKind
    role: str
    # the code goes before its owner's (PETRARCH's [NGO~]: "MSF Arnor" is NGOARN)
    prefix: bool = False


@dataclass
class ActorDictionary:
    """All actor names and role nouns the resolver knows."""

    actors: list[ActorEntry] = field(default_factory=list)
    agents: list[AgentEntry] = field(default_factory=list)

    def extend(self, other: ActorDictionary) -> None:
        """Add ``other``'s entries; later entries win over earlier ones on equal phrases."""
        self.actors.extend(other.actors)
        self.agents.extend(other.agents)


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split("|") if part.strip()]


def read_tsv(path: Path | str, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) from a tab-separated file with a header line.

    Lines starting with ``#`` and blank lines are skipped. A missing column is an error
    that names the file and the column.
    """
    path = Path(str(path))
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise DictionaryError(
                f"{path}: missing column(s) {', '.join(missing)}; the header line must name "
                f"{', '.join(required)} (tab-separated)"
            )
        for number, row in enumerate(reader, start=2):
            yield number, {k: (v or "").strip() for k, v in row.items() if k is not None}


@cache
def word_list(name: str) -> frozenset[str]:
    """A packaged one-word-a-line list (``data/NAME``), lower-cased, ``#`` comments skipped."""
    text = (DATA / name).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def load_countries(path: Path | str | None = None) -> list[ActorEntry]:
    """Countries and territories: names, aliases, adjectives/demonyms and capitals."""
    path = path or DATA / "countries.tsv"
    entries: list[ActorEntry] = []
    for _, row in read_tsv(path, ("iso3", "name", "aliases", "demonyms", "capitals")):
        iso3, name = row["iso3"], row["name"]
        for phrase in [name, *_split(row["aliases"])]:
            entries.append(ActorEntry(phrase, name, "country", iso3, None, iso3))
        for phrase in _split(row["demonyms"]):
            entries.append(ActorEntry(phrase, name, "country", iso3, None, iso3, form="adjective"))
        for phrase in _split(row["capitals"]):
            entries.append(ActorEntry(phrase, name, "country", iso3, "GOV", iso3 + "GOV",
                                      form="capital"))
    return entries


def load_igos(path: Path | str | None = None) -> list[ActorEntry]:
    """International organisations by name and acronym."""
    path = path or DATA / "igos.tsv"
    entries: list[ActorEntry] = []
    for _, row in read_tsv(path, ("acronym", "name", "aliases", "code", "kind")):
        kind = row["kind"].lower() or "igo"
        sector = "IGO" if kind == "igo" else "NGO"
        actor_kind: ActorKind = "igo" if kind == "igo" else "organization"
        for phrase in [row["name"], row["acronym"], *_split(row["aliases"])]:
            if phrase:
                entries.append(ActorEntry(phrase, row["name"], actor_kind, None, sector,
                                          row["code"] or sector))
    return entries


def load_institutions(path: Path | str | None = None) -> list[ActorEntry]:
    """Named national bodies: ministries, media, parliaments, seats of government."""
    path = path or DATA / "institutions.tsv"
    entries: list[ActorEntry] = []
    for _, row in read_tsv(path, ("phrase", "name", "iso3", "sector", "kind")):
        iso3 = row["iso3"] or None
        sector = row["sector"] or None
        code = (iso3 or "") + (sector or "") or None
        kind: ActorKind = row["kind"] or "organization"  # type: ignore[assignment]
        entries.append(ActorEntry(row["phrase"], row["name"] or row["phrase"], kind, iso3,
                                  sector, code))
    return entries


@dataclass
class _Leader:
    """One person's rows of leaders.tsv gathered."""

    country: str | None
    code: str
    role: str = ""
    phrases: list[str] = field(default_factory=list)
    terms: list[DatedCode] = field(default_factory=list)


def _term_date(cell: str, end: bool, path: Path | str, number: int) -> date | None:
    """A term's start or end: YYYY-MM-DD, or YYYY (from 1 January / to 31 December)."""
    if not cell:
        return None
    try:
        if len(cell) == 4:
            return date(int(cell), 12, 31) if end else date(int(cell), 1, 1)
        return date.fromisoformat(cell)
    except ValueError:
        raise DictionaryError(
            f"{path}, line {number}: {cell!r} is not a date; write YYYY-MM-DD or YYYY"
        ) from None


def load_leaders(path: Path | str | None = None) -> list[ActorEntry]:
    """Office holders by name and surname, with their terms as dated codes.

    In office a leader is coded country + sector (``RUSGOV``) or the organisation's code
    (``IGOUNO``); outside every term the country alone, so that "former president Menem"
    still acts for Argentina.
    """
    path = path or DATA / "leaders.tsv"
    people: dict[str, _Leader] = {}
    columns = ("name", "aliases", "actor", "sector", "role", "start", "end")
    for number, row in read_tsv(path, columns):
        actor = row["actor"]
        is_country = len(actor) == 3 and actor.isalpha() and actor.isupper() and \
            actor not in ("IGO", "NGO", "IMG")
        if not (is_country or actor.startswith(("IGO", "NGO"))):
            raise DictionaryError(
                f"{path}, line {number}: actor {actor!r} is neither an ISO3 country code "
                f"nor an IGO/NGO code such as IGOUNO"
            )
        code = actor + row["sector"] if is_country else actor
        term = DatedCode(code, _term_date(row["start"], False, path, number),
                         _term_date(row["end"], True, path, number))
        person = people.setdefault(row["name"], _Leader(None, actor))
        if is_country and person.country is None:
            # outside every term a leader is a citizen of the country they served
            person.country = person.code = actor
        person.phrases.extend(a for a in [row["name"], *_split(row["aliases"])]
                              if a not in person.phrases)
        person.terms.append(term)
        person.role = row["role"]  # the latest term's office names the person
    return [ActorEntry(phrase, name, "person", person.country, None, person.code, person.role,
                       tuple(person.terms))
            for name, person in people.items() for phrase in person.phrases]


@cache
def successions() -> dict[str, tuple[str, date]]:
    """New states and, for each, the state before it and the date of independence."""
    path = DATA / "successions.tsv"
    table: dict[str, tuple[str, date]] = {}
    for number, row in read_tsv(path, ("iso3", "before", "independence")):
        found = _term_date(row["independence"], False, path, number)
        if found is None:
            raise DictionaryError(f"{path}, line {number}: the independence date is missing")
        table[row["iso3"]] = (row["before"], found)
    return table


def country_on(iso3: str, on: date | None) -> str:
    """The state a place in ``iso3`` belonged to on ``on`` ("Juba" in 2000: Sudan)."""
    for _ in range(3):  # a state may itself have come out of another
        before = successions().get(iso3)
        if on is None or before is None or on >= before[1]:
            return iso3
        iso3 = before[0]
    return iso3


def load_roles(path: Path | str | None = None) -> list[AgentEntry]:
    """Role nouns to sectors ("foreign minister" -> GOV, "troops" -> MIL)."""
    path = path or DATA / "roles.tsv"
    entries: list[AgentEntry] = []
    for _, row in read_tsv(path, ("phrase", "sector", "kind", "role")):
        kind: ActorKind = row["kind"] or "group"  # type: ignore[assignment]
        entries.append(AgentEntry(row["phrase"], row["sector"] or None, kind,
                                  row["role"] or row["phrase"]))
    return entries


def load_default() -> ActorDictionary:
    """The dictionaries that ship with detente."""
    return ActorDictionary(
        actors=load_countries() + load_igos() + load_institutions() + load_leaders(),
        agents=load_roles(),
    )


def build_dictionary(actor_files: Iterable[str] = (), role_files: Iterable[str] = (),
                     petrarch_actors: Iterable[str] = (),
                     petrarch_agents: Iterable[str] = ()) -> ActorDictionary | None:
    """The packaged dictionaries plus a user's files; None when the user gives none."""
    actor_files, role_files = list(actor_files), list(role_files)
    petrarch_actors, petrarch_agents = list(petrarch_actors), list(petrarch_agents)
    if not (actor_files or role_files or petrarch_actors or petrarch_agents):
        return None
    from detente.actors.petrarch import load_petrarch

    dictionary = load_default()
    for path in actor_files:
        dictionary.actors.extend(load_institutions(path))
    for path in role_files:
        dictionary.agents.extend(load_roles(path))
    dictionary.extend(load_petrarch(petrarch_actors, petrarch_agents))
    return dictionary
