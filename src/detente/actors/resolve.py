"""Resolve actor mentions in a parsed article to :class:`~detente.schema.Actor` records.

The resolver finds, in this order:

1. names from the dictionaries (countries, their adjectives and capitals, IGOs, named
   institutions), with a spaCy ``PhraseMatcher`` so the matching runs in C;
2. role nouns ("foreign minister", "troops"), given a country from their own noun phrase
   ("China's", "Russian", "of Japan") and a person when a name stands beside them
   ("China's Foreign Minister, Wang Yi", "Russian President Vladimir Putin");
3. later references to people: the surname ("Wang stated"), a role noun ("the diplomat",
   "the minister") and he/she, each to the nearest compatible person;
4. plural references to a pair of countries ("the two nations", "both countries").

The result maps every token that names an actor to that actor's id, which is how the
event, quote and stance stages find who did what.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from detente.actors.dictionary import (
    DATA,
    ActorDictionary,
    ActorEntry,
    AgentEntry,
    country_on,
    read_tsv,
    word_list,
)
from detente.actors.petrarch import compose_code
from detente.actors.places import Gazetteer
from detente.schema import Actor, ActorKind, Mention

PAIR_NOUNS = frozenset({"nation", "country", "side", "government", "state", "neighbour",
                        "neighbor", "power", "partner", "capital", "leader"})
SECTOR_NAMES = {"GOV": "government", "MIL": "military", "COP": "police", "REB": "rebels",
                "OPP": "opposition", "JUD": "judiciary", "LEG": "legislature",
                "BUS": "business", "MED": "media", "CVL": "civilians", "SPY": "intelligence",
                "EDU": "education", "HLH": "health", "LAB": "labour", "REF": "refugees",
                "ELI": "elites", "AGR": "agriculture", "ENV": "environment",
                "HRI": "human rights", "CRM": "criminals", "INS": "insurgents",
                "SEP": "separatists", "REL": "religious", "NGO": "NGOs", "IGO": "IGOs"}
LOCATIVE = frozenset({"in", "at", "near", "to", "from", "into", "outside", "around", "toward",
                      "towards", "across", "off", "between"})
PLACE_NOUNS = frozenset({"city", "town", "village", "island", "province", "region", "port",
                         "district", "state", "capital", "county", "area", "border", "valley",
                         "river", "lake", "mountain", "base", "camp", "prefecture", "oblast"})
DOCUMENT_NOUNS = frozenset({"statement", "report", "email", "letter", "document", "study",
                            "poll", "survey", "article", "tweet", "post", "video", "ad",
                            "advertisement", "release", "communique", "memo", "book",
                            "editorial", "website", "message"})
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
FIRST_PERSON = frozenset({"i", "me", "we", "us"})
_ACRONYM = re.compile(r"^[A-Z0-9.&+-]+$")


@lru_cache(maxsize=1)
def _role_references() -> dict[str, frozenset[str]]:
    """Generic role nouns and the specific roles they can refer back to."""
    table: dict[str, frozenset[str]] = {}
    for _, row in read_tsv(DATA / "role_references.tsv", ("noun", "roles")):
        table[row["noun"]] = frozenset(r.strip() for r in row["roles"].split("|") if r.strip())
    return table


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "actor"


def _is_exact_case(phrase: str) -> bool:
    """Acronyms ("US", "WHO", "AU") match only in capitals, so "us" and "who" do not."""
    letters = [c for c in phrase if c.isalpha()]
    return bool(letters) and _ACRONYM.match(phrase) is not None and len(phrase) <= 8


@dataclass
class ResolvedActors:
    """The actors of one document and which tokens name them."""

    actors: list[Actor]
    by_token: dict[int, list[str]]
    persons_by_position: list[tuple[int, str]] = field(default_factory=list)

    def at(self, token: Token) -> list[str]:
        """Actor ids named by ``token`` (empty when it names none)."""
        return self.by_token.get(token.i, [])

    def assign(self, token: Token, actor_id: str) -> None:
        """Name ``actor_id`` by ``token`` and record the mention (used for I/we in quotes)."""
        self.by_token[token.i] = [actor_id]
        for actor in self.actors:
            if actor.id == actor_id:
                actor.mentions.append(Mention(token.text, token.idx, token.idx + len(token)))
                actor.mentions.sort(key=lambda m: m.start)
                return

    def describe(self, head: Token) -> str:
        """An actor for a description the dictionaries do not know ("his friend", "the group").

        Used for speakers: a quote is attributed to whoever the text says spoke. The actor
        has no country or code; its mention is the noun phrase without clauses.
        """
        doc = head.doc
        excluded = {t.i for c in head.children if c.dep_ in ("relcl", "acl", "appos", "punct")
                    for t in c.subtree}
        words = [t for t in head.subtree if t.i not in excluded]
        start = min(t.i for t in words)
        end = max(t.i for t in words) + 1
        span = doc[start:end]
        text = span.text
        kind: ActorKind = "group" if head.tag_ in ("NNS", "NNPS") else "person"
        if head.lemma_.lower() in DOCUMENT_NOUNS:
            kind = "organization"  # "the statement said": a body speaks through it
        actor_id = "desc-" + _slug(text)
        for actor in self.actors:
            if actor.id == actor_id:
                break
        else:
            actor = Actor(actor_id, text, kind)
            self.actors.append(actor)
        actor.mentions.append(Mention(text, span.start_char, span.end_char))
        for token in span:
            self.by_token.setdefault(token.i, [actor_id])
        return actor_id

    def get(self, actor_id: str) -> Actor:
        """The actor with ``actor_id``."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)


class _Registry:
    """Actors of one document, created once per identity and named by token spans."""

    def __init__(self) -> None:
        self.actors: dict[str, Actor] = {}
        self.keys: dict[tuple[str, ...], str] = {}
        self.by_token: dict[int, list[str]] = {}
        self.person_mentions: list[tuple[int, str]] = []  # (token index, person id)

    def get(self, key: tuple[str, ...], make: Actor) -> Actor:
        if key in self.keys:
            return self.actors[self.keys[key]]
        actor_id, n = make.id, 2
        while actor_id in self.actors:
            actor_id, n = f"{make.id}-{n}", n + 1
        make.id = actor_id
        self.actors[actor_id] = make
        self.keys[key] = actor_id
        return make

    def name(self, actor: Actor, span: Span, tokens: Span | None = None) -> None:
        """Record ``span`` as a mention of ``actor`` and map its tokens (or ``tokens``)."""
        mention = Mention(span.text, span.start_char, span.end_char)
        if mention not in actor.mentions:
            actor.mentions.append(mention)
        for token in tokens if tokens is not None else span:
            self.by_token[token.i] = [actor.id]
        if actor.kind == "person":
            self.person_mentions.append((span.start, actor.id))

    def result(self) -> ResolvedActors:
        actors = [a for a in self.actors.values() if a.mentions]
        for actor in actors:
            actor.mentions.sort(key=lambda m: m.start)
        actors.sort(key=lambda a: a.mentions[0].start)
        return ResolvedActors(actors, self.by_token, sorted(self.person_mentions))


class ActorResolver:
    """Finds and resolves actors in parsed documents; build once, use for every article."""

    def __init__(self, nlp: Language, dictionary: ActorDictionary,
                 gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer
        self.vocab = nlp.vocab
        self.names_exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.names = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.roles = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.name_entries: dict[str, list[ActorEntry]] = {}
        self.role_entries: dict[str, AgentEntry] = {}
        exact: list[str] = []
        folded: list[str] = []
        for entry in dictionary.actors:
            # PETRARCH dictionaries write every name in capitals: case tells nothing there
            exact_case = entry.form != "petrarch" and _is_exact_case(entry.phrase)
            key = entry.phrase if exact_case else entry.phrase.lower()
            if key not in self.name_entries:
                (exact if exact_case else folded).append(entry.phrase)
                self.name_entries[key] = []
            # later entries (a user's dictionary) win: they go first
            self.name_entries[key].insert(0, entry)
        for phrases, matcher in ((exact, self.names_exact), (folded, self.names)):
            for phrase in phrases:
                key = phrase if matcher is self.names_exact else phrase.lower()
                matcher.add(key, [nlp.make_doc(p) for p in _spellings(phrase)])
        role_phrases = []
        for agent in dictionary.agents:
            key = agent.phrase.lower()
            if key not in self.role_entries:
                role_phrases.append(key)
            self.role_entries[key] = agent
        for phrase in role_phrases:
            self.roles.add(phrase, [nlp.make_doc(p) for p in _spellings(phrase)])
        self.surnames_first = word_list("surnames_first.txt")
        self.ngo_nouns = word_list("ngo_nouns.txt")
        self.country_names = {e.country: e.name for e in dictionary.actors
                              if e.kind == "country" and e.country}
        self.role_refs = _role_references()

    # -- matching -------------------------------------------------------------------------

    def _name_spans(self, doc: Doc, on: date | None = None) -> list[tuple[Span, ActorEntry]]:
        spans: list[Span] = []
        for matcher in (self.names_exact, self.names):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                key = self.vocab.strings[match_id]
                # a name is written with its capitals: "Turkey" the state, not "turkey";
                # "Russia Today" the channel, not "visited Russia today"
                if matcher is self.names and not self._capitals_match(key, span):
                    continue
                span.label_ = key
                spans.append(span)
        out = []
        for span in filter_spans(spans):
            entries = self.name_entries.get(span.label_) or []
            if on is not None and len(entries) > 1:
                # "Bush" in 1990 is the elder, in 2005 the younger: the entry whose
                # dated codes cover the document's date goes first
                current = [e for e in entries if any(
                    d.applies(on) and (d.start or d.end) for d in e.dated_codes)]
                entries = current or entries
            if entries:
                out.append((span, entries[0]))
        return out

    def _capitals_match(self, key: str, span: Span) -> bool:
        # a name that starts with "the" is written "the Shire" inside a sentence
        first = span[1] if len(span) > 1 and span[0].lower_ == "the" else span[0]
        if not first.text[:1].isupper():
            return False
        entry = self.name_entries[key][0]
        if entry.form == "petrarch":
            return True
        words = entry.phrase.split()
        if len(words) != len(span) or len(words) == 1:
            return True
        return all(t.text[:1].isupper() or not w[:1].isupper() for w, t in zip(words, span,
                                                                              strict=True))

    def _role_spans(self, doc: Doc, taken: set[int]) -> list[tuple[Span, AgentEntry]]:
        spans = []
        for match_id, start, end in self.roles(doc):
            span = doc[start:end]
            if any(t.i in taken for t in span) or span.root.pos_ not in ("NOUN", "PROPN"):
                continue
            person = next((e for e in doc.ents if e.start <= start < e.end), None) \
                if span[0].ent_type_ == "PERSON" else None
            if person is not None and person.start < start:
                continue  # a word of a name: "Tom King", "Jack Marshall"
            span.label_ = self.vocab.strings[match_id]
            spans.append(span)
        return [(s, self.role_entries[s.label_]) for s in filter_spans(spans)]

    # -- resolution -----------------------------------------------------------------------

    def resolve(self, doc: Doc, on: date | None = None) -> ResolvedActors:
        """Resolve every actor mention in ``doc``; ``on`` picks dated dictionary codes."""
        reg = _Registry()
        country_of: dict[int, str] = {}  # token index -> ISO3 of a country name/adjective
        # token index -> the code of an actor that is no ISO country but stands as one in an
        # imported dictionary (a fictional ARC in PETRARCH's tests): "Arcadia's police" is ARCCOP
        owner_of: dict[int, str] = {}
        taken: set[int] = set()

        ethnic_home: dict[str, str | None] = {}  # a people's own country, if no place
        # token index -> ISO3 of a known office holder: "Bouteflika's government",
        # "the Bush administration", "supporters of Ben Bella" belong to that country
        leader_of: dict[int, str] = {}
        name_spans = self._name_spans(doc, on)
        country_at = {t.i: e.country for sp, e in name_spans if e.kind == "country"
                      and e.country for t in sp}
        for span, entry in name_spans:
            if entry.form == "adjective" and entry.country and span.root.tag_ in (
                    "NNS", "NNPS") and span.root.dep_ not in ("amod", "compound"):
                # "Young Algerians blocked roads": the people of a country, not its state;
                # "Bosnian Serbs", "Iraqi Kurds": the people of the country named before
                people = AgentEntry(span.text, "CVL", "group", "civilians")
                home = next((country_at[c.i] for c in span.root.children
                             if c.dep_ in ("amod", "compound") and c.i in country_at
                             and c.i < span.start), entry.country)
                if _ethnic(span.root):
                    # "ethnic Albanians in Serbia": a people where they live, found below
                    # from the places around them (CAMEO codes the state of residence);
                    # with no place named, the people's own country
                    actor = reg.get(("ethnic", span.text.lower()),
                                    Actor(_slug(f"ethnic {span.text}"), span.text, "group",
                                          None, "CVL", "---CVL", "civilians"))
                    ethnic_home.setdefault(actor.id, home)
                    reg.name(actor, span)
                    taken.update(t.i for t in span)
                    continue
                actor = self._group(reg, people, home)
                reg.name(actor, span)
                taken.update(t.i for t in span)
                continue
            if entry.members:
                # THE_SHIRE [FRO/BIL/SAM]: the name stands for, and acts as, every member
                ids = []
                for member in entry.members:
                    part = reg.get(("organization", member),
                                   Actor(_slug(member), f"{entry.name} ({member})",
                                         "organization", None, None, member))
                    reg.name(part, span)
                    ids.append(part.id)
                for t in span:
                    reg.by_token[t.i] = ids
                taken.update(t.i for t in span)
                continue
            actor = self._actor_for_entry(reg, entry, on)
            reg.name(actor, span)
            taken.update(t.i for t in span)
            if entry.kind == "person" and actor.country:
                leader_of.update((t.i, actor.country) for t in span)
            if entry.kind == "country" and entry.country:
                for t in span:
                    country_of[t.i] = actor.country or entry.country
            elif entry.form == "petrarch" and entry.kind == "organization" and actor.code \
                    and actor.code[:1].isalnum():
                # PETRARCH puts an agent's code after the whole code of the actor it belongs
                # to: "Arnor cleric" ARN+REL, "activists of Amnesty International" NGM+OPP,
                # "White House officials" USAGOV+GOV = USAGOV (a part already held is dropped)
                for t in span:
                    owner_of[t.i] = actor.code

        persons = [e for e in doc.ents if e.label_ == "PERSON" and not any(
            t.i in taken for t in e) and not self._is_place(e)]
        person_at = {t.i: ent for ent in persons for t in ent}

        deferred: list[tuple[Span, AgentEntry, str | None, str | None]] = []
        for span, agent in self._role_spans(doc, taken):
            head = span.root.head
            if agent.prefix and span.root.dep_ in ("compound", "nmod", "amod") and \
                    head.i >= span.end and (head.i in owner_of or head.i in country_of):
                # "MSF Arnor": a prefix agent ([NGO~]) before the actor it belongs to gives
                # that actor its code (NGOARN), which agents after it build on (NGOARNGOV)
                code = compose_code(owner_of.get(head.i) or country_of[head.i], agent.sector
                                    or "", prefix=True)
                phrase = doc[span.start:head.i + 1]
                actor = reg.get(("group", code), Actor(_slug(code), phrase.text, "organization",
                                                       country_of.get(head.i), agent.sector,
                                                       code, agent.role))
                reg.name(actor, phrase)
                owner_of[head.i] = code
                taken.update(t.i for t in span)
                continue
            owner = self._named_owner(span, reg, country_of | owner_of) \
                if agent.kind != "person" else None
            if owner is not None:
                # "the People's Daily newspaper", "the BRICS group": the noun names the body
                reg.name(owner, span)
                taken.update(t.i for t in span)
                continue
            country = self._country_context(span, country_of) or \
                self._country_context(span, leader_of)
            ethnic = country if country and _ethnic(span.root) else None
            if ethnic:
                country = None  # "ethnic Albanian guerrillas operating in Macedonia"
            # "the Calenardhon government", "Arcadia's police": an imported dictionary's
            # actor that stands as a country lends its code to the agent (CALGOV, ARCCOP)
            owner_code = None if country else self._owner_context(span, owner_of)
            if agent.kind == "person" and span.root.tag_ in ("NNS", "NNPS"):
                agent = replace(agent, kind="group")
            leader = self._titled_leader(span, reg) if agent.kind == "person" else None
            if leader is not None:
                # "Secretary-General Kofi Annan", "Russian President Putin": the dictionary
                # already knows the office holder; the title is one more mention of them
                if leader.code is None or len(leader.code) <= 3:
                    # out of office on this date, the title says what they act as now:
                    # "Arab League Secretary General Amr Moussa" (a former foreign minister)
                    igo = self._igo_context(span, reg)
                    now = country or owner_code
                    if igo is not None and igo.code:
                        leader.country, leader.sector, leader.code = None, "IGO", igo.code
                    elif now:
                        leader.country, leader.sector = now, agent.sector
                        leader.code = _code(now, agent.sector)
                    leader.role = agent.role if (igo or now) else leader.role
                reg.name(leader, self._np_span(span, country_of), span)
                taken.update(t.i for t in span)
                continue
            owners, absorbed = ([], []) if ethnic or agent.kind == "person" else \
                self._owners(span, country_of, owner_of)
            if len(owners) > 1:
                # "the ambassadors of Arnor, Osgiliath and Gondor": one group for each owner
                ids = []
                for owner_country, owner_code_of in owners:
                    group = self._group(reg, agent, owner_country, owner_code_of)
                    reg.name(group, self._np_span(span, country_of), span)
                    ids.append(group.id)
                for t in span:
                    reg.by_token[t.i] = ids
                for t in absorbed:
                    reg.by_token.pop(t.i, None)
                taken.update(t.i for t in span)
                continue
            titled = self._titled_name(span, reg) if agent.kind == "person" else None
            if titled is not None:
                # "Bree Prime Minister Romendacil", with ROMENDACIL [BRE] in the dictionary:
                # the title gives the named actor its sector (BREGOV), as PETRARCH does
                titled.sector = agent.sector
                titled.code = _code(titled.country or titled.code, agent.sector, agent.prefix)
                titled.role = titled.role or agent.role
                reg.name(titled, span)
                taken.update(t.i for t in span)
                continue
            named = self._named_person(span, person_at, taken) if agent.kind == "person" else None
            if named is not None:
                agent = self._counterpart(span, agent, reg)
                country = country or self._country_context(named, country_of)
                actor = self._person(reg, named, agent, country, owner_code)
                if actor.country is None:
                    # "the EU's foreign policy chief, Katarina Holm": she acts for the IGO
                    igo = self._igo_context(span, reg) or self._igo_context(named, reg)
                    actor.code = igo.code if igo is not None else actor.code
                reg.name(actor, named)
                reg.name(actor, self._np_span(span, country_of), span)
                taken.update(t.i for t in named)
            elif agent.kind == "person":
                deferred.append((span, agent, country, owner_code))
            else:
                igo = None if country or owner_code else self._igo_context(span, reg)
                if igo is not None and agent.sector != "IGO" and igo.code:
                    # "European Community foreign ministers": they act as the IGO
                    actor = reg.get(("group", igo.code, agent.role),
                                    Actor(_slug(f"{igo.code} {agent.role}"),
                                          f"{igo.name} ({agent.role})", agent.kind, None,
                                          agent.sector, igo.code, agent.role))
                else:
                    actor = self._group(reg, agent, country, owner_code)
                    if ethnic:
                        ethnic_home.setdefault(actor.id, ethnic)
                reg.name(actor, self._np_span(span, country_of), span)
            taken.update(t.i for t in span)

        for ent in persons:
            if any(t.i in taken for t in ent):
                continue
            actor = self._known_person(reg, ent) or self._person(reg, ent, None, None)
            reg.name(actor, ent)
            taken.update(t.i for t in ent)

        self._surnames(doc, reg, taken)
        for ent in doc.ents:
            # an organisation the dictionaries do not know still acts and speaks
            if ent.label_ != "ORG" or any(t.i in taken for t in ent):
                continue
            if ent.root.dep_ in ("compound", "nmod") and ent.root.head.pos_ == "NOUN":
                continue  # a name modifying a thing: "the Power of Siberia gas pipeline"
            name = _without_article(ent)
            if name is None:
                continue
            # "the Association of African Jurists": a civil-society name is an NGO
            ngo = any(t.lower_ in self.ngo_nouns for t in name)
            known = _abbreviated(ent, reg)
            actor = reg.actors[known[0]] if len(known) == 1 else reg.get(
                ("organization", name.text.lower()),
                Actor(_slug(name.text), name.text, "organization", None,
                      "NGO" if ngo else None, "NGO" if ngo else None))
            reg.name(actor, name)
            taken.update(t.i for t in ent)

        for span, agent, country, owner_code in deferred:
            self._role_reference(doc, reg, span, agent, country, country_of, owner_code)
        self._pronouns(doc, reg)
        self._pairs(doc, reg, country_of)
        self._countries_from_places(doc, reg, country_of, on)
        for group_id, own in ethnic_home.items():
            group = reg.actors[group_id]
            if group.country is None and own:
                group.country, group.code = own, _code(own, group.sector)
                label = SECTOR_NAMES.get(group.sector or "", group.role or "")
                group.name = f"{self.country_names.get(own, own)} ({label})"
        return reg.result()

    def _is_place(self, ent: Span) -> bool:
        """A "person" the recognizer found where a place stands.

        "the city of Goma", "the Greek island of Kasos", or a known place after a locative
        preposition ("near Izmir", "between Goma and Gisenyi").
        """
        token = ent.root
        while token.dep_ == "conj" and token.head is not token:
            token = token.head
        if token.dep_ != "pobj":
            return False
        prep = token.head
        if prep.lower_ == "of" and prep.head.lemma_.lower() in PLACE_NOUNS:
            return True
        return (self.gazetteer is not None and prep.lower_ in LOCATIVE
                and self.gazetteer.lookup(ent.text) is not None)

    def _place_country(self, token: Token, country_of: dict[int, str],
                       on: date | None = None) -> str | None:
        """The country a token names, as a country or as a place in one ("Algiers")."""
        if token.i in country_of:
            return country_of[token.i]
        if self.gazetteer is not None and token.ent_type_ in ("GPE", "LOC"):
            ent = next((e for e in token.doc.ents if e.start <= token.i < e.end), None)
            if ent is not None:
                place = self.gazetteer.lookup(ent.text)
                return country_on(place.country, on) if place is not None else None
        return None

    def _countries_from_places(self, doc: Doc, reg: _Registry,
                               country_of: dict[int, str], on: date | None = None) -> None:
        """Give people and groups with no country the country where the text puts them.

        "Opposition groups in Zimbabwe", "rebels in the Ivory Coast": the place in their
        own noun phrase; else the only country (or place in a country) named in the
        sentence of their first mention.
        """
        for actor in reg.actors.values():
            # a role-noun body ("a newspaper based in Beirut") too, by its own noun phrase
            body = actor.kind == "organization" and actor.role is not None
            if actor.country is not None or (actor.kind not in ("person", "group") and
                                             not body) or (
                    actor.code and not actor.code.startswith("---")):
                continue  # an IGO's, or an imported actor's ("FORLEG"): it has its owner
            first = min(actor.mentions, key=lambda m: m.start, default=None)
            span = doc.char_span(first.start, first.end, alignment_mode="expand") \
                if first is not None else None
            if span is None:
                continue
            head = span.root
            found = None
            # "a newspaper based in Beirut", "guerrillas operating in Macedonia": the place
            # of a participle of being somewhere on the noun is theirs as well
            owners = [head, *(c for c in head.children if c.dep_ == "acl"
                              and c.lower_ in LOCATIVE_PARTICIPLES)]
            for prep in (p for owner in owners for p in owner.children):
                if prep.dep_ == "prep" and prep.lower_ in ("in", "from", "of"):
                    for pobj in prep.children:
                        found = found or self._place_country(pobj, country_of, on)
            if body and found is None:
                continue
            if found is None and actor.kind == "group":
                # "people blocked streets in Hong Kong", "killed 23 people when they blew
                # themselves up in Tel Aviv": a crowd or the victims are where it happens
                found = self._clause_place(head, country_of, on)
            if found is None and (actor.kind == "group" or actor.role is not None):
                # a named person without a title may well be a foreigner where they speak
                named = {c for t in span.sent if (c := self._place_country(t, country_of, on))}
                found = named.pop() if len(named) == 1 else None
            if found is not None:
                actor.country = found
                actor.code = _code(found, actor.sector)
                if actor.kind == "group" and actor.sector:
                    label = SECTOR_NAMES.get(actor.sector, actor.role or actor.sector)
                    actor.name = f"{self.country_names.get(found, found)} ({label})"

    def _clause_place(self, head: Token, country_of: dict[int, str],
                      on: date | None) -> str | None:
        """The country of the place where the clause of ``head`` happens: "in", "at" or
        "near" a place on its verb, on the verb's object, or on a clause it governs."""
        verb = head
        for _ in range(6):
            if verb.pos_ in ("VERB", "AUX") or verb.dep_ == "ROOT":
                break
            if verb.dep_ not in ("pobj", "prep", "conj", "appos", "compound", "nmod", "amod",
                                 "nummod", "quantmod", "nsubj", "nsubjpass", "dobj"):
                return None
            verb = verb.head
        if verb.pos_ not in ("VERB", "AUX"):
            return None
        heads = [verb]
        heads += [c for c in verb.children if c.dep_ in ("dobj", "advcl")]
        heads += [g for c in verb.children if c.dep_ == "advcl" for g in c.children
                  if g.dep_ == "dobj"]
        for owner in heads:
            for prep in owner.children:
                if prep.dep_ == "prep" and prep.lower_ in ("in", "at", "near"):
                    for pobj in prep.children:
                        if pobj.dep_ == "pobj" and pobj.i != head.i:
                            found = self._place_country(pobj, country_of, on)
                            if found:
                                return found
        return None

    def _actor_for_entry(self, reg: _Registry, entry: ActorEntry, on: date | None) -> Actor:
        code = entry.code_on(on)
        if entry.kind == "country":
            iso3 = entry.country or code or entry.name
            if entry.form == "capital":
                # "Juba" in an article of 2000 is a city of Sudan, not of South Sudan
                before = country_on(iso3, on)
                if before != iso3:
                    return reg.get(("country", before), Actor(
                        before, self.country_names.get(before, before), "country", before,
                        None, before))
            return reg.get(("country", iso3),
                           Actor(iso3, entry.name, "country", iso3, None, iso3))
        if entry.kind == "person":
            sector = code[3:6] if code and len(code) >= 6 else entry.sector
            country = code[:3] if code and len(code) >= 3 else entry.country
            if code and code.startswith(("IGO", "NGO")):
                # "Kofi Annan" [IGOUNO]: an official of an organisation, no country
                country, sector = None, code[:3]
            return reg.get(("person", entry.name.lower()),
                           Actor(_slug(entry.name), entry.name, "person", country, sector or None,
                                 code, entry.role))
        actor_id = code if entry.kind == "igo" and code else _slug(entry.name)
        return reg.get((entry.kind, entry.name.lower()),
                       Actor(actor_id, entry.name, entry.kind, entry.country, entry.sector, code,
                             entry.role))

    def _person(self, reg: _Registry, name: Span, agent: AgentEntry | None,
                country: str | None, owner: str | None = None) -> Actor:
        text = name.text.strip()
        known = self._known_person(reg, name)
        if known is not None:
            if agent is not None and known.role is None:
                known.role, known.sector = agent.role, agent.sector
                known.country = known.country or country
                known.code = _code(known.country or owner, known.sector, agent.prefix)
            return known
        sector = agent.sector if agent else None
        return reg.get(("person", text.lower()),
                       Actor(_slug(text), text, "person", country, sector,
                             _code(country or owner, sector, bool(agent and agent.prefix)),
                             agent.role if agent else None))

    def _known_person(self, reg: _Registry, name: Span) -> Actor | None:
        """A person already in the document whose name or surname this is."""
        text = name.text.strip().lower()
        words = text.split()
        for actor in reg.actors.values():
            if actor.kind != "person":
                continue
            full = actor.name.lower()
            if full == text or (len(words) == 1 and words[0] in self._surname_keys(actor.name)):
                return actor
            if len(words) > 1 and full.split()[-1] == words[-1] and full.split()[0] == words[0]:
                return actor
        return None

    def _group(self, reg: _Registry, agent: AgentEntry, country: str | None,
               owner: str | None = None) -> Actor:
        sector = agent.sector
        code = _code(country or owner, sector, agent.prefix)
        # one actor per country and sector: "Russian troops" and "the Russian army" are RUSMIL
        label = SECTOR_NAMES.get(sector or "", agent.role)
        name = f"{self.country_names.get(country, country)} ({label})" if country \
            else agent.role
        actor_id = code if code and country and sector else _slug(name)
        return reg.get(("group", country or owner or "", sector or agent.role),
                       Actor(actor_id, name, agent.kind, country, sector, code, agent.role))

    def _country_context(self, span: Span, country_of: dict[int, str]) -> str | None:
        """The country a role noun belongs to: "China's", "Russian", "U.S.", "of Japan"."""
        head = span.root
        candidates = [t for t in head.children if t.dep_ in ("poss", "amod", "compound", "nmod")]
        candidates += [t for t in span if t.i != head.i]
        left = head.i - 1
        while left >= span.sent.start and (
            doc_token := head.doc[left]
        ).dep_ in ("poss", "case", "amod", "compound", "nmod", "det", "punct") and \
                doc_token.text not in (",", "(", ")"):
            candidates.append(doc_token)
            left -= 1
        for t in candidates:
            for sub in (t, *t.subtree) if t.dep_ == "poss" else (t,):
                if sub.i in country_of:
                    return country_of[sub.i]
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                for pobj in prep.children:
                    if pobj.i in country_of:
                        return country_of[pobj.i]
        return None

    def _owner_context(self, span: Span, owner_of: dict[int, str]) -> str | None:
        """The imported actor an agent belongs to: as a country is found, or in "from" /
        "in" ("soldiers from Gondor", "activists in Arnor"): PETRARCH composes those too."""
        found = self._country_context(span, owner_of)
        for prep in span.root.children:
            if found is None and prep.dep_ == "prep" and prep.lower_ in ("from", "in"):
                found = next((owner_of[p.i] for p in prep.children if p.i in owner_of), None)
        return found

    @staticmethod
    def _owners(span: Span, country_of: dict[int, str], owner_of: dict[int, str]
                ) -> tuple[list[tuple[str | None, str | None]], list[Token]]:
        """The (country, imported owner code) of each actor a plural agent belongs to, when
        they are coordinated: "ambassadors of Arnor, Osgiliath and Gondor", "lawmakers and
        officials in Fornost and Gondor". A name the parser made a conjunct of the agent
        right after its owner ("lawmakers in [Fornost] and [Gondor]") is an owner too, and
        no longer names an actor of its own: it is returned second."""
        doc = span.doc
        head = span.root
        while head.dep_ == "conj" and head.head.i != head.i:
            head = head.head  # "lawmakers and officials in ...": the owners are shared
        found: list[tuple[str | None, str | None]] = []
        absorbed: list[Token] = []
        for prep in head.children:
            if prep.dep_ != "prep" or prep.lower_ not in ("of", "in", "from"):
                continue
            names = [t for p in prep.children if p.dep_ == "pobj" for t in (p, *p.conjuncts)]
            end = prep.right_edge.i
            split = [c for c in head.conjuncts if c.i == end + 2 and doc[end + 1].dep_ == "cc"
                     and (c.i in country_of or c.i in owner_of)]
            names += split
            absorbed += split
            for t in names:
                if t.i in country_of:
                    found.append((country_of[t.i], None))
                elif t.i in owner_of:
                    found.append((None, owner_of[t.i]))
        return list(dict.fromkeys(found)), absorbed

    @staticmethod
    def _titled(span: Span, reg: _Registry, accept: Callable[[Actor], bool]) -> Actor | None:
        """The first ``accept``-ed actor named right after a title (``span``)."""
        head = span.root
        if head.dep_ not in ("compound", "nmod") or head.head.i < span.end:
            return None
        for actor_id in reg.by_token.get(head.head.i, []):
            actor = reg.actors[actor_id]
            if accept(actor):
                return actor
        return None

    @classmethod
    def _titled_name(cls, span: Span, reg: _Registry) -> Actor | None:
        """The dictionary name a title stands before, when its code has no sector yet."""
        return cls._titled(span, reg, lambda a: a.kind in ("person", "organization") and
                           a.sector is None and bool(a.code) and len(a.code or "") == 3)

    @classmethod
    def _titled_leader(cls, span: Span, reg: _Registry) -> Actor | None:
        """A known office holder (leaders.tsv) whose name follows the title."""
        return cls._titled(span, reg, lambda a: a.kind == "person" and bool(a.role) and
                           bool(a.country or a.code))

    @staticmethod
    def _igo_context(span: Span, reg: _Registry) -> Actor | None:
        """An IGO that owns a role noun: "the EU's envoy", "UN Secretary-General"."""
        head = span.root
        near = [t for t in head.children if t.dep_ in ("poss", "compound", "nmod")]
        near += [p for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                 for p in c.children if p.dep_ == "pobj"]
        # "Arab League Secretary General X": a flat run of modifiers before the title
        left = span.start - 1
        while left >= span.sent.start and span.doc[left].dep_ in (
                "compound", "nmod", "poss", "case", "amod") and span.doc[left].text != ",":
            near.append(span.doc[left])
            left -= 1
        for token in near:
            for actor_id in reg.by_token.get(token.i, []):
                if reg.actors[actor_id].kind == "igo":
                    return reg.actors[actor_id]
        return None

    @staticmethod
    def _counterpart(span: Span, agent: AgentEntry, reg: _Registry) -> AgentEntry:
        """"his counterpart, Park Min-jae": Park holds the role of the possessor."""
        if agent.role != "counterpart":
            return agent
        for child in span.root.children:
            if child.dep_ != "poss":
                continue
            owners = reg.by_token.get(child.i, [])
            if not owners and child.lower_ in ("his", "her"):
                # the pronouns are resolved later; "his" is the last person named before
                earlier = [aid for pos, aid in sorted(reg.person_mentions) if pos < child.i]
                owners = earlier[-1:]
            for actor_id in owners:
                owner = reg.actors[actor_id]
                if owner.kind == "person" and owner.role:
                    return AgentEntry(agent.phrase, owner.sector, "person", owner.role)
        return agent

    @staticmethod
    def _named_owner(span: Span, reg: _Registry, country_of: dict[int, str]) -> Actor | None:
        """A named organisation right before a role noun of its own noun phrase."""
        if span.start == 0:
            return None
        prev = span.doc[span.start - 1]
        if prev.i in country_of or prev.head.i not in range(span.start, span.end):
            return None
        for actor_id in reg.by_token.get(prev.i, []):
            actor = reg.actors[actor_id]
            if actor.kind in ("igo", "organization", "group"):
                return actor
        return None

    @staticmethod
    def _np_span(span: Span, country_of: dict[int, str]) -> Span:
        """Widen a role span to its determiner and country modifier ("China's Foreign Minister")."""
        doc = span.doc
        start = span.start
        while start > span.sent.start:
            prev = doc[start - 1]
            if prev.i in country_of or prev.dep_ == "det" or (
                    prev.dep_ == "case" and prev.head.i in country_of):
                start -= 1
            else:
                break
        while start < span.start and doc[start].dep_ == "case":
            start += 1
        return doc[start:span.end]

    @staticmethod
    def _named_person(span: Span, person_at: dict[int, Span], taken: set[int]) -> Span | None:
        """The name standing beside a role noun: apposition or title before the name."""
        head = span.root
        doc = span.doc

        def name_of(token: Token) -> Span | None:
            if token.i in person_at:
                return person_at[token.i]
            # the tagger sometimes calls a new name ORG; a proper-noun apposition still is one
            if token.pos_ == "PROPN" and token.i not in taken and token.ent_type_ not in (
                "GPE", "NORP", "LOC", "DATE", "CARDINAL"
            ):
                left = token.left_edge.i
                words = [t for t in doc[left:token.i + 1] if t.pos_ == "PROPN"]
                if words and words[0].i + len(words) - 1 == token.i and len(words) <= 4:
                    return doc[words[0].i:token.i + 1]
            return None

        for child in head.children:
            if child.dep_ == "appos":
                found = name_of(child)
                if found is not None:
                    return found
        if head.dep_ == "appos":
            found = name_of(head.head)
            if found is not None:
                return found
        # "Russian President Vladimir Putin": the title is a compound of the name's head
        if head.dep_ in ("compound", "nmod", "amod") and head.head.i in person_at:
            return person_at[head.head.i]
        if span.end < len(doc) and span.end in person_at and \
                person_at[span.end].start == span.end:
            return person_at[span.end]
        return None

    def _surname_keys(self, name: str) -> set[str]:
        words = [w for w in name.lower().replace(".", " ").split() if w]
        keys = {words[-1]} if words else set()
        if len(words) in (2, 3) and words[0] in self.surnames_first:
            keys.add(words[0])
        return keys

    def _surnames(self, doc: Doc, reg: _Registry, taken: set[int]) -> None:
        """Carry people through the document by surname ("Wang stated")."""
        by_surname: dict[str, list[Actor]] = {}
        for actor in reg.actors.values():
            if actor.kind == "person" and len(actor.name.split()) > 1:
                for key in self._surname_keys(actor.name):
                    by_surname.setdefault(key, []).append(actor)
        if not by_surname:
            return
        for token in doc:
            if token.i in taken or not token.text[:1].isupper():
                continue
            actors = by_surname.get(token.lower_)
            if actors:
                actor = actors[0]
                reg.name(actor, doc[token.i:token.i + 1])
                taken.add(token.i)

    def _role_reference(self, doc: Doc, reg: _Registry, span: Span, agent: AgentEntry,
                        country: str | None, country_of: dict[int, str],
                        owner: str | None = None) -> None:
        """Link "the minister" / "China's foreign minister" to the person it means."""
        indefinite = any(t.lower_ in ("a", "an", "another") for t in span.root.children
                         if t.dep_ == "det")
        target = None
        if not indefinite:
            target = self._compatible_person(reg, span, agent, country)
        if target is None:
            target = reg.get(
                ("person-role", country or owner or "", agent.role,
                 str(span.start) if indefinite else ""),
                Actor(_slug(f"{country or owner or ''} {agent.role}"),
                      f"{agent.role} of {self.country_names.get(country, country)}" if country
                      else agent.role, "person", country,
                      agent.sector, _code(country or owner, agent.sector, agent.prefix),
                      agent.role),
            )
        reg.name(target, self._np_span(span, country_of), span)

    def _compatible_person(self, reg: _Registry, span: Span, agent: AgentEntry,
                           country: str | None) -> Actor | None:
        allowed = self.role_refs.get(agent.role, frozenset()) | {agent.role}
        head_word = agent.role.split()[-1]

        def fits(actor: Actor) -> bool:
            if actor.kind != "person" or actor.role is None:
                return False
            if country and actor.country and actor.country != country:
                return False
            return actor.role in allowed or (actor.role.split()[-1] == head_word and (
                len(agent.role.split()) == 1 or actor.role == agent.role))

        mentions = reg.person_mentions
        before = [aid for pos, aid in sorted(mentions) if pos < span.start]
        for actor_id in reversed(before):
            if fits(reg.actors[actor_id]):
                return reg.actors[actor_id]
        # a headline names the role before the article names the person
        after = [aid for pos, aid in sorted(mentions) if pos > span.start]
        for actor_id in after:
            actor = reg.actors[actor_id]
            if fits(actor) and actor.role == agent.role and (country is None or
                                                             actor.country == country):
                return actor
        return None

    @staticmethod
    def _pronouns(doc: Doc, reg: _Registry) -> None:
        """He/she to the nearest person named before it; it/they to the subject above it.

        "Hungary has said it will support ...": a subject "it" or "they" in a clause under
        another clause refers to that clause's subject when that is a state or a body.
        """
        for token in doc:
            if token.lower_ not in ("it", "they") or token.dep_ not in ("nsubj", "nsubjpass"):
                continue
            clause = token.head
            while clause.dep_ in ("ccomp", "xcomp", "conj", "advcl") and clause.head is not clause:
                clause = clause.head
                subjects = [c for c in clause.children if c.dep_ == "nsubj"]
                ids = [i for sub in subjects for t in (sub, *sub.conjuncts)
                       for i in reg.by_token.get(t.i, [])]
                if ids and all(reg.actors[i].kind != "person" for i in ids):
                    actor_ids = list(dict.fromkeys(ids))
                    if token.lower_ == "it" and len(actor_ids) > 1:
                        break
                    for actor_id in actor_ids:
                        reg.actors[actor_id].mentions.append(
                            Mention(token.text, token.idx, token.idx + len(token)))
                    reg.by_token[token.i] = actor_ids
                    break
                if subjects:
                    break
        if not reg.person_mentions:
            return
        mentions = sorted(reg.person_mentions)
        positions = [pos for pos, _ in mentions]
        for token in doc:
            if token.lower_ not in PERSON_PRONOUNS or token.i in reg.by_token:
                continue
            k = bisect_left(positions, token.i)
            if k == 0:
                continue
            actor = reg.actors[mentions[k - 1][1]]
            actor.mentions.append(Mention(token.text, token.idx, token.idx + len(token)))
            reg.by_token[token.i] = [actor.id]

    @staticmethod
    def _pairs(doc: Doc, reg: _Registry, country_of: dict[int, str]) -> None:
        """Resolve "the two nations" / "both countries" to the last pair of countries named."""
        pair: tuple[str, str] | None = None
        for token in doc:
            iso = country_of.get(token.i)
            if iso is not None:
                other = None
                if token.dep_ == "conj" and token.head.i in country_of and \
                        len(token.head.conjuncts) == 1:
                    other = country_of[token.head.i]
                elif token.i >= 2 and doc[token.i - 1].text in ("-", "–") and \
                        token.i - 2 in country_of:
                    other = country_of[token.i - 2]
                if other and other != iso:
                    pair = (other, iso)
                continue
            if pair is None or token.lemma_.lower() not in PAIR_NOUNS or token.tag_ != "NNS":
                continue
            dets = {c.lower_ for c in token.children if c.dep_ in ("det", "nummod", "predet")}
            if not dets & {"two", "both", "the"}:
                continue
            ids = []
            for iso3 in pair:
                key = ("country", iso3)
                if key in reg.keys:
                    ids.append(reg.keys[key])
            if len(ids) == 2:
                start = token.left_edge.i
                span = doc[start:token.i + 1]
                for actor_id in ids:
                    actor = reg.actors[actor_id]
                    actor.mentions.append(Mention(span.text, span.start_char, span.end_char))
                reg.by_token[token.i] = ids


# participles that put a noun somewhere: "based in Beirut", "troops stationed in Kosovo"
LOCATIVE_PARTICIPLES = frozenset({"based", "located", "headquartered", "stationed",
                                  "deployed", "operating", "living", "residing"})


def _abbreviated(ent: Span, reg: _Registry) -> list[str]:
    """The actor a name in parentheses abbreviates: "the European Union (EU)"."""
    doc = ent.doc
    if ent.start < 2 or ent.end >= len(doc) or doc[ent.start - 1].text != "(" or \
            doc[ent.end].text != ")":
        return []
    return reg.by_token.get(ent.start - 2, [])


def _ethnic(head: Token) -> bool:
    """The noun is modified by "ethnic": its country adjective names a people, not a state."""
    mods = [c for c in head.children if c.dep_ in ("amod", "compound")]
    # the parser often hangs "ethnic" on the adjective: "ethnic Albanian guerrillas"
    mods += [g for c in mods for g in c.children if g.dep_ in ("amod", "advmod", "compound")]
    return any(c.lower_ == "ethnic" for c in mods)


def _without_article(ent: Span) -> Span | None:
    start, end = ent.start, ent.end
    while start < end and ent.doc[start].lower_ == "the":
        start += 1
    while end > start and (ent.doc[end - 1].dep_ == "case" or ent.doc[end - 1].is_punct):
        end -= 1
    return ent.doc[start:end] if start < end else None


def _spellings(phrase: str) -> list[str]:
    """A phrase as written and with typographic apostrophes ("People’s Daily")."""
    if "'" in phrase:
        return [phrase, phrase.replace("'", "’")]
    return [phrase]


def _code(country: str | None, sector: str | None, prefix: bool = False) -> str | None:
    if country and sector:
        return compose_code(country, sector, prefix)
    return country or (f"---{sector}" if sector else None)
