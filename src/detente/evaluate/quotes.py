"""Score quotes and their speakers against ``quotes_dev.jsonl`` (eval README, section 6).

A predicted quote matches a gold quote when their pieces share a character; each gold and
each predicted quote is matched once, the pairs with the largest overlap first. Direct and
indirect quotes are scored separately: recall over the gold quotes of that kind, precision
of our quotes of that kind against gold quotes of *any* kind (PolNeAR annotates every
attribution, so an indirect gold quote is still a correct find for a direct extractor).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.evaluate.gold import PRF, Fraction, field_error, read_gold
from detente.schema import Article, Document

if TYPE_CHECKING:
    from detente.pipeline import Pipeline

Span = tuple[int, int]

# (name, our quote kinds, gold kinds for recall)
CATEGORIES: list[tuple[str, frozenset[str], frozenset[str]]] = [
    ("direct", frozenset({"direct"}), frozenset({"direct"})),
    ("direct+mixed", frozenset({"direct"}), frozenset({"direct", "mixed"})),
    ("indirect", frozenset({"indirect"}), frozenset({"indirect"})),
    ("all", frozenset({"direct", "indirect"}), frozenset({"direct", "mixed", "indirect"})),
]

DEFINITIONS = [
    "Quote match: the predicted pieces (segments, else start-end) share at least one character "
    "with the gold pieces (quote_segments); one-to-one, largest overlap first.",
    "direct: recall over gold kind=direct using our direct quotes; precision = share of our "
    "direct quotes that overlap a gold quote of any kind. direct+mixed: the same with gold "
    "direct and mixed quotes for recall. indirect: recall over gold kind=indirect using our "
    "indirect quotes; precision of our indirect quotes against gold quotes of any kind. "
    "all: all our quotes against all gold quotes. F1 combines that precision and recall.",
    "Speaker accuracy: on the recall pairs whose gold speaker is not null, the share where a "
    "mention of our speaker actor overlaps the gold speaker_span, or our speaker's name and "
    "the gold speaker share a surname (last capitalised word, case-insensitive, possessive "
    "removed). Gold pronouns and descriptions ('he', 'a source') have no surname and can only "
    "match by span. A quote of ours without a speaker counts as wrong.",
]

# words that are capitalised at the start of a sentence but are not names
_FUNCTION_WORDS = {
    "a", "an", "the", "this", "that", "these", "those", "he", "she", "it", "they", "we", "i",
    "you", "his", "her", "its", "their", "our", "my", "your", "him", "them", "us", "me",
    "one", "some", "many", "most", "several", "another", "other", "others", "both", "all",
    "each", "who", "which", "someone", "officials", "sources", "source",
}
_WORD = re.compile(r"[^\s\"“”(),;:]+")
_POSSESSIVE = re.compile(r"['’]s?$")


def surname(text: str | None) -> str | None:
    """The last capitalised word of ``text`` that is not a function word, lower-cased."""
    for word in reversed(_WORD.findall(text or "")):
        word = _POSSESSIVE.sub("", word.strip(".'’-"))
        if word and word[0].isupper() and word.casefold() not in _FUNCTION_WORDS:
            return word.casefold()
    return None


def overlap(a: Iterable[Span], b: Iterable[Span]) -> int:
    """Characters shared by two sets of pieces."""
    b = list(b)
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


@dataclass(frozen=True)
class GoldQuote:
    pieces: tuple[Span, ...]
    kind: str
    speaker: str | None
    speaker_span: Span | None

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


@dataclass(frozen=True)
class OurQuote:
    pieces: tuple[Span, ...]
    kind: str
    speaker: str | None  # the actor's name
    speaker_spans: tuple[Span, ...]

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]


def speaker_right(ours: OurQuote, gold: GoldQuote) -> bool:
    """The speaker rule of the README (span overlap, else same surname)."""
    if ours.speaker is None:
        return False
    if gold.speaker_span and overlap(ours.speaker_spans, [gold.speaker_span]) > 0:
        return True
    gold_name = surname(gold.speaker)
    return gold_name is not None and gold_name == surname(ours.speaker)


def match(ours: list[OurQuote], golds: list[GoldQuote]) -> list[tuple[int, int]]:
    """One-to-one (ours, gold) index pairs that overlap, the largest overlaps first."""
    candidates = []
    for i, q in enumerate(ours):
        for j, g in enumerate(golds):
            if q.end <= g.start or g.end <= q.start:
                continue
            shared = overlap(q.pieces, g.pieces)
            if shared > 0:
                candidates.append((-shared, i, j))
    candidates.sort()
    used_i: set[int] = set()
    used_j: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
            pairs.append((i, j))
    return pairs


@dataclass
class QuoteMiss:
    kind: str  # "FN direct", "FP", "speaker"
    id: str
    line: int
    start: int
    end: int
    snippet: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "line": self.line, "start": self.start,
                "end": self.end, "snippet": self.snippet, "detail": self.detail}


@dataclass
class QuotesReport:
    path: str
    texts: int
    gold_kinds: dict[str, int]
    predicted_kinds: dict[str, int]
    scores: dict[str, PRF]
    speakers: dict[str, Fraction]
    no_speaker: dict[str, int]  # matched quotes of ours with no speaker, per category
    misses: list[QuoteMiss] = field(default_factory=list)
    seconds: float = 0.0
    definitions: list[str] = field(default_factory=lambda: list(DEFINITIONS))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "texts": self.texts, "seconds": round(self.seconds, 1),
                "gold_kinds": self.gold_kinds, "predicted_kinds": self.predicted_kinds,
                "scores": {k: v.to_dict() for k, v in self.scores.items()},
                "speaker_accuracy": {k: v.to_dict() for k, v in self.speakers.items()},
                "matched_without_speaker": self.no_speaker,
                "misses": [m.to_dict() for m in self.misses], "definitions": self.definitions}


def _span(value: Any) -> Span | None:
    if (isinstance(value, list | tuple) and len(value) == 2
            and all(isinstance(v, int) for v in value) and value[0] <= value[1]):
        return (value[0], value[1])
    return None


def gold_quotes(path: str, number: int, record: dict[str, Any]) -> list[GoldQuote]:
    """The scored form of a gold record's quotes (GoldError on a malformed one)."""
    quotes = record["quotes"]
    if not isinstance(quotes, list):
        raise field_error(path, number, "'quotes' must be a list")
    out = []
    for n, quote in enumerate(quotes):
        if not isinstance(quote, dict):
            raise field_error(path, number, f"quotes[{n}] is not an object")
        pieces = [_span(s) for s in quote.get("quote_segments") or [quote.get("quote_span")]]
        if not pieces or any(p is None for p in pieces):
            raise field_error(path, number, f"quotes[{n}] needs quote_span or quote_segments "
                                            f"as [start, end] pairs")
        kind = quote.get("kind")
        if kind not in ("direct", "mixed", "indirect"):
            raise field_error(path, number, f"quotes[{n}].kind must be direct, mixed or "
                                            f"indirect, not {kind!r}")
        out.append(GoldQuote(tuple(sorted(p for p in pieces if p is not None)), kind,
                             quote.get("speaker"), _span(quote.get("speaker_span"))))
    return out


def our_quotes(document: Document) -> list[OurQuote]:
    actors = {a.id: a for a in document.actors}
    out = []
    for quote in document.quotes:
        pieces = tuple(sorted(quote.segments)) or ((quote.start, quote.end),)
        actor = actors.get(quote.speaker or "")
        spans = tuple((m.start, m.end) for m in actor.mentions) if actor else ()
        out.append(OurQuote(pieces, quote.kind, actor.name if actor else None, spans))
    return out


def _snippet(text: str, start: int, end: int, width: int = 140) -> str:
    piece = " ".join(text[start:end].split())
    return piece if len(piece) <= width else piece[: width - 1] + "…"


def score_quotes(pipeline: Pipeline, path: Path | str, limit: int | None = None,
                 worst: int = 10) -> QuotesReport:
    """Run ``pipeline`` on every gold text of ``path`` and score its quotes and speakers."""
    path = str(path)
    records = read_gold(path, ("id", "text", "quotes"), limit)
    golds = [gold_quotes(path, number, record) for number, record in records]

    def articles() -> Iterable[Article]:
        for _, r in records:
            meta = r.get("meta")
            when = meta.get("date") if isinstance(meta, dict) else None
            yield Article(id=str(r["id"]), text=str(r["text"]), date=when)

    return score_documents(path, records, golds, pipeline.extract_many(articles()), worst)


def score_documents(path: str, records: list[tuple[int, dict[str, Any]]],
                    golds: list[list[GoldQuote]], documents: Iterable[Document],
                    worst: int = 10) -> QuotesReport:
    """Score Documents already extracted for ``records`` (in the same order)."""
    tallies = {name: [0, 0, 0, 0] for name, _, _ in CATEGORIES}  # tp_pred, pred, tp_gold, gold
    speaker = {name: [0, 0] for name, _, _ in CATEGORIES}
    silent = {name: 0 for name, _, _ in CATEGORIES}
    gold_kinds: dict[str, int] = {}
    pred_kinds: dict[str, int] = {}
    fn: list[QuoteMiss] = []
    fp: list[QuoteMiss] = []
    wrong: list[QuoteMiss] = []
    for (number, record), gold, document in zip(records, golds, documents, strict=True):
        ours = our_quotes(document)
        text = str(record["text"])
        rid = str(record["id"])
        for g in gold:
            gold_kinds[g.kind] = gold_kinds.get(g.kind, 0) + 1
        for q in ours:
            pred_kinds[q.kind] = pred_kinds.get(q.kind, 0) + 1
        for name, our_kinds, recall_kinds in CATEGORIES:
            mine = [q for q in ours if q.kind in our_kinds]
            wanted = [g for g in gold if g.kind in recall_kinds]
            precise = match(mine, gold)
            recalled = match(mine, wanted)
            t = tallies[name]
            t[0] += len(precise)
            t[1] += len(mine)
            t[2] += len(recalled)
            t[3] += len(wanted)
            for i, j in recalled:
                if wanted[j].speaker is None:
                    continue
                speaker[name][1] += 1
                right = speaker_right(mine[i], wanted[j])
                speaker[name][0] += right
                silent[name] += mine[i].speaker is None
                if name == "direct" and not right:
                    g = wanted[j]
                    wrong.append(QuoteMiss(
                        "speaker", rid, number, g.start, g.end, _snippet(text, g.start, g.end),
                        f"gold speaker {g.speaker!r}, ours {mine[i].speaker!r}"))
            if name == "direct":
                found = {j for _, j in recalled}
                fn.extend(QuoteMiss("FN direct", rid, number, g.start, g.end,
                                    _snippet(text, g.start, g.end),
                                    f"gold speaker {g.speaker!r}; {len(g.pieces)} piece(s)")
                          for j, g in enumerate(wanted) if j not in found)
            if name == "all":
                hit = {i for i, _ in precise}
                fp.extend(QuoteMiss(f"FP {q.kind}", rid, number, q.start, q.end,
                                    _snippet(text, q.start, q.end),
                                    f"our speaker {q.speaker!r}; overlaps no gold quote")
                          for i, q in enumerate(mine) if i not in hit)
    by_length = sorted(fn, key=lambda m: m.start - m.end)[:worst]
    by_length += sorted(fp, key=lambda m: m.start - m.end)[:worst]
    by_length += wrong[:worst]
    return QuotesReport(
        path=path, texts=len(records), gold_kinds=gold_kinds, predicted_kinds=pred_kinds,
        scores={k: PRF(*t) for k, t in tallies.items()},
        speakers={k: Fraction(*s) for k, s in speaker.items()}, no_speaker=silent,
        misses=by_length)
