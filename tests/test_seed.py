"""The article that started the project: everything a reader would list comes back as data."""

from __future__ import annotations

import pytest

from conftest import shared_dir
from detente.export import dyads

SEED = "seeds/000_0cd703a6364d87ad.txt"


@pytest.fixture(scope="module")
def seed(pipeline):
    base = shared_dir()
    if base is None or not (base / SEED).exists():
        pytest.skip("the seed article in ../shared is not here")
    return pipeline.extract((base / SEED).read_text(encoding="utf-8"), date="2024-02-14")


def _actor(doc, name):
    return next(a for a in doc.actors if a.name == name)


def test_wang_yi_is_chinas_foreign_minister_and_every_reference_is_his(seed):
    wang = _actor(seed, "Wang Yi")
    assert (wang.kind, wang.country, wang.sector, wang.code, wang.role) == (
        "person", "CHN", "GOV", "CHNGOV", "foreign minister")
    said = {m.text.lower() for m in wang.mentions}
    assert {"wang", "the diplomat", "the minister", "the foreign minister"} <= said


def test_both_direct_quotes_are_his(seed):
    wang = _actor(seed, "Wang Yi")
    direct = [q for q in seed.quotes if q.kind == "direct"]
    assert len(direct) == 2
    assert all(q.speaker == wang.id for q in direct)


def test_peoples_daily_is_chinese_media(seed):
    daily = _actor(seed, "People's Daily")
    assert (daily.country, daily.sector) == ("CHN", "MED")


def test_the_igos(seed):
    igos = {a.name for a in seed.actors if a.kind == "igo"}
    assert {"BRICS", "Shanghai Cooperation Organization", "G20",
            "Asia-Pacific Economic Cooperation", "Eurasian Economic Union"} <= igos


def test_china_russia_events_are_cooperative_and_none_conflictual(seed):
    country = {a.id: a.country for a in seed.actors}
    pairs = [(e, {country.get(s), country.get(t)}) for e in seed.events for s, t in dyads(e)]
    china_russia = [e for e, pair in pairs if pair == {"CHN", "RUS"}]
    assert china_russia
    assert all(e.cameo.quad_class in (1, 2) for e in china_russia)


def test_his_opposition_stances(seed):
    wang = _actor(seed, "Wang Yi")
    opposed = {s.topic for s in seed.stances if s.holder == wang.id and s.polarity == "oppose"}
    assert {"hegemony", "the use of force", "illegal unilateral sanctions",
            "long-arm jurisdiction"} <= opposed
    assert any(t.startswith("interference") for t in opposed)


def test_the_three_infrastructure_projects(seed):
    projects = [e.text for e in seed.entities if e.label == "PROJECT"]
    assert any("Power of Siberia" in p for p in projects)
    assert any("bridge" in p for p in projects)
    assert any("overpass" in p for p in projects)


def test_places_with_their_countries(seed):
    places = {e.text: e.country for e in seed.entities if e.label in ("GPE", "LOC")}
    assert places["Blagoveshchensk"] == "RUS"
    assert places["Heihe"] == "CHN"
    assert places["Heilongjiang"] == "CHN"
    # capitals used for their governments are mentions of the country actors
    mentions = {m.text: a.country for a in seed.actors if a.kind == "country" for m in a.mentions}
    assert mentions["Moscow"] == "RUS" and mentions["Beijing"] == "CHN"
