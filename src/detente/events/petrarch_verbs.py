"""Import PETRARCH/TABARI verb dictionaries (``CAMEO.2.0.txt``) as :class:`VerbPattern` lists.

The format::

    &CURRENCY                          # a synonym set: &NAME, then one +MEMBER a line
    +DOLLAR
    +SWISS_FRANCS                      # members may be phrases...
    +&HYPERCURR                        # ...or other sets
    ---  ACCELERATE   [---]  ---       # a verb block and its default code ([---]: none)
    ACCELERATE                         # the verbs of the block, one a line
    HURRY {HURRIES HURRYING HURRIED}   # irregular forms in braces
    DOWNPLAY [014]                     # a verb with a code of its own
    +CALL_OFF {+CALLED_OFF}            # a multi-word verb: + marks the verb (KLM_+RST)
    - * AID                 [070]      # a pattern: * is the verb; words around it
    - * POLICE (TO BORDER)  [153]      # (...) prepositional and {...} noun phrases
    - + * FROM $            [066]      # $ source, + target, % compound actor, ^ skip
    - * &CURRENCY           [071]      # a synonym set reference
    - * WITH %          [031:032]      # paired codes: source->target, target->source
    ~ a (a b ATTACK) SAY = a b 015     # a transformation

Mapping onto detente's model (a trigger lemma, companion lemmas, a CAMEO code):

- Every pattern of a block applies to every verb of the block (as in PETRARCH 2): the
  trigger is the verb word in lower case and the companions are the pattern's literal
  words in lower case, without the markers ``* $ + % ^``, brackets, punctuation and the
  determiners *the*, *a*, *an*. The extra words of a multi-word verb (``CALL_OFF``) are
  companions of every pattern of that verb. Each verb also gets a pattern with no
  companions (its own code, else the block's).
- A synonym set expands to one pattern per member (nested sets are expanded too); a
  pattern line expands to at most :data:`MAX_EXPANSION` patterns per verb.
- detente matches on spaCy's lemma; the forms in braces are kept as spellings of their
  verb, for the words the lemmatizer gets wrong ("cordoned" -> "cordone"): a word whose
  lemma is no trigger but that is written as such a form codes as its verb. Verbs
  written in an inflected form (``SAID``, ``KILLED`` in the validation dictionary) are kept
  as written; :meth:`VerbDictionary.match` tries the word as written before its lemma.
- Code: the pattern's, else the verb's own, else the block's. A paired code ``[a:b]`` codes
  two events, ``a`` from source to target and ``b`` back from target to source (PETRARCH's
  "met", "talks with": both sides act). Skipped, with no event:
  ``[---]`` (PETRARCH's "no event"), reverse-only codes ``[:b]`` (the event would run the
  wrong way), patterns with no word besides the verb and actor markers (``- % *``; they
  constrain actors only), and transformations (``~`` lines).
- A code missing from detente's CAMEO table (the WEIS codes of
  ``PETR.Validate.verbs.txt``, typos such as ``080!``) becomes its longest prefix in the
  table (``1717`` -> ``171``), else the root of its first digit (``345`` -> ``03``), else
  ``010``. Verb codes from non-CAMEO dictionaries are therefore approximate.
- ``codes="weis"`` reads the codes as WEIS codes (KEDS-era dictionaries; the header of
  ``PETR.Validate.verbs.txt`` says most of its codes are WEIS): each WEIS code becomes the
  CAMEO code of the crosswalk ``data/weis_cameo.tsv`` (WEIS 023 "neutral comment" is a
  statement, CAMEO 010, not CAMEO 023 "appeal for aid"); a code that is not a WEIS code is
  read as CAMEO, as above.

Patterns repeated for the same verb keep the first. Malformed lines raise
:class:`DictionaryError` naming the file and line; a block header with two codes (the first
is kept) and a block without verbs are logged and read anyway.
"""

from __future__ import annotations

import gc
import itertools
import logging
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from detente.actors.dictionary import DATA, read_tsv
from detente.actors.petrarch import dictionary_lines
from detente.actors.petrarch import location as _where
from detente.errors import DictionaryError
from detente.events.ontology import cameo_table
from detente.events.patterns import ActorSlot, VerbDictionary, VerbPattern

log = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# the most patterns one pattern line gives one verb when its synonym sets are expanded
MAX_EXPANSION = 256
DETERMINERS = frozenset({"the", "a", "an"})
FALLBACK_CODE = "010"
# how a dictionary's codes are read: as CAMEO codes, or as WEIS codes through the crosswalk
CODE_SCHEMES = ("cameo", "weis")

_HEADER = re.compile(r"^-{3}\s*(?P<name>[^\[\]]*?)\s*(?P<codes>(?:\[[^\[\]]*\]\s*)*)(?:-{3}\s*)*$")
_CODES = re.compile(r"\[([^\[\]]*)\]")
_FORM = re.compile(r"^(?P<form>[^\[\]{}]+)\s*(?:\{(?P<forms>[^{}\[\]]*)\})?\s*"
                   r"(?:\[(?P<code>[^\[\]{}]*)\])?(?P<rest>.*)$")
_PATTERN = re.compile(r"^-\s*(?P<pattern>[^\[\]]*?)\s*(?:\[(?P<code>[^\[\]]*)\])?$")
_SYNSET_REF = re.compile(r"&([A-Za-z0-9_]+)")
_TOKEN = re.compile(r"&\d+|[*$+%^(){}]|[^\s*$+%^(){}]+")
_MARKERS = frozenset("*$+%^(){}")
_RAW_TOKEN = re.compile(r"[*$+%^(){}]|[^\s*$+%^(){}]+")
_CODE_TEXT = re.compile(r"[^\s\[\]:]+")


@dataclass
class _Verb:
    trigger: str
    particles: tuple[str, ...]
    code: str | None  # the raw code of the verb line, None when it has none
    line: int
    forms: tuple[str, ...] = ()  # the verb word of the forms in braces: "cordoned"


@dataclass
class _Pattern:
    text: str
    code: str | None
    line: int


@dataclass
class _Block:
    code: str | None
    line: int
    verbs: list[_Verb] = field(default_factory=list)
    patterns: list[_Pattern] = field(default_factory=list)


@dataclass
class _Parsed:
    synsets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    blocks: list[_Block] = field(default_factory=list)
    transformations: int = 0


def _name(raw: str) -> str:
    """``&PREPOSIT1_`` and ``&PREPOSIT1`` name the same set."""
    return raw.lstrip("&").strip("_").upper()


def _code(raw: str | None, where: str) -> str | None:
    """The text of a ``[...]`` code, checked; None when there are no brackets."""
    if raw is None:
        return None
    code = raw.strip()
    if not code or not all(_CODE_TEXT.fullmatch(p) for p in code.split(":") if p) or \
            not code.replace(":", ""):
        raise DictionaryError(f"{where}: cannot read the code [{raw}]; write a CAMEO code such "
                              f"as [043], [---] for no event or [043:044] for a pair")
    return code


def _parse(path: Path) -> _Parsed:
    parsed = _Parsed()
    block: _Block | None = None
    synset: list[tuple[str, int]] | None = None
    for number, raw_line in dictionary_lines(path):
        line = raw_line.strip()
        where = _where(path, number)
        if line.startswith("---"):
            header = _HEADER.match(line)
            if header is None:
                raise DictionaryError(f"{where}: cannot read the verb block header {line!r}; "
                                      f"write ---  VERB  [CODE]  ---")
            codes = _CODES.findall(header["codes"])
            if len(codes) > 1:
                log.warning("%s: block header with %d codes; the first, [%s], is used", where,
                            len(codes), codes[0].strip())
            block = _Block(_code(codes[0], where) if codes else None, number)
            parsed.blocks.append(block)
            synset = None
        elif line.startswith("&"):
            name = _name(line.split()[0])
            if not name or len(line.split()) > 1:
                raise DictionaryError(f"{where}: cannot read the synonym set name {line!r}; "
                                      f"write &NAME alone on its line")
            synset = parsed.synsets.setdefault(name, [])
            block = None
        elif line.startswith("~"):
            parsed.transformations += 1
        elif line.startswith("-"):
            if block is None:
                raise DictionaryError(f"{where}: pattern before any verb block; put it under "
                                      f"a ---  VERB  [CODE]  --- header")
            match = _PATTERN.match(line)
            if match is None:
                raise DictionaryError(f"{where}: cannot read the pattern {line!r}; write "
                                      f"- WORDS * WORDS [CODE]")
            text = match["pattern"]
            if text.count("*") != 1:
                raise DictionaryError(f"{where}: the pattern {text!r} needs exactly one * "
                                      f"where the verb goes")
            block.patterns.append(_Pattern(text, _code(match["code"], where), number))
        elif line.startswith("+") and synset is not None:
            member = line[1:].strip()
            if not member or "[" in member or "{" in member:
                raise DictionaryError(f"{where}: cannot read the synonym {line!r}; write "
                                      f"+WORD or +WORD_WORD")
            synset.append((member, number))
        elif block is not None:
            block.verbs.append(_verb(line, where, number))
        else:
            raise DictionaryError(f"{where}: {line!r} is outside any verb block or synonym "
                                  f"set; start a block with ---  VERB  [CODE]  ---")
    return parsed


def _verb(line: str, where: str, number: int) -> _Verb:
    """A verb line: ``BREAK {BROKE BROKEN}``, ``+CALL_OFF [160]``, ``KLM_+RST``, ``LASH OUT``."""
    match = _FORM.match(line)
    if match is None:
        raise DictionaryError(f"{where}: cannot read the verb {line!r}; write VERB, "
                              f"VERB {{FORMS}} [CODE] or +VERB_PARTICLE")
    if match["rest"]:
        if match["forms"] is None and match["code"] is None:
            raise DictionaryError(f"{where}: cannot read the verb {line!r}; write VERB, "
                                  f"VERB {{FORMS}} [CODE] or +VERB_PARTICLE")
        # "SCRAP {SCRAPPING SCRAPS SCRAPPED };shan 8/30/93" upstream: a note after the forms
        log.warning("%s: %r after the verb is not a code; ignored", where, match["rest"])
    words = [w for w in re.split(r"[\s_]+", match["form"]) if w]
    marked = [i for i, w in enumerate(words) if w.startswith("+")]
    if len(marked) > 1:
        raise DictionaryError(f"{where}: {match['form']!r} marks {len(marked)} words with +; "
                              f"mark only the verb")
    head = marked[0] if marked else 0
    cleaned = [_word(w) for w in words]
    trigger = cleaned[head] if words else None
    if not trigger:
        raise DictionaryError(f"{where}: no verb in {line!r}; write the verb first")
    particles = tuple(w for i, w in enumerate(cleaned) if i != head and w and
                      w not in DETERMINERS)
    return _Verb(trigger, particles, _code(match["code"], where), number,
                 _forms(match["forms"] or "", len(words), head))


def _forms(text: str, count: int, head: int) -> tuple[str, ...]:
    """The verb word of each form in braces: ``{+CORDONED_OFF +CORDONS_OFF}`` -> cordoned,
    cordons; ``{WIRE_+TAPPED}`` -> tapped; ``{BROKE BROKEN}`` -> broke, broken."""
    found = []
    for form in text.split():
        words = [w for w in form.split("_") if w]
        marked = [i for i, w in enumerate(words) if w.startswith("+")]
        at = marked[0] if marked else (head if len(words) == count else 0)
        word = _word(words[at]) if at < len(words) else ""
        if word:
            found.append(word)
    return tuple(dict.fromkeys(found))


def _word(raw: str) -> str:
    """``+RST`` -> ``rst``, ``ANTI-`` -> ``anti``, ``N'T`` -> ``n't``; '' for punctuation."""
    word = raw.lstrip("+").strip(".,;:!?\"-").lower()
    return word if any(c.isalnum() for c in word) else ""


def _slots(text: str) -> tuple[ActorSlot | None, ActorSlot | None]:
    """Where the pattern puts its source (``$``) and target (``+``), as :class:`ActorSlot`.

    A marker before the verb (``+ WAS * DEAD``) is the verb's subject; one after it is the
    noun phrase after the last word before the marker (``* THEIR ^ ABOUT +``: after
    "about"), past one noun phrase for each ``^`` between them (``* AT ^ +``). A marker
    after a synonym set has no slot: its word is not known.
    """
    found: dict[str, ActorSlot | None] = {"$": None, "+": None}
    seen_verb = False
    word: str | None = None
    skips = 0
    for token in _RAW_TOKEN.findall(text.replace("_", " ")):
        if token == "*":
            seen_verb = True
        elif token in found:
            if not seen_verb:
                found[token] = ActorSlot(before_verb=True)
            elif word != "&" and (word is not None or skips):
                # "* +": right after the verb, where the parse finds a target anyway
                found[token] = ActorSlot(after=word, skips=skips)
        elif token == "^":
            skips += 1
        elif token in _MARKERS:
            continue
        elif seen_verb:
            cleaned = "&" if token.startswith("&") else _word(token)
            if cleaned and cleaned not in DETERMINERS:
                word, skips = cleaned, 0
    return found["$"], found["+"]


class _Undefined(Exception):
    """A reference to a synonym set the file does not define."""


class _Expander:
    """Expands synonym set references into word lists."""

    def __init__(self, path: Path, synsets: dict[str, list[tuple[str, int]]]) -> None:
        self.path = path
        self.synsets = synsets
        self.expanded: dict[str, list[tuple[str, ...]]] = {}
        self.active: set[str] = set()

    def tokens(self, text: str, where: str) -> list[str | list[tuple[str, ...]]]:
        """Literal words and, for each ``&NAME``, the word lists of its members."""
        refs: list[list[tuple[str, ...]]] = []

        def replace(match: re.Match[str]) -> str:
            parts = match[1].split("_")
            for k in range(len(parts), 0, -1):
                name = "_".join(parts[:k]).strip("_").upper()
                if name in self.synsets:
                    refs.append(self.members(name, where))
                    rest = "_".join(parts[k:])
                    return f" &{len(refs) - 1} {rest}"
            raise _Undefined(match[1].strip("_"))

        text = _SYNSET_REF.sub(replace, text).replace("_", " ")
        out: list[str | list[tuple[str, ...]]] = []
        for token in _TOKEN.findall(text):
            if token.startswith("&"):
                out.append(refs[int(token[1:])])
            elif token not in _MARKERS:
                word = _word(token)
                if word and word not in DETERMINERS:
                    out.append(word)
        return out

    def members(self, name: str, where: str) -> list[tuple[str, ...]]:
        if name in self.expanded:
            return self.expanded[name]
        if name in self.active:
            raise DictionaryError(f"{where}: synonym set &{name} contains itself; remove the "
                                  f"circular +&NAME member")
        self.active.add(name)
        found: list[tuple[str, ...]] = []
        for member, number in self.synsets[name]:
            for words in _product(self.tokens(member, _where(self.path, number))):
                if words and words not in found:
                    found.append(words)
        self.active.discard(name)
        self.expanded[name] = found
        return found


def _product(tokens: list[str | list[tuple[str, ...]]]) -> Iterator[tuple[str, ...]]:
    """Every word sequence the tokens stand for (one member of each synonym set)."""
    choices = [[(t,)] if isinstance(t, str) else t for t in tokens]
    for combination in itertools.product(*choices):
        yield tuple(w for part in combination for w in part)


@cache
def cameo_code(code: str) -> str:
    """``code`` as a code of detente's CAMEO table; approximate for codes not in it.

    The longest prefix in the table (``1717`` -> ``171``, ``075A`` -> ``075``), else the root
    of the first digit (WEIS ``345`` -> ``03``), else ``010``.
    """
    table = cameo_table()
    digits = re.match(r"\d*", code)
    lead = digits[0] if digits else ""
    for end in range(len(lead), 1, -1):
        if lead[:end] in table:
            return lead[:end]
    if lead and f"0{lead[0]}" in table:
        return f"0{lead[0]}"
    return FALLBACK_CODE


@cache
def weis_crosswalk() -> dict[str, str]:
    """WEIS code -> CAMEO code (``data/weis_cameo.tsv``)."""
    table = cameo_table()
    out = {}
    for number, row in read_tsv(DATA / "weis_cameo.tsv", ("weis", "cameo")):
        if row["cameo"] not in table:
            raise DictionaryError(f"{DATA / 'weis_cameo.tsv'}, line {number}: CAMEO code "
                                  f"{row['cameo']!r} is not in detente/data/cameo.tsv")
        out[row["weis"]] = row["cameo"]
    return out


def _event_code(raw: str | None, codes: str = "cameo") -> str | None:
    """The CAMEO code a raw pattern code gives, None for no event (``---``, ``:b``)."""
    if raw is None:
        return None
    first = raw.split(":", 1)[0].strip()
    if not first or first in ("---", "+++"):
        return None
    if codes == "weis":
        digits = re.match(r"\d*", first)
        found = weis_crosswalk().get(digits[0] if digits else "")
        if found is not None:
            return found
    return cameo_code(first)


def _reverse_code(raw: str | None, codes: str = "cameo") -> str | None:
    """The code of the paired event, target to source, of ``[a:b]``: ``b``; else None."""
    if raw is None or ":" not in raw:
        return None
    return _event_code(raw.split(":", 1)[1], codes)


def _check_scheme(codes: str) -> None:
    if codes not in CODE_SCHEMES:
        raise ValueError(f"codes={codes!r}: write one of {', '.join(CODE_SCHEMES)}")


@contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building 250,000 patterns (CAMEO.2.0.txt) otherwise
    spends half its time in collections that find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_petrarch_verbs(path: PathLike, codes: str = "cameo") -> list[VerbPattern]:
    """Read a PETRARCH/TABARI verb dictionary as it is; see the module docstring. ``codes``
    says how its codes are read: ``"cameo"`` or ``"weis"``."""
    _check_scheme(codes)
    with _no_gc():
        return _load(Path(path), codes)[0]


def _load(path: Path, codes: str = "cameo") -> tuple[list[VerbPattern], dict[str, str]]:
    """The patterns of a verb file, and its forms in braces with the verb each spells."""
    parsed = _parse(path)
    forms = {form: verb.trigger for block in parsed.blocks for verb in block.verbs
             for form in verb.forms if form != verb.trigger}
    expander = _Expander(path, parsed.synsets)
    patterns: list[VerbPattern] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    truncated = 0

    def add(trigger: str, words: frozenset[str], code: str, line: int,
            reverse: str | None, slots: tuple[ActorSlot | None, ActorSlot | None] = (
                None, None)) -> None:
        key = (trigger, words)
        if key not in seen:
            seen.add(key)
            patterns.append(VerbPattern(trigger, words, code, line, reverse, *slots))

    for block in parsed.blocks:
        if not block.verbs:
            log.warning("%s: verb block with no verbs; its patterns are skipped",
                        _where(path, block.line))
            continue
        expansions = []
        for pattern in block.patterns:
            where = _where(path, pattern.line)
            try:
                tokens = expander.tokens(pattern.text, where)
            except _Undefined as err:
                # "- * &WEATHER ..." upstream, with no &WEATHER set: the pattern cannot match
                log.warning("%s: synonym set &%s is not defined; pattern skipped", where, err)
                continue
            sequences = list(itertools.islice(_product(tokens), MAX_EXPANSION + 1))
            if len(sequences) > MAX_EXPANSION:
                truncated += 1
                sequences = sequences[:MAX_EXPANSION]
            # "- % *": only actors, which detente does not constrain
            expansions.append((pattern, [frozenset(w) for w in sequences if w]))
        for verb in block.verbs:
            particles = frozenset(verb.particles)
            raw_own = verb.code if verb.code is not None else block.code
            own = _event_code(raw_own, codes)
            if own is not None:
                add(verb.trigger, particles, own, verb.line, _reverse_code(raw_own, codes))
            for pattern, words in expansions:
                raw = pattern.code if pattern.code is not None else (
                    verb.code if verb.code is not None else block.code)
                code = _event_code(raw, codes)
                if code is None:
                    continue
                reverse = _reverse_code(raw, codes)
                slots = _slots(pattern.text)
                for companions in words:
                    add(verb.trigger, particles | companions if particles else companions,
                        code, pattern.line, reverse, slots)
    if truncated:
        log.warning("%s: %d pattern line(s) expand to more than %d patterns per verb through "
                    "their synonym sets; the first %d are kept", path, truncated,
                    MAX_EXPANSION, MAX_EXPANSION)
    if parsed.transformations:
        log.info("%s: %d transformation line(s) (~) skipped; detente has no transformations",
                 path, parsed.transformations)
    return patterns, forms


def load_petrarch_verb_dictionary(paths: Iterable[PathLike],
                                  codes: str = "cameo") -> VerbDictionary:
    """One :class:`VerbDictionary` of PETRARCH verb files; a pattern repeated keeps the first.
    ``codes``: ``"cameo"``, or ``"weis"`` for files written in WEIS codes."""
    _check_scheme(codes)
    paths = list(paths)
    with _no_gc():
        if len(paths) == 1:  # already without repeats
            return VerbDictionary(*_load(Path(paths[0]), codes))
        patterns: list[VerbPattern] = []
        forms: dict[str, str] = {}
        seen: set[tuple[str, frozenset[str]]] = set()
        for path in paths:
            found, spelled = _load(Path(path), codes)
            for form, verb in spelled.items():
                forms.setdefault(form, verb)
            for pattern in found:
                key = (pattern.trigger, pattern.companions)
                if key not in seen:
                    seen.add(key)
                    patterns.append(pattern)
        return VerbDictionary(patterns, forms)
