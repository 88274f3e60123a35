"""Write Documents in the formats users load: JSON, JSONL, PLOVER JSONL and a text table."""

from __future__ import annotations

import json
from itertools import permutations, product
from typing import Any

from detente.schema import Document, Event


def dyads(event: Event) -> list[tuple[str, str]]:
    """The CAMEO (source, target) pairs of an event.

    Coordinated actors give one pair per combination; an event with several sources and no
    target is reciprocal ("Hungary and Romania agreed"): every ordered pair of sources.
    """
    if event.target:
        return [(s, t) for s, t in product(event.source, event.target) if s != t]
    if len(event.source) > 1:
        return list(permutations(event.source, 2))
    return [(s, "") for s in event.source]


def plover_records(document: Document) -> list[dict[str, Any]]:
    """PLOVER event records for the events that have a PLOVER type (not CAMEO 01/02)."""
    art = document.article
    actors = {a.id: a for a in document.actors}
    records = []
    for n, event in enumerate(document.events, start=1):
        if event.plover is None:
            continue

        def side(ids: list[str]) -> list[dict[str, Any]]:
            return [{"code": actors[i].code, "name": actors[i].name,
                     "country": actors[i].country, "sector": actors[i].sector} for i in ids]

        context = [c.strip() for c in (event.plover.context or "").split(";") if c.strip()]
        records.append({
            "id": f"{art.id}-{n}",
            "date": event.date or art.date,
            "actor": side(event.source),
            "recipient": side(event.target),
            "event": event.plover.event,
            "mode": event.plover.mode,
            "context": context,
            "cameo": event.cameo.code,
            "negated": event.negated,
            "text_info": {
                "article_id": art.id,
                "title": art.title,
                "url": art.url,
                "sentence": event.sentence,
                "event_text": event.trigger,
                "start": event.start,
                "end": event.end,
            },
        })
    return records


def to_jsonl(document: Document) -> str:
    """One Document as one JSON line."""
    return json.dumps(document.to_dict(), ensure_ascii=False)


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def to_table(document: Document) -> str:
    """A readable summary of one Document for the terminal."""
    art = document.article
    names = {a.id: a.name for a in document.actors}
    lines = [f"== {art.title or art.id}  [{art.id}{', ' + art.date if art.date else ''}]"]

    def who(ids: list[str]) -> str:
        return " + ".join(names.get(i, i) for i in ids) or "-"

    lines.append(f"actors ({len(document.actors)})")
    for a in document.actors:
        role = f", {a.role}" if a.role else ""
        said = sorted({m.text for m in a.mentions}, key=lambda text: (text.lower(), text))
        lines.append(f"  {a.name:<28} {a.kind:<12} {a.code or '-':<10}{role}  "
                     f"[{_short('; '.join(said), 60)}]")
    lines.append(f"events ({len(document.events)})")
    for e in document.events:
        plover = e.plover.event if e.plover else "-"
        flags = " NOT" if e.negated else ""
        flags += f" ({e.modality})" if e.modality else ""
        lines.append(f"  {who(e.source)} -> {who(e.target)}: {e.cameo.code} {e.cameo.name} "
                     f"| {plover} | g={e.cameo.goldstein:+.1f}{flags}  «{e.trigger}»")
    lines.append(f"quotes ({len(document.quotes)})")
    for q in document.quotes:
        lines.append(f"  {q.kind:<8} {names.get(q.speaker or '', '?')}: \"{_short(q.text, 70)}\""
                     f" ({q.cue or 'no cue'})")
    lines.append(f"stances ({len(document.stances)})")
    for s in document.stances:
        lines.append(f"  {names.get(s.holder, s.holder)} {s.polarity}s {_short(s.topic, 70)}")
    lines.append(f"entities ({len(document.entities)})")
    for ent in document.entities:
        where = f" -> {ent.country}" if ent.country else ""
        lines.append(f"  {ent.label:<8} {_short(ent.text, 70)}{where}")
    return "\n".join(lines)
