"""Stances: positions an actor supports or opposes, one record per topic.

"We hold clear positions on ... opposing hegemony and the use of force" gives two oppose
stances of the speaker: "hegemony" and "the use of force". The words that carry a position
are data (data/stances.tsv); the holder is the subject of the stance verb, or of the clause
it sits in when the verb is a gerund in a list; the topics are the object and each of its
conjuncts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Token

from detente.actors.dictionary import DATA, read_tsv
from detente.actors.resolve import ResolvedActors
from detente.events.extract import _subject
from detente.schema import Polarity, Stance

QUOTE_MARKS = "\"'“”‘’«»"


@dataclass(frozen=True)
class StanceWord:
    """A word that expresses a position."""

    lemma: str
    polarity: Polarity
    pos: str
    prep: str | None


@lru_cache(maxsize=1)
def stance_words() -> dict[tuple[str, str], StanceWord]:
    """Stance words by (lemma, coarse POS)."""
    words = {}
    for _, row in read_tsv(DATA / "stances.tsv", ("lemma", "polarity", "pos", "prep")):
        polarity: Polarity = "oppose" if row["polarity"] == "oppose" else "support"
        words[(row["lemma"], row["pos"])] = StanceWord(row["lemma"], polarity, row["pos"],
                                                       row["prep"] or None)
    return words


class StanceFinder:
    """Finds stances in a parsed, actor-resolved document."""

    def __init__(self) -> None:
        self.words = stance_words()

    def find(self, doc: Doc, actors: ResolvedActors) -> list[Stance]:
        """All stances of ``doc`` in text order."""
        stances: list[Stance] = []
        seen: set[tuple[str, int, int]] = set()
        for token in doc:
            pos = "VERB" if token.pos_ in ("VERB", "AUX") else token.pos_
            word = self.words.get((token.lemma_.lower(), pos))
            if word is None:
                continue
            topics = self._topics(token, word)
            if not topics:
                continue
            holders = self._holders(token, actors)
            polarity = word.polarity
            if any(c.dep_ == "neg" for c in token.children):
                polarity = "support" if polarity == "oppose" else "oppose"
            for holder in holders:
                for start, end in topics:
                    key = (holder, start, end)
                    if key in seen:
                        continue
                    seen.add(key)
                    stances.append(Stance(holder, polarity, doc.text[start:end], start, end))
        return sorted(stances, key=lambda s: (s.start, s.holder))

    @staticmethod
    def _topics(token: Token, word: StanceWord) -> list[tuple[int, int]]:
        objects: list[Token] = []
        if word.pos == "VERB":
            objects = [c for c in token.children if c.dep_ in ("dobj", "xcomp")]
            if not objects and token.dep_ == "amod" and token.head.pos_ in ("NOUN", "PROPN"):
                # "opposing interference in ...": the parser hung the noun above the verb
                return [s for s in [_topic_span(token.head, skip=token.i)] if s]
            if word.prep:
                objects += [p for c in token.children if c.dep_ == "prep" and c.lower_ ==
                            word.prep for p in c.children if p.dep_ == "pobj"]
        elif word.pos == "NOUN":
            objects = [p for c in token.children if c.dep_ == "prep" and c.lower_ == word.prep
                       for p in c.children if p.dep_ in ("pobj", "pcomp")]
        elif word.pos == "ADP" and token.head.lemma_ == "be":
            objects = [c for c in token.children if c.dep_ == "pobj"]
        spans = []
        for obj in objects:
            for item in (obj, *obj.conjuncts, *_misattached_conjuncts(obj)):
                span = _topic_span(item)
                if span is not None:
                    spans.append(span)
        return spans

    @staticmethod
    def _holders(token: Token, actors: ResolvedActors) -> list[str]:
        """Who holds the position: the subject, else the subject of the enclosing clause."""
        current: Token | None = token
        for _ in range(8):
            if current is None:
                break
            subject = _subject(current)
            if subject is not None:
                ids = [i for t in (subject, *subject.conjuncts) for i in actors.at(t)]
                if not ids:
                    ids = [i for c in subject.children if c.dep_ in ("poss", "nmod")
                           for t in (c, *c.conjuncts) for i in actors.at(t)]
                if ids:
                    return list(dict.fromkeys(ids))
            if current.head is current:
                break
            current = current.head
        return []


def _misattached_conjuncts(obj: Token) -> list[Token]:
    """Nouns coordinated with ``obj`` that the parser hung on a verb higher up.

    In "opposing hegemony and the use of force" the small parser often hangs "use" on the
    main verb, as its conjunct or object. A noun that starts right after "and" + ``obj`` and
    hangs on a verb above ``obj`` is coordinated with ``obj``.
    """
    doc = obj.doc
    after = obj.right_edge.i + 1
    if after + 1 >= len(doc) or doc[after].dep_ != "cc":
        return []
    for token in doc[after + 1: min(after + 6, len(doc))]:
        if token.left_edge.i == after + 1 and token.pos_ in ("NOUN", "PROPN") and \
                token.dep_ in ("conj", "dobj") and token.head.pos_ in ("VERB", "AUX") and \
                token.head.is_ancestor(obj):
            return [token]
    return []


def _topic_span(item: Token, skip: int | None = None) -> tuple[int, int] | None:
    """The words of one topic: the phrase without its conjuncts, quote marks or punctuation."""
    excluded = {t.i for c in item.children
                if c.dep_ in ("conj", "cc", "acl", "relcl", "appos") or c.i == skip
                for t in c.subtree}
    words = [t for t in item.subtree if t.i not in excluded]
    while words and (words[0].is_punct or words[0].text in QUOTE_MARKS or
                     words[0].dep_ in ("cc", "preconj")):
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].text in QUOTE_MARKS):
        words.pop()
    if not words:
        return None
    return words[0].idx, words[-1].idx + len(words[-1])
