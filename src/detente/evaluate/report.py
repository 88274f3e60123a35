"""Print evaluation reports for the terminal, as JSON, and as the markdown page."""

from __future__ import annotations

import json
from typing import Any

from detente.evaluate.events import EventsReport
from detente.evaluate.gold import PRF
from detente.evaluate.petrarch import PetrarchReport
from detente.evaluate.quotes import QuotesReport

Report = EventsReport | QuotesReport | PetrarchReport


def to_json(report: Report | dict[str, Report]) -> str:
    if isinstance(report, dict):
        data: Any = {k: v.to_dict() for k, v in report.items()}
    else:
        data = report.to_dict()
    return json.dumps(data, ensure_ascii=False, indent=2)


def _prf_row(name: str, s: PRF, width: int = 14) -> str:
    return (f"  {name:<{width}} {s.gold:>6} {s.predicted:>6} {s.tp_gold:>6} "
            f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}")


def _head(width: int = 14) -> str:
    return f"  {'':<{width}} {'gold':>6} {'pred':>6} {'TP':>6} {'P':>6} {'R':>6} {'F1':>6}"


def _definitions(items: list[str]) -> list[str]:
    return ["definitions:"] + [f"  - {d}" for d in items]


def events_text(r: EventsReport) -> str:
    m = r.micro
    lines = [
        f"PLOVER events: {r.path} ({r.sentences} sentences, {r.seconds:.1f} s)",
        f"  micro  P {m.precision:.3f}  R {m.recall:.3f}  F1 {m.f1:.3f}   "
        f"(TP {m.tp_gold}, predicted {m.predicted}, gold {m.gold}; empty gold target ignored)",
        f"  type-only accuracy {r.type_only.share:.3f} ({r.type_only.hits}/{r.type_only.total} "
        f"gold events whose type is among the sentence's predicted types)",
        f"  actor accuracy {r.actors.share:.3f} ({r.actors.hits}/{r.actors.total}), source only "
        f"{r.sources.share:.3f}, on gold events paired with a prediction of their type",
        f"  left out: {r.dropped_negated} negated events, {r.dropped_no_plover} events of "
        f"CAMEO 01/02 (no PLOVER type)",
        "per type:", _head(),
    ]
    lines += [_prf_row(k, v) for k, v in sorted(r.per_type.items())]
    if r.misses:
        lines.append("worst misses (FN: types never predicted first; FP: types not in gold first):")
        for miss in r.misses:
            lines.append(f"  {miss.kind} {miss.id} (line {miss.line}): {miss.item}")
            lines.append(f"     text: {miss.text}")
            lines.append(f"     gold: {'; '.join(miss.gold) or '-'}")
            lines.append(f"     ours: {'; '.join(miss.predicted) or '-'}")
    return "\n".join(lines + _definitions(r.definitions))


def quotes_text(r: QuotesReport) -> str:
    kinds = ", ".join(f"{k} {v}" for k, v in sorted(r.gold_kinds.items()))
    ours = ", ".join(f"{k} {v}" for k, v in sorted(r.predicted_kinds.items()))
    lines = [f"Quotes: {r.path} ({r.texts} texts, {r.seconds:.1f} s)",
             f"  gold quotes: {kinds}; ours: {ours}",
             "  (P = our quotes of the kind overlapping any gold quote; R over gold of the kind)",
             _head() + f" {'speaker':>8} {'of':>5}"]
    for name, s in r.scores.items():
        sp = r.speakers[name]
        lines.append(_prf_row(name, s) + f" {sp.share:>8.3f} {sp.total:>5}")
    lines.append("  speaker: share right on recall pairs whose gold speaker is not null; "
                 f"ours gave no speaker on {r.no_speaker.get('direct', 0)} of the direct ones")
    if r.misses:
        lines.append("worst misses (longest first):")
        for miss in r.misses:
            lines.append(f"  {miss.kind} {miss.id} [{miss.start}:{miss.end}] {miss.detail}")
            lines.append(f"     «{miss.snippet}»")
    return "\n".join(lines + _definitions(r.definitions))


def petrarch_text(r: PetrarchReport) -> str:
    p = r.pairs
    lines = [f"PETRARCH unit tests: {r.path} ({r.records} scored records, {r.skipped} skipped, "
             f"{r.seconds:.1f} s)",
             f"  pass rate {r.passed.share:.3f} ({r.passed.hits}/{r.passed.total})",
             f"  event/no-event decision {r.decision.share:.3f} "
             f"({r.decision.hits}/{r.decision.total})",
             f"  (source, target) pairs  P {p.precision:.3f}  R {p.recall:.3f}  F1 {p.f1:.3f}"]
    if r.misses:
        lines.append("worst misses (wrong event/no-event decision first):")
        for miss in r.misses:
            def pairs(items: list[tuple[str, str]]) -> str:
                return "; ".join(f"{s}->{t or '(none)'}" for s, t in items) or "no event"
            lines.append(f"  {miss.id} (line {miss.line}): {miss.text}")
            lines.append(f"     expected: {pairs(miss.expected)}")
            lines.append(f"     ours:     {pairs(miss.ours)}")
    return "\n".join(lines + _definitions(r.definitions))


def summary_rows(reports: dict[str, Report]) -> list[tuple[str, str, str, str]]:
    """(set, measure, value, seconds) rows of the headline figures."""
    rows: list[tuple[str, str, str, str]] = []
    ev = reports.get("events")
    if isinstance(ev, EventsReport):
        s = f"{ev.seconds:.0f}"
        m = ev.micro
        rows += [("events", "micro P / R / F1", f"{m.precision:.3f} / {m.recall:.3f} / {m.f1:.3f}",
                  s),
                 ("events", "type-only accuracy", f"{ev.type_only.share:.3f}", ""),
                 ("events", "actor accuracy (type-paired)", f"{ev.actors.share:.3f}", "")]
    qu = reports.get("quotes")
    if isinstance(qu, QuotesReport):
        first = True
        for name in ("direct", "direct+mixed", "indirect", "all"):
            q = qu.scores[name]
            rows.append(("quotes", f"{name} P / R / F1",
                         f"{q.precision:.3f} / {q.recall:.3f} / {q.f1:.3f}",
                         f"{qu.seconds:.0f}" if first else ""))
            first = False
        rows.append(("quotes", "speaker accuracy (direct)", f"{qu.speakers['direct'].share:.3f}",
                     ""))
        rows.append(("quotes", "speaker accuracy (all)", f"{qu.speakers['all'].share:.3f}", ""))
    pe = reports.get("petrarch")
    if isinstance(pe, PetrarchReport):
        rows += [("petrarch", "records passing", f"{pe.passed.share:.3f}", f"{pe.seconds:.0f}"),
                 ("petrarch", "event/no-event decision", f"{pe.decision.share:.3f}", "")]
    return rows


def summary_text(reports: dict[str, Report], seconds: float) -> str:
    rows = summary_rows(reports)
    lines = [f"{'set':<9} {'measure':<30} {'value':<24} {'s':>5}"]
    lines += [f"{a:<9} {b:<30} {c:<24} {d:>5}" for a, b, c, d in rows]
    lines.append(f"total {seconds:.0f} s")
    return "\n".join(lines)


def markdown(reports: dict[str, Report], seconds: float, command: str, when: str) -> str:
    """The docs/accuracy.md page: figures, date, how to reproduce, definitions."""
    out = ["# Accuracy", "",
           f"Measured on {when} with `detente eval all` ({seconds:.0f} s in total on the "
           "machine that ran it). Reproduce with:", "", "```sh", command, "```", "",
           "The gold sets are the development halves in `../shared/eval/` (see its README, "
           "section 6, for the scoring rules followed here). Figures only; the gold data is not "
           "part of this repository.", "",
           "| set | measure | value | seconds |", "|---|---|---|---|"]
    out += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary_rows(reports)]
    ev = reports.get("events")
    if isinstance(ev, EventsReport):
        out += ["", f"## PLOVER events ({ev.sentences} sentences, {ev.micro.gold} gold events)",
                "", "| type | gold | predicted | TP | P | R | F1 |",
                "|---|---|---|---|---|---|---|"]
        out += [f"| {k} | {v.gold} | {v.predicted} | {v.tp_gold} | {v.precision:.3f} | "
                f"{v.recall:.3f} | {v.f1:.3f} |" for k, v in sorted(ev.per_type.items())]
        out += ["", f"Left out of the predictions: {ev.dropped_negated} negated events and "
                f"{ev.dropped_no_plover} events of CAMEO 01/02.", ""]
        out += [f"- {d}" for d in ev.definitions]
    qu = reports.get("quotes")
    if isinstance(qu, QuotesReport):
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(qu.gold_kinds.items()))
        out += ["", f"## Quotes ({qu.texts} texts; gold {kinds})", "",
                "| scored as | gold | ours | ours correct | gold found | P | R | F1 | speaker | "
                "speaker pairs |", "|---|---|---|---|---|---|---|---|---|---|"]
        for name, s in qu.scores.items():
            sp = qu.speakers[name]
            out.append(f"| {name} | {s.gold} | {s.predicted} | {s.tp_pred} | {s.tp_gold} | "
                       f"{s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {sp.share:.3f} | "
                       f"{sp.total} |")
        out += [""] + [f"- {d}" for d in qu.definitions]
    pe = reports.get("petrarch")
    if isinstance(pe, PetrarchReport):
        p = pe.pairs
        out += ["", f"## PETRARCH unit tests ({pe.records} scored records, {pe.skipped} "
                "not scored)", "",
                f"- records passing: {pe.passed.hits}/{pe.passed.total} ({pe.passed.share:.3f})",
                f"- event/no-event decision right: {pe.decision.hits}/{pe.decision.total} "
                f"({pe.decision.share:.3f})",
                f"- (source, target) pairs: P {p.precision:.3f}, R {p.recall:.3f}, "
                f"F1 {p.f1:.3f}", ""]
        out += [f"- {d}" for d in pe.definitions]
    return "\n".join(out) + "\n"
