"""Code events from the dependency parse: (source, verb, target) -> CAMEO + PLOVER.

For each verb the dictionary knows, the coder finds its source (the subject, or the
``by`` agent of a passive), its target (object, dative, the object of a preposition such as
"with" or "against", the subject of a passive), expands coordinations ("Hungary and
Romania") and reads negation and modality. Verbs that frame another verb ("refused to
meet", "threatened to attack", "agreed to sign") are coded together with it when the
dictionary has the combined pattern, and otherwise mark the inner event as negated or
intended. Reported speech ("Wang said China will send aid") codes both the statement and
the reported act.
"""

from __future__ import annotations

from datetime import date

from spacy.tokens import Doc, Span, Token

from detente.actors.resolve import ResolvedActors
from detente.events.dates import resolve_date
from detente.events.ontology import code_event
from detente.events.patterns import PatternMatch, VerbDictionary
from detente.schema import Event

TARGET_PREPS = ("with", "against", "to", "on", "upon", "at", "toward", "towards", "into",
                "for", "from", "over", "in")
# outer verbs that turn the act they govern into its refusal or failure
NEGATING = frozenset({"refuse", "decline", "fail", "reject", "deny"})
# outer verbs that make the act they govern an intention, not a deed
INTENDING = frozenset({"plan", "intend", "want", "seek", "hope", "aim", "expect", "prepare",
                       "try", "attempt", "wish", "consider", "propose", "offer", "promise",
                       "pledge", "vow", "agree", "threaten", "decide"})
MODALS = {"will": "future", "shall": "future", "would": "conditional", "could": "possible",
          "may": "possible", "might": "possible", "should": "obligation", "must": "obligation",
          "can": "possible"}
# roots whose events frame an inner act and stand for it (intent, appeal, demand, reject,
# threaten): "vowed to retaliate" is one threat, not a threat and an attack
FRAMING_ROOTS = frozenset({"02", "03", "10", "12", "13"})
RECIPROCAL = frozenset({"each other", "one another"})


class EventCoder:
    """Codes the events of a parsed, actor-resolved document."""

    def __init__(self, verbs: VerbDictionary) -> None:
        self.verbs = verbs

    def code(self, doc: Doc, actors: ResolvedActors, article_date: date | None) -> list[Event]:
        """All events of ``doc``, in text order."""
        events: list[Event] = []
        for number, sent in enumerate(doc.sents):
            events.extend(self._sentence(sent, number, actors, article_date))
        return events

    def _sentence(self, sent: Span, number: int, actors: ResolvedActors,
                  article_date: date | None) -> list[Event]:
        matches: dict[int, PatternMatch] = {}
        for token in sent:
            if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
                found = self.verbs.match(token)
                if found is not None:
                    matches[token.i] = found
        consumed: set[int] = set()
        for i, found in matches.items():
            for t in found.tokens[1:]:
                if t.dep_ == "xcomp" and t.head.i == i:
                    consumed.add(t.i)
            if found.pattern.code[:2] in FRAMING_ROOTS:
                consumed.update(x.i for x in sent.doc[i].children if x.dep_ == "xcomp"
                                and x.i in matches)
        events = []
        for i, found in sorted(matches.items()):
            if i in consumed:
                continue
            event = self._event(found, number, actors, article_date)
            if event is not None:
                events.append(event)
        return events

    def _event(self, found: PatternMatch, number: int, actors: ResolvedActors,
               article_date: date | None) -> Event | None:
        verb = found.tokens[0]
        source, target = self._arguments(verb, found, actors)
        target = [t for t in target if t not in source]
        if not source and not target:
            return None
        info = code_event(found.pattern.code)
        if info.cameo.root == "01" and not (source and target):
            # a statement to no one is speech, which the quote stage keeps; coding it as an
            # event floods the data with "statements" (GDELT's noise)
            return None
        negated, modality = self._polarity(verb)
        tokens = sorted(found.tokens, key=lambda t: t.i)
        start = tokens[0].idx
        end = tokens[-1].idx + len(tokens[-1])
        when = self._date(verb, article_date)
        return Event(
            source=source,
            target=target,
            cameo=info.cameo,
            plover=info.plover,
            negated=negated,
            sentence=number,
            trigger=" ".join(t.text for t in tokens),
            start=start,
            end=end,
            date=when.isoformat() if when else None,
            modality=modality,
        )

    # -- arguments ------------------------------------------------------------------------

    def _arguments(self, verb: Token, found: PatternMatch,
                   actors: ResolvedActors) -> tuple[list[str], list[str]]:
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        source: list[str] = []
        target: list[str] = []
        if passive:
            for child in verb.children:
                if child.dep_ == "agent":
                    for pobj in child.children:
                        if pobj.dep_ == "pobj":
                            source = self._actors_of(pobj, actors)
                if child.dep_ == "nsubjpass":
                    target = self._actors_of(child, actors)
        else:
            subject = _subject(verb)
            if subject is not None:
                source = self._actors_of(subject, actors)
        if not target:
            target = self._target(verb, found, actors)
        if not target and any(_phrase(c) in RECIPROCAL for c in verb.subtree):
            target = []  # reciprocal: the dyads run among the sources
        return _unique(source), _unique(target)

    def _target(self, verb: Token, found: PatternMatch, actors: ResolvedActors) -> list[str]:
        children = list(verb.children)
        xcomps = [c for c in children if c.dep_ == "xcomp"]
        for c in children:
            if c.dep_ in ("dobj", "dative", "attr"):
                hit = self._actors_of(c, actors)
                if hit:
                    return hit
        preps = [c for c in children if c.dep_ == "prep" and c.lower_ in TARGET_PREPS]
        for c in children + [g for x in xcomps for g in x.children]:
            if c.dep_ in ("dobj", "dative"):
                preps += [p for p in c.children if p.dep_ == "prep" and p.lower_ in TARGET_PREPS]
        for x in xcomps:
            preps += [p for p in x.children if p.dep_ == "prep" and p.lower_ in TARGET_PREPS]
            for g in x.children:
                if g.dep_ in ("dobj", "dative"):
                    hit = self._actors_of(g, actors)
                    if hit:
                        return hit
        for prep in preps:
            for pobj in prep.children:
                if pobj.dep_ == "pobj":
                    hit = self._actors_of(pobj, actors)
                    if hit:
                        return hit
        return []

    @staticmethod
    def _actors_of(head: Token, actors: ResolvedActors) -> list[str]:
        """Actors named by a noun phrase's head and its conjuncts ("Hungary and Romania")."""
        found: list[str] = []
        for token in (head, *head.conjuncts):
            ids = actors.at(token)
            if not ids:
                # "Russia's decision", "Moscow and Beijing's efforts": the possessor acts
                for child in token.children:
                    owners = (child, *child.conjuncts)
                    if child.dep_ in ("poss", "nmod") and any(
                            c.dep_ == "case" for o in owners for c in o.children):
                        for owner in (child, *child.conjuncts):
                            ids = ids + actors.at(owner)
            if not ids and token.dep_ != "conj":
                # "the president of France": an actor modifies an empty head
                for child in token.children:
                    if child.dep_ == "prep" and child.lower_ == "of":
                        ids = [i for p in child.children if p.dep_ == "pobj"
                               for i in actors.at(p)]
            found.extend(ids)
        return found

    # -- polarity, modality, date ---------------------------------------------------------

    @staticmethod
    def _polarity(verb: Token) -> tuple[bool, str | None]:
        negated = any(c.dep_ == "neg" for c in verb.children)
        modality = None
        for c in verb.children:
            if c.dep_ == "aux" and c.lower_ in MODALS:
                modality = MODALS[c.lower_]
        outer = verb
        while outer.dep_ in ("xcomp", "conj") and outer.head is not outer:
            outer = outer.head
            lemma = outer.lemma_.lower()
            if lemma in NEGATING:
                negated = not negated
            elif lemma in INTENDING and modality is None:
                modality = "intent"
            if any(c.dep_ == "neg" for c in outer.children):
                negated = not negated
        return negated, modality

    @staticmethod
    def _date(verb: Token, article_date: date | None) -> date | None:
        for token in verb.subtree:
            if token.ent_type_ == "DATE" and token.ent_iob_ == "B":
                ent = next((e for e in verb.doc.ents if e.start == token.i), None)
                if ent is not None and (ent.root.head == verb or ent.root.head.head == verb):
                    found = resolve_date(ent.text, article_date)
                    if found is not None:
                        return found
        return article_date


def _subject(verb: Token) -> Token | None:
    """The subject of ``verb``, borrowed from the governing verb for xcomp and conj verbs."""
    current = verb
    for _ in range(6):
        for child in current.children:
            if child.dep_ in ("nsubj", "csubj", "expl") and child.dep_ != "expl":
                if child.tag_ in ("WDT", "WP") and current.dep_ == "relcl":
                    return current.head
                return child
        if current.dep_ in ("xcomp", "conj", "advcl") and current.head is not current:
            current = current.head
        elif current.dep_ == "relcl":
            return current.head
        elif current.dep_ in ("acl", "pcomp") and current.head is not current:
            # "Moscow and Beijing's efforts in supporting ...": the noun's possessor acts
            head = current.head
            if head.dep_ == "prep":
                head = head.head
            return head if head.pos_ in ("NOUN", "PROPN", "PRON") else None
        else:
            return None
    return None


def _phrase(token: Token) -> str:
    return " ".join(t.lower_ for t in token.subtree)


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))
