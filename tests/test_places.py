"""Gazetteer: place names in, countries out."""

from __future__ import annotations

import pytest

from detente.actors.places import Gazetteer, Place, default_gazetteer


@pytest.fixture(scope="module")
def lookup():
    return default_gazetteer().lookup


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Blagoveshchensk", "RUS"),
        ("Heihe", "CHN"),
        ("Heilongjiang", "CHN"),
        ("Moscow", "RUS"),
        ("Mombasa", "KEN"),
        ("Quang Ninh", "VNM"),
        ("Bavaria", "DEU"),
        ("Crimea", "UKR"),
        ("Amur Oblast", "RUS"),
        ("Donetsk region", "UKR"),
        ("Tibet", "CHN"),
        ("Kiev", "UKR"),
        ("Gaza", "PSE"),
    ],
)
def test_news_place_names_find_their_country(lookup, name, country):
    assert lookup(name).country == country


def test_case_accents_and_a_leading_the_do_not_matter(lookup):
    assert lookup("QUẢNG NINH") == lookup("quang ninh")
    assert lookup("Thüringen") == lookup("Thuringen")
    assert lookup("the Netherlands").country == "NLD"


def test_iso_suffixes_are_optional(lookup):
    assert lookup("Heilongjiang Sheng") == lookup("Heilongjiang") == lookup("Heilongjiang Province")
    assert lookup("Heilongjiang").kind == "region"


def test_a_country_wins_over_a_region_of_the_same_name(lookup):
    assert lookup("Georgia").kind == "country"
    assert lookup("Georgia").country == "GEO"


def test_a_country_hint_picks_the_place_in_that_country(lookup):
    assert lookup("Georgia", country_hint="USA").kind == "region"
    assert lookup("Moscow", country_hint="USA").country == "USA"
    assert lookup("Moscow", country_hint="FRA").country == "RUS"  # no Moscow there


def test_countries_are_found_by_their_short_english_names(lookup):
    assert lookup("Russia") == lookup("Russian Federation")
    assert lookup("Vietnam").name == "Vietnam"


def test_unknown_names_and_airport_codes_find_nothing(lookup):
    assert lookup("Atlantis on Thames") is None
    assert lookup("MOW") is None
    assert lookup("") is None


def test_the_default_gazetteer_is_built_once():
    assert default_gazetteer() is default_gazetteer()


def _gazetteer(*entries: tuple[str, Place, bool]) -> Gazetteer:
    gazetteer = Gazetteer()
    for name, place, alternate in entries:
        gazetteer.add(name, place, alternate=alternate)
    gazetteer.finish()
    return gazetteer


def test_ranking_country_then_big_city_then_region_then_small_city():
    country = Place("Avalon", "AAA", "country", 10)
    big_city = Place("Avalon", "BBB", "city", 2_000_000)
    region = Place("Avalon", "CCC", "region", None)
    small_city = Place("Avalon", "DDD", "city", 900_000)
    everything = _gazetteer(*((p.name, p, False) for p in (small_city, region, big_city, country)))
    assert [p.country for p in everything.candidates("avalon")] == ["AAA", "BBB", "CCC", "DDD"]
    no_country = _gazetteer(*((p.name, p, False) for p in (small_city, region, big_city)))
    assert no_country.lookup("Avalon") == big_city
    no_big_city = _gazetteer(("Avalon", small_city, False), ("Avalon", region, False))
    assert no_big_city.lookup("Avalon") == region


def test_a_place_own_name_beats_a_former_name_of_a_bigger_place():
    victoria = Place("Victoria", "AUS", "region", None)
    hong_kong = Place("Hong Kong", "HKG", "city", 7_000_000)
    gazetteer = _gazetteer(("Victoria", hong_kong, True), ("Victoria", victoria, False))
    assert gazetteer.lookup("Victoria") == victoria
    assert gazetteer.lookup("Victoria", country_hint="HKG") == hong_kong
