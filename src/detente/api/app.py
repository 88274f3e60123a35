"""The ASGI app of ``detente serve``: the JSON API under ``/api/`` and the dashboard pages.

>>> from detente.api.app import create_app
>>> app = create_app("detente.duckdb")       # then: uvicorn.run(app, host="127.0.0.1")

Every page and every endpoint runs the store queries of the command line
(:class:`detente.Store`), through one read-only connection with a cursor per request. User
values reach SQL only as query parameters.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente import __version__
from detente.analysis.result import Result
from detente.api.cache import QueryCache, answer_bytes
from detente.api.limits import Gate, RateLimit, Turns
from detente.api.models import MAX_EXTRACT_CHARS
from detente.errors import DetenteError
from detente.store import Store

HERE = Path(__file__).resolve().parent
#: the largest request body taken, in bytes (an article of MAX_EXTRACT_CHARS needs up to 4x)
MAX_BODY_BYTES = 4 * MAX_EXTRACT_CHARS + 16_384
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def plotly_js() -> Path:
    """The plotly.js bundle that the ``plotly`` Python package ships (found without importing
    it): the dashboard charts with it, offline."""
    spec = find_spec("plotly")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        path = Path(location) / "package_data" / "plotly.min.js"
        if path.is_file():
            return path
    raise DetenteError("the plotly package is not installed (it ships the chart library of "
                       "the dashboard); reinstall detente: pip install -e .")


def side_names() -> dict[str, str]:
    """Readable names of sides: countries by ISO3, IGOs by code (acronym when short)."""
    from detente.actors.dictionary import DATA, read_tsv

    names = {row["iso3"]: row["name"]
             for _, row in read_tsv(DATA / "countries.tsv", ("iso3", "name"))}
    for _, row in read_tsv(DATA / "igos.tsv", ("acronym", "name", "code")):
        if row["code"] and row["code"] not in names:
            names[row["code"]] = row["acronym"] or row["name"]
    return names


@dataclass
class Service:
    """What the routes share: the open store, the query cache, the token, the pipeline."""

    store: Store
    token: str | None = None
    #: answers kept (results and JSON bodies), in bytes about (see answer_bytes)
    cache: QueryCache = field(default_factory=lambda: QueryCache(256 * 2**20,
                                                                  weigh=answer_bytes))
    max_chars: int = MAX_EXTRACT_CHARS
    #: requests answered at once (their query, rows and JSON), the others waiting their turn
    #: in order; 0: the machine's cores shared out between the workers. More only share the
    #: same cores, and all finish later
    slots: int = 0
    warming: bool = False
    #: POST /api/extract: requests a minute per client (0: no limit), and how many may run
    #: or wait at once in all
    extract_per_minute: float = 120.0
    extract_queue: int = 4
    #: processes serving the same store (``detente serve --workers``): they share the cores,
    #: and the extraction rate limit is shared out between them
    workers: int = 1
    #: bytes of pairs' counting units kept for new dyad queries on known pairs (a pair of
    #: 300,000 summary rows holds about 6 MB), in each worker
    pair_bytes: int = 256 * 2**20
    _pipeline_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        cores = os.cpu_count() or 1
        self.slots = self.slots or max(1, cores // max(1, self.workers))
        self._slots = Turns(self.slots)
        self._held = threading.local()
        if self.store.read_only:  # nothing can write to it while the server has it open
            self.store.pairs = QueryCache(self.pair_bytes, weigh=lambda units: units.nbytes)
        # a client's requests may go to any worker: each lets through its share of the rate
        self.extract_rate = RateLimit(self.extract_per_minute / max(1, self.workers))
        self.extract_gate = Gate(self.extract_queue)
        # the cores shared out between the queries that run at once: with many clients, one
        # thread a query answers more of them than every query spreading over every core
        # (2.5x more dyad queries a second on 2 cores, benchmarks/api.py)
        threads = max(1, cores // (self.slots * max(1, self.workers)))
        self.store.con.execute(f"SET threads = {threads}")

    def query(self, key: Hashable, run: Callable[[Store], Result]) -> Result:
        """``run`` on a cursor of the store, or its result from the cache."""

        def compute() -> Result:
            view = self.store.cursor()
            try:
                return run(view)
            finally:
                view.close()

        # the slot is held before the cache is asked: a thread that computes a result then
        # never waits for a slot that a thread waiting for that result holds
        with self.slot():
            result: Result = self.cache.get(key, compute)
        return result

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the :attr:`slots` (at once in a thread: a request's query inside its
        JSON's making holds one)."""
        if getattr(self._held, "slot", False):
            yield
            return
        self._slots.take()
        self._held.slot = True
        try:
            yield
        finally:
            self._held.slot = False
            self._slots.give()

    @cached_property
    def names(self) -> dict[str, str]:
        return side_names()

    def name(self, side: str | None) -> str:
        return self.names.get(side or "", side or "")

    def warm(self, pairs: int = 200, seconds: float = 300.0) -> None:
        """Answer the first pages and the busiest pairs' monthly series before anyone asks
        (run in the background at start; stops after ``seconds``)."""
        from detente.api import routes
        from detente.api.models import DyadParams, NetworkParams

        started = time.monotonic()
        self.warming = True
        try:
            routes.run_sides(self)
            # the heaviest edges, and every pair of the busiest sides
            todo = [(e["a"], e["b"]) for e in routes.run_network(self, NetworkParams())[1]]
            busiest = [side["code"] for side in routes.run_sides(self)[:20]]
            todo = todo[:pairs] + [(a, b) for i, a in enumerate(busiest) for b in busiest[i + 1:]]
            for a, b in dict.fromkeys(todo):
                if time.monotonic() - started > seconds:
                    break
                routes.run_dyad(self, DyadParams(a=a, b=b))
        except Exception:  # a warm-up failure shows again, with its message, when asked
            return
        finally:
            self.warming = False

    def extract(self, text: str, date: str | None, title: str | None,
                article_id: str | None) -> Any:
        """A Document for one article, by the process-wide pipeline (built on first use)."""
        from detente.ingest.readers import content_id
        from detente.pipeline import get_pipeline
        from detente.schema import Article

        article = Article(id=article_id or content_id(text), text=text, title=title, date=date)
        with self._pipeline_lock:  # one parse at a time: spaCy pipelines are not thread-safe
            return get_pipeline().extract(article)

    def token_ok(self, request: Request) -> bool:
        if not self.token:
            return True
        given = request.headers.get("x-detente-token", "")
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        return hmac.compare_digest(given.encode(), self.token.encode())


class BodyLimit:
    """Refuses request bodies over ``max_bytes`` with 413, before they are read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = JSONResponse({"detail": f"the request body is over {self.max_bytes:,} bytes; "
                                          f"send at most {MAX_EXTRACT_CHARS:,} characters of "
                                          f"text"}, status_code=413)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await too_big(scope, receive, send)
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooBig
            return message

        try:
            await self.app(scope, counted, send)
        except _TooBig:
            await too_big(scope, receive, send)


class _TooBig(Exception):
    pass


class CachedJSON:
    """Answers a GET under /api/ whose JSON was made before (see ``routes.cached_json``)
    straight from memory, before routing and parameter checks: a popular page costs next to
    nothing. Everything else goes on to the app."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and \
                scope["path"].startswith("/api/"):
            query = scope.get("query_string", b"").decode("latin-1")
            body = self.service.cache.peek(("json", scope["path"], query))
            if body is not None:
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """A content security policy (scripts from this server only) and no sniffing or framing:
    article text is escaped everywhere, and this makes a slip harmless."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"),
                            (b"x-frame-options", b"DENY"),
                            (b"referrer-policy", b"same-origin"),
                            (b"content-security-policy", _CSP.encode())]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and request.url.path != "/openapi.json"


def create_app(db: str | Path, token: str | None = None,
               max_chars: int = MAX_EXTRACT_CHARS, warm: bool = True,
               extract_per_minute: float = 120.0, workers: int = 1) -> FastAPI:
    """The app over the store ``db`` (opened read-only). With ``token``, every POST needs
    ``Authorization: Bearer TOKEN`` (or ``X-Detente-Token: TOKEN``). With ``warm``, the
    network and the busiest pairs' monthly series are computed in the background at start.
    ``extract_per_minute`` limits POST /api/extract per client (0: no limit), over all the
    ``workers`` processes that serve the store."""
    from detente.api import pages, routes

    store = Store(db, read_only=True)
    service = Service(store=store, token=token or None, max_chars=max_chars,
                      extract_per_minute=extract_per_minute, workers=workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            service.warming = True  # before the first request can ask
            threading.Thread(target=service.warm, name="detente-warm", daemon=True).start()
        yield
        store.close()

    app = FastAPI(
        title="detente",
        version=__version__,
        summary="Event data from news: dyad series, actors, events, quotes, stances, the "
                "network of country pairs, and extraction of new articles.",
        description=(
            "The same queries as the `detente` command line, as JSON. Dates are YYYY-MM-DD; "
            "`from` and `to` are inclusive. Offsets index the article text (0-based, end "
            "exclusive). Every dashboard page has a JSON twin here, with the same query "
            "string. POST endpoints need `Authorization: Bearer $DETENTE_TOKEN` when the "
            "server was started with a token (always when it listens beyond 127.0.0.1)."),
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.service = service

    @app.exception_handler(DetenteError)
    async def bad_query(request: Request, err: DetenteError) -> Response:
        if _wants_html(request):
            return pages.error_page(request, 400, str(err))
        return JSONResponse({"detail": str(err)}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> Response:
        if _wants_html(request) and err.status_code in (404, 405):
            return pages.error_page(request, err.status_code, str(err.detail))
        return JSONResponse({"detail": err.detail}, status_code=err.status_code,
                            headers=getattr(err, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        problems = []
        for e in err.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p not in ("query", "body"))
            problems.append(f"{where or 'request'}: {e.get('msg', 'invalid')}")
        message = "; ".join(problems) or "invalid request"
        if _wants_html(request):
            return pages.error_page(request, 422, message)
        # the input is not echoed back: it can be a whole article (or a hostile string)
        errors = [{k: v for k, v in e.items() if k not in ("input", "url")} for e in err.errors()]
        return JSONResponse({"detail": message, "errors": jsonable(errors)}, status_code=422)

    app.include_router(routes.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    vendor = plotly_js()

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        return FileResponse(vendor, media_type="text/javascript",
                            headers={"cache-control": "public, max-age=86400"})

    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(CachedJSON, service=service)
    app.add_middleware(SecurityHeaders)
    return app


def jsonable(value: Any) -> Any:
    """Validation error details made JSON-safe (they may hold exceptions and bytes)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items() if k != "ctx"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = ["MAX_BODY_BYTES", "Service", "create_app", "plotly_js", "side_names"]


#: how ``detente serve --workers N`` hands its settings to the worker processes
WORKER_SETTINGS = ("DETENTE_SERVE_DB", "DETENTE_SERVE_EXTRACT_RATE", "DETENTE_SERVE_WORKERS")


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``detente serve --workers N`` (uvicorn's factory):
    the store, rate and number of workers come from the environment the command set
    (:data:`WORKER_SETTINGS`), the token from ``$DETENTE_TOKEN``."""
    db, rate, workers = (os.environ[name] for name in WORKER_SETTINGS)
    return create_app(db, token=os.environ.get("DETENTE_TOKEN") or None,
                      extract_per_minute=float(rate), workers=int(workers))
