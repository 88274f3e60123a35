"""Actors: mentions in the text resolved to countries, IGOs, groups and people."""

from __future__ import annotations

import pytest

from conftest import actor_named
from detente.actors.dictionary import load_leaders
from detente.errors import DictionaryError


def test_country_names_adjectives_and_capitals_resolve_to_iso3(extract):
    doc = extract("Moscow and Beijing agreed to deepen ties, Chinese media reported, "
                  "while the Russian Federation welcomed the move.")
    assert actor_named(doc, "Moscow").country == "RUS"
    assert actor_named(doc, "Beijing").country == "CHN"
    assert actor_named(doc, "Chinese").country == "CHN"
    assert actor_named(doc, "Russian Federation").id == actor_named(doc, "Moscow").id


def test_igos_by_name_and_acronym(extract):
    doc = extract("NATO and the Shanghai Cooperation Organization (SCO) met the IMF "
                  "and the African Union.")
    kinds = {a.name: a.kind for a in doc.actors}
    assert {"NATO", "Shanghai Cooperation Organization", "IMF"} <= {
        a.name for a in doc.actors if a.kind == "igo"
    } | {m.text for a in doc.actors if a.kind == "igo" for m in a.mentions}
    assert all(k == "igo" for n, k in kinds.items() if n != "")
    assert all(a.sector == "IGO" and a.country is None for a in doc.actors)


def test_acronyms_only_match_in_capitals(extract):
    doc = extract("They told us who would come.")
    assert doc.actors == [] or all(a.country != "USA" for a in doc.actors)


def test_role_noun_takes_its_country_from_the_noun_phrase(extract):
    doc = extract("Russian troops entered the town, and China's foreign ministry protested.")
    troops = actor_named(doc, "Russian troops")  # named "Russia (military)"
    assert (troops.country, troops.sector, troops.code) == ("RUS", "MIL", "RUSMIL")
    ministry = actor_named(doc, "China's foreign ministry")
    assert (ministry.country, ministry.sector) == ("CHN", "GOV")


def test_person_introduced_with_apposition_is_carried_by_surname_role_and_pronoun(extract):
    doc = extract(
        "Japan's Foreign Minister, Akira Sato, arrived in Seoul on Wednesday. "
        "Sato said the talks went well. The minister later met students. "
        "The diplomat told reporters he was hopeful."
    )
    sato = actor_named(doc, "Akira Sato")
    assert (sato.kind, sato.country, sato.sector, sato.code, sato.role) == (
        "person", "JPN", "GOV", "JPNGOV", "foreign minister")
    mentions = {m.text for m in sato.mentions}
    assert {"Sato", "The minister", "The diplomat", "he"} <= mentions


def test_title_before_the_name(extract):
    doc = extract("Russian President Vladimir Putin met French President Emmanuel Laurent.")
    putin = actor_named(doc, "Vladimir Putin")
    assert (putin.country, putin.role, putin.code) == ("RUS", "president", "RUSGOV")
    laurent = actor_named(doc, "Emmanuel Laurent")
    assert (laurent.country, laurent.role) == ("FRA", "president")


def test_surname_first_names_are_carried_by_family_name(extract):
    doc = extract("China's Foreign Minister, Wang Yi, visited Moscow. Wang stated that "
                  "ties were strong.")
    wang = actor_named(doc, "Wang Yi")
    assert any(m.text == "Wang" for m in wang.mentions)


def test_counterpart_takes_the_role_of_the_person_it_belongs_to(extract):
    doc = extract("Japan's Foreign Minister, Akira Sato, met his South Korean counterpart, "
                  "Park Min-jae, in Seoul.")
    park = actor_named(doc, "Park Min-jae")
    assert (park.country, park.role) == ("KOR", "foreign minister")


def test_the_two_countries_means_the_pair_just_named(extract):
    doc = extract("Relations between Russia and China are strong. The two countries "
                  "signed a trade agreement.")
    pair = [a for a in doc.actors if any(m.text == "The two countries" for m in a.mentions)]
    assert {a.country for a in pair} == {"RUS", "CHN"}


def test_named_newspaper_is_national_media(extract):
    doc = extract("According to an article in the People’s Daily newspaper, trade grew.")
    daily = actor_named(doc, "People’s Daily")
    assert (daily.country, daily.sector) == ("CHN", "MED")


def test_mentions_are_exact_text_offsets(extract):
    text = "Kenya's president, William Otieno, said Kenya would mediate. Otieno flew to Kigali."
    doc = extract(text)
    for actor in doc.actors:
        for m in actor.mentions:
            assert text[m.start:m.end] == m.text


def test_people_and_groups_take_the_country_where_the_text_puts_them(extract):
    doc = extract("Opposition groups in Zimbabwe demanded new elections.")
    opposition = actor_named(doc, "Opposition groups")
    assert (opposition.country, opposition.sector, opposition.code) == ("ZWE", "OPP", "ZWEOPP")


def test_a_plural_demonym_is_the_people_not_the_state(extract):
    doc = extract("Young Algerians blocked roads in the capital.")
    people = actor_named(doc, "Algerians")
    assert (people.kind, people.country, people.sector) == ("group", "DZA", "CVL")


def test_a_people_named_with_a_country_adjective_belongs_to_that_country(extract):
    doc = extract("Bosnian Serbs blocked the road. Young Algerians marched in Oran.")
    by_mention = {m.text: a for a in doc.actors for m in a.mentions}
    assert by_mention["Serbs"].country == "BIH" and by_mention["Serbs"].sector == "CVL"
    assert by_mention["Algerians"].country == "DZA"


def test_an_ethnic_people_belongs_to_the_country_where_it_lives(extract):
    doc = extract("Ethnic Albanians in Serbia blocked the road. Ethnic Turks marched.")
    by_mention = {m.text: a for a in doc.actors for m in a.mentions}
    assert by_mention["Albanians"].country == "SRB"
    assert by_mention["Turks"].country == "TUR"  # no place named: their own country


def test_known_leaders_resolve_by_surname_to_their_country(extract):
    doc = extract("Putin offered to negotiate with Erdogan, and Museveni welcomed the move.",
                  date="2015-03-01")
    putin = actor_named(doc, "Vladimir Putin")
    assert (putin.kind, putin.country, putin.code) == ("person", "RUS", "RUSGOV")
    assert actor_named(doc, "Recep Tayyip Erdogan").country == "TUR"
    assert actor_named(doc, "Yoweri Museveni").country == "UGA"


def test_a_leader_out_of_office_keeps_the_country_but_not_the_government(extract):
    doc = extract("Former president Carlos Menem appeared in court.", date="2001-10-16")
    menem = actor_named(doc, "Carlos Menem")
    assert menem.country == "ARG"
    assert menem.code == "ARG"


def test_the_document_date_picks_which_bush(extract):
    early = extract("Bush met the Saudi king in Riyadh.", date="1990-11-22")
    late = extract("Bush met the Saudi king in Riyadh.", date="2006-11-22")
    assert actor_named(early, "George H. W. Bush").code == "USAGOV"
    assert actor_named(late, "George W. Bush").code == "USAGOV"


def test_a_leader_lends_the_country_to_the_government_and_supporters_named_after_him(extract):
    doc = extract("President Bouteflika's government rejected the plan, and the Bush "
                  "administration said it was surprised.", date="2003-05-01")
    assert actor_named(doc, "government").code == "DZAGOV"
    assert actor_named(doc, "administration").code == "USAGOV"


def test_an_organisation_official_from_the_leaders_list_has_no_country(extract):
    doc = extract("Secretary-General Kofi Annan urged Iraq to comply.", date="2002-11-01")
    annan = actor_named(doc, "Kofi Annan")
    assert (annan.country, annan.code) == (None, "IGOUNO")
    assert {"Secretary-General", "Kofi Annan"} <= {m.text for m in annan.mentions}


def test_leaders_file_errors_name_the_line(tmp_path):
    path = tmp_path / "leaders.tsv"
    path.write_text("name\taliases\tactor\tsector\trole\tstart\tend\n"
                    "A Person\t\tXYZ\tGOV\tpresident\t1999-13-01\t\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="line 2.*not a date"):
        load_leaders(path)


def test_a_people_without_a_state_belongs_to_the_country_named_with_it(extract):
    doc = extract("Thousands of Iraqi Kurds demonstrated in Kirkuk, and Tamils in Sri Lanka "
                  "marched in Jaffna.")
    kurds = actor_named(doc, "Iraqi Kurds")
    assert (kurds.kind, kurds.country, kurds.sector) == ("group", "IRQ", "CVL")
    assert actor_named(doc, "Tamils").country == "LKA"


def test_supporters_of_a_known_leader_belong_to_his_country(extract):
    doc = extract("About 200 supporters of former President Ahmed Ben Bella blocked roads.")
    supporters = actor_named(doc, "supporters")
    assert (supporters.country, supporters.sector) == ("DZA", "CVL")


def test_the_international_labour_office_is_the_ilo(extract):
    doc = extract("The International Labor Office (ILO) urged Israel to ease restrictions.")
    ilo = actor_named(doc, "International Labour Organization")
    assert ilo.kind == "igo" and ilo.code == "IGOILO"


def test_a_city_belongs_to_the_state_that_held_it_on_the_article_date(extract):
    early = extract("Rebels shelled Juba on Sunday.", date="2000-01-01")
    late = extract("Rebels shelled Juba on Sunday.", date="2015-01-01")
    assert actor_named(early, "Juba").country == "SDN"
    assert actor_named(late, "Juba").country == "SSD"
    text = "Police detained protesters in Kiev on Sunday."
    assert actor_named(extract(text, date="1987-06-01"), "protesters").country == "SUN"
    assert actor_named(extract(text, date="2020-01-01"), "protesters").country == "UKR"


def test_a_country_named_outright_keeps_its_code_before_independence(extract):
    doc = extract("Montenegro eased the curfew.", date="2000-01-01")
    assert actor_named(doc, "Montenegro").country == "MNE"


def test_a_crowd_or_victims_are_in_the_country_where_the_clause_happens(extract):
    doc = extract("Hundreds of thousands of people blocked streets in Hong Kong in defiance "
                  "of Chinese authorities.")
    assert actor_named(doc, "people").country == "HKG"
    doc = extract("Two Palestinian bombers killed 23 people when they blew themselves up "
                  "in Tel Aviv, police said.")
    assert actor_named(doc, "people").country == "ISR"


def test_a_body_based_somewhere_belongs_to_that_country(extract):
    doc = extract("A newspaper based in Beirut has violated the ban.")
    paper = actor_named(doc, "A newspaper")
    assert (paper.country, paper.sector) == ("LBN", "MED")


def test_an_unknown_association_or_foundation_is_an_ngo(extract):
    doc = extract("Members of the Association of African Jurists visited Tripoli.")
    body = actor_named(doc, "Association of African Jurists")
    assert (body.kind, body.sector, body.code, body.country) == (
        "organization", "NGO", "NGO", None)


def test_ethnic_on_the_adjective_still_makes_a_people_where_they_operate(extract):
    doc = extract("One third of ethnic Albanian guerrillas operating in Macedonia have been "
                  "demobilized.")
    rebels = actor_named(doc, "Albanian guerrillas")
    assert (rebels.country, rebels.sector) == ("MKD", "REB")
