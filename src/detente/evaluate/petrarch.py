"""Score actor coding on PETRARCH's unit-test records (``petrarch_unittest.jsonl``).

The records use fictional actors, so the pipeline runs with the PETRARCH validation
dictionaries as its only actor dictionary, and with the suite's own verb file
(``PETR.Validate.verbs.txt``) as its only verb dictionary. Those verb codes are WEIS codes
from a toy file, not CAMEO (the importer maps them to approximate CAMEO codes), so only the
(source code, target code) pairs and the event/no-event decision are compared.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detente.evaluate.events import event_dyads
from detente.evaluate.gold import PRF, Fraction, GoldError, field_error, read_gold
from detente.schema import Article, Document

if TYPE_CHECKING:
    from detente.actors.dictionary import ActorDictionary
    from detente.events.patterns import VerbDictionary
    from detente.pipeline import Pipeline

ACTORS_FILE = "PETR.Validate.actors.txt"
AGENTS_FILE = "PETR.Validate.agents.txt"
VERBS_FILE = "PETR.Validate.verbs.txt"
SCORED_KINDS = ("events", "noevents")

DEFINITIONS = [
    "Scored records: evaluate = true and expected_kind in (events, noevents); the pipeline runs "
    f"with {ACTORS_FILE} and {AGENTS_FILE} as its only actor dictionary and {VERBS_FILE} "
    "(imported as it is) as its only verb dictionary.",
    "Our pairs: for each event that is not negated, its dyads (as detente.export.dyads) as "
    "(actor.code, actor.code), an empty target as ''. Verb codes are ignored (the suite uses "
    "WEIS codes, which the importer maps to approximate CAMEO codes): only actors and the "
    "event decision are scored.",
    "A record passes when the set of our pairs equals the set of expected (source, target) "
    "pairs; a noevents record (or an empty expected list) passes when we code no event. "
    "Event decision: right when we code at least one event exactly when events are expected.",
    "Pairs P/R/F1: micro over records, our distinct pairs vs the expected distinct pairs.",
]

Pair = tuple[str, str]


@dataclass
class PetrarchMiss:
    id: str
    line: int
    text: str
    expected: list[Pair]
    ours: list[Pair]
    decision_right: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "line": self.line, "text": self.text,
                "expected": [list(p) for p in self.expected], "ours": [list(p) for p in self.ours],
                "decision_right": self.decision_right}


@dataclass
class PetrarchReport:
    path: str
    records: int
    skipped: int
    passed: Fraction
    decision: Fraction
    pairs: PRF
    misses: list[PetrarchMiss] = field(default_factory=list)
    seconds: float = 0.0
    definitions: list[str] = field(default_factory=lambda: list(DEFINITIONS))

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "records": self.records, "skipped": self.skipped,
                "seconds": round(self.seconds, 1), "pass_rate": self.passed.to_dict(),
                "decision_accuracy": self.decision.to_dict(), "pairs": self.pairs.to_dict(),
                "misses": [m.to_dict() for m in self.misses], "definitions": self.definitions}


def load_dictionary(directory: Path | str) -> ActorDictionary:
    """The PETRARCH validation actors and agents in ``directory``."""
    from detente.actors.petrarch import load_petrarch

    directory = Path(directory)
    missing = [n for n in (ACTORS_FILE, AGENTS_FILE) if not (directory / n).is_file()]
    if missing:
        raise GoldError(f"{directory}: no {' or '.join(missing)}; pass --dictionaries the "
                        f"PETRARCH folder that holds them")
    return load_petrarch([directory / ACTORS_FILE], [directory / AGENTS_FILE])


def load_verb_dictionary(directory: Path | str) -> VerbDictionary:
    """The PETRARCH validation verbs (``PETR.Validate.verbs.txt``) in ``directory``."""
    from detente.events.petrarch_verbs import load_petrarch_verb_dictionary

    path = Path(directory) / VERBS_FILE
    if not path.is_file():
        raise GoldError(f"{directory}: no {VERBS_FILE}; pass --dictionaries the PETRARCH "
                        f"folder that holds it")
    # the file's header: "most of the codes are WEIS, not CAMEO"
    return load_petrarch_verb_dictionary([path], codes="weis")


def expected_pairs(path: str, number: int, record: dict[str, Any]) -> set[Pair]:
    expected = record["expected"] or []
    if not isinstance(expected, list):
        raise field_error(path, number, "'expected' must be a list of {source, target, code}")
    out = set()
    for event in expected:
        if not isinstance(event, dict) or not isinstance(event.get("source"), str):
            raise field_error(path, number, "each expected event needs a source code")
        out.add((event["source"], event.get("target") or ""))
    return out


def our_pairs(document: Document) -> set[Pair]:
    codes = {a.id: a.code or "-" for a in document.actors}
    return {(codes.get(s, ""), codes.get(t, ""))
            for event in document.events if not event.negated
            for s, t in event_dyads(event)}


def score_petrarch(pipeline: Pipeline, path: Path | str, limit: int | None = None,
                   worst: int = 10) -> PetrarchReport:
    """Run ``pipeline`` (built with :func:`load_dictionary` and :func:`load_verb_dictionary`)
    on the scored records."""
    path = str(path)
    records = read_gold(path, ("id", "text", "expected", "expected_kind"), limit)
    scored = [(n, r) for n, r in records
              if r.get("evaluate", True) and r["expected_kind"] in SCORED_KINDS]
    expected = [expected_pairs(path, n, r) for n, r in scored]
    articles = (Article(id=str(r["id"]), text=str(r["text"]), date=r.get("date"))
                for _, r in scored)
    report = score_documents(path, scored, expected, pipeline.extract_many(articles), worst)
    report.skipped = len(records) - len(scored)
    return report


def score_documents(path: str, records: list[tuple[int, dict[str, Any]]],
                    expected: list[set[Pair]], documents: Iterable[Document],
                    worst: int = 10) -> PetrarchReport:
    passed = decided = tp = n_ours = n_expected = 0
    misses: list[PetrarchMiss] = []
    for (number, record), want, document in zip(records, expected, documents, strict=True):
        got = our_pairs(document)
        tp += len(got & want)
        n_ours += len(got)
        n_expected += len(want)
        decision = bool(got) == bool(want)
        decided += decision
        if got == want:
            passed += 1
        else:
            misses.append(PetrarchMiss(str(record["id"]), number, str(record["text"]),
                                       sorted(want), sorted(got), decision))
    misses.sort(key=lambda m: m.decision_right)
    return PetrarchReport(path=path, records=len(records), skipped=0,
                          passed=Fraction(passed, len(records)),
                          decision=Fraction(decided, len(records)),
                          pairs=PRF(tp, n_ours, tp, n_expected), misses=misses[:worst])
