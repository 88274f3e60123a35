"""Import PETRARCH/TABARI actor and agent dictionaries as :class:`ActorDictionary` records.

Actor files (``Phoenix.Countries.actors.txt``)::

    EGYPT_  [EGY]                      # a name line: underscores join words
    +EGYPTIAN_                         # a synonym of the name above
    HOSNI_MUBARAK_                     # codes may follow on indented lines...
        [EGYMIL 770101-120812]         # ...with dates: a range,
        [EGYGOV >140608]               # from a date, or
        [EGY <991231]                  # before a date
    UN_SECRETARY_GENERAL [IGOUNO] [ELI]   # several codes; text after them is ignored
    THE_SHIRE  [FRO/BIL/SAM]           # a compound actor: the name stands for all three

Agent files (``Phoenix.agents.txt``)::

    !PERSON! = MAN, MEN, WOMAN, WOMEN  # a substitution set, used as !PERSON!
    ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOV]   # explicit plural; ~GOV follows the country
    POLICE {} [~COP]                   # {}: a collective noun with no plural
    PEACEKEEPING_TROOPS {} [IGO~]      # IGO~ comes before the country (IGOUSA)
    SOLDIER [~MIL]                     # no braces: the regular plural is made ("soldiers")

Dates are YYMMDD or YYYYMMDD. Two-digit years 00-29 are 2000-2029 and 30-99 are 1930-1999:
the Phoenix files use 00-14 for recent roles and 31-99 for birth years and older roles.
Following PETRARCH, a range ``A-B`` is half-open (from A up to the day before B, so that
consecutive roles ``[X A-B] [Y B-C]`` hand over on B), ``<D`` ends the day before D and
``>D`` (or a bare ``D``) starts on D.

Malformed lines raise :class:`DictionaryError` with the file and line. Two kinds of slip that
occur in the published dictionaries are logged and skipped instead, so that they load: a
date with the wrong number of digits or an impossible day (``[GBRGOV >201005011]``: the role
is dropped, the name kept) and an agent noun with no code.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import pycountry

from detente.actors.dictionary import ActorDictionary, ActorEntry, AgentEntry, DatedCode
from detente.errors import DictionaryError
from detente.schema import ActorKind

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_CODE = re.compile(r"[A-Z0-9]+|-{3}|\+{3}")  # "---" and "+++" are PETRARCH's null codes
_DATES = re.compile(r"(?P<op>[<>])\s*(?P<one>\d+)"
                    r"|(?P<start>\d+)\s*-\s*(?P<end>\d+)"
                    r"|(?P<bare>\d+)")
_MACRO_DEF = re.compile(r"^(![A-Z0-9_]+!)\s*=\s*(.+)$")
_MACRO = re.compile(r"![A-Z0-9_]+!")
_AGENT = re.compile(r"^(?P<noun>[^\[\]{}]+?)\s*(?:\{(?P<plural>[^{}\[\]]*)\})?\s*"
                    r"(?:\[(?P<code>[^\[\]{}]*)(?P<close>[\]}]))?$")
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
# Leading words that make a name a person's ("PRESIDENT_GEORGE_W._BUSH").
_TITLES = {"PRESIDENT", "PRIME", "KING", "QUEEN", "PRINCE", "PRINCESS", "SHEIKH", "SHEIK",
           "EMIR", "SULTAN", "GENERAL", "GEN.", "MINISTER", "SENATOR", "SEN.", "GOVERNOR",
           "AYATOLLAH", "POPE", "CHANCELLOR", "MR.", "MRS.", "MS.", "DR.", "SIR", "LORD"}
# CAMEO country codes that are not (or no longer) ISO 3166 alpha-3.
_CAMEO_COUNTRIES = {"KSV", "USR"}
# CAMEO codes that may lead a code without a country: transnational actors and sectors.
_SECTORS = {"IGO", "NGO", "NGM", "IMG", "MNC", "UIS", "ELI", "GOV", "MIL", "REB", "OPP",
            "PTY", "COP", "JUD", "SPY", "MED", "EDU", "BUS", "CRM", "CVL", "LAB", "LEG",
            "HLH", "REF", "MOD", "RAD", "AGR", "DEV", "ENV", "HRI", "UAF", "SEP"}


@cache
def _countries() -> frozenset[str]:
    current = {c.alpha_3 for c in pycountry.countries}
    former = {c.alpha_3 for c in pycountry.historic_countries}
    return frozenset(current | former | _CAMEO_COUNTRIES)


def dictionary_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of a PETRARCH/TABARI file without comments and blank lines.

    ``#`` starts a comment except inside ``[...]`` (the validation verbs have a ``[###]``
    code); ``<!-- ... -->`` comments may span lines. Leading space is kept: in actor files it
    marks a dated role line.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DictionaryError(f"{path}: not UTF-8 text ({err}); save the file as UTF-8") from err
    except OSError as err:
        raise DictionaryError(f"{path}: cannot read the dictionary ({err.strerror})") from err
    in_comment = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if in_comment or stripped.startswith("<!"):
            # XML-style comments, which may span lines, in the validation dictionaries
            in_comment = "-->" not in stripped
            continue
        depth = 0
        for i, char in enumerate(line):
            if char == "[":
                depth += 1
            elif char == "]":
                depth -= 1
            elif char == "#" and depth <= 0:
                line = line[:i]
                break
        line = line.rstrip()
        if line.strip():
            yield number, line


def location(path: Path, number: int) -> str:
    """FILE, line N: for error messages."""
    return f"{path}, line {number}"


def _phrase(raw: str) -> str:
    """``ABU_NIDAL_ORGANIZATION_`` -> ``ABU NIDAL ORGANIZATION``."""
    return " ".join(raw.replace("_", " ").split())


def _title(phrase: str) -> str:
    """``PRESIDENT GEORGE W. BUSH`` -> ``President George W. Bush``; short acronyms stay."""
    if " " not in phrase and len(phrase) <= 4:  # UN, IAEA, NATO
        return phrase
    return _WORD.sub(lambda m: m.group(0).capitalize(), phrase)


def _date(digits: str, where: str) -> date | None:
    """YYMMDD or YYYYMMDD; None (and a logged warning) when it is not a real date."""
    if len(digits) == 6:
        year = int(digits[:2])
        year += 2000 if year < 30 else 1900
        month, day = int(digits[2:4]), int(digits[4:6])
    elif len(digits) == 8:
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    else:
        log.warning("%s: date %r is neither YYMMDD nor YYYYMMDD; role skipped", where, digits)
        return None
    try:
        return date(year, month, day)
    except ValueError:
        log.warning("%s: %r is not a calendar date; role skipped", where, digits)
        return None


def _code_group(content: str, where: str) -> list[DatedCode | str] | None:
    """One ``[...]``: undated codes as str, dated ones as DatedCode; None if a date is bad."""
    parts = content.strip().split(None, 1)
    if not parts:
        raise DictionaryError(f"{where}: empty code brackets []; write a code such as [USAGOV]")
    codes = parts[0].upper().split("/")  # [ELR/GAL]: several codes at once
    for code in codes:
        if not _CODE.fullmatch(code):
            raise DictionaryError(f"{where}: {code!r} is not an actor code; codes are letters "
                                  f"and digits such as USAGOV, or --- for none")
    if len(parts) == 1:
        return list(codes)
    spec = parts[1].strip()
    match = _DATES.fullmatch(spec)
    if match is None:
        raise DictionaryError(f"{where}: cannot read the date {spec!r} after {parts[0]}; write "
                              f"[CODE YYMMDD-YYMMDD], [CODE >YYMMDD] or [CODE <YYMMDD]")
    start = end = None
    if match["op"] == "<":
        end = _date(match["one"], where)
        if end is None:
            return None
        end -= timedelta(days=1)
    elif match["op"] == ">" or match["bare"]:
        start = _date(match["one"] or match["bare"], where)
        if start is None:
            return None
    else:
        start, end = _date(match["start"], where), _date(match["end"], where)
        if start is None or end is None:
            return None
        end -= timedelta(days=1)
    return [DatedCode(code, start, end) for code in codes]


@dataclass
class _Block:
    """A name line with its synonyms and codes, until the next name line."""

    where: str
    phrases: list[str]
    codes: list[str] = field(default_factory=list)
    dated: list[DatedCode] = field(default_factory=list)
    members: tuple[str, ...] = ()

    def add_codes(self, groups: list[str], where: str) -> None:
        for content in groups:
            split = content.split()
            if len(split) == 1 and "/" in split[0] and not self.members:
                # [FRO/BIL/SAM], undated: one name for several actors
                self.members = tuple(dict.fromkeys(split[0].upper().split("/")))
            for item in _code_group(content, where) or ():
                if isinstance(item, DatedCode):
                    self.dated.append(item)
                else:
                    self.codes.append(item)

    def entries(self) -> list[ActorEntry]:
        open_ended = [d.code for d in self.dated if d.end is None]
        code = self.codes[0] if self.codes else (open_ended[-1] if open_ended else None)
        # country and sector come from the current code, else from the latest role
        reference = code or (self.dated[-1].code if self.dated else None)
        if reference is None:
            return []
        country = reference[:3] if reference[:3] in _countries() else None
        if country:
            sector = reference[3:] or None
        else:  # IGOUNO -> IGO; a code we cannot split (fictional HOB, UNO) has none
            sector = reference[:3] if reference[:3] in _SECTORS else None
        primary = self.phrases[0]
        kind: ActorKind
        if country and len(reference) == 3:
            kind = "country"
        elif self.dated or primary.split()[0] in _TITLES or sector == "ELI":
            kind = "person"
        elif reference.startswith("IGO"):
            kind = "igo"
        else:
            kind = "organization"
        name = _title(primary)
        members = self.members if code in self.members and len(self.members) > 1 else ()
        return [ActorEntry(phrase, name, kind, country, sector, code, dated_codes=tuple(self.dated),
                           form="petrarch", members=members)
                for phrase in dict.fromkeys(self.phrases)]


def load_petrarch_actors(path: PathLike) -> list[ActorEntry]:
    """Read a PETRARCH/TABARI ``.actors`` file: one :class:`ActorEntry` per name and synonym.

    ``phrase`` is the name with spaces for underscores; ``name`` is the block's first name in
    title case. ``code`` is the undated code, else the last open-ended dated one, else None;
    ``dated_codes`` keeps the dated codes in file order. ``country`` is the code's first
    three letters when they are a country (ISO 3166 alpha-3, former ones, KSV, USR) and
    ``sector`` the rest (``GOV`` of ``EGYGOV``); for codes without a country it is the
    leading three letters (``IGO``, ``NGO``, ``MNC``). ``kind`` is "country" for a bare
    country code, "person" for names with dated roles, a title (PRESIDENT_...) or an ELI
    code, "igo" for IGO codes, else "organization". Names with no code at all (PETRARCH's
    ``U.N._`` placeholder) are skipped: they would only shadow better entries. A compound
    actor's codes (``[FRO/BIL/SAM]``) are its ``members``; ``code`` is the first.
    """
    path = Path(path)
    entries: list[ActorEntry] = []
    block: _Block | None = None
    for number, line in dictionary_lines(path):
        where = location(path, number)
        stripped = line.strip()
        head, bracket, rest = stripped.partition("[")
        if "]" in head:  # "+FAEROYENE]_" upstream: a stray bracket in a name
            log.warning("%s: stray ] in the name %r; ignored", where, head.strip())
            head = head.replace("]", "")
        if (bracket + rest).count("[") != rest.count("]"):
            raise DictionaryError(f"{where}: unbalanced [ ]; each code needs its own "
                                  f"[CODE] brackets")
        head = head.strip()
        # anything after the first bracket that is not a code is a note (sales figures in
        # Phoenix.International): PETRARCH ignores it, and so do we
        groups = _BRACKET.findall(bracket + rest)
        if stripped.startswith("["):
            if block is None:
                raise DictionaryError(f"{where}: codes before any name; put them under a name "
                                      f"line such as EGYPT_ [EGY]")
            block.add_codes(groups, where)
        elif stripped.startswith("+"):
            if block is None:
                raise DictionaryError(f"{where}: synonym {head!r} before any name; put it "
                                      f"under the name it is a synonym of")
            # "+A_+_B_" is two synonyms run together upstream
            for raw in head[1:].split("+"):
                if _phrase(raw):
                    block.phrases.append(_phrase(raw))
            block.add_codes(groups, where)
        else:
            if block is not None:
                entries.extend(block.entries())
            phrase = _phrase(head)
            if not phrase:
                raise DictionaryError(f"{where}: no name before the code; write NAME_ [CODE]")
            block = _Block(where, [phrase])
            block.add_codes(groups, where)
    if block is not None:
        entries.extend(block.entries())
    return entries


def _plural(phrase: str) -> str | None:
    """Regular English plural of the last word; None when it does not end in a letter."""
    if not phrase[-1:].isalpha():
        return None
    upper = phrase[-1].isupper()
    lower = phrase.lower()
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u", ""):
        stem, suffix = phrase[:-1], "ies"
    elif lower.endswith(("s", "x", "z", "ch", "sh")):
        stem, suffix = phrase, "es"
    else:
        stem, suffix = phrase, "s"
    return stem + (suffix.upper() if upper else suffix)


def _plural_forms(alternatives: list[str]) -> set[str]:
    """Which alternatives of a substitution set are plurals (MINISTERS, MEN)."""
    given = set(alternatives)
    return {alt for alt in alternatives
            if any(_plural(other) == alt for other in given if other != alt)
            or (alt.endswith("MEN") and alt[:-3] + "MAN" in given)}


def _expand(noun: str, macros: dict[str, list[str]], where: str) -> list[tuple[str, bool]]:
    """All spellings of ``noun`` with each ``!MACRO!`` replaced; (text, uses a plural)."""
    names = _MACRO.findall(noun)
    for name in names:
        if name not in macros:
            raise DictionaryError(f"{where}: {name} is not defined; define it above with "
                                  f"{name} = WORD, WORD")
    if not names:
        return [(noun, False)]
    parts = _MACRO.split(noun)
    plurals = {name: _plural_forms(macros[name]) for name in names}
    forms = []
    for choice in itertools.product(*(macros[name] for name in names)):
        text = parts[0] + "".join(alt + rest for alt, rest in zip(choice, parts[1:], strict=True))
        plural = any(alt in plurals[name] for alt, name in zip(choice, names, strict=True))
        forms.append((text, plural))
    return forms


def load_petrarch_agents(path: PathLike) -> list[AgentEntry]:
    """Read a PETRARCH agents file: one :class:`AgentEntry` per noun form.

    Each noun gives its singular and a plural: the one in braces, the regular English plural
    when there are no braces, none for ``{}``. ``!MACRO!`` sets expand to every combination
    and make no further plurals (the sets already list them: MINISTER, MINISTERS).
    ``sector`` is the code without ``~``; ``prefix`` is true when it goes before its
    owner's code (``[NGO~]``: "MSF Arnor" is NGOARN), false for ``[~GOV]`` (ARNGOV).
    ``kind`` is "group" for plurals and collective ``{}`` nouns, else "person"; ``role`` is the
    singular in lower case.
    """
    path = Path(path)
    macros: dict[str, list[str]] = {}
    entries: list[AgentEntry] = []
    for number, line in dictionary_lines(path):
        where = location(path, number)
        stripped = line.strip()
        definition = _MACRO_DEF.match(stripped)
        if definition:
            macros[definition[1]] = [" ".join(a.split()) for a in definition[2].split(",")
                                     if a.strip()]
            continue
        match = _AGENT.match(stripped)
        if match is None:
            raise DictionaryError(f"{where}: cannot read {stripped!r}; write NOUN [~CODE], "
                                  f"NOUN {{PLURAL}} [~CODE] or !NAME! = WORD, WORD")
        if match["code"] is None:
            log.warning("%s: %r has no [~CODE]; skipped", where, match["noun"])
            continue
        if match["close"] == "}":  # "[~ENV}" upstream
            log.warning("%s: [%s} closed with }; read as [%s]", where, match["code"],
                        match["code"])
        code = match["code"].replace(" ", "").upper()
        if code.count("~") != 1 or not (code.startswith("~") or code.endswith("~")):
            raise DictionaryError(f"{where}: agent code [{match['code']}] needs one ~ before "
                                  f"or after it, as in [~GOV] or [IGO~]")
        sector = code.strip("~")
        prefix = code.endswith("~")
        if not _CODE.fullmatch(sector):
            raise DictionaryError(f"{where}: {sector!r} is not an agent code; use letters "
                                  f"and digits such as GOV or MILNAV")
        noun, plural = match["noun"], match["plural"]
        collective = plural is not None and not plural.strip()
        for text, macro_plural in _expand(noun, macros, where):
            singular = _phrase(text)
            if not singular:
                raise DictionaryError(f"{where}: no noun before the code; write NOUN [~CODE]")
            role = singular.lower()
            if macro_plural:
                entries.append(AgentEntry(singular, sector, "group", role, prefix))
                continue
            entries.append(AgentEntry(singular, sector, "group" if collective else "person",
                                      role, prefix))
            if plural is not None:
                plurals = [_phrase(p) for p, _ in _expand(plural, macros, where)]
            elif _MACRO.search(noun):
                plurals = []
            else:
                plurals = [_plural(singular) or ""]
            for form in dict.fromkeys(p for p in plurals if p and p != singular):
                entries.append(AgentEntry(form, sector, "group", role, prefix))
    return entries


def compose_code(owner: str, agent: str, prefix: bool = False) -> str:
    """The code of an agent of ``owner``, as PETRARCH composes it.

    The agent's three-letter parts go after the owner's code (before it for a prefix agent
    such as ``[NGO~]``), except the parts the owner's code already holds at a three-letter
    boundary: WASHINGTON [USAGOV] + ~GOV is USAGOV, QUIBBLER [HGWGOVMED] + ~GOVMED is
    HGWGOVMED, but GONZO_GMO [GONGMO] + ~NGM would be GONGMONGM (NGM is not a part of it).
    """
    held = {owner[i:i + 3] for i in range(0, len(owner), 3)}
    added = "".join(part for i in range(0, len(agent), 3)
                    if (part := agent[i:i + 3]) not in held)
    return added + owner if prefix else owner + added


def load_petrarch(actors: Iterable[PathLike], agents: Iterable[PathLike]) -> ActorDictionary:
    """Load PETRARCH actor and agent files into one :class:`ActorDictionary`, in order."""
    dictionary = ActorDictionary()
    for path in actors:
        dictionary.actors.extend(load_petrarch_actors(path))
    for path in agents:
        dictionary.agents.extend(load_petrarch_agents(path))
    return dictionary
