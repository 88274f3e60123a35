"""Documents to table rows (and back): the one place that knows both shapes.

Each table's rows are gathered as Python columns and handed to DuckDB as one Arrow table per
table and commit, which is much faster than one INSERT per row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date as Date
from datetime import datetime
from typing import Any

import pyarrow as pa

from detente import __version__
from detente.export import dyads as event_dyads
from detente.schema import (
    Actor,
    Article,
    Cameo,
    Document,
    Entity,
    Event,
    Mention,
    Plover,
    Quote,
    Stance,
)

_STR = pa.string()
_INT = pa.int32()
_DATE = pa.date32()
_STRS = pa.list_(pa.string())
_MENTIONS = pa.list_(pa.struct([("text", _STR), ("start_char", _INT), ("end_char", _INT)]))
_SEGMENTS = pa.list_(pa.struct([("start_char", _INT), ("end_char", _INT)]))

SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("id", _STR), ("content_hash", _STR), ("title", _STR), ("date", _DATE), ("url", _STR),
        ("text", _STR), ("n_actors", _INT), ("n_events", _INT), ("n_quotes", _INT),
        ("n_stances", _INT), ("n_entities", _INT), ("detente_version", _STR),
        ("ingested_at", pa.timestamp("us")),
    ]),
    "actors": pa.schema([
        ("article_id", _STR), ("n", _INT), ("actor_id", _STR), ("name", _STR), ("kind", _STR),
        ("country", _STR), ("sector", _STR), ("code", _STR), ("role", _STR), ("side", _STR),
        ("date", _DATE), ("n_mentions", _INT), ("n_events", _INT), ("mentions", _MENTIONS),
    ]),
    "events": pa.schema([
        ("article_id", _STR), ("n", _INT), ("date", _DATE), ("source", _STRS),
        ("target", _STRS), ("source_sides", _STRS), ("target_sides", _STRS),
        ("cameo_code", _STR), ("cameo_name", _STR), ("cameo_root", _STR),
        ("goldstein", pa.float64()), ("quad_class", pa.int8()), ("plover_event", _STR),
        ("plover_mode", _STR), ("plover_context", _STR), ("negated", pa.bool_()),
        ("modality", _STR), ("sentence", _INT), ("trigger", _STR), ("start_char", _INT),
        ("end_char", _INT),
    ]),
    "dyads": pa.schema([
        ("article_id", _STR), ("event_n", _INT), ("date", _DATE),
        ("source_actor", _STR), ("source_name", _STR), ("source_code", _STR),
        ("source_country", _STR), ("source_sector", _STR), ("source_side", _STR),
        ("target_actor", _STR), ("target_name", _STR), ("target_code", _STR),
        ("target_country", _STR), ("target_sector", _STR), ("target_side", _STR),
        ("cameo_code", _STR), ("cameo_name", _STR), ("cameo_root", _STR),
        ("quad_class", pa.int8()), ("goldstein", pa.float64()), ("plover_event", _STR),
        ("negated", pa.bool_()), ("sentence", _INT), ("event_group", _STR),
    ]),
    "quotes": pa.schema([
        ("article_id", _STR), ("n", _INT), ("date", _DATE), ("text", _STR), ("kind", _STR),
        ("speaker", _STR), ("speaker_name", _STR), ("speaker_code", _STR),
        ("speaker_country", _STR), ("cue", _STR), ("start_char", _INT), ("end_char", _INT),
        ("segments", _SEGMENTS),
    ]),
    "stances": pa.schema([
        ("article_id", _STR), ("n", _INT), ("date", _DATE), ("holder", _STR),
        ("holder_name", _STR), ("holder_code", _STR), ("holder_country", _STR),
        ("polarity", _STR), ("topic", _STR), ("start_char", _INT), ("end_char", _INT),
    ]),
    "entities": pa.schema([
        ("article_id", _STR), ("n", _INT), ("date", _DATE), ("text", _STR), ("label", _STR),
        ("country", _STR), ("start_char", _INT), ("end_char", _INT),
    ]),
}


def content_hash(article: Article) -> str:
    """What decides whether a stored article changed: its text, title, date and url."""
    payload = json.dumps([article.text, article.title, article.date, article.url],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def to_date(value: str | None) -> Date | None:
    """An ISO date (or timestamp) string as a date; None when absent or not a date."""
    if not value:
        return None
    try:
        return Date.fromisoformat(value[:10])
    except ValueError:
        return None


def side(actor: Actor | None) -> str | None:
    """The side an actor stands for in a dyad: its country, else its own code (IGOs such as
    ``IGOUNO``), else None (a group of unknown country, ``---CVL``, stands for no side)."""
    if actor is None:
        return None
    if actor.country:
        return actor.country
    if actor.code and not actor.code.startswith("-"):
        return actor.code
    return None


def event_group(day: Date | None, source_side: str | None, target_side: str | None,
                root: str) -> str | None:
    """The dedupe key of a dyad: one happening = same day, same directed sides, same root.

    Reports of one happening in several articles (or twice in one) share the key; see
    docs/store.md for why the day, the sides and the CAMEO root were chosen.
    """
    if day is None or not source_side or not target_side:
        return None
    return f"{day.isoformat()}|{source_side}|{target_side}|{root}"


class RowBuffer:
    """Columns for every table, filled one Document at a time, emptied as Arrow tables."""

    def __init__(self) -> None:
        self.columns: dict[str, dict[str, list[Any]]] = {}
        self.articles = 0
        self._reset()

    def _reset(self) -> None:
        self.columns = {table: {name: [] for name in schema.names}
                        for table, schema in SCHEMAS.items()}
        self.articles = 0

    def _add(self, table: str, **values: Any) -> None:
        cols = self.columns[table]
        for name, value in values.items():
            cols[name].append(value)

    def add(self, document: Document, ingested_at: datetime) -> None:
        art = document.article
        aid = art.id
        article_day = to_date(art.date)
        actors = {a.id: a for a in document.actors}
        events_of: dict[str, int] = {}
        for event in document.events:
            for actor_id in {*event.source, *event.target}:
                events_of[actor_id] = events_of.get(actor_id, 0) + 1
        self._add("articles", id=aid, content_hash=content_hash(art), title=art.title,
                  date=article_day, url=art.url, text=art.text,
                  n_actors=len(document.actors), n_events=len(document.events),
                  n_quotes=len(document.quotes), n_stances=len(document.stances),
                  n_entities=len(document.entities), detente_version=__version__,
                  ingested_at=ingested_at)
        for n, actor in enumerate(document.actors, start=1):
            self._add("actors", article_id=aid, n=n, actor_id=actor.id, name=actor.name,
                      kind=actor.kind, country=actor.country, sector=actor.sector,
                      code=actor.code, role=actor.role, side=side(actor), date=article_day,
                      n_mentions=len(actor.mentions), n_events=events_of.get(actor.id, 0),
                      mentions=[{"text": m.text, "start_char": m.start, "end_char": m.end}
                                for m in actor.mentions])
        for n, event in enumerate(document.events, start=1):
            self._add_event(aid, n, event, actors, to_date(event.date) or article_day)
        for n, quote in enumerate(document.quotes, start=1):
            speaker = actors.get(quote.speaker) if quote.speaker else None
            self._add("quotes", article_id=aid, n=n, date=article_day, text=quote.text,
                      kind=quote.kind, speaker=quote.speaker,
                      speaker_name=speaker and speaker.name,
                      speaker_code=speaker and speaker.code,
                      speaker_country=speaker and speaker.country, cue=quote.cue,
                      start_char=quote.start, end_char=quote.end,
                      segments=[{"start_char": s, "end_char": e} for s, e in quote.segments])
        for n, stance in enumerate(document.stances, start=1):
            holder = actors.get(stance.holder)
            self._add("stances", article_id=aid, n=n, date=article_day, holder=stance.holder,
                      holder_name=holder and holder.name, holder_code=holder and holder.code,
                      holder_country=holder and holder.country, polarity=stance.polarity,
                      topic=stance.topic, start_char=stance.start, end_char=stance.end)
        for n, entity in enumerate(document.entities, start=1):
            self._add("entities", article_id=aid, n=n, date=article_day, text=entity.text,
                      label=entity.label, country=entity.country, start_char=entity.start,
                      end_char=entity.end)
        self.articles += 1

    def _add_event(self, aid: str, n: int, event: Event, actors: dict[str, Actor],
                   day: Date | None) -> None:
        cameo, plover = event.cameo, event.plover
        self._add("events", article_id=aid, n=n, date=day, source=list(event.source),
                  target=list(event.target),
                  source_sides=[side(actors.get(i)) for i in event.source],
                  target_sides=[side(actors.get(i)) for i in event.target],
                  cameo_code=cameo.code, cameo_name=cameo.name, cameo_root=cameo.root,
                  goldstein=cameo.goldstein, quad_class=cameo.quad_class,
                  plover_event=plover and plover.event, plover_mode=plover and plover.mode,
                  plover_context=plover and plover.context, negated=event.negated,
                  modality=event.modality, sentence=event.sentence, trigger=event.trigger,
                  start_char=event.start, end_char=event.end)
        for source_id, target_id in event_dyads(event):
            src, tgt = actors.get(source_id), actors.get(target_id) if target_id else None
            self._add("dyads", article_id=aid, event_n=n, date=day, source_actor=source_id,
                      source_name=src and src.name, source_code=src and src.code,
                      source_country=src and src.country, source_sector=src and src.sector,
                      source_side=side(src), target_actor=target_id or None,
                      target_name=tgt and tgt.name, target_code=tgt and tgt.code,
                      target_country=tgt and tgt.country, target_sector=tgt and tgt.sector,
                      target_side=side(tgt), cameo_code=cameo.code, cameo_name=cameo.name,
                      cameo_root=cameo.root, quad_class=cameo.quad_class,
                      goldstein=cameo.goldstein, plover_event=plover and plover.event,
                      negated=event.negated, sentence=event.sentence,
                      event_group=event_group(day, side(src), side(tgt), cameo.root))

    def tables(self) -> dict[str, pa.Table]:
        """The buffered rows as one Arrow table per store table, and an empty buffer."""
        out = {name: pa.Table.from_pydict(self.columns[name], schema=schema)
               for name, schema in SCHEMAS.items()}
        self._reset()
        return out


def document_tables(documents: Iterable[Document],
                    ingested_at: datetime) -> dict[str, pa.Table]:
    """The store's rows of ``documents``: one Arrow table per store table."""
    buffer = RowBuffer()
    for document in documents:
        buffer.add(document, ingested_at)
    return buffer.tables()


# ---- back from rows to a Document ---------------------------------------------------------

def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def document_from_rows(article: dict[str, Any], actors: list[dict[str, Any]],
                       events: list[dict[str, Any]], quotes: list[dict[str, Any]],
                       stances: list[dict[str, Any]],
                       entities: list[dict[str, Any]]) -> Document:
    """Rebuild the Document that was stored (rows of one article, each list in ``n`` order)."""
    return Document(
        article=Article(id=article["id"], text=article["text"], title=article["title"],
                        date=_iso(article["date"]), url=article["url"]),
        actors=[Actor(id=a["actor_id"], name=a["name"], kind=a["kind"], country=a["country"],
                      sector=a["sector"], code=a["code"], role=a["role"],
                      mentions=[Mention(m["text"], m["start_char"], m["end_char"])
                                for m in a["mentions"] or []])
                for a in actors],
        events=[Event(source=list(e["source"]), target=list(e["target"]),
                      cameo=Cameo(e["cameo_code"], e["cameo_name"], e["cameo_root"],
                                  e["goldstein"], e["quad_class"]),
                      plover=(Plover(e["plover_event"], e["plover_mode"], e["plover_context"])
                              if e["plover_event"] else None),
                      negated=e["negated"], sentence=e["sentence"], trigger=e["trigger"],
                      start=e["start_char"], end=e["end_char"], date=_iso(e["date"]),
                      modality=e["modality"])
                for e in events],
        quotes=[Quote(text=q["text"], start=q["start_char"], end=q["end_char"], kind=q["kind"],
                      speaker=q["speaker"], cue=q["cue"],
                      segments=[(s["start_char"], s["end_char"]) for s in q["segments"] or []])
                for q in quotes],
        stances=[Stance(holder=s["holder"], polarity=s["polarity"], topic=s["topic"],
                        start=s["start_char"], end=s["end_char"]) for s in stances],
        entities=[Entity(text=e["text"], label=e["label"], start=e["start_char"],
                         end=e["end_char"], country=e["country"]) for e in entities],
    )
