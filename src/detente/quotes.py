"""Direct and indirect speech, each attributed to a resolved actor with its cue verb.

Direct quotes are found from quotation marks (straight and curly), may run over several
sentences and may be split around their cue ("First," she said, "second."). The cue is a
speech verb next to the quote; its subject, resolved by the actor stage (surname, role noun,
pronoun), is the speaker. A quote with no cue of its own continues the speaker of the quote
before it in the same paragraph. Indirect speech is an attribution found from the parse:
a reporting verb with its clause or object ("Wang stated that ...", "endorsed Trump"), a cue
inside the clause it reports ("The talks, he said, will resume"), "according to X", a speech
noun ("his claim that ...", "criticism of ..."), an attitude adjective ("worried about ..."),
a passive or appearance verb over its whole clause ("is expected to", "seemed to") and a
"Source: words" headline. The word lists are data files (data/*.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from detente.actors.dictionary import word_list
from detente.actors.resolve import FIRST_PERSON, ResolvedActors
from detente.events.extract import _subject
from detente.schema import Quote

CONTENT_PREPS = frozenset({"for", "about", "of", "against", "on"})
OPENERS = {"“": "”", '"': '"', "«": "»", "„": "“"}
MIN_WORDS = 4
# the small words a title leaves in lower case ("Thelma and Louise", "State of the Union")
TITLE_WORDS = frozenset({"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for",
                         "with", "by", "from"})
# text between two pieces of one split quote: ", he said, " / ", Wang added. "
MAX_INTERRUPTION = 80
# the attribution sentence between two quoted sentences of one speaker:
# “A,” said Jane Doe, a professor at X University. “B.”
MAX_ATTRIBUTION = 200
# a short reply's cue: “No,” replied the head of the network
MAX_REPLY_CUE = 60
REPLY_CUE_WORDS = 4


def speech_verbs() -> frozenset[str]:
    """Lemmas of verbs that introduce speech (data/speech_verbs.txt)."""
    return word_list("speech_verbs.txt")


def attribution_verbs() -> frozenset[str]:
    """Lemmas of verbs that attribute a belief or finding (data/attribution_verbs.txt)."""
    return word_list("attribution_verbs.txt")


@dataclass
class _Piece:
    start: int  # offsets of the quoted words, marks excluded
    end: int


def find_quote_marks(text: str) -> list[_Piece]:
    """Spans enclosed in double quotation marks that read as speech (see _is_speech)."""
    return [p for p in _quote_marks(text) if _is_speech(text[p.start:p.end])]


def _quote_marks(text: str) -> list[_Piece]:
    """Spans enclosed in double quotation marks; an unclosed quote ends with its paragraph."""
    pieces: list[_Piece] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in OPENERS:
            closer = OPENERS[ch]
            j = i + 1
            while j < n and text[j] != closer and not (ch == "“" and text[j] == "“"):
                if text.startswith("\n\n", j):
                    break
                j += 1
            if j < n and text[j] == closer:
                pieces.append(_Piece(i + 1, j))
                i = j + 1
                continue
            if j > i + 1:
                # unbalanced: the quote runs to the end of its paragraph
                pieces.append(_Piece(i + 1, j))
            i = j
            continue
        i += 1
    return pieces


def _is_speech(inner: str) -> bool:
    """Words in quotation marks that read as speech, not a title or scare quote.

    Speech has a few words or ends like a clause; a title ("Fox & Friends", "Make America
    Great Again") capitalises every word.
    """
    words = inner.split()
    if 0 < len(words) <= 6 and words[0][:1].isupper() and words[-1][:1].isupper() and all(
            w[:1].isupper() or not w[:1].isalpha() or w.lower() in TITLE_WORDS for w in words):
        return False
    return len(words) >= MIN_WORDS or (len(words) >= 2 and inner.rstrip()[-1:] in ".,!?")


class QuoteFinder:
    """Finds quotes in a parsed document and attributes them to actors."""

    def __init__(self) -> None:
        self.verbs = speech_verbs()
        self.clause_verbs = self.verbs | attribution_verbs()
        self.addressee_verbs = word_list("addressee_verbs.txt")
        self.appearance_verbs = word_list("appearance_verbs.txt")
        self.speech_nouns = word_list("speech_nouns.txt")
        self.clause_only = word_list("clause_attribution_verbs.txt")
        # verb lemma -> its own content prepositions ("refer to", "hint at")
        self.verb_preps: dict[str, frozenset[str]] = {}
        for line in word_list("prepositional_cues.txt"):
            verb, prep = line.split()
            self.verb_preps[verb] = self.verb_preps.get(verb, frozenset()) | {prep}
        self.clause_verbs |= frozenset(self.verb_preps)
        self.attitude_adjectives = word_list("attitude_adjectives.txt")
        self.stance_people = word_list("stance_people.txt")

    def find(self, doc: Doc, actors: ResolvedActors) -> list[Quote]:
        """All quotes of ``doc`` in text order; I/we inside a direct quote name its speaker."""
        direct = self._direct(doc, actors)
        # the quoted pieces, not the words between them: “A,” he said, adding that B. “C.”
        inside = [piece for q in direct for piece in (q.segments or [(q.start, q.end)])]
        for quote in direct:
            if quote.speaker is None:
                continue
            for token in _tokens_in(doc, quote.start, quote.end):
                if token.lower_ in FIRST_PERSON and not actors.at(token):
                    actors.assign(token, quote.speaker)
        indirect = self._indirect(doc, actors, inside)
        return sorted(direct + indirect, key=lambda q: q.start)

    # -- direct ---------------------------------------------------------------------------

    def _direct(self, doc: Doc, actors: ResolvedActors) -> list[Quote]:
        text = _text(doc)
        pieces = [p for p in _quote_marks(text) if _is_speech(text[p.start:p.end]) or
                  self._cued_reply(doc, p)]
        quotes: list[Quote] = []
        previous: Quote | None = None
        k = 0
        while k < len(pieces):
            group = [pieces[k]]
            cue = self._cue_between(doc, pieces[k], pieces[k + 1], pieces) \
                if k + 1 < len(pieces) else None
            if cue is not None:
                group.append(pieces[k + 1])
                k += 1
            else:
                # partial quotes in one sentence: 'called it “X” and “Y”' is one quotation
                while k + 1 < len(pieces) and self._same_sentence(doc, group[-1], pieces[k + 1]):
                    group.append(pieces[k + 1])
                    k += 1
                cue = self._cue_near(doc, group[0], group[-1], pieces)
            k += 1
            start, end = group[0].start, group[-1].end
            speaker = self._speaker(cue, actors) if cue is not None else None
            cue_text = _cue_text(cue) if cue is not None else None
            if cue is None and previous is not None and (
                    "\n\n" not in text[previous.end:start] or
                    _next_paragraph(text, previous.end, start)):
                speaker, cue_text = previous.speaker, None
            quote = Quote(text[start:end], start, end, "direct", speaker, cue_text,
                          [(p.start, p.end) for p in group])
            quotes.append(quote)
            previous = quote
        return quotes

    def _cued_reply(self, doc: Doc, piece: _Piece) -> bool:
        """A short reply with its cue next to it: “No,” he said. / He said, “Probably.”

        A word or two in quotation marks is usually a term or a title; closed by a comma,
        "!" or "?" and followed at once by a speech verb, or introduced by one with a comma
        or a colon, it was said.
        """
        text = _text(doc)
        inner = text[piece.start:piece.end].strip()
        if not inner:
            return False
        if text[:piece.start - 1].rstrip().endswith((",", ":")):
            # Priebus said, “Probably.”
            before = _tokens_in(doc, max(0, piece.start - 1 - MAX_REPLY_CUE), piece.start - 1)
            words = [t for t in before if not (t.is_punct or t.is_space)][-REPLY_CUE_WORDS:]
        elif inner[-1] in ",!?":
            after = _tokens_in(doc, piece.end + 1, min(len(text), piece.end + 1 + MAX_REPLY_CUE))
            words = [t for t in after if not (t.is_punct or t.is_space)][:REPLY_CUE_WORDS]
        else:
            return False
        return any(t.lemma_.lower() in self.verbs and t.pos_ == "VERB" for t in words)

    def _same_sentence(self, doc: Doc, first: _Piece, second: _Piece) -> bool:
        """Two quoted fragments of one sentence, with no cue or sentence end between them."""
        text = _text(doc)
        inner = text[first.start:first.end].rstrip()
        gap = text[first.end + 1:second.start - 1]
        if inner.endswith((".", "!", "?")) or "\n" in gap or len(gap) > MAX_INTERRUPTION:
            return False
        if _SENTENCE_END.search(gap):
            return False
        return self._speech_verb(_tokens_in(doc, first.end + 1, second.start - 1)) is None

    def _cue_between(self, doc: Doc, first: _Piece, second: _Piece,
                     pieces: list[_Piece]) -> Token | None:
        """The cue of a quote split around it: “A,” he said, “B.” or “A,” he said. “B.”

        A sentence cut by its cue and followed at once by more quoted words with no cue of
        their own is one quotation: the speaker goes on. When the words after the full stop
        have a cue of their own (“B,” she replied.), they are a new quote.
        """
        text = _text(doc)
        gap = text[first.end + 1:second.start - 1]  # between the closing and opening marks
        if "\n" in gap or not text[first.start:first.end].rstrip().endswith(
                (",", "…", "—", "-")):
            return None
        ending = gap.rstrip()[-1:]
        if ending in (",", ":") and len(gap) <= MAX_INTERRUPTION:
            return self._speech_verb(_tokens_in(doc, first.end + 1, second.start - 1))
        if ending != "." or len(gap) > MAX_ATTRIBUTION or \
                _SENTENCE_END.search(gap.rstrip()[:-1]):
            return None
        cue = self._speech_verb(_tokens_in(doc, first.end + 1, second.start - 1))
        after = _tokens_in(doc, second.end + 1, _clause_end(text, second.end + 1, pieces))
        if cue is None or self._speech_verb(after) is not None:
            return None
        return cue

    def _cue_near(self, doc: Doc, first: _Piece, last: _Piece,
                  pieces: list[_Piece]) -> Token | None:
        """A speech verb in the quote's sentence: after it ("...," Wang said), else before."""
        text = _text(doc)
        after_end = _clause_end(text, last.end + 1, pieces)
        after = self._speech_verb(_tokens_in(doc, last.end + 1, after_end))
        before_start = _clause_start(text, first.start - 1, pieces)
        if not text[before_start:first.start - 1].strip() and \
                text[:first.start - 1].rstrip().endswith(":"):
            # "In a 1963 speech, he declared:" and the quote as the next paragraph
            colon = text.rstrip()[: first.start - 1].rstrip()
            before_start = _clause_start(text, len(colon) - 1, pieces)
        lead = _tokens_in(doc, before_start, first.start - 1)
        before = self._speech_verb(lead, last=True)
        if before is None and text[:first.start - 1].rstrip().endswith((":", ",")):
            # "She went on:", "Mook agreed:", "He continued, “...”": a clause that
            # introduces the quote with a colon or comma names its speaker, whatever its verb
            before = _clause_verb(lead, last=True)
        quoted = text[first.start:last.end].rstrip()
        if after is None and quoted.endswith(","):
            # “...,” beamed Jane Doe. / “...,” the statement read.: the clause that a
            # quote ending in a comma runs into is its attribution, whatever its verb
            after = _clause_verb(_tokens_in(doc, last.end + 1, after_end))
        nxt = text[last.end + 1:last.end + 3].lstrip()[:1]
        # “... partnership.” He added ...: a full stop inside the marks ends the sentence
        ends_sentence = quoted.endswith(".") or (quoted.endswith(("!", "?")) and nxt.isupper())
        if ends_sentence and before is not None:
            return before
        return after or before

    def _speech_verb(self, tokens: list[Token], last: bool = False) -> Token | None:
        found = [t for t in tokens if t.lemma_.lower() in self.verbs and t.pos_ in ("VERB",
                                                                                    "AUX")]
        found += [t for t in tokens if t.lower_ == "according"]
        if not found:
            return None
        return found[-1] if last else found[0]

    @staticmethod
    def _speaker(cue: Token, actors: ResolvedActors, describe: bool = True) -> str | None:
        """The actor who spoke: the cue's subject (or "according to X"). With ``describe``,
        a subject the dictionaries do not know becomes a described actor ("his friend")."""
        if cue.lower_ == "according":
            candidates = [p for c in cue.children if c.dep_ == "prep" for p in c.children
                          if p.dep_ == "pobj"]
        elif (agent := _agent(cue)) is not None:
            candidates = [agent]  # "was endorsed by the paper"
        elif cue.pos_ == "NOUN":
            # "Trump's claim that", "criticism by the senator"
            candidates = [c for c in cue.children if c.dep_ == "poss"] + [
                p for c in cue.children if c.dep_ == "prep" and c.lower_ == "by"
                for p in c.children if p.dep_ == "pobj"]
        else:
            candidates = [c for c in cue.children if c.dep_ in ("nsubj", "nsubjpass")]
            if not candidates:
                # "..., telling Reuters", "began by saying": the governing clause's subject
                subject = _subject(cue)
                candidates = [subject] if subject is not None else []
        for subject in candidates:
            for token in (subject, *subject.conjuncts):
                ids = actors.at(token)
                if ids:
                    return ids[0]
            for child in subject.children:
                # "Russia's ministry", "the paper, Xinhua,"; not "the Paris attacks"
                if child.dep_ in ("poss", "appos") and actors.at(child):
                    return actors.at(child)[0]
        for subject in candidates:
            if describe and subject.pos_ in ("NOUN", "PROPN"):
                return actors.describe(subject)  # "his friend told the website"
        return None

    # -- indirect -------------------------------------------------------------------------

    def _indirect(self, doc: Doc, actors: ResolvedActors,
                  inside: list[tuple[int, int]]) -> list[Quote]:
        quotes = []
        for token in doc:
            if _within(token.idx, inside):
                continue
            content: Span | None = None
            pieces: list[Span] = []
            short_ok = False
            cue = token  # the word whose subject is the speaker
            # the speaker is described as a new actor only where a clause was reported
            # ("his friend said that ..."): a described subject is also an actor for the
            # event stage, and "Thousands of protesters demanded reforms" is an event
            describe = True
            if token.lemma_.lower() in self.clause_verbs and token.pos_ == "VERB" and \
                    token.dep_ == "parataxis" and token.head.pos_ in ("VERB", "AUX") and \
                    any(c.dep_ == "nsubj" for c in token.children) and \
                    not any(c.dep_ == "ccomp" for c in token.children):
                # "The closures, he said, involved public courses": the cue interrupts the
                # clause it reports, which is its head
                pieces = _runs(token.head, token)
                content = doc[pieces[0].start:pieces[-1].end] if pieces else None
            elif _reports_clause(token, self.clause_verbs, self.appearance_verbs):
                # "Trump is expected to unveil an ad", "The team appeared paralyzed": the
                # attribution covers the whole clause, its subject included
                content = _clause_span(token)
                describe = False
            elif token.lemma_.lower() in self.clause_verbs and token.pos_ == "VERB" and \
                    _agent(token) is not None and not any(
                        c.dep_ in ("ccomp", "xcomp") for c in token.children):
                # "The nominee was endorsed by dozens of papers": the passive subject is
                # what was backed, the agent its source
                subject = next((c for c in token.children if c.dep_ == "nsubjpass"), None)
                if subject is not None:
                    content = _content_span(subject)
                    short_ok = subject.pos_ in ("NOUN", "PROPN", "PRON")
                describe = False
            elif token.lemma_.lower() in self.clause_verbs and token.pos_ == "VERB" and \
                    _characterizes(token):
                # "called him a fascist", "described herself as a moderate": the object and
                # what it is called are the content together
                content = _characterization(token)
                short_ok = True
                describe = _has_named_source(token, actors)
            elif token.pos_ == "VERB" and token.lemma_.lower() not in self.clause_verbs and \
                    _has_source(token, actors) and (comp := _that_clause(token)):
                # "Trump bragged that ...", "She reasoned that ...": a that-clause after a verb
                # whose subject is someone reports what they said or thought, whatever the verb
                content = _content_span(comp)
                describe = _has_named_source(token, actors)
            elif token.lemma_.lower() in self.clause_verbs and token.pos_ == "VERB":
                comps = [c for c in token.children if c.dep_ == "ccomp"]
                # of two clauses, the one after the verb is what was said; the one before
                # is a misparsed opening phrase ("In an interview focused on X, he said Y")
                comps.sort(key=lambda c: c.i < token.i)
                if not comps and _has_source(token, actors):
                    describe = _has_named_source(token, actors)
                    # "criticized the plan", "denied the allegations": the object is the
                    # content; not the person addressed ("told reporters")
                    # "endorsed Trump", "criticized Clinton": the one named is the content,
                    # unless the verb addresses its object ("told reporters")
                    addressed = token.lemma_.lower() in self.addressee_verbs
                    comps = [c for c in token.children if c.dep_ in ("dobj", "xcomp") and
                             (c.pos_ in ("NOUN", "PROPN", "VERB") or (
                                 # "supported him", not "told them" or "know what"
                                 c.tag_ == "PRP" and not addressed)) and
                             not (addressed and actors.at(c) and not _says_of(c))]
                    # "called for a ceasefire", "warned of a crisis", "talked about jobs";
                    # the verb's own prepositions name even a person ("referring to Obama")
                    own = self.verb_preps.get(token.lemma_.lower(), frozenset())
                    comps = comps or [p for c in token.children if c.dep_ == "prep" and
                                      c.lower_ in CONTENT_PREPS | own for p in c.children
                                      if p.dep_ in ("pobj", "pcomp") and
                                      (c.lower_ in own or not actors.at(p))
                                      and not _is_measure(p)]
                    # "said so", "said yes", "say the same of Sanders": a word standing
                    # for what was said
                    comps = comps or [c for c in token.children if c.lower_ in PRO_FORMS and
                                      c.dep_ in ("advmod", "intj", "dobj", "acomp")]
                    if token.lemma_.lower() in self.clause_only:
                        # "raised concerns", not "raised money": the object names speech
                        comps = [c for c in comps if c.lemma_.lower() in self.speech_nouns]
                if comps:
                    content = _content_span(comps[0])
                    # a named object is content however short ("endorsed Trump", "backed him")
                    # and so is an infinitive ("declined to comment")
                    short_ok = comps[0].dep_ == "xcomp" or comps[0].lower_ in PRO_FORMS or (
                        comps[0].dep_ != "ccomp" and comps[0].pos_ in ("NOUN", "PROPN", "PRON"))
            elif token.pos_ == "ADJ" and token.dep_ == "acomp" and \
                    token.lower_ in self.attitude_adjectives and _has_source(token.head, actors):
                # "Voters are worried about the economy", "She is sure she can win"
                comp = _adjective_content(token)
                if comp is not None:
                    content = _content_span(comp)
                    short_ok = comp.pos_ in ("NOUN", "PROPN")
                    describe = False
            elif token.pos_ == "NOUN" and token.lemma_.lower() in self.speech_nouns:
                # "his claim that ...", "criticism of the plan", "a pledge to cut taxes"
                comp = _noun_content(token)
                if comp is not None:
                    content = _content_span(comp)
                    short_ok = comp.pos_ in ("NOUN", "PROPN")
                    describe = False
            elif token.pos_ == "NOUN" and token.dep_ == "attr" and \
                    token.lemma_.lower() in self.stance_people and \
                    _has_source(token.head, actors):
                # "She is a staunch opponent of the death penalty": what the subject backs
                # or opposes; the speaker is the copula's subject
                comp = _prep_topic(token, STANCE_PREPS)
                if comp is not None:
                    content = _content_span(comp)
                    short_ok = comp.pos_ in ("NOUN", "PROPN")
                    describe = False
                    cue = token.head
            elif token.lower_ == "according" and token.head.pos_ in ("VERB", "AUX"):
                clause = token.head
                words = [t for t in clause.subtree if not (token.left_edge.i <= t.i <=
                                                           token.right_edge.i)]
                while words and (words[0].is_punct or words[0].is_space):
                    words.pop(0)
                while words and (words[-1].is_punct or words[-1].is_space):
                    words.pop()
                if words:
                    content = doc[words[0].i:words[-1].i + 1]
            if content is not None:
                # a parse can run over a paragraph break (a headline into the lead)
                pieces = [q for p in pieces if (q := _in_paragraph(p, token)) is not None]
                content = _in_paragraph(content, token)
            if content is None or (len(content) < 3 and not short_ok):
                continue
            if any(_within(t.idx, inside) for t in (content[0], content[-1])):
                continue
            quotes.append(Quote(content.text, content.start_char, content.end_char, "indirect",
                                self._speaker(cue, actors, describe), _cue_text(token),
                                [(p.start_char, p.end_char) for p in pieces or [content]]))
        quotes += self._headlines(doc, actors, inside)
        return _outermost(quotes)

    @staticmethod
    def _headlines(doc: Doc, actors: ResolvedActors,
                   inside: list[tuple[int, int]]) -> list[Quote]:
        """News-style "Source: what was said" ("Poll: Sanders leads", "Trump: I will win").

        The part before the colon opens the sentence, is a short noun phrase (no verb, no
        time) and names someone: an actor or a name, not a label ("Editor's note:").
        """
        quotes = []
        for sent in doc.sents:
            colon = next((t for t in sent[:HEADLINE_SOURCE + 1] if t.text == ":"), None)
            if colon is None or colon.i == sent.start:
                continue
            source = doc[sent.start:colon.i]
            words = [t for t in source if not (t.is_punct or t.is_space)]
            if not words or any(t.pos_ in ("VERB", "AUX") or t.ent_type_ in MEASURES or
                                t.like_num for t in words):
                continue
            last = words[-1]
            if not (any(actors.at(t) for t in words) or (
                    last.pos_ == "PROPN" and len(last.text) > 1 and not last.text.isupper())):
                # "Editor's note:", "Correction:", "Q:", "LOOK:" label the text, not a source
                continue
            body = [t for t in doc[colon.i + 1:sent.end]]
            while body and (body[0].is_punct or body[0].is_space):
                body.pop(0)
            while body and (body[-1].is_punct or body[-1].is_space):
                body.pop()
            if len(body) < 3 or any(_within(t.idx, inside) for t in (body[0], body[-1])):
                continue
            content = _in_paragraph(doc[body[0].i:body[-1].i + 1], colon)
            if content is None or len(content) < 3:
                continue
            speaker = next((actors.at(t)[0] for t in source if actors.at(t)), None)
            quotes.append(Quote(content.text, content.start_char, content.end_char, "indirect",
                                speaker, ":", [(content.start_char, content.end_char)]))
        return quotes


def _outermost(quotes: list[Quote]) -> list[Quote]:
    """Attributions not nested in the content of another one.

    What a source reports is one attribution, whatever verbs it holds ("Lynch said she
    thinks voters know that ..."): a word belongs to one attribution only, so the verbs
    inside the content are part of what was said, not new quotes.
    """
    return [q for q in quotes if not any(
        o is not q and o.start <= q.start and q.end <= o.end and o.end - o.start > q.end - q.start
        for o in quotes)]


def _clause_verb(tokens: list[Token], last: bool = False) -> Token | None:
    """The first (or last) verb among ``tokens`` that has its own subject."""
    found = [t for t in tokens if t.pos_ in ("VERB", "AUX") and any(
        c.dep_ in ("nsubj", "nsubjpass") for c in t.children)]
    if not found:
        return None
    return found[-1] if last else found[0]


def _has_source(verb: Token, actors: ResolvedActors) -> bool:
    """The verb's subject names someone: an actor, a name, a pronoun or a noun ("critics",
    "a poll"); a verb without a subject of its own borrows its governing clause's
    ("..., accusing him of ...", "and praised the plan")."""
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None) or _subject(verb)
    if subject is None and verb.dep_ == "pcomp" and verb.head.head.pos_ in ("VERB", "AUX"):
        # "won the nomination by promising ...": the subject of the verb the phrase modifies
        subject = _subject(verb.head.head)
    return subject is not None and (bool(actors.at(subject)) or subject.pos_ in (
        "PROPN", "PRON", "NOUN"))


# words before the colon of a "Source: content" headline
HEADLINE_SOURCE = 6
MEASURES = frozenset({"DATE", "TIME", "QUANTITY", "CARDINAL", "PERCENT", "MONEY", "ORDINAL"})


def _is_measure(token: Token) -> bool:
    """A time or an amount ("spoke for 77 minutes", "talked for an hour"), not a topic."""
    return token.ent_type_ in MEASURES or any(c.like_num for c in token.children)


def _reports_clause(verb: Token, clause_verbs: frozenset[str],
                    appearance_verbs: frozenset[str]) -> bool:
    """A verb that attributes its whole clause: a passive reporting verb with a complement
    ("is expected to", "was seen as", "were known to") or a verb of appearance with one
    ("seemed to", "appeared paralyzed", "looks like")."""
    if verb.pos_ != "VERB" or any(c.dep_ == "ccomp" for c in verb.children):
        return False
    lemma = verb.lemma_.lower()
    deps = {c.dep_ for c in verb.children}
    if lemma in appearance_verbs:
        return bool(deps & {"nsubj", "expl"}) and (
            bool(deps & {"xcomp", "acomp", "attr", "oprd"}) or any(
                c.dep_ == "prep" and c.lower_ in ("like", "as") for c in verb.children))
    if lemma in clause_verbs and "nsubjpass" in deps and "agent" not in deps:
        # "was accused of fraud", "have been criticized for ...": the passive reports what
        # was said about its subject
        return "xcomp" in deps or "oprd" in deps or any(
            c.dep_ == "prep" and c.lower_ in ("as", "of", "for", "over") for c in verb.children)
    return False


# words that stand for a whole statement after a speech verb
PRO_FORMS = frozenset({"so", "yes", "no", "same", "otherwise"})
# "an opponent *of* the war", "a campaigner *for* Sanders"
STANCE_PREPS = frozenset({"of", "for", "against", "to"})
NOUN_CONTENT_PREPS = frozenset({"of", "about", "for", "on", "against", "over", "to"})


def _noun_content(noun: Token) -> Token | None:
    """What a speech noun reports: its clause ("the claim that ..."), its infinitive ("a
    pledge to ...") or its topic ("criticism of the plan"); not a time or an amount."""
    for child in noun.children:
        if child.dep_ in ("acl", "ccomp") and child.pos_ in ("VERB", "AUX") and (
                any(c.dep_ in ("mark", "aux") and c.lower_ in ("that", "to")
                    for c in child.children)):
            return child
    return _prep_topic(noun, NOUN_CONTENT_PREPS)


def _says_of(obj: Token) -> bool:
    """The person addressed comes with what is said of them ("accused another reporter of
    lying", "shows Sanders leading"): the two are the content together."""
    return _prep_topic(obj, CONTENT_PREPS) is not None or any(
        c.dep_ in ("acl", "amod") and c.pos_ == "VERB" and c.i > obj.i for c in obj.children)


def _prep_topic(word: Token, preps: frozenset[str]) -> Token | None:
    """The object of the first of ``word``'s ``preps`` phrases that is not a time or an
    amount ("criticism *of the plan*", "worried *about jobs*")."""
    for child in word.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            for obj in child.children:
                if obj.dep_ in ("pobj", "pcomp") and not _is_measure(obj):
                    return obj
    return None


def _that_clause(verb: Token) -> Token | None:
    """The verb's complement clause introduced by "that" ("bragged that he won")."""
    for child in verb.children:
        if child.dep_ == "ccomp" and child.i > verb.i and any(
                c.dep_ == "mark" and c.lower_ == "that" for c in child.children):
            return child
    return None


def _agent(verb: Token) -> Token | None:
    """The "by" phrase of a passive verb ("endorsed by the paper"): its noun."""
    if not any(c.dep_ == "auxpass" for c in verb.children):
        return None
    for child in verb.children:
        if child.dep_ == "agent":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    return obj
    return None


def _characterizes(verb: Token) -> bool:
    """A verb with an object and what the object is called ("called him a liar")."""
    deps = [c.dep_ for c in verb.children]
    return "dobj" in deps and ("oprd" in deps or any(
        c.dep_ == "prep" and c.lower_ == "as" for c in verb.children))


def _characterization(verb: Token) -> Span:
    """From the object to the end of what it is called."""
    doc = verb.doc
    obj = next(c for c in verb.children if c.dep_ == "dobj")
    comps = [c for c in verb.children if c.dep_ == "oprd" or (
        c.dep_ == "prep" and c.lower_ == "as")]
    parts = [obj, *comps]
    return doc[min(c.left_edge.i for c in parts):max(c.right_edge.i for c in parts) + 1]


ADJECTIVE_CONTENT_PREPS = frozenset({"about", "of", "that", "on", "over", "with", "to",
                                     "toward", "towards", "for"})


def _adjective_content(adjective: Token) -> Token | None:
    """What an attitude adjective is about: its clause or infinitive ("sure she can win",
    "eager to leave", on the adjective or its verb) or its topic ("worried about jobs")."""
    for head in (adjective, adjective.head):
        for child in head.children:
            if child.dep_ in ("ccomp", "xcomp") and child.i > adjective.i:
                return child
    return _prep_topic(adjective, ADJECTIVE_CONTENT_PREPS)


def _clause_span(verb: Token) -> Span:
    """From the verb's subject to the end of its complement: "Trump is expected to speak",
    without the clauses around it ("While Ramos said ..., he appears uneasy")."""
    doc = verb.doc
    subject = next(c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass", "expl"))
    comps = [c for c in verb.children if c.dep_ in ("xcomp", "acomp", "attr", "oprd") or (
        c.dep_ == "prep" and c.lower_ in ("like", "as", "of", "for", "over"))]
    end = max([c.right_edge.i for c in comps] + [verb.i])
    return doc[subject.left_edge.i:end + 1]


def _has_named_source(verb: Token, actors: ResolvedActors) -> bool:
    """The verb's own subject is an actor, a name or a pronoun."""
    return any(c.dep_ == "nsubj" and (actors.at(c) or c.pos_ in ("PROPN", "PRON"))
               for c in verb.children)


def _runs(head: Token, cue: Token) -> list[Span]:
    """The words of ``head``'s clause around the interrupting ``cue`` clause, as pieces."""
    doc = head.doc
    cut = range(cue.left_edge.i, cue.right_edge.i + 1)
    runs: list[list[Token]] = [[]]
    for t in head.subtree:
        if t.i in cut:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append(t)
    pieces = []
    for words in runs:
        while words and (words[0].is_punct or words[0].is_space):
            words.pop(0)
        while words and (words[-1].is_punct or words[-1].is_space):
            words.pop()
        if words:
            pieces.append(doc[words[0].i:words[-1].i + 1])
    return pieces


def _content_span(comp: Token) -> Span | None:
    doc = comp.doc
    words = [t for t in comp.subtree]
    last = words[-1].i
    for t in words:
        if t.dep_ == "relcl" and t.left_edge.i > comp.i and t.right_edge.i >= last - 1 and \
                doc[t.left_edge.i - 1].text == ",":
            # "urged him to be fair, which I said ...": a clause added after a comma says
            # something of its own
            words = [w for w in words if w.i < t.left_edge.i]
            break
    while words and (words[0].dep_ == "mark" or words[0].is_punct or words[0].is_space):
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].is_space):
        words.pop()
    if not words:
        return None
    return doc[words[0].i:words[-1].i + 1]


def _in_paragraph(content: Span, cue: Token) -> Span | None:
    """The words of ``content`` in the cue's paragraph (lines end at a line break), without
    the punctuation left at its edges; None when none are left."""
    text = _text(content.doc)
    start = text.rfind("\n", 0, cue.idx) + 1
    end = text.find("\n", cue.idx)
    end = len(text) if end < 0 else end
    if start <= content.start_char and content.end_char <= end:
        return content
    words = [t for t in content if start <= t.idx and t.idx + len(t) <= end]
    while words and (words[0].is_punct or words[0].is_space):
        words.pop(0)
    while words and (words[-1].is_punct or words[-1].is_space):
        words.pop()
    return content.doc[words[0].i:words[-1].i + 1] if words else None


def _cue_text(cue: Token) -> str:
    parts = [cue] + [c for c in cue.children if c.dep_ == "prt"]
    if cue.lower_ == "according":
        parts += [c for c in cue.children if c.dep_ == "prep" and c.lower_ == "to"]
    return " ".join(t.text for t in sorted(parts, key=lambda t: t.i))


def _text(doc: Doc) -> str:
    """The text of ``doc``, kept with it: spaCy's ``Doc.text`` joins every token on each
    call, and the quote finder asks for it many times an article."""
    text: str | None = doc.user_data.get("detente.text")
    if text is None:
        text = doc.user_data["detente.text"] = doc.text
    return text


def _tokens_in(doc: Doc, start: int, end: int) -> list[Token]:
    if end <= start:
        return []
    span = doc.char_span(max(start, 0), min(end, len(_text(doc))), alignment_mode="contract")
    return list(span) if span is not None else []


def _within(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= offset < e for s, e in spans)


# titles and initials whose full stop does not end a sentence ("Mr. Obama said", "Richard J.
# Durbin"): written English abbreviations, not a list of names
ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Sgt",
                 "Capt", "Adm", "Cmdr", "Maj", "Prof", "Rev", "Hon", "Pres", "Sr", "Jr", "St",
                 "Mt", "Ft", "No", "vs", "Jan", "Feb", "Aug", "Sept", "Oct", "Nov", "Dec")
_NOT_AFTER = "".join(rf"(?<!\b{a})" for a in ABBREVIATIONS) + r"(?<!\b[A-Z])"
_SENTENCE_END = re.compile(rf"{_NOT_AFTER}[.!?]\s|\n")


def _next_paragraph(text: str, previous_end: int, start: int) -> bool:
    """A quote opening the paragraph right after one that ends with a quote and its cue.

    “A,” he said.\\n\\n“B.”: news style starts a paragraph with the same speaker's next
    words and names no one again; another speaker would be named.
    """
    gap = text[previous_end:start]
    if gap.count("\n\n") != 1:
        return False
    before, after = gap.split("\n\n")
    before = before.strip()
    if after.strip() not in OPENERS or len(before) > MAX_ATTRIBUTION:
        return False
    return not _SENTENCE_END.search(before[:-1] if before[-1:] in ".!?" else before)


def _clause_end(text: str, start: int, pieces: list[_Piece]) -> int:
    """End of the attribution after a quote: the next sentence end or quote."""
    nxt = min((p.start - 1 for p in pieces if p.start > start), default=len(text))
    match = _SENTENCE_END.search(text, start, nxt)
    return match.end() if match else nxt


def _clause_start(text: str, end: int, pieces: list[_Piece]) -> int:
    """Start of the attribution before a quote: the previous sentence end or quote."""
    prev = max((p.end + 1 for p in pieces if p.end < end), default=0)
    cut = prev
    for match in _SENTENCE_END.finditer(text, prev, end):
        cut = match.end()
    return cut
