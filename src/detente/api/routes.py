"""The JSON endpoints under ``/api/``: the store queries of the command line, and extraction.

Each GET endpoint is the JSON twin of a dashboard page: ``/api/events?country=RUS`` holds the
rows that ``/events?country=RUS`` shows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response

from detente import __version__
from detente.analysis.result import Result
from detente.api.models import (
    ActorParams,
    ActorRow,
    DocumentOut,
    DyadParams,
    DyadRow,
    EdgeRow,
    ErrorOut,
    EventParams,
    EventRow,
    ExtractRequest,
    NetworkParams,
    Page,
    QuoteParams,
    QuoteRow,
    SideRow,
    StanceParams,
    StanceRow,
    StoreInfo,
)

router = APIRouter(prefix="/api", responses={400: {"model": ErrorOut},
                                             422: {"model": ErrorOut}})


async def service(request: Request) -> Any:
    """The app's :class:`~detente.api.app.Service`. A coroutine on purpose: FastAPI runs a
    plain function dependency in its thread pool, and that extra hop to a thread and back
    for every request (each one waiting for the GIL while queries run) cost a third of the
    throughput of new dyad queries under 50 clients."""
    return request.app.state.service


Service = Annotated[Any, Depends(service)]


def article_url(article_id: str, **focus: int) -> str:
    """The dashboard page of an article, with the event, quote or stance ``n`` to light."""
    query = urlencode(focus)
    return f"/articles/{quote(article_id, safe='')}" + (f"?{query}" if query else "")


def query_string(request: Request, **changes: Any) -> str:
    """The request's query string with some parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return urlencode(params)


def _page(request: Request, result: Result, rows: list[dict[str, Any]], html: str,
          offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """A Page: with ``limit``, the query was asked for one row more to know if there is a
    next page."""
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    qs = query_string(request)
    columns = list(rows[0]) if rows else list(result.columns)
    return {
        "title": result.title,
        "columns": columns,
        "count": len(rows),
        "offset": offset,
        "next": (f"{request.url.path}?{query_string(request, offset=offset + len(rows))}"
                 if more else None),
        "html": f"{html}?{qs}" if qs else html,
        "rows": rows,
    }


def cached_json(request: Request, svc: Any, build: Callable[[], Any]) -> Response:
    """The JSON of ``build()``, serialised once per distinct URL while the server runs (the
    store is read-only): a popular page is then answered without the query and without
    encoding its rows again."""

    def encode() -> bytes:
        return json_bytes(build())

    with svc.slot():  # the query, rows and JSON in one turn (see Service.query)
        body = svc.cache.get(("json", request.url.path, request.url.query), encode)
    return Response(body, media_type="application/json")


#: orjson writes what ``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
#: default=str)`` wrote (datetimes and dataclasses too go through ``str``), 5-10 times as
#: fast: the encoding of a long series was a fifth of a new dyad request's work
_ORJSON_OPTIONS = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_NON_STR_KEYS)


def json_bytes(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; what JSON has no type for is written as its str."""
    return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS)


def _params(p: Any) -> tuple[Any, ...]:
    return (type(p).__name__, *sorted(p.model_dump().items()))


@router.get("/", response_model=StoreInfo, summary="The store and the endpoints")
def info(svc: Service) -> dict[str, Any]:
    counts = svc.query(("counts",), lambda s: Result(["table", "rows"],
                                                     list(s.counts().items())))
    return {"store": svc.store.path.name, "detente_version": __version__,
            "counts": dict(counts.rows), "warming": svc.warming,
            "endpoints": {
                "/api/dyad": "monthly (or daily, weekly, yearly) history of a pair of sides",
                "/api/actors": "the most active actors",
                "/api/events": "coded events with their evidence (filters, pages)",
                "/api/quotes": "quotes with their speakers",
                "/api/stances": "who supports or opposes what",
                "/api/network": "country pairs weighted by events, with mean Goldstein",
                "/api/sides": "the sides (countries, IGOs) that have events",
                "/api/articles/{id}": "one article's text and extraction",
                "/api/extract": "POST an article's text, get its Document",
                "/openapi.json": "this API as OpenAPI 3",
            }}


def run_dyad(svc: Any, p: DyadParams) -> Result:
    """The dyad series; B–A is A–B read the other way, so one query (and one cache entry)
    serves both orders."""
    a, b = p.a.strip().upper(), p.b.strip().upper()
    first, second = sorted((a, b))
    q = p.model_copy(update={"a": first, "b": second})
    result: Result = svc.query(_params(q), lambda s: s.dyad(
        first, second, by=q.by, start=q.start, end=q.end, dedupe=q.dedupe,
        include_negated=q.include_negated, top=q.top))
    if (a, b) == (first, second):
        return result
    # each period's three rows (B<>A, B>A, A>B) become A<>B, A>B, B>A: the one-direction
    # rows keep their labels
    d = result.columns.index("direction")
    both, rows = f"{a}<>{b}", result.rows
    swapped: list[tuple[Any, ...]] = []
    for i in range(0, len(rows), 3):
        together, b_to_a, a_to_b = rows[i:i + 3]
        swapped += [(*together[:d], both, *together[d + 1:]), a_to_b, b_to_a]
    return type(result)(result.columns, swapped, title=result.title.replace(
        f"{second}–{first}", f"{a}–{b}").replace(f"{first}–{second}", f"{a}–{b}"),
        notes=result.notes)


@router.get("/dyad", response_model=Page[DyadRow], summary="The history of a pair")
def dyad(request: Request, svc: Service, p: Annotated[DyadParams, Query()]) -> Response:
    """For every period with events between `a` and `b`, three rows: both directions
    (`A<>B`), `A>B` and `B>A`, with counts by quad class, the Goldstein sum and mean, and
    the most frequent CAMEO types (as `detente dyad A B`)."""
    def build() -> dict[str, Any]:
        result = run_dyad(svc, p)
        return _page(request, result, result.to_dicts(), "/dyad")

    return cached_json(request, svc, build)


def run_actors(svc: Any, p: ActorParams) -> Result:
    return svc.query(_params(p), lambda s: s.actors(limit=p.limit, country=p.country,
                                                    kind=p.kind, start=p.start, end=p.end,
                                                    order=p.by))


@router.get("/actors", response_model=Page[ActorRow], summary="The most active actors")
def actors(request: Request, svc: Service, p: Annotated[ActorParams, Query()]) -> Response:
    def build() -> dict[str, Any]:
        result = run_actors(svc, p)
        return _page(request, result, result.to_dicts(), "/")

    return cached_json(request, svc, build)


def run_events(svc: Any, p: EventParams) -> tuple[Result, list[dict[str, Any]]]:
    result = svc.query(_params(p), lambda s: s.events(
        actor=p.actor, country=p.country, type=p.type, start=p.start, end=p.end, text=p.text,
        include_negated=p.negated, limit=p.limit + 1, offset=p.offset))
    rows = result.to_dicts()
    for row in rows:
        row["article_url"] = article_url(row["article_id"], event=row["n"])
    return result, rows


@router.get("/events", response_model=Page[EventRow], summary="Coded events")
def events(request: Request, svc: Service, p: Annotated[EventParams, Query()]) -> Response:
    """Events oldest first, with their actors and the words that support them (`evidence`).
    `next` is the URL of the following page."""
    def build() -> dict[str, Any]:
        result, rows = run_events(svc, p)
        return _page(request, result, rows, "/events", p.offset, p.limit)

    return cached_json(request, svc, build)


@router.get("/quotes", response_model=Page[QuoteRow], summary="Quotes by speaker")
def quotes(request: Request, svc: Service, p: Annotated[QuoteParams, Query()]) -> Response:
    return cached_json(request, svc, lambda: quotes_page(request, svc, p))


def quotes_page(request: Request, svc: Any, p: QuoteParams) -> dict[str, Any]:
    result = svc.query(_params(p), lambda s: s.quotes(
        speaker=p.speaker, text=p.text, start=p.start, end=p.end, limit=p.limit + 1,
        offset=p.offset))
    rows = result.to_dicts()
    for row in rows:
        row["article_url"] = article_url(row["article_id"], quote=row["n"])
    return _page(request, result, rows, "/quotes", p.offset, p.limit)


@router.get("/stances", response_model=Page[StanceRow], summary="Who supports or opposes what")
def stances(request: Request, svc: Service, p: Annotated[StanceParams, Query()]) -> Response:
    return cached_json(request, svc, lambda: stances_page(request, svc, p))


def stances_page(request: Request, svc: Any, p: StanceParams) -> dict[str, Any]:
    result = svc.query(_params(p), lambda s: s.stances(
        holder=p.holder, polarity=p.polarity, topic=p.topic, start=p.start, end=p.end,
        limit=p.limit + 1, offset=p.offset))
    rows = result.to_dicts()
    for row in rows:
        row["article_url"] = article_url(row["article_id"], stance=row["n"])
    return _page(request, result, rows, "/stances", p.offset, p.limit)


def run_network(svc: Any, p: NetworkParams) -> tuple[Result, list[dict[str, Any]]]:
    result = svc.query(_params(p), lambda s: s.network(
        start=p.start, end=p.end, dedupe=p.dedupe, directed=p.directed,
        include_negated=p.include_negated, min_weight=p.min_weight, limit=p.limit,
        country=p.country))
    rows = []
    for row in result.to_dicts():
        a, b = (row.pop("source"), row.pop("target")) if p.directed else (row.pop("a"),
                                                                          row.pop("b"))
        rows.append({"a": a, "b": b, "a_name": svc.name(a), "b_name": svc.name(b), **row})
    return result, rows


@router.get("/network", response_model=Page[EdgeRow], summary="The network of sides")
def network(request: Request, svc: Service, p: Annotated[NetworkParams, Query()]) -> Response:
    """One edge per pair of sides with events, heaviest first: `weight` (events),
    `cooperation` and `conflict`, the Goldstein sum and mean."""
    def build() -> dict[str, Any]:
        result, rows = run_network(svc, p)
        return _page(request, result, rows, "/network")

    return cached_json(request, svc, build)


def run_sides(svc: Any) -> list[dict[str, Any]]:
    result = svc.query(("sides",), lambda s: s.network(dedupe=False, include_negated=True))
    counts: dict[str, int] = {}
    for a, b, weight in zip(result["a"], result["b"], result["weight"], strict=True):
        counts[a] = counts.get(a, 0) + weight
        counts[b] = counts.get(b, 0) + weight
    return [{"code": code, "name": svc.name(code), "events": n}
            for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@router.get("/sides", response_model=list[SideRow], summary="Sides with events")
def sides(svc: Service) -> list[dict[str, Any]]:
    """Countries and IGOs that have events with another side, busiest first."""
    return run_sides(svc)


def load_document(svc: Any, article_id: str) -> dict[str, Any]:
    view = svc.store.cursor()
    try:
        doc = view.document(article_id)
    finally:
        view.close()
    if doc is None:
        raise HTTPException(404, f"no article {article_id!r} in the store; list some with "
                                 f"/api/events")
    data: dict[str, Any] = doc.to_dict()
    data["article"]["text"] = doc.article.text
    return data


@router.get("/articles/{article_id:path}", response_model=DocumentOut,
            responses={404: {"model": ErrorOut}}, summary="One article and its extraction")
def article(article_id: str, svc: Service) -> dict[str, Any]:
    """The stored Document of one article, with its text: every `start`/`end` indexes
    `article.text`."""
    return load_document(svc, article_id)


async def require_token(request: Request, svc: Service) -> None:
    """POST endpoints: the server's token, when it has one (checked before the body)."""
    if not svc.token_ok(request):
        raise HTTPException(401, "this server needs a token for POST: send "
                                 "'Authorization: Bearer $DETENTE_TOKEN'",
                            headers={"WWW-Authenticate": "Bearer"})


async def limit_extract(request: Request, svc: Service) -> None:
    """POST /api/extract: the per-client rate (429) and the server-wide queue (503)."""
    client = request.client.host if request.client else "unknown"
    wait = svc.extract_rate.wait(client)
    if wait:
        raise HTTPException(429, f"too many extractions from {client}: at most "
                                 f"{svc.extract_per_minute:g} a minute; retry in "
                                 f"{math.ceil(wait)} s",
                            headers={"Retry-After": str(math.ceil(wait))})


@router.post("/extract", response_model=DocumentOut,
             responses={401: {"model": ErrorOut}, 413: {"model": ErrorOut},
                        429: {"model": ErrorOut}, 503: {"model": ErrorOut}},
             dependencies=[Depends(require_token), Depends(limit_extract)],
             summary="Extract one article")
def extract(body: ExtractRequest, svc: Service) -> dict[str, Any]:
    """Article text in, Document out: actors, events, quotes, stances and entities with
    their offsets. Nothing is stored. Needs the server's token when it has one. Each client
    may ask 120 times a minute (429 past that), and a few extractions run or wait at once
    (503 past that): retry after the ``Retry-After`` seconds."""
    from detente.ingest.readers import check_text

    if len(body.text) > svc.max_chars:
        raise HTTPException(413, f"the text has {len(body.text):,} characters, more than the "
                                 f"limit of {svc.max_chars:,}; send one article at a time")
    problem = check_text(body.text, max_chars=svc.max_chars)
    if problem:
        raise HTTPException(422, problem)
    if not svc.extract_gate.enter():
        raise HTTPException(503, "the server is busy extracting other articles; retry in a "
                                 "second", headers={"Retry-After": "1"})
    try:
        doc = svc.extract(body.text, body.date.isoformat() if body.date else None,
                          body.title, body.id)
    finally:
        svc.extract_gate.leave()
    data: dict[str, Any] = doc.to_dict()
    data["article"]["text"] = doc.article.text
    return data
