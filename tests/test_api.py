"""The REST API over HTTP: the real server (`detente serve`) on the example store."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from detente.store import Store
from serving import HOSTILE, PIDS, children, running_server


@pytest.fixture(scope="module")
def http(server: str):
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def test_info_counts_the_store(http):
    info = http.get("/api/").json()
    assert info["counts"]["articles"] == 13  # twelve examples and the hostile probe
    assert "/api/extract" in info["endpoints"]


def test_dyad_is_the_store_query(http, example_store):
    edge = http.get("/api/network", params={"limit": 1}).json()["rows"][0]
    page = http.get("/api/dyad", params={"a": edge["a"], "b": edge["b"]}).json()
    with Store(example_store, read_only=True) as store:
        expected = store.dyad(edge["a"], edge["b"]).to_dicts()
    assert page["rows"] == expected
    assert {r["direction"] for r in page["rows"]} == {f"{edge['a']}<>{edge['b']}",
                                                      f"{edge['a']}>{edge['b']}",
                                                      f"{edge['b']}>{edge['a']}"}
    assert page["html"] == f"/dyad?a={edge['a']}&b={edge['b']}"
    # the other order is the same query read the other way round
    back = http.get("/api/dyad", params={"a": edge["b"], "b": edge["a"], "by": "day"}).json()
    with Store(example_store, read_only=True) as store:
        assert back["rows"] == store.dyad(edge["b"], edge["a"], by="day").to_dicts()


def test_dyad_by_year_and_a_bad_period(http):
    rows = http.get("/api/dyad", params={"a": "fra", "b": "tcd", "by": "year"}).json()["rows"]
    assert [r["period"] for r in rows] == ["2025"] * 3
    bad = http.get("/api/dyad", params={"a": "FRA", "b": "TCD", "by": "fortnight"})
    assert bad.status_code == 422
    assert "by" in bad.json()["detail"]


def test_events_pages_cover_all_events_once(http, example_store):
    seen, url, pages = [], "/api/events?limit=7", 0
    while url:
        page = http.get(url).json()
        seen += [(r["article_id"], r["n"]) for r in page["rows"]]
        url, pages = page["next"], pages + 1
    with Store(example_store, read_only=True) as store:
        total = len(store.events(limit=0))
    assert len(seen) == len(set(seen)) == total
    assert pages == total // 7 + 1


def test_events_filters_and_evidence(http, example_store):
    rows = http.get("/api/events", params={"country": "EST", "type": "16"}).json()["rows"]
    assert rows and all(r["cameo"].startswith("16") for r in rows)
    with Store(example_store, read_only=True) as store:
        for row in rows:
            text = store.document(row["article_id"]).article.text
            assert row["evidence"] in text
            assert row["article_url"].startswith("/articles/")


def test_bad_dates_and_limits_are_422_with_a_message(http):
    response = http.get("/api/events", params={"from": "2024-13-01"})
    assert response.status_code == 422
    assert "from" in response.json()["detail"]
    assert http.get("/api/events", params={"limit": 0}).status_code == 422
    assert http.get("/api/events", params={"limit": 100000}).status_code == 422


def test_user_text_never_becomes_sql(http, example_store):
    for value in ["' OR 1=1 --", "x'); DROP TABLE events; --", "%", "_"]:
        assert http.get("/api/events", params={"actor": value}).json()["rows"] == []
        assert http.get("/api/quotes", params={"speaker": value}).json()["rows"] == []
    with Store(example_store, read_only=True) as store:
        assert store.counts()["events"] > 0


def test_quotes_and_stances(http):
    quotes = http.get("/api/quotes", params={"limit": 500}).json()
    assert quotes["count"] > 10 and quotes["rows"][0]["article_url"].endswith("quote=1")
    stances = http.get("/api/stances", params={"polarity": "oppose"}).json()["rows"]
    assert stances and {s["polarity"] for s in stances} == {"oppose"}


def test_network_edges_have_names_and_goldstein(http):
    rows = http.get("/api/network").json()["rows"]
    assert rows[0]["weight"] >= rows[-1]["weight"]
    names = {r["a"]: r["a_name"] for r in rows}
    assert names.get("FRA") == "France"
    assert all(-10 <= r["goldstein_mean"] <= 10 for r in rows)


def test_article_detail_offsets_index_its_text(http):
    doc = http.get("/api/articles/2025-02-18-estonia-expels-russian-diplomat").json()
    text = doc["article"]["text"]
    assert doc["events"]
    for event in doc["events"]:
        assert text[event["start"]:event["end"]]
    for actor in doc["actors"]:
        for m in actor["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    missing = http.get("/api/articles/no-such-article")
    assert missing.status_code == 404 and "no article" in missing.json()["detail"]


def test_extract_returns_a_document(http):
    response = http.post("/api/extract", json={
        "text": "Hungary and Romania signed a trade agreement on Monday.", "date": "2024-05-08"})
    assert response.status_code == 200
    doc = response.json()
    assert doc["events"][0]["cameo"]["code"] == "057"
    assert doc["events"][0]["date"] == "2024-05-06"
    assert doc["article"]["text"].startswith("Hungary")


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"text": ""}, 422, "text"),
    ({"text": "   \n "}, 422, "empty"),
    ({"text": "Пекин и Москва подписали соглашение о торговле в понедельник."}, 422, "English"),
    ({"text": "Hungary signed.", "date": "yesterday"}, 422, "date"),
    ({"text": "Hungary signed.", "colour": "red"}, 422, "colour"),
    ({"text": "x" * 100_001}, 422, "100000"),
    ({}, 422, "text"),
])
def test_extract_refuses_bad_input_clearly(http, body, status, words):
    response = http.post("/api/extract", json=body)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_extract_refuses_huge_bodies_and_non_json(http):
    huge = http.post("/api/extract", content=b"{" + b" " * 2_000_000 + b"}",
                     headers={"content-type": "application/json"})
    assert huge.status_code == 413 and "bytes" in huge.json()["detail"]
    assert http.post("/api/extract", content=b"not json",
                     headers={"content-type": "application/json"}).status_code == 422


def test_pages_have_json_twins(http):
    for path in ["/", "/dyad?a=FRA&b=TCD", "/network", "/events?country=EST", "/quotes",
                 "/stances", "/analyse", "/articles/2025-02-18-estonia-expels-russian-diplomat"]:
        response = http.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page = http.get("/events?country=EST").text
    assert 'href="/api/events?country=EST"' in page
    assert http.get("/api/events?country=EST").status_code == 200


def test_pages_escape_article_text(http):
    html = http.get("/events", params={"text": "Probe"}).text
    assert "Estonian diplomats" in html or "expelled" in html
    assert "<img src=x" not in html and "<script>window" not in html
    article = http.get(f"/articles/{HOSTILE['id']}").text
    assert "&lt;img src=x" in article and "<img src=x" not in article


def test_bad_page_input_is_an_error_page(http):
    response = http.get("/events", params={"from": "not-a-date"})
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"] and "from" in response.text
    assert http.get("/articles/nope").status_code == 404


def test_openapi_document(http):
    spec = http.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ["/api/dyad", "/api/actors", "/api/events", "/api/quotes", "/api/stances",
                 "/api/network", "/api/articles/{article_id}", "/api/extract"]:
        assert path in spec["paths"], path
    assert not any(p.startswith(("/dyad", "/events")) for p in spec["paths"])


def test_post_needs_the_token_when_the_server_has_one(example_store):
    with running_server(example_store, token="s3cret") as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        body = {"text": "Hungary and Romania signed a trade agreement."}
        assert client.post("/api/extract", json=body).status_code == 401
        assert client.post("/api/extract", json=body,
                           headers={"authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/extract", json={"bad": 1}).status_code == 401
        ok = client.post("/api/extract", json=body, headers={"authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert client.get("/api/events").status_code == 200  # reading needs no token


def established(pid: int, port: int) -> set[int]:
    """The sockets of process ``pid`` holding an established connection on local ``port``
    (their inodes, from /proc)."""
    owned = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            owned.add(int(target[8:-1]))
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                found.add(int(fields[9]))
    return owned & found


def test_workers_answer_as_one_process_does_and_stop_with_it(http, example_store):
    with running_server(example_store, workers=2) as url, \
            httpx.Client(base_url=url, timeout=60) as client:
        # uvicorn's worker processes, each with the store open (multiprocessing's resource
        # tracker is a child too)
        workers = [pid for pid in children(PIDS[url])
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
        edges = http.get("/api/network", params={"limit": 5}).json()["rows"]
        for edge in edges * 2:  # more requests than workers: both answer some
            for by in ("month", "day"):
                params = {"a": edge["b"], "b": edge["a"], "by": by}
                assert client.get("/api/dyad", params=params).json() == \
                    http.get("/api/dyad", params=params).json()
        assert client.get("/api/events", params={"limit": 3}).json()["rows"] == \
            http.get("/api/events", params={"limit": 3}).json()["rows"]
        # connections made at once are dealt out evenly between the workers (uvicorn's own
        # workers let whichever woke first take them all; sockets sharing the port with
        # SO_REUSEPORT, a hash of the client's port: 28/22 of 50 or worse)
        # (the workers are stopped while the clients connect, so all connections wait for
        # them at once, as a burst of clients does)
        port = int(url.rsplit(":", 1)[1])
        before = [len(established(pid, port)) for pid in workers]  # the clients' above
        for pid in workers:
            os.kill(pid, signal.SIGSTOP)
        try:
            clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(16)]
        finally:
            for pid in workers:
                os.kill(pid, signal.SIGCONT)
        try:
            for sock in clients:
                sock.sendall(b"GET /api/ HTTP/1.1\r\nHost: x\r\n\r\n")
            for sock in clients:
                assert sock.recv(12).startswith(b"HTTP/1.1 200")
            held = [len(established(pid, port)) - n for pid, n in zip(workers, before,
                                                                      strict=True)]
        finally:
            for sock in clients:
                sock.close()
        assert sorted(held) == [8, 8], held
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)  # none left behind


def test_workers_do_not_outlive_a_killed_server(example_store):
    """A `detente serve --workers 2` killed outright (no chance to stop its workers) leaves
    no worker serving the port on its own: each sees its connection to it close, and ends."""
    with running_server(example_store, workers=2) as url:
        workers = [pid for pid in children(PIDS[url])
                   if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        assert len(workers) == 2
        os.kill(PIDS[url], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url}/api/", timeout=5)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_workers_do_not_share_a_port_with_another_server(example_store):
    with running_server(example_store, workers=2) as url:
        port = url.rsplit(":", 1)[1]
        done = subprocess.run([sys.executable, "-m", "detente", "serve", "--db",
                               str(example_store), "--port", port, "--workers", "2"],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1 and "another server" in done.stderr
        assert httpx.get(f"{url}/api/", timeout=30).status_code == 200


def test_serve_refuses_an_open_host_without_a_token(example_store):
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "detente", "serve", "--db", str(example_store),
                           "--host", "0.0.0.0"], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.returncode == 2
    assert "DETENTE_TOKEN" in done.stderr


def test_serve_without_a_store_says_how_to_make_one(tmp_path):
    done = subprocess.run([sys.executable, "-m", "detente", "serve", "--db",
                           str(tmp_path / "none.duckdb")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and "detente ingest" in done.stderr


def test_the_cli_does_not_import_fastapi():
    code = ("import sys, detente.cli; from click.testing import CliRunner; "
            "CliRunner().invoke(detente.cli.main, ['--help']); "
            "print('fastapi' in sys.modules, 'uvicorn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.split() == ["False", "False"]


def test_the_json_of_the_api_is_what_json_dumps_writes(example_store):
    """The API encodes with orjson; the bytes are those of the standard library's compact
    UTF-8 JSON with ``default=str`` (but NaN, which JSON has not, becomes null)."""
    import dataclasses
    import json
    from datetime import date, datetime

    from detente.api.routes import json_bytes

    def standard(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                          default=str).encode()

    @dataclasses.dataclass
    class Point:
        x: int

    odd = {"when": datetime(2024, 1, 2, 3, 4, 5), "day": date(2024, 1, 2), "point": Point(1),
           1: "int key", "none": None, "text": "Zürich — \u2028 \"quoted\" <b>", "n": 2**40,
           "floats": [0.1, -0.0, 3.0, 1234567.1234, round(2 / 3, 4), 1e15], "list": (1, 2)}
    assert json_bytes(odd) == standard(odd)
    assert json_bytes({"x": float("nan")}) == b'{"x":null}'
    with Store(example_store, read_only=True) as store:
        for result in (store.dyad("RUS", "EST", by="week"), store.dyad("USA", "CHN"),
                       store.events(limit=50), store.network(), store.actors(),
                       store.quotes(limit=20)):
            rows = result.to_dicts()
            assert json_bytes(rows) == standard(rows)
