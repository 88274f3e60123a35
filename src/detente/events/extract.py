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

from collections.abc import Iterator
from dataclasses import replace
from datetime import date

from spacy.tokens import Doc, Span, Token

from detente.actors.dictionary import word_list
from detente.actors.resolve import ResolvedActors
from detente.events.dates import resolve_date
from detente.events.ontology import code_event
from detente.events.patterns import ActorSlot, PatternMatch, VerbDictionary, companions, nominals
from detente.schema import Actor, Event

TARGET_PREPS = ("with", "against", "to", "on", "upon", "at", "toward", "towards", "into",
                "for", "from", "over", "about", "in", "between", "among")
# prepositions that can name a target but mostly name where the act happened
LOCATIVE_PREPS = frozenset({"at", "in"})
# verbs that mean an attempt when they govern an infinitive, and something else otherwise
ATTEMPT_VERBS = frozenset({"try"})
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
# statements (CAMEO 01): one that reports a coded act gives way to it; one that reports a
# clause with no coded act is about the clause's subject
STATEMENT_ROOT = "01"
# verbs and adjectives that state an intention to do the act they govern
INTENT_FRAMES = frozenset({"agree", "offer", "promise", "pledge", "vow", "plan", "intend",
                           "decide", "propose", "prepare", "ready", "willing", "prepared",
                           "commit", "undertake", "resolve", "volunteer"})
# verbs of an act's phase, which let the verb above them frame the act: "vowed to continue
# fighting" is a vow to fight, "prepared to resume shelling" a preparation to shell
PHASE_VERBS = frozenset({"resume", "continue", "begin", "start", "keep", "renew"})
# getting ready for force (the verb "prepare", not the adjective of "is prepared to") is a
# show of force: CAMEO 15, "military moves that fall short of the actual use of force"
PREPARATION_VERBS = frozenset({"prepare", "ready", "gear"})
FORCE_ROOTS = frozenset({"18", "19", "20"})
POSTURE_CODE = "154"
# the intent code (03x) of each family of cooperative acts
INTENT_CODES = {"04": "036", "045": "039", "046": "036", "05": "032", "057": "030",
                "06": "031", "07": "033", "08": "035", "083": "034", "085": "035",
                "087": "037"}
# the rejection code (12x) of refusing each family of cooperative acts
REFUSAL_CODES = {"03": "120", "04": "125", "045": "126", "05": "120", "057": "127",
                 "06": "121", "07": "122", "08": "124", "083": "123", "01": "120",
                 "02": "120"}
# verbs that carry an event noun: "announced the suspension", "completed its withdrawal"
LIGHT_VERBS = frozenset({"announce", "complete", "begin", "start", "launch", "conduct",
                         "carry", "undertake", "make", "stage", "order", "finish", "continue",
                         "resume", "hold", "issue", "mount", "step", "call", "declare",
                         "lodge", "file", "extend", "end", "halt", "impose", "reimpose"})
# verbs of an event going on, whose subject noun is the event: "Palestinian riots are
# continuing", "clashes erupted between Hindus and Muslims"
HAPPENING_VERBS = frozenset({"continue", "begin", "start", "resume", "erupt", "escalate",
                             "intensify", "spread", "persist", "break", "flare"})
# documents through which their issuer acts: "issued a statement condemning ..."
STATEMENT_NOUNS = frozenset({"statement", "declaration", "communique", "communiqué",
                             "resolution", "letter", "message", "note", "appeal"})
RECIPROCAL = frozenset({"each other", "one another"})
# sectors of a state's own bodies, which it sends or uses rather than acts on
STATE_BODIES = frozenset({"MIL", "COP", "GOV", "SPY", "JUD", "LEG", "IGO"})


class EventCoder:
    """Codes the events of a parsed, actor-resolved document."""

    def __init__(self, verbs: VerbDictionary) -> None:
        self.verbs = verbs
        self.nominals = nominals()
        self.speech = word_list("speech_verbs.txt")

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
            if token.lemma_.lower() in ATTEMPT_VERBS and any(
                    c.dep_ == "xcomp" for c in token.children):
                continue  # "tried to secure": an attempt, not a trial (CAMEO 173)
            if token.pos_ in ("VERB", "AUX") or token.tag_.startswith("VB"):
                found = self.verbs.match(token)
                if (found is None or not found.pattern.companions) and \
                        token.lemma_.lower() in LIGHT_VERBS | HAPPENING_VERBS:
                    found = self.verbs.match_nominal(
                        token, self.nominals, token.lemma_.lower() in HAPPENING_VERBS) or found
                if found is not None:
                    matches[token.i] = found
        self._intentions(sent, matches)
        consumed: set[int] = set()
        for i, found in matches.items():
            verb = sent.doc[i]
            if verb.dep_ in ("advcl", "xcomp") and verb.head.i in matches and \
                    matches[verb.head.i].pattern.code == found.pattern.code and any(
                        c.dep_ == "aux" and c.tag_ == "TO" for c in verb.children):
                # "used tear gas to disperse protesters": the purpose names the same act
                consumed.add(i)
            if verb.dep_ == "advcl" and verb.tag_ == "VBG" and verb.head.i in matches and \
                    matches[verb.head.i].pattern.code[:2] == "14" and \
                    found.pattern.code[:2] in ("02", "10"):
                # "blocked roads demanding that he be reinstated": the protest's own demand
                consumed.add(i)
            for t in found.tokens[1:]:
                # the pattern's own inner verb: "agreed to meet", and "allowed refugees to
                # return" (an infinitive with its own subject, parsed as ccomp)
                if t.head.i == i and (t.dep_ == "xcomp" or (t.dep_ == "ccomp" and any(
                        c.dep_ == "aux" and c.tag_ == "TO" for c in t.children))):
                    consumed.add(t.i)
            if found.pattern.code[:2] in FRAMING_ROOTS:
                # "demanded that the US cancel ...": the demand stands for the act
                consumed.update(x.i for x in sent.doc[i].children if x.dep_ in (
                    "xcomp", "ccomp") and x.i in matches)
            elif found.pattern.code[:2] == STATEMENT_ROOT and any(
                    x.dep_ == "ccomp" and any(t.i in matches and not _background(t, actors)
                                              for t in x.subtree)
                    for x in sent.doc[i].children):
                # "Japan said it will send aid": the act reported stands for the statement
                consumed.add(i)
            elif found.pattern.code[:2] == STATEMENT_ROOT and any(
                    _issued_document(x) and any(c.dep_ == "acl" and c.i in matches
                                                for c in x.children)
                    for x in sent.doc[i].children):
                # "issued a statement condemning X": the condemnation is the event
                consumed.add(i)
        events = self._obligations(sent, number, actors, article_date, consumed)
        for i, found in sorted(matches.items()):
            verb = found.tokens[0]
            if i in consumed or (_background(verb, actors) and verb.head not in found.tokens):
                # (a pattern that names the governing verb, "+ HOSTING * TABASKI", codes it)
                continue
            event = self._event(found, number, actors, article_date)
            if event is not None:
                events.append(event)
                events.extend(_paired(event, found.pattern.reverse))
        return sorted(events, key=lambda e: e.start)

    def _obligations(self, sent: Span, number: int, actors: ResolvedActors,
                     article_date: date | None, consumed: set[int]) -> list[Event]:
        """"The US declared that China must drop barriers": a demand (CAMEO 100).

        Saying that another actor must or should act is demanding it of them: the speaker
        is the source, the subject of the clause the target.
        """
        events = []
        for verb in sent:
            if verb.lemma_.lower() not in self.speech or verb.pos_ != "VERB":
                continue
            for clause in verb.children:
                obliged = any(c.dep_ == "aux" and c.lower_ in ("must", "should")
                              for c in clause.children)
                if clause.dep_ != "ccomp" or not obliged:
                    continue
                speaker, subject = _subject(verb), _subject(clause)
                if speaker is None or subject is None:
                    continue
                source = self._actors_of(speaker, actors)
                target = [t for t in self._actors_of(subject, actors) if t not in source]
                if not source or not target:
                    continue
                info = code_event("100")
                when = self._date(verb, article_date)
                events.append(Event(source, target, info.cameo, info.plover, False, number,
                                    f"{verb.text} {clause.text}", verb.idx,
                                    clause.idx + len(clause), when.isoformat() if when else None,
                                    "obligation"))
                consumed.add(clause.i)  # the demand stands for the act demanded
        return events

    @staticmethod
    def _intentions(sent: Span, matches: dict[int, PatternMatch]) -> None:
        """Code a stated intention or refusal as CAMEO does: "agreed to provide aid" is 033.

        When a verb or adjective of intention ("agree", "offer", "pledge", "plan", "ready",
        "willing") governs a coded act, the pair becomes one event: the intent code of the
        act's family (03x) for a cooperative act, a threat (13x) for a conflictual one
        ("vowed to retaliate"). The inner act is then not coded on its own.
        """
        for i, inner in sorted(matches.items(), reverse=True):
            verb = inner.tokens[0]
            frame = verb.head
            if verb.dep_ != "xcomp" or frame.i == verb.i:
                continue
            phases: tuple[Token, ...] = ()
            while frame.lemma_.lower() in PHASE_VERBS and frame.i not in matches and \
                    frame.dep_ == "xcomp" and frame.head.i != frame.i:
                # "vowed to continue fighting": the vow frames the fighting
                phases, frame = (*phases, frame), frame.head
            # "refused to meet", "failed to reach agreement": the refusal is the event
            refusing = frame.lemma_.lower() in NEGATING
            if not (refusing or frame.lemma_.lower() in INTENT_FRAMES or (
                    frame.i in matches and matches[frame.i].pattern.code[:2] == "03")):
                continue
            if refusing:
                code = refusal_code(inner.pattern.code)
            elif _readying(frame) and inner.pattern.code[:2] in FORCE_ROOTS:
                # "the army prepared to shell the town": troops made ready, not a threat
                code = POSTURE_CODE
            else:
                code = intent_code(inner.pattern.code)
            if code is None:
                continue
            base = matches.get(frame.i, inner)
            pattern = replace(base.pattern, code=code, reverse=None)
            tokens = (frame, *phases, *inner.tokens) if frame.i not in matches else (
                *base.tokens, *phases, *inner.tokens)
            matches[frame.i] = PatternMatch(pattern, tuple(dict.fromkeys(tokens)))
            del matches[i]

    def _event(self, found: PatternMatch, number: int, actors: ResolvedActors,
               article_date: date | None) -> Event | None:
        verb = found.tokens[0]
        source, target = self._arguments(verb, found, actors)
        target = [t for t in target if t not in source]
        if not any(_coded(actors.get(i)) for i in source + target):
            # "20 people were killed": no coded actor (state, IGO, known body) on either
            # side, so there is no dyad to count
            return None
        if not target and found.pattern.code[:2] == "14" and source:
            # protest with no one named: it is aimed at the government where it happens
            target = self._home_government(source, actors)
        if not target and source and _domestic(found.pattern.code, source, actors):
            # "police arrested 12", "police opened fire, killing one": with no one named,
            # the state's own police and courts act on its own people
            target = self._home_government(source, actors)
        negated, modality = self._polarity(verb)
        if any(t.dep_ == "neg" and t.head.i == verb.i for t in found.tokens):
            negated = False  # the pattern codes the negated act ("did n't clash": 904)
        code = found.pattern.code
        if modality == "possible" and any(
                c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless")
                                          for m in c.children) for c in verb.children):
            # "the EU may halt mediation if ...": an act made to hang on a condition is
            # a conditional promise or threat
            modality = "conditional"
        if modality in ("future", "conditional") and not negated:
            # "Japan will send aid", "said it would attack": a stated future act is an
            # intent (03x) or a threat (13x) in CAMEO
            code = intent_code(code) or code
        info = code_event(code)
        if info.cameo.root == STATEMENT_ROOT:
            # "the Washington Post said the US ...": a state speaking of itself is no dyad
            own = {actors.get(i).country for i in source} - {None}
            target = [t for t in target if actors.get(t).country not in own]
        if info.cameo.root == STATEMENT_ROOT and not (source and target):
            # a statement to no one is speech, which the quote stage keeps; coding it as an
            # event floods the data with "statements" (GDELT's noise)
            return None
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
        # "officials suspected of taking kickbacks", "Liberians ordered out": a past
        # participle on a noun is a passive whose subject is that noun
        reduced = verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.pos_ in (
            "NOUN", "PROPN")
        passive = reduced or any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        source: list[str] = []
        target: list[str] = []
        if reduced:
            target = self._actors_of(verb.head, actors)
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
                for other in subject.head.children if not source else ():
                    # "Old foes Gondor and Osgiliath have renewed ties": the parser gives
                    # the verb two subjects, a description and the names it describes
                    if other.dep_ == "nsubj" and other.i != subject.i:
                        source = source or self._actors_of(other, actors)
        if not target and found.pattern.code[:2] in (*FRAMING_ROOTS, STATEMENT_ROOT):
            # "demanded that the US cancel ...": the one asked is the subject of the clause;
            # "Japan believes China can help": the statement is about the clause's subject
            for subject in _clause_subjects(verb):
                if not target:
                    target = self._actors_of(subject, actors)
        noun = next((t for t in found.tokens[1:] if t.dep_ == "nsubj" and t.head.i == verb.i),
                    None)
        if not target and noun is not None:
            # "riots against Israeli policies are continuing": the event noun's own
            # phrase names whom the event is aimed at
            for prep in noun.children:
                for pobj in _prep_objects(prep) if _is_prep(prep) else ():
                    target = target or [i for i in self._actors_of(pobj, actors)
                                        if i not in source]
        if not target:
            target = self._target(verb, found, actors, source)
        if not target:
            # "Gollum allowed that Mordor isn't ...": with no other target, the act bears on
            # the subject of the clause it governs
            for subject in _clause_subjects(verb):
                target = target or [i for i in self._actors_of(subject, actors)
                                    if i not in source]
        if not target and any(_phrase(c) in RECIPROCAL for c in verb.subtree):
            target = []  # reciprocal: the dyads run among the sources
        if found.pattern.source_at or found.pattern.target_at:
            source, target = self._slots(verb, found, actors, passive, source, target)
        return _unique(source), _unique(target)

    def _slots(self, verb: Token, found: PatternMatch, actors: ResolvedActors, passive: bool,
               source: list[str], target: list[str]) -> tuple[list[str], list[str]]:
        """Source and target where the pattern puts them (PETRARCH's ``$`` and ``+``).

        "+ WAS * DEAD IN $": the subject is the target and the source follows "in"; a slot
        the sentence leaves empty keeps the actor the parse gave.
        """
        pattern = found.pattern
        subject = target if passive else source
        near = companions(verb)
        chunks = [c for c in verb.doc.noun_chunks if c.sent.start == verb.sent.start]

        def fill(slot: ActorSlot | None) -> list[str] | None:
            if slot is None:
                return None
            if slot.before_verb:
                return subject
            anchor = verb if slot.after is None else near.get(slot.after)
            if anchor is None:
                return None
            after = [c for c in chunks if c.start > anchor.i]
            if len(after) <= slot.skips:
                return None
            return self._actors_of(after[slot.skips].root, actors) or None

        new_source, new_target = fill(pattern.source_at), fill(pattern.target_at)
        if pattern.target_at and pattern.target_at.before_verb and new_target is not None \
                and not passive:
            source = []  # "+ * MONEY $": the subject receives; the source is elsewhere
        if new_target is not None:
            target = new_target
        if new_source is not None:
            source = new_source
        return source, [t for t in target if t not in source]

    def _target(self, verb: Token, found: PatternMatch, actors: ResolvedActors,
                source: list[str]) -> list[str]:
        """The first strong target; an instrument such as "troops" only when nothing else.

        In "Kenya deployed troops to Somalia" the object names the source's own forces (or
        forces of no country); the target is the object of "to".
        """
        weak: list[str] = []
        for hit in self._targets(verb, actors, found.pattern.code[:2] == "11"):
            if self._is_instrument(hit, source, actors):
                weak = weak or hit
                continue
            return hit
        return weak

    @staticmethod
    def _home_government(source: list[str], actors: ResolvedActors) -> list[str]:
        homes = {actors.get(i).country for i in source} - {None}
        if len(homes) != 1:
            return []
        home = homes.pop()
        state = [a.id for a in actors.actors if a.kind == "country" and a.country == home]
        # "Young Algerians blocked roads ... from President Bouteflika's government": with
        # the country never named, its government named in the text stands for it
        state += [a.id for a in actors.actors if a.kind in ("group", "organization") and
                  a.country == home and a.sector == "GOV"]
        return state[:1]

    @staticmethod
    def _is_instrument(ids: list[str], source: list[str], actors: ResolvedActors) -> bool:
        own = {actors.get(i).country for i in source}
        found = [actors.get(i) for i in ids]
        # the state's own forces and envoys are sent; its students or workers are acted on
        # ("Russian police arrested Russian students")
        return all(a.kind in ("group", "organization") and (a.country is None or
                                                            a.country in own)
                   and (a.sector is None or a.sector[:3] in STATE_BODIES) for a in found)

    def _targets(self, verb: Token, actors: ResolvedActors,
                 complaint: bool = False) -> Iterator[list[str]]:
        """Candidate targets in order of preference. For a complaint or criticism (CAMEO 11)
        the one complained about ("over", "about") comes before the one complained to."""
        children = list(verb.children)
        xcomps = [c for c in children if c.dep_ == "xcomp"]
        # "prepared to resume shelling X": the act at the end of a chain of infinitives
        deeper = [g for x in xcomps for g in x.children if g.dep_ == "xcomp"]
        for x in deeper:
            deeper += [g for g in x.children if g.dep_ == "xcomp"]
        for c in children:
            if c.dep_ in ("dobj", "dative", "attr") and c.pos_ != "ADP":
                hit = self._actors_of(c, actors)
                if hit:
                    yield hit
        preps = [c for c in children if _is_prep(c)]
        for c in children + [g for x in xcomps for g in x.children]:
            if c.dep_ in ("dobj", "dative"):
                # "condemned an attack by X": who did the act the object names is its target
                preps += [p for p in c.children if _is_prep(p) or (
                    p.dep_ == "prep" and p.lower_ == "by")]
        for x in xcomps:
            preps += [p for p in x.children if _is_prep(p)]
            for g in x.children:
                if g.dep_ in ("dobj", "dative"):
                    hit = self._actors_of(g, actors)
                    if hit:
                        yield hit
        # "celebrated Eid at Osgiliath with Gondor": a place is a weaker target than a party
        preps.sort(key=lambda p: (p.lower_ in LOCATIVE_PREPS,
                                  complaint and p.lower_ == "to"))
        for prep in preps:
            for pobj in _prep_objects(prep):
                hit = self._actors_of(pobj, actors)
                if hit:
                    yield hit
        for x in deeper:
            for g in x.children:
                if g.dep_ in ("dobj", "dative"):
                    hit = self._actors_of(g, actors)
                    if hit:
                        yield hit
        # the first actor named deeper in the verb's phrase: "restore ties with Y", "an
        # anti-Y parade", "memos sent by Y" (the target rule of PETRARCH and TABARI)
        for phrase in children + [g for x in xcomps for g in x.children]:
            # "marched close to the border with X": an adverb with a phrase of its own
            adverbial = phrase.dep_ == "advmod" and any(c.dep_ == "prep" for c in phrase.children)
            if phrase.dep_ in ("dobj", "dative", "prep") or _is_prep(phrase) or adverbial:
                for token in _phrase_tokens(phrase):
                    # with its conjuncts: "ties with Mordor, Rohan and Bree"
                    members = [token, *token.conjuncts]
                    if token.dep_ == "compound" and actors.at(token.head) == actors.at(token):
                        # "between Minas Tirith and Osgiliath": the conjuncts of the name
                        members += token.head.conjuncts
                    hit = [i for t in members for i in actors.at(t) if _coded(actors.get(i))]
                    if hit:
                        yield _unique(hit)
                        break
        # "signed an accord to supply Gondor with wheat", "sent troops to help Somalia": the
        # object of the act the verb is done for
        for clause in children:
            if clause.dep_ == "advcl" and any(a.dep_ == "aux" and a.lower_ == "to"
                                              for a in clause.children):
                for obj in clause.children:
                    if obj.dep_ in ("dobj", "dative"):
                        hit = self._actors_of(obj, actors)
                        if hit:
                            yield hit

    @staticmethod
    def _actors_of(head: Token, actors: ResolvedActors, depth: int = 0) -> list[str]:
        """Actors named by a noun phrase's head and its conjuncts ("Hungary and Romania")."""
        found: list[str] = []
        for token in (head, *head.conjuncts, *_split_list(head, actors)):
            ids = actors.at(token)
            if not ids:
                # "Russia's decision", "Moscow and Beijing's efforts": the possessor acts
                for child in token.children:
                    owners = (child, *child.conjuncts)
                    if child.dep_ in ("poss", "nmod") and any(
                            c.dep_ == "case" for o in owners for c in o.children):
                        for owner in (child, *child.conjuncts):
                            ids = ids + actors.at(owner)
            if not ids:
                # "Iranian oil exports", "Ukrainian positions": a country adjective on a noun
                for child in token.children:
                    if child.dep_ in ("amod", "compound", "nmod"):
                        # a country or IGO adjective; any named body as a compound
                        # ("the Palestinian Islamic Jihad movement"), or a one-word
                        # named body the parser made an adjective ("Israeli military
                        # policies"; not a word of a longer name, "West German ...")
                        one_word = not any(actors.at(g) for g in child.children)
                        ids = ids + [i for i in actors.at(child)
                                     if actors.get(i).kind in ("country", "igo") or
                                     (child.dep_ == "compound" and _coded(actors.get(i))) or
                                     (child.dep_ == "amod" and one_word and
                                      _coded(actors.get(i)) and
                                      actors.get(i).kind == "organization")]
            if not ids:
                # "Old allies, Hungary and Romania, signed ...": the names in apposition
                ids = [i for c in token.children if c.dep_ == "appos"
                       for a in (c, *c.conjuncts) for i in actors.at(a)]
            if not ids and token.dep_ != "conj" and depth < 2:
                # "the president of France", "thousands of Iraqi Kurds": the actor is in "of"
                for child in token.children:
                    if child.dep_ == "prep" and child.lower_ == "of":
                        ids = [i for p in child.children if p.dep_ == "pobj"
                               for i in EventCoder._actors_of(p, actors, depth + 1)]
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


def _readying(frame: Token) -> bool:
    """"The army prepared (is preparing) to attack": the verb of making ready, not the
    adjective of willingness ("is prepared to attack", "is ready to fight"), which states an
    intention and so a threat."""
    return frame.lemma_.lower() in PREPARATION_VERBS and frame.pos_ == "VERB" and \
        frame.tag_ != "JJ" and frame.dep_ != "acomp" and \
        not any(c.dep_ == "auxpass" for c in frame.children)


def _paired(event: Event, reverse: str | None) -> list[Event]:
    """The event back from target to source of a paired pattern (PETRARCH's ``[a:b]``):
    "A met B" is A meeting B and B meeting A."""
    if reverse is None or event.negated or not event.source or not event.target:
        return []
    if event.modality in ("future", "conditional"):
        reverse = intent_code(reverse) or reverse
    info = code_event(reverse)
    return [replace(event, source=list(event.target), target=list(event.source),
                    cameo=info.cameo, plover=info.plover)]


def refusal_code(code: str) -> str | None:
    """The CAMEO rejection (12x) of refusing or failing to do a cooperative act ``code``.

    "declined to resign" is 124 (refuse to yield), "refused to meet" 125, "failed to reach
    agreement" 127. Refusing a conflictual act ("refused to attack") stays a negated event.
    """
    if code[:2] == "12" or code_event(code).cameo.quad_class >= 3:
        return None
    return REFUSAL_CODES.get(code[:3], REFUSAL_CODES.get(code[:2], "120"))


def intent_code(code: str) -> str | None:
    """The CAMEO code for stating the intention to do ``code``; None when it is one already.

    Cooperative acts map to the intent code of their family (07x aid -> 033); conflictual
    acts to a threat (138 for force, 130 otherwise).
    """
    if code[:2] in ("03", "13", STATEMENT_ROOT) or code[:2] in FRAMING_ROOTS:
        # a statement said in the future tense ("will deny", "would comment") is still one
        return None
    if code_event(code).cameo.quad_class >= 3:
        return "138" if code[:2] in ("15", "18", "19", "20") else "130"
    return INTENT_CODES.get(code[:3], INTENT_CODES.get(code[:2], "030"))


def _prep_objects(prep: Token) -> list[Token]:
    """The objects of a preposition. The parser sometimes leaves "to" bare and makes its
    object the subject of the clause after it ("granted asylum to five officers holed up
    in ..."): a subject that starts right after the bare preposition is its object."""
    objects = [c for c in prep.children if c.dep_ == "pobj"]
    if objects or prep.i + 1 >= len(prep.doc):
        return objects
    after = prep.doc[prep.i + 1]
    noun = next((t for t in after.doc[after.i:after.sent.end]
                 if t.left_edge.i == after.i and t.dep_ in ("nsubj", "nsubjpass")), None)
    if noun is not None and noun.head.dep_ in ("advcl", "relcl", "acl", "ccomp") and \
            noun.head.head.i == prep.head.i:
        return [noun]
    return objects


def _subject(verb: Token) -> Token | None:
    """The subject of ``verb``, borrowed from the governing verb for xcomp and conj verbs."""
    current = verb
    for _ in range(6):
        for child in current.children:
            if child.dep_ in ("nsubj", "csubj", "expl") and child.dep_ != "expl":
                if child.tag_ in ("WDT", "WP") and current.dep_ == "relcl":
                    return current.head
                return child
        if current.dep_ in ("xcomp", "conj", "advcl", "acomp") and current.head is not current:
            current = current.head
        elif current.dep_ == "relcl":
            return current.head
        elif current.dep_ in ("acl", "pcomp") and current.head is not current:
            # "Moscow and Beijing's efforts in supporting ...": the noun's possessor acts
            head = current.head
            if head.dep_ == "prep":
                head = head.head
            if _issued_document(head):
                # "the PKK issued a statement demanding ...": who issued it demands
                return _subject(head.head)
            return head if head.pos_ in ("NOUN", "PROPN", "PRON") else None
        else:
            return None
    return None


def _split_list(head: Token, actors: ResolvedActors) -> list[Token]:
    """Members of a list of actors the parser split off the noun that closes it.

    "Arnor, Calenardhon and the evil Gondor": the first names hang on "Gondor" as a
    modifier with its own conjuncts; "Mordor, the Shire, Fornost and Bree": the second
    name is an apposition with conjuncts. A modifier or apposition that names a coded
    actor, other than a person, and is itself coordinated (or stands in a coordinated
    list) is a member of the list, as PETRARCH's compound actors are.
    """
    found: list[Token] = []
    listed = bool(head.conjuncts)
    for child in head.children:
        if child.dep_ not in ("nmod", "compound", "appos"):
            continue
        coordinated = bool(child.conjuncts) or any(c.dep_ == "cc" for c in child.children)
        if not (coordinated or (child.dep_ == "appos" and listed)):
            continue
        if child.dep_ == "appos" and (child.left_edge.i == 0 or
                                      head.doc[child.left_edge.i - 1].text != ","):
            continue  # a list's members stand between commas
        if not any(_coded(a) and a.kind != "person" for a in map(actors.get, actors.at(child))):
            continue
        found += [child, *child.conjuncts]
    return found


def _phrase_tokens(head: Token) -> list[Token]:
    """The words of ``head``'s phrase in text order, without the clauses in it that have a
    subject of their own ("the report that Romania released": Romania is not in it)."""
    found = [head]
    for child in head.children:
        # a relative clause with a subject of its own is pruned; a content clause on a noun
        # ("demands that X grant ...", with the mark "that") is part of the phrase
        # a "clause" headed by a noun is a misparse ("an anti- Gondor parade")
        clause = (child.dep_ in ("relcl", "ccomp", "advcl") and child.pos_ in (
            "VERB", "AUX")) or (child.dep_ == "acl" and any(
            c.dep_ in ("nsubj", "nsubjpass") for c in child.children) and not any(
            c.dep_ == "mark" for c in child.children))
        if not clause:
            found += _phrase_tokens(child)
    return sorted(found, key=lambda t: t.i)


def _clause_subjects(verb: Token) -> list[Token]:
    """The subjects of the clauses a verb reports: its ``ccomp`` ("urged that X ..."), then
    a that-clause on its object noun ("made an appeal that X be allowed ...")."""
    found = [s for c in verb.children if c.dep_ == "ccomp" and (s := _subject(c)) is not None]
    for obj in verb.children:
        if obj.dep_ != "dobj":
            continue
        for clause in obj.children:
            if clause.dep_ in ("acl", "ccomp") and any(
                    m.dep_ == "mark" and m.lower_ == "that" for m in clause.children):
                # the clause's own subject: _subject would climb to the noun it describes
                found += [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    return found


def _background(verb: Token, actors: ResolvedActors) -> bool:
    """A verb that describes a thing or a purpose, not an act the sentence reports.

    "a resolution that aims to impose a blockade", "the curfew imposed last year" (clauses
    on a noun that is not an actor), "sent troops to help defend" (an infinitive of
    purpose), "without returning", "accused of restoring" and "a proposal for signing" (a
    gerund that did not happen, is alleged or is proposed) are background: coding them adds
    events the article does not report.
    """
    token = verb
    for _ in range(8):
        if token.dep_ in ("relcl", "acl") and not actors.at(token.head) and not (
                token.dep_ == "acl" and _issued_document(token.head)):
            return True
        if token.dep_ == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to"
                                         for c in token.children):
            return True
        if token.dep_ == "pcomp" and (
                token.head.lower_ == "without"  # "resigned without returning"
                or (token.head.lower_ == "of" and token.head.head.pos_ in ("VERB", "ADJ"))
                # "accused X of restoring", "suspected of taking": alleged, not reported
                or (token.head.head.pos_ == "NOUN" and not actors.at(token.head.head))):
            # "a proposal for signing an accord": a thing proposed, not done
            return True
        if token.dep_ in ("ccomp", "ROOT") or token.head is token:
            return False
        token = token.head
    return False


def _domestic(code: str, source: list[str], actors: ResolvedActors) -> bool:
    """A coercive act (CAMEO 17) of a state body, or force (18-20) used by its police."""
    sectors = {actors.get(i).sector for i in source}
    if code[:2] == "17":
        return sectors <= {"COP", "GOV", "JUD", "SPY", "MIL"}
    return code[:2] in ("18", "19", "20") and sectors == {"COP"}


def _issued_document(noun: Token) -> bool:
    """A statement someone issued: "the PKK issued a declaration demanding ..." (the
    clause on the noun is the issuer's act)."""
    return noun.lemma_.lower() in STATEMENT_NOUNS and noun.dep_ == "dobj"


def _coded(actor: Actor) -> bool:
    """The actor has a country or an actor code of its own (not "---" + sector)."""
    return bool(actor.country or actor.kind == "igo" or (
        actor.code and not actor.code.startswith("---")))


def _is_prep(token: Token) -> bool:
    """A preposition that can introduce a target ("to" in "send aid to X" is often dative)."""
    return token.lower_ in TARGET_PREPS and (
        token.dep_ == "prep" or (token.dep_ == "dative" and token.pos_ == "ADP"))


def _phrase(token: Token) -> str:
    return " ".join(t.lower_ for t in token.subtree)


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))
