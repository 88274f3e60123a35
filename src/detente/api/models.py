"""What the REST API takes and gives: query parameters, rows and Documents as pydantic models.

These only describe and check the data for the OpenAPI document; the rows themselves come
from the store queries (:mod:`detente.analysis.queries`) and the Documents from
:meth:`detente.schema.Document.to_dict`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

#: the longest article ``POST /api/extract`` takes, in characters
MAX_EXTRACT_CHARS = 100_000
#: the most rows one page of events, quotes or stances holds
MAX_PAGE = 1000

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    # only YYYY-MM-DD: pydantic would also take 0 (1970-01-01) or a timestamp
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("write the date as YYYY-MM-DD")
    if not isinstance(value, str | dt.date):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

Side = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$",
             description="A side: an ISO 3166 alpha-3 country (CHN) or an IGO code (IGOUNO).")
Words = Field(default=None, max_length=200)
Limit = Field(default=100, ge=1, le=MAX_PAGE, description="Rows in a page.")
Offset = Field(default=0, ge=0, le=10**9, description="Rows skipped first (pagination).")
From = Field(default=None, alias="from", description="First date included (YYYY-MM-DD).")
To = Field(default=None, alias="to", description="Last date included (YYYY-MM-DD).")


class _Params(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_is_unset(cls, data: Any) -> Any:
        # a dashboard form sends its empty fields as "from=&country="
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data


class DyadParams(_Params):
    a: str = Side
    b: str = Side
    by: Literal["day", "week", "month", "year"] = "month"
    start: IsoDate | None = From
    end: IsoDate | None = To
    dedupe: bool = Field(default=True, description="Count happenings, not reports.")
    include_negated: bool = Field(default=False, description="Count negated events too.")
    top: int = Field(default=3, ge=0, le=20, description="How many top CAMEO types a row.")


class ActorParams(_Params):
    limit: int = Field(default=20, ge=1, le=MAX_PAGE, description="How many actors.")
    country: str | None = Field(default=None, max_length=32,
                                description="Only actors of this country or IGO code.")
    kind: Literal["person", "country", "igo", "organization", "group"] | None = None
    start: IsoDate | None = From
    end: IsoDate | None = To
    by: Literal["events", "mentions", "articles"] = "events"


class EventParams(_Params):
    actor: str | None = Field(default=None, max_length=200,
                              description="An actor taking part: part of its name, or its code.")
    country: str | None = Field(default=None, max_length=32,
                                description="A country (ISO3) or IGO code on either side.")
    type: str | None = Field(default=None, max_length=32,
                             description="A CAMEO code or prefix (19, 042) or a PLOVER event "
                                         "(ASSAULT).")
    start: IsoDate | None = From
    end: IsoDate | None = To
    text: str | None = Field(default=None, max_length=200,
                             description="Words the article contains (case-insensitive).")
    negated: bool = Field(default=True, description="List negated events too.")
    limit: int = Limit
    offset: int = Offset


class QuoteParams(_Params):
    speaker: str | None = Field(default=None, max_length=200,
                                description="Part of the speaker's name, a code or a country.")
    text: str | None = Field(default=None, max_length=200,
                             description="Words the quote contains (case-insensitive).")
    start: IsoDate | None = From
    end: IsoDate | None = To
    limit: int = Limit
    offset: int = Offset


class StanceParams(_Params):
    holder: str | None = Field(default=None, max_length=200,
                               description="Part of the holder's name, a code or a country.")
    polarity: Literal["support", "oppose"] | None = None
    topic: str | None = Field(default=None, max_length=200,
                              description="Words the topic contains (case-insensitive).")
    start: IsoDate | None = From
    end: IsoDate | None = To
    limit: int = Limit
    offset: int = Offset


class NetworkParams(_Params):
    start: IsoDate | None = From
    end: IsoDate | None = To
    dedupe: bool = Field(default=True, description="Weigh edges by happenings, not reports.")
    directed: bool = Field(default=False, description="Keep source (a) and target (b) apart.")
    country: str | None = Field(default=None, max_length=32,
                                description="Only edges touching this country or IGO code.")
    min_weight: int = Field(default=1, ge=1, le=10**9, description="Leave out lighter edges.")
    include_negated: bool = False
    limit: int = Field(default=300, ge=1, le=10_000, description="The heaviest edges kept.")


# ---- rows ----------------------------------------------------------------------------------

Row = TypeVar("Row", bound=BaseModel)


class Page(BaseModel, Generic[Row]):
    """Rows of one query, with what was asked and where the next page is."""

    title: str
    columns: list[str]
    count: int = Field(description="Rows in this response.")
    offset: int = 0
    next: str | None = Field(default=None, description="URL of the next page, if any.")
    html: str = Field(description="URL of the dashboard page showing the same rows.")
    rows: list[Row]


class DyadRow(BaseModel):
    period: str = Field(description="2024-03 (month), 2024-W11 (ISO week), 2024, 2024-03-14.")
    direction: str = Field(description="A<>B both directions, A>B, B>A.")
    events: int
    verbal_coop: int = Field(description="Quad class 1.")
    material_coop: int = Field(description="Quad class 2.")
    verbal_conflict: int = Field(description="Quad class 3.")
    material_conflict: int = Field(description="Quad class 4.")
    goldstein_sum: float
    goldstein_mean: float | None
    top_types: str


class ActorRow(BaseModel):
    name: str | None
    code: str | None
    country: str | None
    kind: str | None
    articles: int
    mentions: int | None
    events: int | None


class EventRow(BaseModel):
    date: str | None
    source: str | None
    target: str | None
    cameo: str | None
    event: str | None
    plover: str | None
    goldstein: float | None
    quad: int | None
    negated: bool | None
    modality: str | None
    evidence: str | None
    article_id: str
    n: int
    article_url: str = Field(description="The dashboard page of the article, this event lit.")


class QuoteRow(BaseModel):
    date: str | None
    speaker: str | None
    code: str | None
    kind: str | None
    text: str | None
    cue: str | None
    article_id: str
    n: int
    article_url: str


class StanceRow(BaseModel):
    date: str | None
    holder: str | None
    code: str | None
    polarity: str | None
    topic: str | None
    article_id: str
    n: int
    article_url: str


class EdgeRow(BaseModel):
    a: str = Field(description="One side (the source when directed).")
    b: str = Field(description="The other side (the target when directed).")
    a_name: str
    b_name: str
    weight: int = Field(description="Events between the two sides.")
    cooperation: int = Field(description="Events of quad classes 1-2.")
    conflict: int = Field(description="Events of quad classes 3-4.")
    goldstein_sum: float | None
    goldstein_mean: float | None


class SideRow(BaseModel):
    code: str
    name: str
    events: int = Field(description="Coded event mentions with this side on either end.")


class StoreInfo(BaseModel):
    store: str
    detente_version: str
    counts: dict[str, int]
    warming: bool = Field(description="Still computing the busiest pairs in the background.")
    endpoints: dict[str, str]


# ---- Documents -----------------------------------------------------------------------------


class ArticleOut(BaseModel):
    id: str
    title: str | None = None
    date: str | None = None
    url: str | None = None
    text: str = Field(description="The text that every start/end offset indexes.")


class MentionOut(BaseModel):
    text: str
    start: int
    end: int


class ActorOut(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None = None
    sector: str | None = None
    code: str | None = None
    role: str | None = None
    mentions: list[MentionOut] = []


class CameoOut(BaseModel):
    code: str
    name: str
    root: str
    goldstein: float
    quad_class: int


class PloverOut(BaseModel):
    event: str
    mode: str | None = None
    context: str | None = None


class EventOut(BaseModel):
    source: list[str]
    target: list[str]
    cameo: CameoOut
    plover: PloverOut | None = None
    negated: bool
    sentence: int
    trigger: str
    start: int
    end: int
    date: str | None = None
    modality: str | None = None


class QuoteOut(BaseModel):
    text: str
    start: int
    end: int
    kind: str
    speaker: str | None = None
    cue: str | None = None
    segments: list[list[int]] = []


class StanceOut(BaseModel):
    holder: str
    polarity: str
    topic: str
    start: int
    end: int


class EntityOut(BaseModel):
    text: str
    label: str
    start: int
    end: int
    country: str | None = None


class DocumentOut(BaseModel):
    """A Document (see the README) with its article's text."""

    article: ArticleOut
    actors: list[ActorOut] = []
    events: list[EventOut] = []
    quotes: list[QuoteOut] = []
    stances: list[StanceOut] = []
    entities: list[EntityOut] = []


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_EXTRACT_CHARS,
                      description=f"The article text (at most {MAX_EXTRACT_CHARS:,} characters).")
    date: IsoDate | None = Field(default=None, description="The article date (YYYY-MM-DD): "
                                                        "relative dates in the text use it.")
    title: str | None = Field(default=None, max_length=1000)
    id: str | None = Field(default=None, max_length=200,
                           description="An id for the article (default: a content hash).")


class ErrorOut(BaseModel):
    detail: str


__all__ = ["MAX_EXTRACT_CHARS", "MAX_PAGE", "DocumentOut", "ExtractRequest", "Page"]
