"""The bundled example articles (written in the seed's style): what a reader would list."""

from __future__ import annotations

import pytest

from conftest import EXAMPLES
from detente.export import dyads
from detente.ingest.readers import read_path


@pytest.fixture(scope="module")
def documents(pipeline):
    articles = list(read_path(str(EXAMPLES)))
    return {doc.article.id: doc for doc in pipeline.extract_many(articles)}


PEOPLE = [
    ("2024-03-14-japan-south-korea-agreements", "Akira Sato", "JPN", "foreign minister"),
    ("2024-03-14-japan-south-korea-agreements", "Park Min-jae", "KOR", "foreign minister"),
    ("2024-09-18-kyrgyzstan-tajikistan-border-clash", "Rustam Nazarov", "TJK",
     "interior minister"),
    ("2024-09-18-kyrgyzstan-tajikistan-border-clash", "Igor Melnikov", "RUS", "special envoy"),
    ("2025-03-22-drc-rwanda-nairobi-ceasefire", "William Otieno", "KEN", "president"),
    ("2025-03-22-drc-rwanda-nairobi-ceasefire", "Thérèse Mbala", "COD", "foreign minister"),
    ("2025-05-15-greece-turkey-naval-standoff-kasos", "Mehmet Kaya", "TUR", "defence minister"),
    ("2024-12-27-china-kyrgyzstan-uzbekistan-railway", "Liu Hanwen", "CHN",
     "deputy prime minister"),
]


@pytest.mark.parametrize(("article", "name", "country", "role"), PEOPLE)
def test_people_with_country_and_role(documents, article, name, country, role):
    person = next(a for a in documents[article].actors if a.name == name)
    assert (person.kind, person.country, person.role) == ("person", country, role)


def test_people_are_carried_by_surname_role_noun_and_pronoun(documents):
    doc = documents["2024-03-14-japan-south-korea-agreements"]
    sato = next(a for a in doc.actors if a.name == "Akira Sato")
    park = next(a for a in doc.actors if a.name == "Park Min-jae")
    assert {"Sato", "the Japanese minister"} <= {m.text for m in sato.mentions}
    assert {"Park", "He"} <= {m.text for m in park.mentions}


def test_every_direct_quote_of_sato_is_his(documents):
    doc = documents["2024-03-14-japan-south-korea-agreements"]
    sato = next(a for a in doc.actors if a.name == "Akira Sato")
    direct = [q for q in doc.quotes if q.kind == "direct"]
    # three quoted pieces; "A," the minister said. "B." is one quote of two pieces
    assert sum(len(q.segments) for q in direct if q.speaker == sato.id) >= 3


@pytest.mark.parametrize(("article", "igo"), [
    ("2024-10-11-asean-summit-vientiane", "Association of Southeast Asian Nations"),
    ("2024-09-18-kyrgyzstan-tajikistan-border-clash", "Collective Security Treaty Organization"),
    ("2025-03-22-drc-rwanda-nairobi-ceasefire", "East African Community"),
    ("2024-12-27-china-kyrgyzstan-uzbekistan-railway", "Shanghai Cooperation Organization"),
])
def test_igos(documents, article, igo):
    assert igo in {a.name for a in documents[article].actors if a.kind == "igo"}


def test_sanctions_article_codes_the_eu_coercing_belarus(documents):
    doc = documents["2024-06-24-eu-sanctions-belarus"]
    country = {a.id: ("IGO" if a.kind == "igo" else a.country) for a in doc.actors}
    pairs = {(country[s], country.get(t), e.plover.event) for e in doc.events if e.plover
             for s, t in dyads(e)}
    assert ("IGO", "BLR", "COERCE") in pairs


def test_cooperation_article_has_no_conflict_between_the_partners(documents):
    doc = documents["2024-12-27-china-kyrgyzstan-uzbekistan-railway"]
    country = {a.id: a.country for a in doc.actors}
    partners = {"CHN", "KGZ", "UZB"}
    between = [e for e in doc.events for s, t in dyads(e)
               if country.get(s) in partners and country.get(t) in partners]
    assert between and all(e.cameo.quad_class in (1, 2) for e in between)
