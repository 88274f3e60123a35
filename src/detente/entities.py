"""Named entities: organisations, facilities, named projects, and places with their country.

Places come from the named-entity recognizer (GPE, LOC, FAC) and are resolved with the
packaged gazetteer, helped by the country the text gives them ("the Russian city of
Blagoveshchensk", "China's Heihe"). Named projects are noun phrases headed by an
infrastructure or programme noun (data/project_nouns.txt) that carry a name or say what they
connect: "the Power of Siberia gas pipeline", "the highway bridge connecting Blagoveshchensk
and Heihe".
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from detente.actors.dictionary import word_list
from detente.actors.places import Gazetteer
from detente.actors.resolve import ResolvedActors
from detente.schema import Entity

KEPT_LABELS = frozenset({"ORG", "FAC", "GPE", "LOC", "NORP", "EVENT", "LAW", "PRODUCT"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
CONNECTING = frozenset({"connect", "link", "join", "between", "from", "across"})


def project_nouns() -> frozenset[str]:
    """Head nouns of infrastructure projects and programmes."""
    return word_list("project_nouns.txt")


class EntityFinder:
    """Finds entities and places in a parsed, actor-resolved document."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.projects = project_nouns()

    def find(self, doc: Doc, actors: ResolvedActors) -> list[Entity]:
        """Entities of ``doc`` in text order; projects get the label PROJECT."""
        entities: list[Entity] = []
        covered: list[tuple[int, int]] = []
        for span in self._projects(doc):
            entities.append(Entity(span.text, "PROJECT", span.start_char, span.end_char,
                                   None))
            covered.append((span.start, span.end))
        for ent in doc.ents:
            if ent.label_ not in KEPT_LABELS:
                continue
            stripped = _strip_det(ent)
            if stripped is None or _names_person(stripped, actors):
                continue
            span = stripped
            country = self._country(span, actors) if ent.label_ in PLACE_LABELS else None
            if ent.label_ in ("NORP", "GPE") and _names_country(span, actors):
                continue  # a country is an actor, with its mentions there
            entities.append(Entity(span.text, ent.label_, span.start_char, span.end_char,
                                   country))
        return sorted(entities, key=lambda e: (e.start, -e.end))

    def _country(self, span: Span, actors: ResolvedActors) -> str | None:
        own = _actor_country(span, actors)
        if own is not None:
            return own
        hint = _country_hint(span, actors)
        place = self.gazetteer.lookup(span.text, country_hint=hint)
        if place is not None:
            return place.country
        return hint

    def _projects(self, doc: Doc) -> list[Span]:
        found = []
        for token in doc:
            if token.pos_ not in ("NOUN", "PROPN") or token.lemma_.lower() not in self.projects:
                continue
            if token.dep_ in ("compound",) and token.head.lemma_.lower() in self.projects:
                continue  # "gas pipeline project": the outer noun heads it
            # named: "the Power of Siberia gas pipeline", "the Belt and Road Initiative"; a
            # possessive alone ("Pyongyang's weapons programme") does not name a project
            named = any(t.pos_ == "PROPN" for t in token.lefts if t.dep_ in (
                "compound", "nmod", "amod")) or (token.pos_ == "PROPN" and any(
                t.pos_ == "PROPN" for t in token.lefts))
            ent_before = token.i > 0 and doc[token.i - 1].ent_type_ in ("ORG", "FAC", "GPE",
                                                                         "PERSON")
            connects = any(_connecting(c) for c in token.children)
            if not (named or ent_before or connects):
                continue
            excluded = {t.i for c in token.children if c.dep_ in ("appos", "relcl", "conj", "cc")
                        for t in c.subtree}
            words = [t for t in token.subtree if t.i not in excluded]
            while words and words[0].dep_ in ("det", "punct", "poss", "case") and \
                    words[0].pos_ != "PROPN":
                words.pop(0)
            while words and words[-1].is_punct:
                words.pop()
            if words:
                found.append(doc[words[0].i:words[-1].i + 1])
        return found


def _connecting(child: Token) -> bool:
    if child.dep_ == "acl" and child.lemma_.lower() in CONNECTING:
        return True
    return child.dep_ == "prep" and child.lower_ in CONNECTING and any(
        p.pos_ == "PROPN" or p.ent_type_ for p in child.subtree)


def _strip_det(ent: Span) -> Span | None:
    """The entity without a leading "the" or a trailing possessive "'s"."""
    start, end = ent.start, ent.end
    while start < end and ent.doc[start].lower_ == "the":
        start += 1
    while end > start and ent.doc[end - 1].dep_ == "case":
        end -= 1
    return ent.doc[start:end] if start < end else None


def _names_country(span: Span, actors: ResolvedActors) -> bool:
    """The span is a country's name, adjective or capital (not a place inside it)."""
    ids = {i for t in span for i in actors.at(t)}
    return bool(ids) and all(actors.get(i).kind == "country" for i in ids) and all(
        actors.at(t) for t in span if not t.is_punct and t.dep_ != "case")


def _names_person(span: Span, actors: ResolvedActors) -> bool:
    """The recognizer sometimes tags a person's surname as ORG; the actors know better."""
    return any(actors.get(i).kind == "person" for t in span for i in actors.at(t))


def _actor_country(span: Span, actors: ResolvedActors) -> str | None:
    """The country the span itself names ("Russia", "Beijing", "Chinese")."""
    for token in span:
        for actor_id in actors.at(token):
            actor = actors.get(actor_id)
            if actor.kind == "country":
                return actor.country
    return None


def _country_hint(span: Span, actors: ResolvedActors) -> str | None:
    """The country the text gives a place: "China's Heihe", "the Russian city of X"."""
    root = span.root
    for child in root.children:
        if child.dep_ in ("poss", "amod", "compound", "nmod"):
            country = _actor_country(child.doc[child.i:child.i + 1], actors)
            if country:
                return country
    # "the Russian city of Blagoveshchensk": the place is the object of "of"
    head = root.head
    if root.dep_ == "pobj" and head.lower_ == "of":
        noun = head.head
        for child in noun.children:
            if child.dep_ in ("amod", "poss", "compound", "nmod"):
                country = _actor_country(child.doc[child.i:child.i + 1], actors)
                if country:
                    return country
    return None
