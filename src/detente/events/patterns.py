"""The verb-pattern dictionary (data/verbs.tsv) and matching a verb against it.

A pattern is a trigger lemma and the lemmas of words that must stand beside it in the
parse: ``sign agreement``, ``call off``, ``impose economic sanction``, ``refuse meet``, or a
common-noun subject ("the death toll rose": ``rise death toll``).
The pattern with the most companions present wins; ties go to the earlier line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

from detente.actors.dictionary import DATA, read_tsv, word_list
from detente.errors import DictionaryError
from detente.events.ontology import cameo_table

# dependents whose lemmas can complete a pattern
COMPANION_DEPS = frozenset({"prt", "prep", "agent", "dobj", "dative", "attr", "acomp", "oprd",
                            "xcomp", "ccomp", "advmod", "npadvmod", "nsubjpass"})
NOUN_MODIFIER_DEPS = frozenset({"compound", "amod", "prep", "nmod"})
# verbs whose object does the act of the infinitive that follows: "allowed refugees to return"
OBJECT_CONTROL = frozenset({"allow", "permit", "let", "enable", "urge", "ask", "order",
                            "force", "compel", "invite", "persuade", "encourage", "press",
                            "call", "tell", "help", "authorize", "authorise"})


@dataclass(frozen=True)
class ActorSlot:
    """Where a pattern puts its source or target (PETRARCH's ``$`` and ``+``).

    ``before_verb``: the verb's subject ("+ WAS * DEAD": the one shot is the target).
    Otherwise the actor is in the noun phrase after the pattern word ``after`` (after the
    verb itself when None), once ``skips`` noun phrases are passed (PETRARCH's ``^``):
    "* AT ^ +" in "warned at the Gondor of the Prince" is the Prince.
    """

    before_verb: bool = False
    after: str | None = None
    skips: int = 0


@dataclass(frozen=True)
class VerbPattern:
    """One line of the verb dictionary."""

    trigger: str
    companions: frozenset[str]
    code: str
    line: int
    # the code of the paired event from target back to source (PETRARCH's [a:b]), if any
    reverse: str | None = None
    # where the pattern puts its source and target; None: where the parse puts them
    source_at: ActorSlot | None = None
    target_at: ActorSlot | None = None


@dataclass(frozen=True)
class PatternMatch:
    """A pattern that matched at a verb, and the tokens that made it match."""

    pattern: VerbPattern
    tokens: tuple[Token, ...]


class VerbDictionary:
    """Verb patterns indexed by trigger lemma."""

    def __init__(self, patterns: Iterable[VerbPattern],
                 forms: dict[str, str] | None = None) -> None:
        """``forms``: inflected forms and the trigger they spell ("cordoned": "cordon"),
        used when the lemmatizer gets a word wrong."""
        self.forms = dict(forms or {})
        self.by_trigger: dict[str, list[VerbPattern]] = {}
        for pattern in patterns:
            self.by_trigger.setdefault(pattern.trigger, []).append(pattern)
        for patterns_of in self.by_trigger.values():
            patterns_of.sort(key=lambda p: (-len(p.companions), p.line))

    def __len__(self) -> int:
        return sum(len(p) for p in self.by_trigger.values())

    def match_nominal(self, verb: Token, nominals: dict[str, str],
                      subject: bool = False) -> PatternMatch | None:
        """Code "announced the suspension of links" as "suspend links".

        The object noun of a light verb stands for its verb: the noun's own modifiers and
        prepositional objects are the companions, the light verb and noun the trigger.
        With ``subject``, the subject noun of a verb of happening does too ("Palestinian
        riots are continuing", "clashes erupted").
        """
        deps = ("dobj", "attr", "nsubjpass", "nsubj") if subject else (
            "dobj", "attr", "nsubjpass")
        for obj in verb.children:
            if obj.dep_ not in deps or (obj.dep_ == "nsubj" and obj.pos_ != "NOUN"):
                continue
            base = nominals.get(obj.lemma_.lower())
            event_noun = obj
            if base is None and obj.lemma_.lower() in activity_nouns():
                # "undertook a mediation mission", "launched a bombing campaign": the
                # activity noun is named by its modifier, which is the event noun
                event_noun = next((c for c in obj.children if c.dep_ in ("compound", "amod")
                                   and c.lemma_.lower() in nominals), obj)
                base = nominals.get(event_noun.lemma_.lower())
            candidates = self.by_trigger.get(base or "")
            if not candidates:
                continue
            near: dict[str, Token] = {}
            for mod in obj.children:
                if mod.i == event_noun.i:
                    continue
                near.setdefault(mod.lemma_.lower(), mod)
                if mod.dep_ == "prep":
                    for pobj in mod.children:
                        near.setdefault(pobj.lemma_.lower(), pobj)
            for pattern in candidates:
                if pattern.companions <= near.keys():
                    return PatternMatch(pattern, tuple(dict.fromkeys((
                        verb, event_noun, obj, *(near[w] for w in pattern.companions)))))
        return None

    def match(self, verb: Token) -> PatternMatch | None:
        """The best pattern for ``verb`` given the words around it, or None.

        Patterns whose trigger is the word as written ("said", in dictionaries that list
        inflected forms, as PETRARCH's may) come before those of its lemma.
        """
        lemma, written = verb.lemma_.lower(), verb.lower_
        candidates = self.by_trigger.get(lemma, [])
        if not candidates and written in self.forms:
            candidates = self.by_trigger.get(self.forms[written], [])
        if written != lemma and written in self.by_trigger:
            candidates = self.by_trigger[written] + candidates
        if not candidates:
            return None
        near = companions(verb)
        best = next((p for p in candidates if p.companions <= near.keys()), None)
        purposes = purpose_verbs(verb)
        if purposes and (best is None or not best.companions):
            # "sent a team to investigate": the purpose completes a pattern ("send
            # investigate") when the verb's own words complete none
            near = {**purposes, **near}
            best = next((p for p in candidates if p.companions <= near.keys() and
                         p.companions & purposes.keys()), best)
        if best is None:
            return None
        return PatternMatch(best, (verb, *(near[w] for w in best.companions)))


def companions(verb: Token) -> dict[str, Token]:
    """Lemmas of the words that can complete a pattern at ``verb``, with their tokens."""
    found: dict[str, Token] = {}

    def add(token: Token) -> None:
        found.setdefault(token.lemma_.lower(), token)
        found.setdefault(token.lower_, token)

    for child in verb.children:
        if child.dep_ == "nsubj":
            # "the death toll has risen" (PETRARCH's "DEATH TOLL * "): a common noun
            # subject and its modifiers complete a pattern; a name or pronoun does not
            if child.pos_ != "NOUN":
                continue
            add(child)
            for mod in child.children:
                if mod.dep_ in ("compound", "amod", "nmod"):  # "death and injury toll"
                    add(mod)
                    for c in mod.conjuncts:
                        add(c)
            continue
        if child.dep_ in ("neg", "aux", "auxpass") and child.tag_ != "TO":
            # "did n't", "wo n't": PETRARCH patterns that code the negated act (and so the
            # negation is the pattern's, not the event's); "was" of "+ WAS * DEAD IN $"
            add(child)
            continue
        if child.dep_ not in COMPANION_DEPS:
            continue
        add(child)
        if child.dep_ in ("dobj", "attr", "nsubjpass", "dative", "oprd"):
            for mod in child.children:
                if mod.dep_ in NOUN_MODIFIER_DEPS or mod.dep_ == "poss":
                    add(mod)
                if mod.dep_ == "prep":
                    # "gave 5 million dollars of aid", "sent tons of grain"
                    for pobj in mod.children:
                        if pobj.dep_ == "pobj":
                            add(pobj)
            for noun in child.conjuncts:
                # "sent food and weapons" sends weapons: a coordinated noun and the words
                # that name its kind ("photographs and military intelligence")
                if noun.pos_ == "NOUN":
                    add(noun)
                    for mod in noun.children:
                        if mod.dep_ in ("compound", "amod"):
                            add(mod)
        elif child.dep_ == "prep":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    add(pobj)
        elif child.dep_ == "xcomp":
            for grand in child.children:
                if grand.dep_ in ("dobj", "prt", "prep"):
                    add(grand)
    inner = _misattached_infinitive(verb)
    if inner is not None:
        add(inner)
        for grand in inner.children:
            if grand.dep_ in ("dobj", "prt", "prep"):
                add(grand)
    if verb.dep_ in ("xcomp", "advcl") and verb.head.i < verb.i and verb.head.pos_ == "VERB":
        # PETRARCH's words before the verb: "INCHING NEARER *" in "is inching nearer to
        # accord", "+ HOSTING *" in "will be hosting X to celebrate": the governing verb
        # and its adverbs
        add(verb.head)
        for mod in verb.head.children:
            if mod.dep_ == "advmod" and mod.i < verb.i:
                add(mod)
    return found


def _misattached_infinitive(verb: Token) -> Token | None:
    """The infinitive of a verb that takes an object and an infinitive ("allow X to return"),
    when the parser hung it on a relative clause of the object: in "allow refugees who have
    lived in Iraq to return", "to return" is parsed as the purpose of "lived". A verb of this
    kind needs its infinitive, so one it lacks is the first after its object's clause."""
    if verb.lemma_.lower() not in OBJECT_CONTROL or any(
            c.dep_ in ("xcomp", "ccomp") for c in verb.children):
        return None
    for obj in verb.children:
        if obj.dep_ != "dobj":
            continue
        for clause in obj.children:
            if clause.dep_ != "relcl":
                continue
            for inner in clause.children:
                if inner.dep_ == "advcl" and inner.i > clause.i and any(
                        a.dep_ == "aux" and a.tag_ == "TO" for a in inner.children):
                    return inner
    return None


def purpose_verbs(verb: Token) -> dict[str, Token]:
    """Lemmas of the verbs of purpose on ``verb`` ("sent a team to investigate")."""
    return {c.lemma_.lower(): c for c in verb.children
            if c.dep_ == "advcl" and c.pos_ == "VERB" and any(
                a.dep_ == "aux" and a.tag_ == "TO" for a in c.children)}


@lru_cache(maxsize=1)
def nominals() -> dict[str, str]:
    """Event nouns and the verbs that code them (data/nominals.tsv)."""
    return {row["noun"]: row["verb"] for _, row in read_tsv(DATA / "nominals.tsv",
                                                           ("noun", "verb"))}


@lru_cache(maxsize=1)
def activity_nouns() -> frozenset[str]:
    """Nouns of an undertaking that an event noun names ("mediation mission")."""
    return word_list("activity_nouns.txt")


def load_verbs(path: Path | str | None = None) -> VerbDictionary:
    """Load a verb dictionary; unknown CAMEO codes are an error naming the line."""
    path = path or DATA / "verbs.tsv"
    table = cameo_table()
    patterns = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for number, row in read_tsv(path, ("pattern", "code")):
        words = row["pattern"].lower().split()
        if not words:
            raise DictionaryError(f"{path}:{number}: empty pattern; write a verb lemma")
        code = row["code"]
        if code not in table:
            raise DictionaryError(
                f"{path}:{number}: CAMEO code {code!r} does not exist; use a code from "
                f"detente/data/cameo.tsv"
            )
        key = (words[0], frozenset(words[1:]))
        if key in seen:
            continue
        seen.add(key)
        patterns.append(VerbPattern(words[0], frozenset(words[1:]), code, number))
    return VerbDictionary(patterns)
