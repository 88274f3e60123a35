"""Entities: named projects, organisations and places with their countries."""

from __future__ import annotations


def _by_text(doc):
    return {e.text: e for e in doc.entities}


def test_named_infrastructure_projects(extract):
    doc = extract("He mentioned the launch of the Power of Siberia gas pipeline, the highway "
                  "bridge connecting the Russian city of Blagoveshchensk and China’s Heihe, "
                  "and the railway overpass between the Chinese province of Heilongjiang and "
                  "Russia’s Far East.")
    projects = [e.text for e in doc.entities if e.label == "PROJECT"]
    assert any("Power of Siberia gas pipeline" in p for p in projects)
    assert any(p.startswith("highway bridge connecting") for p in projects)
    assert any(p.startswith("railway overpass between") for p in projects)


def test_places_resolve_to_countries(extract):
    doc = extract("The bridge connects the Russian city of Blagoveshchensk and China’s Heihe "
                  "near the Chinese province of Heilongjiang.")
    found = _by_text(doc)
    assert found["Blagoveshchensk"].country == "RUS"
    assert found["Heihe"].country == "CHN"
    assert found["Heilongjiang"].country == "CHN"


def test_place_in_a_country_named_by_possessive(extract):
    doc = extract("Relief flights landed in Vietnam's Quang Ninh province and at the port of "
                  "Mombasa.")
    countries = {e.country for e in doc.entities if e.label in ("GPE", "LOC", "FAC")}
    assert "VNM" in countries


def test_entity_offsets_match_their_text(extract):
    text = "The Kazakh city of Khorgos hosts a dry port on the border with China."
    doc = extract(text)
    for entity in doc.entities:
        assert text[entity.start:entity.end] == entity.text
