"""The dashboard pages. Each shows the rows of one JSON endpoint (its twin: the same path
under ``/api/`` with the same query string); charts are drawn in the browser from that twin
with the plotly.js bundle of the installed ``plotly`` package. Text is escaped by the
templates (autoescape) and by the scripts (DOM text nodes only)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

import jinja2
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field

from detente import __version__
from detente.api import routes
from detente.api.app import HERE
from detente.api.models import (
    ActorParams,
    DyadParams,
    EventParams,
    NetworkParams,
    QuoteParams,
    StanceParams,
)

router = APIRouter(include_in_schema=False)
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True,
                          undefined=jinja2.StrictUndefined)
_env.filters["urlquote"] = lambda value: quote(str(value), safe="")
_env.filters["signed"] = lambda value: "" if value is None else f"{value:+.1f}"

QUADS = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
         4: "material conflict"}


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    svc = request.app.state.service
    html = _env.get_template(template).render(
        request=request, path=request.url.path, store=svc.store.path.name,
        version=__version__, quads=QUADS, token_required=bool(svc.token), **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", status=status, status_code=status, message=message,
                  title="Error", json_url=None)


def twin(request: Request, path: str) -> str:
    qs = request.url.query
    return f"/api{path}" + (f"?{qs}" if qs else "")


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    svc = request.app.state.service
    counts = routes.info(svc)["counts"]
    top = routes.run_actors(svc, ActorParams(limit=15))
    edges = routes.run_network(svc, NetworkParams(limit=10))[1]
    return render(request, "home.html", title="Overview", counts=counts, actors=top.to_dicts(),
                  edges=edges, json_url="/api/actors?limit=15")


class DyadPage(DyadParams):
    a: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")  # type: ignore[assignment]
    b: str | None = Field(default=None, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")  # type: ignore[assignment]


@router.get("/dyad", response_class=HTMLResponse)
def dyad(request: Request, p: Annotated[DyadPage, Query()]) -> Response:
    svc = request.app.state.service
    sides = routes.run_sides(svc)
    if not p.a or not p.b:
        # no pair chosen: the busiest one, so that the page shows something at once
        edges = routes.run_network(svc, NetworkParams(limit=1))[1]
        a = p.a or (edges[0]["a"] if edges else "")
        b = p.b or (edges[0]["b"] if edges else "")
        if a and b:
            params = {**dict(request.query_params), "a": a, "b": b}
            return Response(status_code=307, headers={"location": f"/dyad?{urlencode(params)}"})
        return render(request, "dyad.html", title="Dyad", p=p, sides=sides, rows=[],
                      json_url=None, a_name="", b_name="")
    full = DyadParams(**{**p.model_dump(), "a": p.a, "b": p.b})
    result = routes.run_dyad(svc, full)
    a, b = full.a.strip().upper(), full.b.strip().upper()
    return render(request, "dyad.html", title=f"{svc.name(a)} – {svc.name(b)}", p=full,
                  sides=sides, rows=result.to_dicts(), json_url=twin(request, "/dyad"),
                  a=a, b=b, a_name=svc.name(a), b_name=svc.name(b))


@router.get("/network", response_class=HTMLResponse)
def network(request: Request, p: Annotated[NetworkParams, Query()]) -> Response:
    svc = request.app.state.service
    edges = routes.run_network(svc, p)[1]
    return render(request, "network.html", title="Network", p=p, edges=edges,
                  json_url=twin(request, "/network"))


def _pages(request: Request, offset: int, limit: int, shown: int, more: bool) -> dict[str, Any]:
    prev = max(0, offset - limit)
    return {
        "first": offset + 1 if shown else 0, "last": offset + shown,
        "prev_url": (f"{request.url.path}?{routes.query_string(request, offset=prev)}"
                     if offset > 0 else None),
        "next_url": (f"{request.url.path}?{routes.query_string(request, offset=offset + shown)}"
                     if more else None),
    }


@router.get("/events", response_class=HTMLResponse)
def events(request: Request, p: Annotated[EventParams, Query()]) -> Response:
    svc = request.app.state.service
    rows = routes.run_events(svc, p)[1]
    more = len(rows) > p.limit
    rows = rows[:p.limit]
    return render(request, "events.html", title="Events", p=p, rows=rows,
                  json_url=twin(request, "/events"), **_pages(request, p.offset, p.limit,
                                                             len(rows), more))


@router.get("/quotes", response_class=HTMLResponse)
def quotes(request: Request, p: Annotated[QuoteParams, Query()]) -> Response:
    page = routes.quotes_page(request, request.app.state.service, p)
    return render(request, "quotes.html", title="Quotes", p=p, rows=page["rows"],
                  json_url=twin(request, "/quotes"),
                  **_pages(request, p.offset, p.limit, page["count"], bool(page["next"])))


@router.get("/stances", response_class=HTMLResponse)
def stances(request: Request, p: Annotated[StanceParams, Query()]) -> Response:
    page = routes.stances_page(request, request.app.state.service, p)
    return render(request, "stances.html", title="Stances", p=p, rows=page["rows"],
                  json_url=twin(request, "/stances"),
                  **_pages(request, p.offset, p.limit, page["count"], bool(page["next"])))


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article(request: Request, article_id: str) -> Response:
    svc = request.app.state.service
    doc = routes.load_document(svc, article_id)
    return render(request, "article.html", title=doc["article"]["title"] or article_id,
                  article=doc["article"], counts={k: len(doc[k]) for k in
                                                  ("actors", "events", "quotes", "stances")},
                  json_url=f"/api/articles/{quote(article_id, safe='')}")


@router.get("/analyse", response_class=HTMLResponse)
def analyse(request: Request) -> Response:
    svc = request.app.state.service
    return render(request, "analyse.html", title="Analyse an article", json_url=None,
                  max_chars=svc.max_chars)
