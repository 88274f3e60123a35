"""The public records of detente: one :class:`Document` per article.

Every stage returns these typed dataclasses; JSON goes in and out through
:func:`to_json` / :func:`document_from_dict` only. Character offsets always index
into the article's ``text`` exactly as it was given (end-exclusive).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

ActorKind = Literal["person", "country", "igo", "organization", "group"]
QuoteKind = Literal["direct", "indirect"]
Polarity = Literal["support", "oppose"]


@dataclass(frozen=True)
class Article:
    """One input article. ``id`` defaults to a content hash (see ``ingest.readers``)."""

    id: str
    text: str
    title: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Mention:
    """A stretch of the article text: ``text == article.text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass
class Actor:
    """A resolved actor: a person, a country, an IGO, an organization or a group."""

    id: str
    name: str
    kind: ActorKind
    country: str | None = None
    sector: str | None = None
    code: str | None = None
    role: str | None = None
    mentions: list[Mention] = field(default_factory=list)


@dataclass(frozen=True)
class Cameo:
    """A CAMEO event code with its Goldstein value and GDELT quad class (1-4)."""

    code: str
    name: str
    root: str
    goldstein: float
    quad_class: int


@dataclass(frozen=True)
class Plover:
    """The PLOVER (2021) coding of a CAMEO code; roots 01 and 02 have none."""

    event: str
    mode: str | None
    context: str | None


@dataclass
class Event:
    """A coded (source, verb, target) event with its evidence in the text."""

    source: list[str]
    target: list[str]
    cameo: Cameo
    plover: Plover | None
    negated: bool
    sentence: int
    trigger: str
    start: int
    end: int
    date: str | None = None
    modality: str | None = None


@dataclass
class Quote:
    """Direct or indirect speech attributed to an actor id (or None when unknown)."""

    text: str
    start: int
    end: int
    kind: QuoteKind
    speaker: str | None
    cue: str | None
    segments: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Stance:
    """A position that ``holder`` supports or opposes, with its topic span."""

    holder: str
    polarity: Polarity
    topic: str
    start: int
    end: int


@dataclass
class Entity:
    """A named organisation, facility, project or place; places carry their country."""

    text: str
    label: str
    start: int
    end: int
    country: str | None = None


@dataclass
class Document:
    """Everything detente extracted from one article."""

    article: Article
    actors: list[Actor] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    stances: list[Stance] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def actor(self, actor_id: str) -> Actor:
        """Return the actor with ``actor_id`` (KeyError if there is none)."""
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)

    def to_dict(self) -> dict[str, Any]:
        """The Document as plain JSON-ready data (the article text is left out)."""
        data = asdict(self)
        data["article"] = {k: v for k, v in data["article"].items() if k != "text"}
        for quote in data["quotes"]:
            quote["segments"] = [list(s) for s in quote["segments"]]
        return data


def to_json(document: Document) -> str:
    """Serialise a Document to one line of JSON."""
    return json.dumps(document.to_dict(), ensure_ascii=False)


def document_from_dict(data: dict[str, Any], text: str = "") -> Document:
    """Rebuild a Document from :meth:`Document.to_dict` output (``text`` is optional)."""
    art = data["article"]
    article = Article(
        id=art["id"], text=text, title=art.get("title"), date=art.get("date"), url=art.get("url")
    )
    actors = [
        Actor(**{**a, "mentions": [Mention(**m) for m in a.get("mentions", [])]})
        for a in data.get("actors", [])
    ]
    events = [
        Event(
            **{
                **e,
                "cameo": Cameo(**e["cameo"]),
                "plover": Plover(**e["plover"]) if e.get("plover") else None,
            }
        )
        for e in data.get("events", [])
    ]
    quotes = [
        Quote(**{**q, "segments": [tuple(s) for s in q.get("segments", [])]})
        for q in data.get("quotes", [])
    ]
    return Document(
        article=article,
        actors=actors,
        events=events,
        quotes=quotes,
        stances=[Stance(**s) for s in data.get("stances", [])],
        entities=[Entity(**e) for e in data.get("entities", [])],
    )
