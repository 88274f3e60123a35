"""Security: no user text becomes SQL, no path escapes the served folders, POST /api/extract
is rate-limited and queue-limited, and the token guards POST when the server is open.

(The dashboard's escaping of article text is proven in a real browser in
test_dashboard.py::test_article_text_is_never_markup; the size limit in test_api.py.)"""

from __future__ import annotations

import httpx
import pytest

from detente.api.limits import Gate, RateLimit
from detente.store import Store
from serving import running_server

INJECTIONS = [
    "' OR 1=1 --",
    "x'); DROP TABLE events; --",
    "\" OR \"\"=\"",
    "1; SELECT * FROM articles",
    "' UNION SELECT id, text, NULL, NULL FROM articles --",
    "$1",
    "?",
    "%' OR '%'='",
    "\\'; ATTACH 'x.db' AS x; --",
    "CHN') OR ('1'='1",
]


@pytest.fixture(scope="module")
def http(server: str):
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def _string_filters(spec: dict) -> list[tuple[str, str]]:
    """(path, parameter) for every string query parameter of every GET endpoint."""
    found = []
    for path, item in spec["paths"].items():
        get = item.get("get")
        if not get or "{" in path:
            continue
        for param in get.get("parameters", []):
            schema = param.get("schema", {})
            types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
            if param.get("in") == "query" and "string" in types and not schema.get("enum") \
                    and schema.get("format") != "date":
                found.append((path, param["name"]))
    return found


def test_injection_strings_on_every_filter_are_only_values(http, example_store):
    with Store(example_store, read_only=True) as store:
        before = store.counts()
    filters = _string_filters(http.get("/openapi.json").json())
    assert len(filters) >= 10, filters  # actor, country, type, text, speaker, holder, ...
    for path, name in filters:
        params = {"a": "CHN", "b": "RUS"} if path == "/api/dyad" else {}
        for value in INJECTIONS:
            response = http.get(path, params={**params, name: value})
            assert response.status_code in (200, 400, 422), (path, name, value, response.text)
            # ("$1" or "?" can be in an article's text: those only must not fail)
            if response.status_code == 200 and name not in ("a", "b") and value not in ("$1", "?"):
                rows = response.json().get("rows", [])
                # a value that matched as SQL would return everything; as a value, nothing
                assert rows == [], (path, name, value, rows[:2])
    with Store(example_store, read_only=True) as store:
        assert store.counts() == before


def test_injection_strings_through_the_python_api_are_only_values(example_store):
    with Store(example_store, read_only=True) as store:
        for value in INJECTIONS:
            assert store.events(actor=value).rows == []
            assert store.events(country=value, type=value, text=value).rows == []
            assert store.quotes(speaker=value, text=value).rows == []
            assert store.stances(holder=value, topic=value).rows == []
            assert store.actors(country=value, kind=value).rows == []
            assert store.dyad(value, "RUS").rows == []
            assert store.network(country=value).rows == []


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
    "/static//etc/passwd",
    "/static/....//....//etc/passwd",
    "/vendor/../../../../etc/passwd",
    "/vendor/plotly.min.js/../../../../etc/passwd",
    "/articles/..%2f..%2f..%2fetc%2fpasswd",
    "/api/articles/..%2f..%2fetc%2fpasswd",
    "/static/..\\..\\..\\etc\\passwd",
])
def test_no_path_leaves_the_served_folders(http, path):
    response = http.get(path)
    assert response.status_code in (400, 404, 405), (path, response.status_code)
    assert "root:" not in response.text


def test_the_dashboards_own_files_are_still_served(http):
    assert http.get("/vendor/plotly.min.js").status_code == 200
    assert http.get("/").status_code == 200


def test_post_extract_is_rate_limited_per_client_with_retry_after(example_store):
    body = {"text": "Chile and Peru signed a trade agreement."}
    with running_server(example_store, extract_rate=6) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        answers = [client.post("/api/extract", json=body) for _ in range(4)]
        assert answers[0].status_code == 200
        limited = [a for a in answers if a.status_code == 429]
        assert limited, [a.status_code for a in answers]
        assert int(limited[0].headers["retry-after"]) >= 1
        assert "a minute" in limited[0].json()["detail"]
        assert client.get("/api/events").status_code == 200  # reading is not limited


def test_the_token_guards_post_when_the_server_listens_beyond_loopback(example_store):
    body = {"text": "Chile and Peru signed a trade agreement."}
    with running_server(example_store, token="t0ken", host="0.0.0.0") as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        assert client.post("/api/extract", json=body).status_code == 401
        assert client.post("/api/extract", json=body,
                           headers={"x-detente-token": "t0ken"}).status_code == 200
        assert client.get("/api/").status_code == 200


def test_rate_limit_buckets():
    now = [0.0]
    limit = RateLimit(per_minute=60, burst=2, clock=lambda: now[0])
    assert limit.wait("a") == 0 and limit.wait("a") == 0
    assert limit.wait("a") == pytest.approx(1.0)  # empty: one token a second
    assert limit.wait("b") == 0  # another client has its own bucket
    now[0] += 1.0
    assert limit.wait("a") == 0
    assert RateLimit(per_minute=0).wait("a") == 0  # no limit
    small = RateLimit(per_minute=60, burst=1, clock=lambda: now[0], max_clients=2)
    for client in "xyz":
        small.wait(client)
    assert len(small._buckets) == 2  # memory is bounded however many clients come


def test_the_extraction_gate_never_blocks():
    gate = Gate(2)
    assert gate.enter() and gate.enter()
    assert not gate.enter()
    gate.leave()
    assert gate.enter()
