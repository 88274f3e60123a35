"""Score PLOVER events against ``plover_gsr_dev.jsonl`` (eval README, section 6, "Events").

Both sides are reduced to (type, source country, target country). Our actors give their
``country``, ``"IGO"`` for IGOs and ``"NGO"`` for NGOs; gold actors the first three letters
of their code. A gold event accepts the dyads of its ``source`` x ``target``; a reciprocal
one every ordered pair of distinct sources; an empty gold target accepts any target of ours
(the target is *ignored*, not required to be empty); an empty gold source accepts any source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.evaluate.gold import PRF, Fraction, field_error, read_gold
from detente.export import dyads
from detente.schema import Actor, Article, Document, Event

if TYPE_CHECKING:
    from detente.pipeline import Pipeline

NO_COUNTRY = "-"  # an actor of ours without a country; never equal to a gold code

DEFINITIONS = [
    "Predicted events: events with a PLOVER type that are not negated (CAMEO 01/02 events "
    "have no PLOVER type and count as no event).",
    "Actors reduced to countries: ours = actor.country, 'IGO' for IGOs and actors with an "
    "IGO code but no country (an IGO's officials), 'NGO' for NGOs; "
    "gold = first three letters of the code.",
    "A gold event accepts source x target dyads; reciprocal gold accepts every ordered pair "
    "of distinct sources; an empty gold target is IGNORED (any predicted target is accepted); "
    "an empty gold source is ignored.",
    "Our events are expanded to dyads like detente.export.dyads(); an event with no source "
    "gives (none, target) pairs. A prediction matches a gold event of the same sentence when "
    "the types are equal and any of its dyads is accepted; matching is one-to-one (maximum "
    "matching per sentence). Unmatched predictions are FP, unmatched gold events FN.",
    "Type-only accuracy: share of gold events whose type is among the types predicted for "
    "the sentence (actors ignored).",
    "Actor accuracy: gold events paired with a prediction of the same type (full matches "
    "first, then type-only pairs), gold events without a source left out; share whose "
    "predicted source country is a gold source and, when the gold event has a target (or is "
    "reciprocal), whose target country is a gold target. Source accuracy: the source alone.",
]


@dataclass(frozen=True)
class GoldEvent:
    type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    reciprocal: bool

    def accepts(self, source: str, target: str) -> bool:
        """True when the predicted (source, target) country pair is one of our dyads."""
        if self.reciprocal and len(set(self.sources)) > 1:
            return source in self.sources and target in self.sources and source != target
        source_ok = not self.sources or source in self.sources
        target_ok = not self.targets or target in self.targets
        return source_ok and target_ok

    def source_ok(self, source: str) -> bool:
        return not self.sources or source in self.sources

    def describe(self) -> str:
        if self.reciprocal:
            return f"{self.type} {' <-> '.join(self.sources)} (reciprocal)"
        return (f"{self.type} {'+'.join(self.sources) or '(no source)'} -> "
                f"{'+'.join(self.targets) or '(no target)'}")


@dataclass(frozen=True)
class PredictedEvent:
    type: str
    dyads: tuple[tuple[str, str], ...]
    cameo: str
    trigger: str
    who: str

    def describe(self) -> str:
        return f"{self.type} {self.who} [CAMEO {self.cameo} «{self.trigger}»]"


@dataclass
class Miss:
    """A false negative or false positive, with the sentence and both sides."""

    kind: str  # "FN" or "FP"
    id: str
    line: int
    text: str
    item: str
    gold: list[str]
    predicted: list[str]
    type_found: bool  # FN: type among predictions; FP: type among gold

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "line": self.line, "text": self.text,
                "item": self.item, "gold": self.gold, "predicted": self.predicted,
                "type_found": self.type_found}


@dataclass
class EventsReport:
    path: str
    sentences: int
    micro: PRF
    per_type: dict[str, PRF]
    type_only: Fraction
    actors: Fraction
    sources: Fraction
    dropped_negated: int
    dropped_no_plover: int
    misses: list[Miss] = field(default_factory=list)
    seconds: float = 0.0
    definitions: list[str] = field(default_factory=lambda: list(DEFINITIONS))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sentences": self.sentences, "seconds": round(self.seconds, 1),
                "micro": self.micro.to_dict(),
                "per_type": {k: v.to_dict() for k, v in sorted(self.per_type.items())},
                "type_only_accuracy": self.type_only.to_dict(),
                "actor_accuracy": self.actors.to_dict(),
                "source_accuracy": self.sources.to_dict(),
                "dropped_negated": self.dropped_negated,
                "dropped_no_plover": self.dropped_no_plover,
                "target_rule": "empty gold target ignored",
                "misses": [m.to_dict() for m in self.misses],
                "definitions": self.definitions}


def actor_country(actor: Actor) -> str:
    """The country code an actor of ours is scored by."""
    if actor.kind == "igo" or (actor.country is None and (actor.code or "").startswith("IGO")):
        return "IGO"  # an IGO, or one of its officials or bodies ("the UN envoy")
    if (actor.code or "").startswith("NGO") or actor.sector == "NGO":
        return "NGO"
    return actor.country or NO_COUNTRY


def event_dyads(event: Event) -> list[tuple[str, str]]:
    """Actor-id pairs of :func:`detente.export.dyads`; when it gives none, a source-less event
    gives ("", target) pairs and a self-targeted one (source, "")."""
    pairs = dyads(event)
    if pairs:
        return pairs
    if not event.source:
        return [("", t) for t in event.target] or [("", "")]
    return [(s, "") for s in event.source]


def predicted_events(document: Document) -> tuple[list[PredictedEvent], int, int]:
    """Our scored events of a Document, and how many were left out as negated / untyped."""
    actors = {a.id: a for a in document.actors}

    def country(actor_id: str) -> str:
        return actor_country(actors[actor_id]) if actor_id in actors else ""

    def names(ids: list[str]) -> str:
        return "+".join(f"{actors[i].name}({actor_country(actors[i])})" for i in ids
                        if i in actors)

    out: list[PredictedEvent] = []
    negated = untyped = 0
    for event in document.events:
        if event.plover is None:
            untyped += 1
            continue
        if event.negated:
            negated += 1
            continue
        dyads = tuple((country(s), country(t)) for s, t in event_dyads(event))
        who = f"{names(event.source) or '(no source)'} -> {names(event.target) or '(no target)'}"
        out.append(PredictedEvent(event.plover.event, dyads, event.cameo.code, event.trigger,
                                  who))
    return out, negated, untyped


def max_matching(n_left: int, n_right: int, edge: Callable[[int, int], bool]) -> dict[int, int]:
    """A maximum one-to-one matching (right index -> left index) by augmenting paths."""
    owner: dict[int, int] = {}

    def augment(left: int, seen: set[int]) -> bool:
        for right in range(n_right):
            if right in seen or not edge(left, right):
                continue
            seen.add(right)
            if right not in owner or augment(owner[right], seen):
                owner[right] = left
                return True
        return False

    for left in range(n_left):
        augment(left, set())
    return owner


def gold_events(path: str, number: int, record: dict[str, Any]) -> list[GoldEvent]:
    """The scored form of a gold record's events (GoldError on a malformed one)."""

    def codes(actors: Any, side: str) -> tuple[str, ...]:
        if not isinstance(actors, list):
            raise field_error(path, number, f"events[].{side} must be a list of actors")
        out = []
        for actor in actors:
            code = actor.get("code") if isinstance(actor, dict) else None
            if not isinstance(code, str) or not code:
                raise field_error(path, number, f"an actor in events[].{side} has no code")
            out.append(code[:3].upper())
        return tuple(out)

    events = record["events"]
    if not isinstance(events, list):
        raise field_error(path, number, "'events' must be a list")
    out = []
    for event in events:
        kind = event.get("plover_2021") or event.get("plover") if isinstance(event, dict) else None
        if not isinstance(kind, str):
            raise field_error(path, number, "an event has no plover_2021 (or plover) type")
        out.append(GoldEvent(kind.upper(), codes(event.get("source", []), "source"),
                             codes(event.get("target", []), "target"),
                             bool(event.get("reciprocal"))))
    return out


def score_events(pipeline: Pipeline, path: Path | str, limit: int | None = None,
                 worst: int = 10) -> EventsReport:
    """Run ``pipeline`` on every gold sentence of ``path`` and score its PLOVER events."""
    path = str(path)
    records = read_gold(path, ("id", "text", "events"), limit)
    golds = [gold_events(path, number, record) for number, record in records]
    articles = (Article(id=str(r["id"]), text=str(r["text"]), date=r.get("date"))
                for _, r in records)
    documents = pipeline.extract_many(articles)
    return score_documents(path, records, golds, documents, worst)


def score_documents(path: str, records: list[tuple[int, dict[str, Any]]],
                    golds: list[list[GoldEvent]], documents: Iterable[Document],
                    worst: int = 10) -> EventsReport:
    """Score Documents already extracted for ``records`` (in the same order)."""
    counts: dict[str, list[int]] = {}  # type -> [gold, predicted, tp]
    tp = n_pred = n_gold = 0
    type_hits = actor_hits = actor_total = source_hits = 0
    dropped_negated = dropped_untyped = 0
    misses: list[Miss] = []
    for (number, record), gold, document in zip(records, golds, documents, strict=True):
        preds, negated, untyped = predicted_events(document)
        dropped_negated += negated
        dropped_untyped += untyped
        n_pred += len(preds)
        n_gold += len(gold)
        for g in gold:
            counts.setdefault(g.type, [0, 0, 0])[0] += 1
        for p in preds:
            counts.setdefault(p.type, [0, 0, 0])[1] += 1

        def full(pi: int, gi: int, preds: list[PredictedEvent] = preds,
                 gold: list[GoldEvent] = gold) -> bool:
            return preds[pi].type == gold[gi].type and any(
                gold[gi].accepts(s, t) for s, t in preds[pi].dyads)

        matched = max_matching(len(preds), len(gold), full)  # gold -> pred
        tp += len(matched)
        for gi in matched:
            counts[gold[gi].type][2] += 1
        # pair the rest by type alone, for actor accuracy
        free_p = [i for i in range(len(preds)) if i not in matched.values()]
        free_g = [i for i in range(len(gold)) if i not in matched]
        p_types = [preds[i].type for i in free_p]
        g_types = [gold[i].type for i in free_g]

        def same_type(a: int, b: int, p_types: list[str] = p_types,
                      g_types: list[str] = g_types) -> bool:
            return p_types[a] == g_types[b]

        loose = max_matching(len(free_p), len(free_g), same_type)
        pairs = list(matched.items()) + [(free_g[b], free_p[a]) for b, a in loose.items()]
        for gi, pi in pairs:
            if not gold[gi].sources:
                continue
            actor_total += 1
            actor_hits += any(gold[gi].accepts(s, t) for s, t in preds[pi].dyads)
            source_hits += any(gold[gi].source_ok(s) for s, _ in preds[pi].dyads)
        pred_types = {p.type for p in preds}
        gold_types = {g.type for g in gold}
        type_hits += sum(g.type in pred_types for g in gold)
        text = str(record["text"])
        gold_desc = [g.describe() for g in gold]
        pred_desc = [p.describe() for p in preds]
        for gi, g in enumerate(gold):
            if gi not in matched:
                misses.append(Miss("FN", str(record["id"]), number, text, g.describe(),
                                   gold_desc, pred_desc, g.type in pred_types))
        for pi, p in enumerate(preds):
            if pi not in matched.values():
                misses.append(Miss("FP", str(record["id"]), number, text, p.describe(),
                                   gold_desc, pred_desc, p.type in gold_types))
    per_type = {k: PRF(c[2], c[1], c[2], c[0]) for k, c in counts.items()}
    return EventsReport(
        path=path, sentences=len(records), micro=PRF(tp, n_pred, tp, n_gold), per_type=per_type,
        type_only=Fraction(type_hits, n_gold), actors=Fraction(actor_hits, actor_total),
        sources=Fraction(source_hits, actor_total), dropped_negated=dropped_negated,
        dropped_no_plover=dropped_untyped, misses=worst_misses(misses, worst))


def worst_misses(misses: list[Miss], n: int) -> list[Miss]:
    """Up to ``n`` FN and ``n`` FP: first those whose type is missing on the other side."""
    out: list[Miss] = []
    for kind in ("FN", "FP"):
        mine = [m for m in misses if m.kind == kind]
        out.extend(sorted(mine, key=lambda m: m.type_found)[:n])
    return out
