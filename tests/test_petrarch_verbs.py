"""Importing PETRARCH/TABARI verb dictionaries (CAMEO.2.0.txt, PETR.Validate.verbs.txt)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from detente.errors import DictionaryError
from detente.events import petrarch_verbs
from detente.events.ontology import cameo_table
from detente.events.patterns import ActorSlot
from detente.events.petrarch_verbs import (
    cameo_code,
    load_petrarch_verb_dictionary,
    load_petrarch_verbs,
)
from detente.pipeline import Pipeline

DICTIONARY = """\
# a comment line
<!-- an XML comment
     over two lines -->
&TIES_
+MILITARY
+ECONOMIC_RELATIONS   # a phrase member
+&MORE

---  ABANDON   [161]  ---
ABANDON  {ABANDONS ABANDONED}
DESERT [162]
+CALL_OFF {+CALLED_OFF +CALLS_OFF}
- * THE &TIES TIES      [163]   # ABANDON
- * (WITH {FULL RELATIONS})     # no code: the verb's, else the block's
- * BUSINESS            [---]
- * COURT               [:173]
- % *                   [036]

&MORE
+CULTURAL

---  TALK   [---]  ---
TALK
- * (WITH %)            [046:046]
- * PEACE               [345]
"""


def load(tmp_path: Path, text: str, name: str = "test.verbs.txt") -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_petrarch_verbs(path)


def table(patterns: list) -> dict[tuple[str, frozenset[str]], str]:
    return {(p.trigger, p.companions): p.code for p in patterns}


def test_blocks_verbs_patterns_and_synsets(tmp_path):
    got = table(load(tmp_path, DICTIONARY))
    f = frozenset
    # each verb of a block, with its own code or the block's
    assert got[("abandon", f())] == "161"
    assert got[("desert", f())] == "162"
    assert got[("call", f({"off"}))] == "161"
    # a synonym set (with a nested set, defined later in the file) gives one pattern a member
    for words in ({"military"}, {"economic", "relations"}, {"cultural"}):
        for trigger, extra in (("abandon", set()), ("desert", set()), ("call", {"off"})):
            assert got[(trigger, f({*words, "ties", *extra}))] == "163"
    # brackets and determiners go; a pattern without a code takes the verb's, else the block's
    assert got[("abandon", f({"with", "full", "relations"}))] == "161"
    assert got[("desert", f({"with", "full", "relations"}))] == "162"
    # paired codes keep the first; a WEIS code becomes its CAMEO approximation
    assert got[("talk", f({"with"}))] == "046"
    assert got[("talk", f({"peace"}))] == "03"
    # a block coded [---] has no pattern for the bare verb
    assert ("talk", f()) not in got


def test_no_event_codes_reverse_codes_and_actor_only_patterns_are_skipped(tmp_path):
    got = table(load(tmp_path, DICTIONARY))
    words = {c for _, c in got}
    assert frozenset({"business"}) not in words  # [---]
    assert frozenset({"court"}) not in words  # [:173] would run target -> source
    assert "036" not in got.values()  # "% *" constrains actors only


def test_codes_outside_the_cameo_table_are_approximated():
    assert cameo_code("043") == "043"
    assert cameo_code("1717") == "171"
    assert cameo_code("075A") == "075"
    assert cameo_code("080!") == "080"
    assert cameo_code("345") == "03"
    assert cameo_code("223") == "02"
    assert cameo_code("def") == "010"
    assert all(cameo_code(c) in cameo_table() for c in ("903", "0344", "s", "###"))


def test_inflected_and_multi_word_verb_lines(tmp_path):
    got = table(load(tmp_path, "--- SAID [023] ---\nSAID\nKLM_NOP_+RST [020]\n"
                               "LASH OUT\n+ANGERED_BY {}\n"
                               "SCRAP {SCRAPS};shan 8/30/93\n"))
    f = frozenset
    assert got == {("said", f()): "023", ("rst", f({"klm", "nop"})): "020",
                   ("lash", f({"out"})): "023", ("angered", f({"by"})): "023",
                   ("scrap", f()): "023"}


def test_expansion_is_capped(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(petrarch_verbs, "MAX_EXPANSION", 3)
    members = "".join(f"+WORD{i}\n" for i in range(5))
    with caplog.at_level(logging.WARNING):
        got = load(tmp_path, f"&SET\n{members}--- GO [---] ---\nGO\n- * &SET &SET [010]\n")
    assert len(got) == 3
    assert "expand to more than 3" in caplog.text


def test_harmless_oddities_are_logged_and_read(tmp_path, caplog):
    text = ("--- DELAY [120]  [031:031]  ---\nDELAY\n- * &NOWHERE [042]\n- * TALKS [042]\n"
            "---  DISGRACE   [110]---  ---\nDISGRACE\n- * ENVOY [###]  # a comment\n")
    with caplog.at_level(logging.WARNING):
        got = table(load(tmp_path, text))
    assert got[("delay", frozenset())] == "120"
    assert got[("delay", frozenset({"talks"}))] == "042"
    assert got[("disgrace", frozenset({"envoy"}))] == "010"
    assert "the first, [120], is used" in caplog.text
    assert "&NOWHERE is not defined; pattern skipped" in caplog.text


@pytest.mark.parametrize(("text", "line", "says"), [
    ("- * AID [070]\n", 1, "pattern before any verb block"),
    ("--- GO [010] ---\nGO\n- AID [070]\n", 3, "needs exactly one *"),
    ("--- GO [010] ---\nGO\n- * * AID [070]\n", 3, "needs exactly one *"),
    ("--- GO [010] ---\nGO\n- * AID []\n", 3, "cannot read the code"),
    ("--- GO [010] ---\nGO\n- * AID [070\n", 3, "cannot read the pattern"),
    ("GO\n", 1, "outside any verb block"),
    ("&SET\nGO\n", 2, "outside any verb block"),
    ("--- GO [010] ---\n+GO_+ON\n", 2, "marks 2 words with +"),
    ("--- GO [010] ---\nGO {GOES\n", 2, "cannot read the verb"),
    ("&A\n+&B\n&B\n+&A\n--- GO [010] ---\nGO\n- * &A [070]\n", 4, "contains itself"),
    ("--- GO [010 ---\n", 1, "cannot read the verb block header"),
])
def test_bad_lines_name_the_file_and_line(tmp_path, text, line, says):
    with pytest.raises(DictionaryError, match=rf"bad\.verbs\.txt, line {line}: .*{says}"):
        load(tmp_path, text, "bad.verbs.txt")


def test_unreadable_files_are_dictionary_errors(tmp_path):
    with pytest.raises(DictionaryError, match="cannot read"):
        load_petrarch_verbs(tmp_path / "missing.verbs.txt")
    path = tmp_path / "latin1.verbs.txt"
    path.write_bytes(b"--- CAF\xe9 [010] ---\n")
    with pytest.raises(DictionaryError, match="not UTF-8"):
        load_petrarch_verbs(path)


def test_several_files_make_one_dictionary_the_first_pattern_wins(tmp_path):
    one = tmp_path / "one.verbs.txt"
    one.write_text("--- GO [010] ---\nGO\n- * HOME [070]\n", encoding="utf-8")
    two = tmp_path / "two.verbs.txt"
    two.write_text("--- GO [020] ---\nGO\n- * HOME [080]\n- * AWAY [090]\n", encoding="utf-8")
    verbs = load_petrarch_verb_dictionary([one, two])
    assert len(verbs) == 3
    assert {p.companions: p.code for p in verbs.by_trigger["go"]} == {
        frozenset(): "010", frozenset({"home"}): "070", frozenset({"away"}): "090"}


def test_a_pipeline_takes_a_tsv_or_a_dictionary_not_both():
    with pytest.raises(ValueError, match="not both"):
        Pipeline(verbs="verbs.tsv", verb_dictionary=load_petrarch_verb_dictionary([]))


# -- coding with an imported dictionary ---------------------------------------------------

CODING = """\
&GRIEVANCE
+DAM
+BORDER_DISPUTE

--- SCOLD  [---]  ---
SCOLD
- * (OVER &GRIEVANCE)    [111]

--- RAILED  [1121]  ---
RAILED

--- EXCLUDE  [1721]  ---
+CORDON_OFF {+CORDONED_OFF +CORDONS_OFF}

--- RISE  [---]  ---
RISE
- DEATH TOLL *  [190]

&NEGAUX
+DID N'T
+WILL NOT

--- CLASH  [---]  ---
CLASH
- &NEGAUX * OVER DAM  [120]
- * OVER DAM  [111]

--- VISIT  [042:043]  ---
VISIT

--- WARN  [---]  ---
WARN
- * THEIR ^ ABOUT +  [162]
- * AT ^ +  [163]

--- RECEIVE  [---]  ---
RECEIVE
- + * MONEY $  [071]

--- SHOT  [223]  ---
SHOT
- + WAS * DEAD IN $  [224]

--- MARCH  [140]  ---
MARCH

--- ACCORD  [---]  ---
ACCORD
- INCHING NEARER *  [083]
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Pipeline:
    path = tmp_path_factory.mktemp("verbs") / "coding.verbs.txt"
    path.write_text(CODING, encoding="utf-8")
    return Pipeline(verb_dictionary=load_petrarch_verb_dictionary([path]))


def codes(doc) -> list[tuple[str | None, str | None, str]]:
    return [(doc.actor(e.source[0]).country if e.source else None,
             doc.actor(e.target[0]).country if e.target else None, e.cameo.code)
            for e in doc.events]


def test_a_sentence_is_coded_with_an_imported_pattern(imported):
    doc = imported.extract("Hungary scolded Romania over the dam on Monday.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "111")]
    assert doc.events[0].trigger == "scolded over dam"
    # the block has no code of its own: without the pattern's words there is no event
    doc = imported.extract("Hungary scolded Romania on Monday.", "2024-05-08")
    assert codes(doc) == []


def test_a_verb_written_inflected_matches_that_form(imported):
    doc = imported.extract("Hungary railed against Romania on Monday.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "1121")]
    # the packaged dictionary is replaced, not extended
    assert codes(imported.extract("Hungary condemned Romania.", "2024-05-08")) == []


def test_extract_takes_petrarch_verbs(tmp_path):
    path = tmp_path / "coding.verbs.txt"
    path.write_text(CODING, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "detente.cli", "extract", "-", "--format", "jsonl",
         "--petrarch-verbs", str(path)], input="Hungary scolded Romania over the dam.",
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["events"]
    assert [e["cameo"]["code"] for e in events] == ["111"]


# -- the published dictionaries, when ../shared is here -----------------------------------

def test_the_published_verb_dictionaries_load(shared):
    folder = shared / "petrarch"
    for path in sorted(folder.glob("*.verbs.txt")):
        assert len(load_petrarch_verbs(path)) > 500, path
    patterns = load_petrarch_verbs(folder / "CAMEO.2.0.txt")
    assert len(patterns) > 100_000
    assert {p.code for p in patterns} <= cameo_table().keys()
    got = table(patterns)
    assert got[("call", frozenset({"off"}))] == "160"


# -- dictionaries written in WEIS codes ---------------------------------------------------

WEIS = """\
--- REMARK  [023]  ---
REMARK
- * WARMLY  [024]
- * PEACE   [345]

--- BELIEVE  [023]  ---
BELIEVE

--- EXPRESS  [---]  ---
EXPRESS
- * HOPE  [024]

--- SHELL  [223]  ---
SHELL

--- SAID  [023]  ---
SAID
"""


def test_weis_codes_are_read_through_the_crosswalk(tmp_path):
    path = tmp_path / "weis.verbs.txt"
    path.write_text(WEIS, encoding="utf-8")
    as_weis = table(load_petrarch_verbs(path, codes="weis"))
    # WEIS 023 is a neutral comment (a statement), not CAMEO 023 "appeal for aid"
    assert as_weis[("remark", frozenset())] == "010"
    assert as_weis[("remark", frozenset({"warmly"}))] == "013"  # optimistic comment
    assert as_weis[("shell", frozenset())] == "190"  # military engagement
    # a code that is not WEIS is read as CAMEO, as without the option
    assert as_weis[("remark", frozenset({"peace"}))] == "03"
    assert table(load_petrarch_verbs(path))[("remark", frozenset())] == "023"
    with pytest.raises(ValueError, match="weis"):
        load_petrarch_verbs(path, codes="kansas")


def test_every_weis_code_maps_to_a_cameo_code():
    crosswalk = petrarch_verbs.weis_crosswalk()
    assert len(crosswalk) == 63  # the WEIS codebook's 63 codes
    assert set(crosswalk.values()) <= set(cameo_table())


@pytest.fixture(scope="module")
def weis(tmp_path_factory) -> Pipeline:
    path = tmp_path_factory.mktemp("verbs") / "weis.verbs.txt"
    path.write_text(WEIS, encoding="utf-8")
    return Pipeline(verb_dictionary=load_petrarch_verb_dictionary([path], codes="weis"))


def test_a_statement_reporting_a_coded_act_gives_way_to_it(weis):
    doc = weis.extract("Hungary shelled Romania on Monday, a Serbian official said.",
                       "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "190")]


def test_a_statement_about_a_clause_without_an_act_targets_its_subject(weis):
    doc = weis.extract("Hungary believes Romania can cope with the drought.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "010")]
    # the subject of a that-clause on the object noun: "expressed hope that X ..."
    doc = weis.extract("Hungary expressed hope that Romania would be invited.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "013")]


def test_a_state_speaking_of_itself_is_no_statement_event(weis):
    doc = weis.extract("Hungary believes Hungarian farmers can cope with the drought.",
                       "2024-05-08")
    assert codes(doc) == []


def test_extract_reads_weis_coded_verbs(tmp_path):
    path = tmp_path / "weis.verbs.txt"
    path.write_text(WEIS, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "detente.cli", "extract", "-", "--format", "jsonl",
         "--petrarch-verbs", str(path), "--petrarch-verb-codes", "weis"],
        input="Hungary shelled Romania.", capture_output=True, text=True, timeout=300,
        check=False)
    assert result.returncode == 0, result.stderr
    assert [e["cameo"]["code"] for e in json.loads(result.stdout)["events"]] == ["190"]


def test_the_forms_in_braces_spell_their_verb(imported):
    # the lemmatizer reads "cordoned" as "cordone": the form in braces still names the verb
    assert imported.coder.verbs.forms["cordoned"] == "cordon"
    doc = imported.extract("Hungarian police cordoned off the border with Romania.",
                           "2024-05-08")
    assert [(e.cameo.code, e.trigger) for e in doc.events] == [("1721", "cordoned off")]


def test_words_before_the_verb_are_matched_on_its_subject(imported):
    doc = imported.extract("Hungary's death toll rose in the dispute with Romania.",
                           "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "190")]
    assert codes(imported.extract("Hungary rose in the dispute with Romania.",
                                  "2024-05-08")) == []


def test_a_pattern_with_the_negation_codes_the_negated_act(imported):
    # PETRARCH writes "did n't" / "will not" into patterns: the event is the pattern's code,
    # not a negated event
    doc = imported.extract("Hungary didn't clash with Romania over the dam.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "120")] and not doc.events[0].negated
    doc = imported.extract("Hungary will not clash with Romania over the dam.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "120")] and not doc.events[0].negated
    doc = imported.extract("Hungary clashed with Romania over the dam.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "111")]


def test_a_paired_code_codes_the_event_back_from_the_target(imported):
    # [042:043]: the visitor makes a visit (042), the host receives it (043)
    doc = imported.extract("Hungary visited Romania on Monday.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "042"), ("ROU", "HUN", "043")]
    assert {p.reverse for p in imported.coder.verbs.by_trigger["visit"]} == {"043"}


def test_pattern_markers_say_where_source_and_target_are(tmp_path):
    found = {p.code: p for p in load(tmp_path, CODING)}
    assert found["162"].target_at == ActorSlot(after="about") and found["162"].source_at is None
    assert found["163"].target_at == ActorSlot(after="at", skips=1)
    assert found["071"].target_at == ActorSlot(before_verb=True)
    assert found["071"].source_at == ActorSlot(after="money")
    # "* +" is where the parse looks anyway: no slot
    assert all(p.target_at is None for p in load(tmp_path, "--- X [010] ---\nX\n- * + [011]\n"))


def test_a_pattern_puts_source_and_target_where_its_markers_are(imported):
    # "* THEIR ^ ABOUT +": not the ones warned but the one warned about
    doc = imported.extract("Hungary warned their citizens about Romania.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "162")]
    # "* AT ^ +": one noun phrase after "at" is passed over
    doc = imported.extract("Hungary warned at the meeting of Romania.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "163")]
    # "+ * MONEY $": the subject receives from the one after "money"
    doc = imported.extract("Hungary received money from Romania.", "2024-05-08")
    assert codes(doc) == [("ROU", "HUN", "071")]


def test_the_words_of_a_coordinated_subject_complete_a_pattern(imported):
    doc = imported.extract("Hungary's death and injury toll rose in the dispute with Romania.",
                           "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "190")]


def test_a_target_the_parser_hangs_on_an_adverb(imported):
    # "close to the border with X": the adverb's own phrase names the target
    doc = imported.extract("Hungary has marched very close to the border with Romania.",
                           "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "140")]


def test_words_before_the_verb_are_matched_on_the_verb_that_governs_it(imported):
    # "INCHING NEARER *": "accord" is governed by "inching", with its adverb "nearer"
    doc = imported.extract("Hungary is inching nearer to accord with Romania.", "2024-05-08")
    assert codes(doc) == [("HUN", "ROU", "083")]
    assert codes(imported.extract("Hungary is ready to accord with Romania.",
                                  "2024-05-08")) == []
