"""The dashboard in Debian's headless Chromium, driven by Playwright, on the real server.

Each view is opened on the store of the example articles; the tests check that charts are
drawn with data, that an event opens its article with the evidence lit, and that a pasted
article is analysed in place. Screenshots of each view go to a temporary folder (or to
$DETENTE_SCREENSHOTS), printed at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from detente.store import Store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EXAMPLE = (Path(__file__).resolve().parents[1] / "examples"
           / "2025-02-18-estonia-expels-russian-diplomat.txt")

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI needs /usr/bin/chromium: .ci/run installs it with apt-get")
    pytest.skip("no /usr/bin/chromium (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("DETENTE_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    yield path
    print(f"\nscreenshots in {path}")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A page on the server that records script errors (a CSP violation is one)."""
    context = browser.new_context(base_url=server, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda err: page.errors.append(str(err)))
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda dialog: (page.errors.append(f"dialog {dialog.message}"),
                                      dialog.dismiss()))
    yield page
    assert page.errors == []
    assert page.evaluate("window.__pwned") is None
    context.close()


def test_overview(page, shots):
    page.goto("/")
    assert page.locator("table.grid tbody tr").count() >= 10
    page.screenshot(path=shots / "overview.png", full_page=True)


def test_dyad_charts_both_directions(page, shots):
    page.goto("/dyad")  # no pair given: the busiest, in the URL to share
    assert "a=" in page.url and "b=" in page.url
    page.goto("/dyad?a=FRA&b=TCD&by=month")
    page.wait_for_selector("#dyad[data-ready]")
    for chart in ("chart-ab", "chart-ba"):
        traces = page.evaluate(f"document.getElementById('{chart}').data")
        bars = [t for t in traces if t["type"] == "bar"]
        assert [t["name"] for t in bars] == ["Verbal cooperation", "Material cooperation",
                                             "Verbal conflict", "Material conflict"]
        assert sum(sum(t["y"]) for t in bars) > 0
        assert any(t["name"] == "Mean Goldstein" and any(v is not None for v in t["y"])
                   for t in traces)
    assert page.locator("#chart-ab .main-svg .bars path").count() > 0
    assert "France → Chad" in page.locator("#chart-ab").inner_text()
    page.screenshot(path=shots / "dyad.png", full_page=True)
    # the form changes the query string
    page.select_option("select[name=by]", "year")
    page.click("form.filters button")
    page.wait_for_selector("#dyad[data-ready]")
    assert "by=year" in page.url


def test_network_edges_coloured_by_goldstein(page, shots):
    page.goto("/network")
    page.wait_for_selector("#network[data-ready]")
    edges = int(page.get_attribute("#network", "data-edges"))
    assert edges >= 20
    traces = page.evaluate("document.getElementById('network').data")
    lines = [t for t in traces if t["mode"] == "lines"]
    assert len(lines) == edges
    assert len({t["line"]["color"] for t in lines}) > 3  # coloured by mean Goldstein
    assert "FRA" in page.locator("#network").inner_text()
    page.screenshot(path=shots / "network.png", full_page=True)


def test_event_opens_its_article_with_the_evidence_lit(page, shots, example_store):
    page.goto("/events?limit=25")
    assert page.locator("table.events tbody tr").count() == 25
    assert page.locator("a[rel=next]").count() == 2  # above and below the table
    page.screenshot(path=shots / "events.png", full_page=True)
    page.fill("input[name=country]", "EST")
    page.fill("input[name=type]", "13")  # threats
    page.click("form.filters button")
    assert "country=EST" in page.url and "type=13" in page.url
    rows = page.locator("table.events tbody tr")
    assert rows.count() >= 1
    evidence = rows.first.locator("a.evidence").inner_text()
    rows.first.locator("td").first.click()  # the whole row opens the article
    page.wait_for_selector("#reader[data-ready]")
    assert "/articles/" in page.url and "event=" in page.url
    trigger = page.locator("#doc-text .focus-trigger")
    assert trigger.count() >= 1 and trigger.first.is_visible()
    assert "".join(trigger.all_inner_texts()) == evidence
    assert page.locator("#doc-text .focus-actor").count() >= 1
    assert page.locator("#doc-side li.selected").count() == 1
    page.screenshot(path=shots / "article.png", full_page=True)
    # another event from the side panel moves the highlight and the URL
    page.locator("#doc-side li[data-kind=event]").last.click()
    assert page.url.endswith(f"event={page.locator('#doc-side li[data-kind=event]').count()}")


def test_analyse_a_pasted_article(page, shots):
    page.goto("/analyse")
    page.fill("#analyse-text", EXAMPLE.read_text(encoding="utf-8"))
    page.fill("#analyse-date", "2025-02-18")
    page.click("#analyse-run")
    page.wait_for_selector("#analyse-result[data-ready]", timeout=60_000)
    text = page.locator("#doc-text")
    assert text.locator(".hl.actor").count() >= 5
    assert text.locator(".hl.event").count() >= 3
    assert text.locator(".hl.quote").count() >= 1
    assert text.locator(".hl.stance").count() >= 1
    assert "events" in page.locator("#analyse-status").inner_text()
    assert "text=" in page.url and "date=2025-02-18" in page.url  # shareable
    page.screenshot(path=shots / "analyse.png", full_page=True)
    # the shared URL analyses again on load
    page.goto(page.url)
    page.wait_for_selector("#analyse-result[data-ready]", timeout=60_000)
    assert page.locator("#doc-text .hl.event").count() >= 3


def test_article_text_is_never_markup(page):
    page.goto("/analyse")
    page.fill("#analyse-text", "Russia <img src=x onerror=\"window.__pwned=3\"> expelled "
                               "Estonian diplomats <script>window.__pwned=4</script>.")
    page.click("#analyse-run")
    page.wait_for_selector("#analyse-result[data-ready]", timeout=60_000)
    assert page.locator("#doc-text img, #doc-text script").count() == 0
    assert "<img src=x" in page.locator("#doc-text").inner_text()
    page.goto("/articles/xss-probe")
    page.wait_for_selector("#reader[data-ready]")
    assert page.locator("main img, #doc-text script").count() == 0
    assert "<script>" in page.locator("#doc-text").inner_text()
    assert page.evaluate("window.__pwned") is None  # no injected handler or script ran


def test_quotes_and_stances_pages(page, example_store):
    with Store(example_store, read_only=True) as store:
        n_quotes = len(store.quotes(limit=0))
    page.goto("/quotes?limit=500")
    assert page.locator("table.grid tbody tr").count() == n_quotes
    page.goto("/stances?polarity=oppose")
    assert page.locator("table.grid tbody tr").count() >= 1
