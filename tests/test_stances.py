"""Stances: who supports or opposes what, one record per topic."""

from __future__ import annotations

from conftest import actor_named


def _stances(doc, holder):
    return {(s.polarity, s.topic) for s in doc.stances if s.holder == holder}


def test_gerund_list_of_positions_in_a_quote_gives_one_stance_per_topic(extract):
    doc = extract("“We hold clear positions on issues such as opposing hegemony and the use of "
                  "force, opposing illegal unilateral sanctions and ‘long-arm jurisdiction,’ as "
                  "well as opposing interference in the internal affairs of sovereign nations,” "
                  "China's Foreign Minister, Wang Yi, stated.")
    wang = actor_named(doc, "Wang Yi").id
    assert {
        ("oppose", "hegemony"),
        ("oppose", "the use of force"),
        ("oppose", "illegal unilateral sanctions"),
        ("oppose", "long-arm jurisdiction"),
        ("oppose", "interference in the internal affairs of sovereign nations"),
    } <= _stances(doc, wang)


def test_support_and_opposition_with_a_country_holder(extract):
    doc = extract("Canada supports a two-state solution and opposes protectionism.")
    canada = actor_named(doc, "Canada").id
    assert {("support", "a two-state solution"), ("oppose", "protectionism")} <= _stances(
        doc, canada)


def test_being_against_something_is_opposition(extract):
    doc = extract("Japan is against nuclear proliferation in all its forms.")
    japan = actor_named(doc, "Japan").id
    assert ("oppose", "nuclear proliferation in all its forms") in _stances(doc, japan)


def test_negated_support_is_opposition(extract):
    doc = extract("Hungary does not support new sanctions on Russia.")
    hungary = actor_named(doc, "Hungary").id
    assert ("oppose", "new sanctions on Russia") in _stances(doc, hungary)


def test_stance_spans_match_their_text(extract):
    text = "France condemned the attack and backs a ceasefire in Gaza."
    doc = extract(text)
    assert doc.stances
    for stance in doc.stances:
        assert text[stance.start:stance.end] == stance.topic
