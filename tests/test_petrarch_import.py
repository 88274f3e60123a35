"""PETRARCH/TABARI dictionaries in, actor and agent records out."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from detente.actors.dictionary import DatedCode
from detente.actors.petrarch import (
    compose_code,
    load_petrarch,
    load_petrarch_actors,
    load_petrarch_agents,
)
from detente.errors import DictionaryError

SHARED = Path(os.environ.get("DETENTE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
PETRARCH = SHARED / "petrarch"


def write(tmp_path: Path, text: str, name: str = "test.actors.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def actors(tmp_path: Path, text: str) -> dict:
    """Phrase -> ActorEntry for a dictionary written from ``text``."""
    return {e.phrase: e for e in load_petrarch_actors(write(tmp_path, text))}


ACTORS = """\
# a comment line
<!-- an XML comment
# spanning lines -->
EGYPT_  [EGY]   # trailing comment
+EGYPTIAN_
+ARAB_REPUBLIC_OF_EGYPT

HOSNI_MUBARAK_  # CountryInfo.txt
\t[EGYMIL 770101-811014]
\t[EGYGOV 19811014-20110211]
\t[EGYELI]
ABDEL_FATTAH_AL-SISI_
\t[EGYMIL <140608]
\t[EGYGOV >140608]
INTERNATIONAL_CRIMINAL_POLICE_ORGANIZATION_
+INTERPOL
\t[IGOCOPITP]
PRESIDENT_GEORGE_W._BUSH [USAGOV]
AMNESTY_INTERNATIONAL_\t[NGO]\tLondon-based\t$0
KOFI_ANNAN_\t[IGOUNO 970101-061231] [ELI]
BOROMIR  [---]
U.N._
USSR
\t[USR <911226]
"""


def test_a_name_and_its_synonyms_become_one_entry_each(tmp_path):
    found = actors(tmp_path, ACTORS)
    assert found["EGYPT"].code == "EGY"
    assert found["EGYPTIAN"].name == "Egypt"
    assert found["ARAB REPUBLIC OF EGYPT"].kind == "country"
    assert found["EGYPTIAN"].country == "EGY" and found["EGYPTIAN"].sector is None


def test_dated_roles_make_a_person_with_codes_in_force_by_date(tmp_path):
    mubarak = actors(tmp_path, ACTORS)["HOSNI MUBARAK"]
    assert mubarak.name == "Hosni Mubarak"
    assert mubarak.kind == "person"
    assert mubarak.code == "EGYELI"
    assert mubarak.country == "EGY" and mubarak.sector == "ELI"
    assert mubarak.dated_codes[0] == DatedCode("EGYMIL", date(1977, 1, 1), date(1981, 10, 13))
    assert mubarak.code_on(date(1990, 1, 1)) == "EGYGOV"
    assert mubarak.code_on(date(2015, 1, 1)) == "EGYELI"


def test_before_and_from_dates_hand_over_on_the_day(tmp_path):
    sisi = actors(tmp_path, ACTORS)["ABDEL FATTAH AL-SISI"]
    assert sisi.code == "EGYGOV"  # the last open-ended role
    assert sisi.code_on(date(2014, 6, 7)) == "EGYMIL"
    assert sisi.code_on(date(2014, 6, 8)) == "EGYGOV"


def test_codes_may_follow_the_synonyms(tmp_path):
    found = actors(tmp_path, ACTORS)
    assert found["INTERPOL"].code == "IGOCOPITP"
    assert found["INTERPOL"].kind == "igo"
    assert found["INTERPOL"].sector == "IGO" and found["INTERPOL"].country is None


def test_kinds_titles_notes_and_null_codes(tmp_path):
    found = actors(tmp_path, ACTORS)
    assert found["PRESIDENT GEORGE W. BUSH"].kind == "person"
    assert found["PRESIDENT GEORGE W. BUSH"].sector == "GOV"
    assert found["AMNESTY INTERNATIONAL"].code == "NGO"  # the note after the code is ignored
    assert found["AMNESTY INTERNATIONAL"].kind == "organization"
    assert found["KOFI ANNAN"].kind == "person"
    assert found["KOFI ANNAN"].code_on(date(2000, 1, 1)) == "IGOUNO"
    assert found["BOROMIR"].code == "---"
    assert found["USSR"].kind == "country"
    assert found["USSR"].code is None and found["USSR"].code_on(date(1990, 1, 1)) == "USR"


def test_a_name_without_any_code_is_skipped(tmp_path):
    assert "U.N." not in actors(tmp_path, ACTORS)


def test_two_digit_years_before_30_are_this_century(tmp_path):
    found = actors(tmp_path, "A_\n\t[AAA >291231]\nB_\n\t[BBB >300101]\nC_\n\t[CCC 20121204]\n")
    assert found["A"].dated_codes[0].start == date(2029, 12, 31)
    assert found["B"].dated_codes[0].start == date(1930, 1, 1)
    assert found["C"].dated_codes[0] == DatedCode("CCC", date(2012, 12, 4), None)  # bare: from


def test_a_date_with_the_wrong_number_of_digits_drops_only_that_role(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        found = actors(tmp_path, "NAME_\n\t[GBRGOV >201005011]\n\t[GBRELI]\n")
    assert found["NAME"].dated_codes == ()
    assert found["NAME"].code == "GBRELI"
    assert "line 2" in caplog.text and "201005011" in caplog.text


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("\t[USA]\n", 1, "codes before any name"),
        ("+SYNONYM\n", 1, "before any name"),
        ("EGYPT_ [EGY\n", 1, "unbalanced"),
        ("EGYPT_\n\t[]\n", 2, "empty code"),
        ("EGYPT_\n\t[EGY after 1990]\n", 2, "cannot read the date"),
        ("EGYPT_ [EG*Y]\n", 1, "not an actor code"),
    ],
)
def test_bad_lines_name_the_file_and_line(tmp_path, text, line, says):
    path = write(tmp_path, text)
    with pytest.raises(DictionaryError) as error:
        load_petrarch_actors(path)
    assert f"{path}, line {line}" in str(error.value)
    assert says in str(error.value)


AGENTS = """\
!PERSON! = MAN, MEN, WOMAN, WOMEN, PERSON
SOLDIER [~MIL]  # regular plural
SECRETARY [~GOV]
BOSS [~BUS]
ATTORNEY_GENERAL {ATTORNEYS_GENERAL} [~GOV]
POLICE {} [ ~COP]
PEACEKEEPING_TROOPS {} [IGO~]
CONGRESS!PERSON! [~LEG]
"""


def agents(tmp_path: Path, text: str) -> dict:
    return {e.phrase: e for e in load_petrarch_agents(write(tmp_path, text, "test.agents.txt"))}


def test_a_noun_and_its_regular_plural(tmp_path):
    found = agents(tmp_path, AGENTS)
    assert found["SOLDIER"].sector == "MIL" and found["SOLDIER"].kind == "person"
    assert found["SOLDIERS"].kind == "group" and found["SOLDIERS"].role == "soldier"
    assert "SECRETARIES" in found and "BOSSES" in found


def test_braces_give_the_plural_or_mark_a_collective_noun(tmp_path):
    found = agents(tmp_path, AGENTS)
    assert found["ATTORNEYS GENERAL"].role == "attorney general"
    assert "ATTORNEY GENERALS" not in found
    assert found["POLICE"].kind == "group" and found["POLICE"].sector == "COP"
    assert "POLICES" not in found
    assert found["PEACEKEEPING TROOPS"].sector == "IGO"  # [IGO~]: the code goes first
    assert found["PEACEKEEPING TROOPS"].prefix and not found["POLICE"].prefix


def test_substitution_sets_expand_to_every_word(tmp_path):
    found = agents(tmp_path, AGENTS)
    assert found["CONGRESSMAN"].kind == "person"
    assert found["CONGRESSWOMEN"].kind == "group"
    assert found["CONGRESSPERSON"].sector == "LEG"
    assert "CONGRESSMANS" not in found


def test_an_agent_without_a_code_is_skipped_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        found = agents(tmp_path, "ISLAMIC_EXTREMIST\nIMAM [~MUS]\n")
    assert list(found) == ["IMAM", "IMAMS"]
    assert "line 1" in caplog.text


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("SOLDIER [MIL]\n", "needs one ~"),
        ("!NOPE!_GUARD [~MIL]\n", "!NOPE! is not defined"),
        ("SOLDIER {SOLDIERS [~MIL]\n", "cannot read"),
    ],
)
def test_bad_agent_lines_name_the_file_and_line(tmp_path, text, says):
    path = write(tmp_path, text, "bad.agents.txt")
    with pytest.raises(DictionaryError, match=says) as error:
        load_petrarch_agents(path)
    assert f"{path}, line 1" in str(error.value)


def test_load_petrarch_combines_actor_and_agent_files(tmp_path):
    dictionary = load_petrarch([write(tmp_path, ACTORS)],
                               [write(tmp_path, AGENTS, "test.agents.txt")])
    assert any(e.phrase == "EGYPT" for e in dictionary.actors)
    assert any(e.phrase == "SOLDIERS" for e in dictionary.agents)


needs_shared = pytest.mark.skipif(not PETRARCH.is_dir(),
                                  reason=f"{PETRARCH} not found (set DETENTE_SHARED)")


@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in PETRARCH.glob("*.actors.txt"))
                         if PETRARCH.is_dir() else [])
def test_every_published_actor_file_loads(name):
    assert load_petrarch_actors(PETRARCH / name)


@needs_shared
def test_the_published_country_file_loads_and_reads_right():
    found = {e.phrase: e for e in load_petrarch_actors(PETRARCH / "Phoenix.Countries.actors.txt")}
    assert found["AFGHANISTAN"].kind == "country" and found["AFGHANISTAN"].code == "AFG"
    assert found["KABUL"].name == "Afghanistan"
    assert found["HAMID KARZAI"].kind == "person"


@needs_shared
def test_the_published_agent_files_load():
    phoenix = {e.phrase: e for e in load_petrarch_agents(PETRARCH / "Phoenix.agents.txt")}
    assert phoenix["FARMERS"].sector == "AGR"
    assert phoenix["MINISTER FOR AGRICULTURE"].sector == "GOVAGR"
    validate = {e.phrase: e for e in load_petrarch_agents(PETRARCH / "PETR.Validate.agents.txt")}
    assert validate["GOLDEN GEESE"].sector == "GGS"


def test_an_agent_of_an_actor_with_a_code_of_its_own_combines_the_codes(tmp_path):
    # PETRARCH composes actor and agent codes whether or not the actor is an ISO country:
    # "Arcadia's police" is ARCCOP, as "Egypt's police" is EGYCOP
    from detente.pipeline import Pipeline

    dictionary = load_petrarch([write(tmp_path, "ARCADIA [ARC]\nEGYPT_ [EGY]\n")],
                               [write(tmp_path, "GOVERNMENT [~GOV]\nPOLICE {} [~COP]\n",
                                      "test.agents.txt")])
    doc = Pipeline(dictionary=dictionary).extract(
        "Arcadia's police closed the road. Egypt's police stayed home.", "2024-05-08")
    codes = {a.code for a in doc.actors}
    assert {"ARCCOP", "EGYCOP"} <= codes


def test_a_person_agent_and_a_soldier_of_such_an_actor_combine_the_codes(tmp_path):
    # "the Arcadian minister" is ARCGOV and "Arcadia soldiers" ARCMIL, not the state itself
    from detente.pipeline import Pipeline

    dictionary = load_petrarch([write(tmp_path, "ARCADIA [ARC]\nBORDURIA [BOR]\n")],
                               [write(tmp_path, "MINISTER [~GOV]\nSOLDIER [~MIL]\n",
                                      "test.agents.txt")])
    doc = Pipeline(dictionary=dictionary).extract(
        "Arcadia's defence minister Tom Ruel praised Borduria soldiers.", "2024-05-08")
    codes = {a.code for a in doc.actors}
    assert {"ARCGOV", "BORMIL"} <= codes
    doc = Pipeline(dictionary=dictionary).extract(
        "Soldiers from Arcadia crossed the river.", "2024-05-08")
    assert "ARCMIL" in {a.code for a in doc.actors}


def test_a_title_gives_a_named_actor_its_sector_and_a_body_lends_its_country(tmp_path):
    # "Arcadia Prime Minister Maris Volk" with MARIS_VOLK [ARC] is ARCGOV; "White House
    # officials" with WHITE_HOUSE [USAGOV] are USAGOV
    from detente.pipeline import Pipeline

    dictionary = load_petrarch(
        [write(tmp_path, "ARCADIA [ARC]\nMARIS_VOLK [ARC]\nWHITE_HOUSE [USAGOV]\n")],
        [write(tmp_path, "PRIME_MINISTER [~GOV]\nOFFICIAL [~GOV]\n", "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    doc = pipeline.extract("Arcadia Prime Minister Maris Volk arrived on Monday.", "2024-05-08")
    assert "ARCGOV" in {a.code for a in doc.actors}
    doc = pipeline.extract("White House security officials arrived on Monday.", "2024-05-08")
    assert "USAGOV" in {a.code for a in doc.actors}


def test_an_agent_of_an_imported_actor_keeps_it_when_another_country_is_named(tmp_path):
    from detente.pipeline import Pipeline

    dictionary = load_petrarch([write(tmp_path, "ARCADIA [ARC]\nEGYPT_ [EGY]\n")],
                               [write(tmp_path, "LAWMAKER [~LEG]\n", "test.agents.txt")])
    doc = Pipeline(dictionary=dictionary).extract("Lawmakers in Arcadia praised Egypt.",
                                                  "2024-05-08")
    codes = {a.code for a in doc.actors}
    assert "ARCLEG" in codes and "EGYLEG" not in codes


def test_agent_codes_add_only_the_parts_their_owner_lacks():
    assert compose_code("ARN", "REL") == "ARNREL"
    assert compose_code("USAGOV", "GOV") == "USAGOV"
    assert compose_code("HGWGOVMED", "GOVMED") == "HGWGOVMED"
    assert compose_code("GMWGOV", "WGO") == "GMWGOVWGO"
    # only parts at a three-letter boundary count: GO|NGM|O holds no NGM part
    assert compose_code("GONGMO", "NGM") == "GONGMONGM"
    assert compose_code("ARN", "NGO", prefix=True) == "NGOARN"


def test_an_agent_of_a_body_with_a_long_code_builds_on_its_whole_code(tmp_path):
    # "activists of Amnesty International" NGM + ~OPP; "the Herald government newspaper"
    # HGWGOVMED + ~GOVMED adds nothing it already holds
    from detente.pipeline import Pipeline

    dictionary = load_petrarch(
        [write(tmp_path, "AMNESTY_INTERNATIONAL [NGM]\nTHE_HERALD [HGWGOVMED]\n"
                         "ARCADIA [ARC]\n")],
        [write(tmp_path, "HUMAN_RIGHTS_ACTIVIST [~OPP]\nGOVERNMENT_NEWSPAPER [~GOVMED]\n",
               "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    doc = pipeline.extract("The human rights activists of Amnesty International praised "
                           "Arcadia.", "2024-05-08")
    assert "NGMOPP" in {a.code for a in doc.actors}
    doc = pipeline.extract("The Herald government newspaper praised Arcadia.", "2024-05-08")
    assert "HGWGOVMED" in {a.code for a in doc.actors}


def test_a_prefix_agent_goes_before_the_code_of_the_actor_it_modifies(tmp_path):
    from detente.pipeline import Pipeline

    dictionary = load_petrarch([write(tmp_path, "ARCADIA [ARC]\nBORDURIA [BOR]\n")],
                               [write(tmp_path, "MSF {} [NGO~]\nDIPLOMAT [~GOV]\n",
                                      "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    doc = pipeline.extract("MSF Arcadia praised Borduria.", "2024-05-08")
    assert {(s, t) for e in doc.events for s in e.source for t in e.target} and \
        "NGOARC" in {a.code for a in doc.actors}
    doc = pipeline.extract("An MSF Arcadia diplomat praised Borduria.", "2024-05-08")
    assert "NGOARCGOV" in {a.code for a in doc.actors}


def test_a_compound_actor_stands_for_each_of_its_codes(tmp_path):
    found = actors(tmp_path, "THE_SHIRE  [FRO/BIL/SAM]\nARCADIA [ARC]\n")
    assert found["THE SHIRE"].members == ("FRO", "BIL", "SAM")
    assert found["THE SHIRE"].code == "FRO" and found["ARCADIA"].members == ()


def test_a_compound_actor_acts_as_all_its_members(tmp_path):
    from detente.pipeline import Pipeline

    dictionary = load_petrarch([write(tmp_path, "THE_SHIRE  [FRO/BIL/SAM]\nARCADIA [ARC]\n")],
                               [write(tmp_path, "GOVERNMENT [~GOV]\n", "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    for text in ("The Shire praised Arcadia.", "Arcadia said that the Shire praised Arcadia."):
        doc = pipeline.extract(text, "2024-05-08")
        codes = {a.id: a.code for a in doc.actors}
        pairs = {(codes[s], codes[t]) for e in doc.events for s in e.source for t in e.target}
        assert {("FRO", "ARC"), ("BIL", "ARC"), ("SAM", "ARC")} <= pairs, text


def test_every_member_of_a_list_of_actors_acts(tmp_path):
    # lists the parser splits: the first names as a modifier of the last, or an apposition
    # with conjuncts ("Mordor, the Shire, Fornost and Bree" in PETRARCH's tests)
    from detente.pipeline import Pipeline

    names = "ARCADIA [ARC]\nBORDURIA [BOR]\nCARPANIA [CAR]\nDALMATIA [DAL]\nELBONIA [ELB]\n"
    dictionary = load_petrarch([write(tmp_path, names)], [write(tmp_path, "GOVERNMENT [~GOV]\n",
                                                                 "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    for text, sources in (
            ("Arcadia, Borduria and the evil awful Carpania praised Dalmatia.",
             {"ARC", "BOR", "CAR"}),
            ("Evil Arcadia, the awful Borduria, and good Carpania praised Dalmatia.",
             {"ARC", "BOR", "CAR"}),
            ("Arcadia, the Elbonia, Borduria and Carpania praised Dalmatia.",
             {"ARC", "ELB", "BOR", "CAR"})):
        doc = pipeline.extract(text, "2024-05-08")
        codes = {a.id: a.code for a in doc.actors}
        pairs = {(codes[s], codes[t]) for e in doc.events for s in e.source for t in e.target}
        assert pairs == {(s, "DAL") for s in sources}, text


def test_an_agent_of_several_owners_is_one_group_for_each(tmp_path):
    from detente.pipeline import Pipeline

    names = "ARCADIA [ARC]\nBORDURIA [BOR]\nCARPANIA [CAR]\nDALMATIA [DAL]\n"
    dictionary = load_petrarch([write(tmp_path, names)],
                               [write(tmp_path, "AMBASSADOR [~GOV]\nLAWMAKER [~LEG]\n"
                                      "OFFICIAL [~GOV]\n", "test.agents.txt")])
    pipeline = Pipeline(dictionary=dictionary)
    for text, sources in (
            ("The ambassadors of Arcadia, Borduria and Carpania praised Dalmatia.",
             {"ARCGOV", "BORGOV", "CARGOV"}),
            ("Lawmakers in Arcadia and Borduria praised Dalmatia.", {"ARCLEG", "BORLEG"}),
            ("Lawmakers and officials in Arcadia and Borduria praised Dalmatia.",
             {"ARCLEG", "BORLEG", "ARCGOV", "BORGOV"})):
        doc = pipeline.extract(text, "2024-05-08")
        codes = {a.id: a.code for a in doc.actors}
        pairs = {(codes[s], codes[t]) for e in doc.events for s in e.source for t in e.target}
        assert pairs == {(s, "DAL") for s in sources}, text


def test_a_name_in_parentheses_after_an_actor_abbreviates_it(tmp_path):
    from detente.pipeline import Pipeline

    dictionary = load_petrarch(
        [write(tmp_path, "ARCADIA [ARC]\nNORTHERN_TRADE_UNION [IGONTU]\nBORDURIA [BOR]\n")],
        [write(tmp_path, "GOVERNMENT [~GOV]\n", "test.agents.txt")])
    doc = Pipeline(dictionary=dictionary).extract(
        "Arcadia and the Northern Trade Union (NTU) praised Borduria.", "2024-05-08")
    codes = {a.id: a.code for a in doc.actors}
    assert {codes[s] for e in doc.events for s in e.source} == {"ARC", "IGONTU"}
    assert all(a.code for a in doc.actors)  # no actor without a code for "NTU"
