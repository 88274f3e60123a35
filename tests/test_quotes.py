"""Quotes: direct and indirect speech attributed to resolved actors."""

from __future__ import annotations

import pytest

from conftest import actor_named


def _direct(doc):
    return [q for q in doc.quotes if q.kind == "direct"]


def test_curly_quote_with_cue_after_goes_to_the_named_speaker(extract):
    doc = extract("China's Foreign Minister, Wang Yi, visited Moscow.\n“We share a strong "
                  "stance on the norms of international relations,” Wang stated.")
    (quote,) = _direct(doc)
    assert quote.text.startswith("We share a strong stance")
    assert quote.speaker == actor_named(doc, "Wang Yi").id
    assert quote.cue == "stated"


def test_straight_quotes_and_a_cue_before_the_quote(extract):
    doc = extract('Kenya\'s president, William Otieno, spoke in Nairobi. Otieno said: '
                  '"The guns must fall silent. Both sides have agreed to talk."')
    (quote,) = _direct(doc)
    assert quote.text == "The guns must fall silent. Both sides have agreed to talk."
    assert quote.speaker == actor_named(doc, "William Otieno").id


def test_quote_split_around_its_cue_is_one_quote_with_two_segments(extract):
    text = ("Greek Defence Minister Nikos Pappas visited the island. “We will not be "
            "intimidated,” Pappas said, “and we will defend every rock.”")
    doc = extract(text)
    (quote,) = _direct(doc)
    assert len(quote.segments) == 2
    assert [text[s:e] for s, e in quote.segments] == [
        "We will not be intimidated,", "and we will defend every rock."]
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_pronoun_speaker_resolves_to_the_person(extract):
    doc = extract("Indian Defence Minister Rajiv Mehta arrived in Hanoi. \"India stands with "
                  "the people of Vietnam in this hour,\" he told reporters.")
    (quote,) = _direct(doc)
    assert quote.speaker == actor_named(doc, "Rajiv Mehta").id


def test_quote_without_cue_continues_the_previous_speaker(extract):
    doc = extract("“We will not accept a nuclear-armed North Korea,” the Japanese foreign "
                  "minister, Akira Sato, said. He looked at the cameras. “Japan and South "
                  "Korea must act as one.”")
    quotes = _direct(doc)
    assert len(quotes) == 2
    assert quotes[0].speaker == quotes[1].speaker == actor_named(doc, "Akira Sato").id


def test_scare_quotes_are_not_speech(extract):
    doc = extract("China opposes what it calls “long-arm jurisdiction” by Washington.")
    assert _direct(doc) == []


def test_indirect_speech_has_its_content_and_speaker(extract):
    doc = extract("Estonian Foreign Minister Kristjan Tamm stated that the diplomat had "
                  "48 hours to leave the country.")
    (quote,) = [q for q in doc.quotes if q.kind == "indirect"]
    assert quote.text == "the diplomat had 48 hours to leave the country"
    assert quote.cue == "stated"
    assert quote.speaker == actor_named(doc, "Kristjan Tamm").id


def test_according_to_is_indirect_speech(extract):
    doc = extract("According to Sato, Japan supports the full enforcement of sanctions. "
                  "Japanese Foreign Minister Akira Sato spoke in Seoul.")
    quotes = [q for q in doc.quotes if q.kind == "indirect"]
    assert quotes and quotes[0].text.startswith("Japan supports")


def test_verbs_inside_reported_content_are_not_new_quotes(extract):
    doc = extract("The Polish minister Jan Kowalski said that he thinks the talks will "
                  "fail because nobody believes the treaty can hold.")
    quotes = [q for q in doc.quotes if q.kind == "indirect"]
    assert [q.cue for q in quotes] == ["said"]
    assert quotes[0].text.startswith("he thinks the talks")


def test_an_intention_is_attributed_to_its_source(extract):
    doc = extract("Finnish Prime Minister Matti Virtanen plans to visit Moscow next week.")
    (quote,) = [q for q in doc.quotes if q.kind == "indirect"]
    assert quote.cue == "plans"
    assert quote.text == "to visit Moscow next week"
    assert quote.speaker == actor_named(doc, "Matti Virtanen").id


def test_a_quote_paragraph_after_an_attributed_quote_keeps_its_speaker(extract):
    doc = extract("“We will not accept the new tariffs on our steel,” Finnish Prime Minister "
                  "Matti Virtanen said.\n\n“Our industry has done nothing to deserve them.”")
    first, second = _direct(doc)
    assert first.speaker == actor_named(doc, "Matti Virtanen").id
    assert second.speaker == first.speaker


def test_a_quote_after_a_paragraph_of_narrative_has_no_inherited_speaker(extract):
    doc = extract("“We will not accept the new tariffs on our steel,” Finnish Prime Minister "
                  "Matti Virtanen said. The talks ended on Friday without a deal.\n\n"
                  "“Our industry has done nothing to deserve them.”")
    first, second = _direct(doc)
    assert second.speaker is None


def test_the_clause_after_a_quote_ending_in_a_comma_names_its_speaker(extract):
    doc = extract("“This is a great day for our country and for our farmers,” beamed Finnish "
                  "Prime Minister Matti Virtanen.")
    (quote,) = _direct(doc)
    assert quote.speaker == actor_named(doc, "Matti Virtanen").id


def test_a_clause_ending_in_a_comma_before_a_quote_names_its_speaker(extract):
    doc = extract("Finnish Prime Minister Matti Virtanen went on, “Our industry has done "
                  "nothing to deserve these tariffs.”")
    (quote,) = _direct(doc)
    assert quote.speaker == actor_named(doc, "Matti Virtanen").id


def test_we_inside_a_quote_is_the_speaker(extract):
    doc = extract("“We oppose unilateral sanctions,” China's Foreign Minister, Wang Yi, said.")
    wang = actor_named(doc, "Wang Yi")
    assert any(m.text == "We" for m in wang.mentions)


def test_quote_offsets_match_their_text(extract):
    text = ('"First sentence here now," she said, "and the second one." Then "another '
            'quote that never closes')
    doc = extract(text)
    for quote in doc.quotes:
        assert text[quote.start:quote.end] == quote.text
        for s, e in quote.segments:
            assert quote.start <= s < e <= quote.end


def test_a_speaker_the_dictionaries_do_not_know_is_still_an_actor(extract):
    text = "“We are devastated,” a colleague who worked with him wrote on Facebook."
    doc = extract(text)
    (quote,) = [q for q in doc.quotes if q.kind == "direct"]
    speaker = doc.actor(quote.speaker)
    assert speaker.name == "a colleague" and speaker.country is None
    assert "a colleague" in [text[m.start:m.end] for m in speaker.mentions]


def test_titles_in_quotation_marks_are_not_speech(extract):
    doc = extract("She appeared on CNN’s “New Day” and Fox News Channel’s “Fox & Friends.”")
    assert [q for q in doc.quotes if q.kind == "direct"] == []


def test_partial_quotes_in_one_sentence_are_one_quotation(extract):
    text = ("Clinton slammed the proposal as “reprehensible, prejudiced and divisive” and "
            "“a danger to our security,” her campaign said.")
    doc = extract(text)
    (quote,) = [q for q in doc.quotes if q.kind == "direct"]
    assert len(quote.segments) == 2


def test_a_belief_or_a_criticism_is_attributed_to_its_source(extract):
    doc = extract("Kenya's president, William Otieno, believes that the ceasefire will hold. "
                  "Otieno also criticized the attacks on aid convoys.")
    otieno = actor_named(doc, "William Otieno").id
    indirect = {q.text: q.speaker for q in doc.quotes if q.kind == "indirect"}
    assert indirect.get("the ceasefire will hold") == otieno
    assert indirect.get("the attacks on aid convoys") == otieno


def test_a_quote_cut_by_its_cue_sentence_goes_on_after_the_full_stop(extract):
    text = ("Greek Defence Minister Nikos Pappas visited the island. “We will not be "
            "intimidated,” said Pappas, who arrived on Monday. “We will defend every rock.”")
    doc = extract(text)
    (quote,) = _direct(doc)
    assert [text[s:e] for s, e in quote.segments] == [
        "We will not be intimidated,", "We will defend every rock."]
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_quoted_words_after_the_full_stop_with_a_cue_of_their_own_are_a_new_quote(extract):
    doc = extract("Greek Defence Minister Nikos Pappas met Turkish Foreign Minister Ali Demir. "
                  "“We will not be intimidated,” Pappas said. “We want calm waters,” Demir "
                  "replied.")
    first, second = _direct(doc)
    assert first.speaker == actor_named(doc, "Nikos Pappas").id
    assert second.speaker == actor_named(doc, "Ali Demir").id


def test_a_time_is_not_what_was_said(extract):
    doc = extract("Greek Defence Minister Nikos Pappas spoke for 45 minutes in Athens.")
    assert not [q for q in doc.quotes if q.kind == "indirect"]


def test_a_title_before_the_speaker_does_not_end_the_attribution(extract):
    doc = extract('Ms. Diane Fowler, a senator, spoke in Ottawa. "We are ready to vote on '
                  'the bill," Ms. Fowler said on Tuesday.')
    (quote,) = _direct(doc)
    assert quote.cue == "said"
    assert quote.speaker == actor_named(doc, "Diane Fowler").id


def test_a_clause_ending_in_a_colon_introduces_its_subject_s_quote(extract):
    doc = extract("Greek Defence Minister Nikos Pappas visited the island.\n\nPappas went on: "
                  "“We will defend every rock of this country.”")
    (quote,) = _direct(doc)
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def _indirect(doc):
    return [q for q in doc.quotes if q.kind == "indirect"]


def test_a_cue_inside_the_clause_it_reports_gives_two_pieces(extract):
    text = ("Greek Defence Minister Nikos Pappas visited the island. The talks, Pappas said, "
            "will resume in the spring.")
    doc = extract(text)
    (quote,) = _indirect(doc)
    assert [text[s:e] for s, e in quote.segments] == ["The talks", "will resume in the spring"]
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_a_named_object_of_a_stance_verb_is_what_was_backed(extract):
    doc = extract("Greek Defence Minister Nikos Pappas endorsed Kostas Laskaris on Monday.")
    (quote,) = _indirect(doc)
    assert quote.text == "Kostas Laskaris"
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_the_person_addressed_is_not_what_was_said(extract):
    doc = extract("Greek Defence Minister Nikos Pappas told Kostas Laskaris on Monday.")
    assert not _indirect(doc)


def test_a_noun_subject_is_a_source(extract):
    doc = extract("Several analysts criticized the new budget plan on Monday.")
    (quote,) = _indirect(doc)
    assert quote.text == "the new budget plan"


def test_a_passive_reporting_verb_attributes_its_whole_clause(extract):
    doc = extract("The finance minister is expected to present the budget on Friday.")
    (quote,) = _indirect(doc)
    assert quote.text.startswith("The finance minister is expected to present the budget")


def test_a_verb_of_appearance_with_a_complement_attributes_its_clause(extract):
    doc = extract("The ruling coalition seemed to be losing support in the north.")
    (quote,) = _indirect(doc)
    assert quote.text.startswith("The ruling coalition seemed to be losing support")


def test_appearing_somewhere_is_not_an_attribution(extract):
    doc = extract("The foreign minister appeared on television in Athens on Tuesday.")
    assert not _indirect(doc)


def test_a_speech_noun_reports_its_clause_and_its_possessor_is_the_source(extract):
    doc = extract("Greek Defence Minister Nikos Pappas visited the island. Pappas's claim that "
                  "the border was safe did not convince the islanders.")
    (quote,) = _indirect(doc)
    assert quote.text == "the border was safe"
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_criticism_of_a_plan_is_an_attribution(extract):
    doc = extract("The minister faced criticism of the pension reform on Monday.")
    assert [q.text for q in _indirect(doc)] == ["the pension reform"]


def test_a_stance_verb_s_object_is_what_was_expressed(extract):
    doc = extract("Greek Defence Minister Nikos Pappas expressed concern about the talks.")
    (quote,) = _indirect(doc)
    assert quote.text.startswith("concern about the talks")


def test_what_someone_is_called_is_part_of_the_content(extract):
    doc = extract("Greek Defence Minister Nikos Pappas called the proposal a dangerous gamble.")
    (quote,) = _indirect(doc)
    assert quote.text == "the proposal a dangerous gamble"
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_an_attitude_adjective_attributes_its_topic_to_the_subject(extract):
    doc = extract("Many farmers are worried about the new trade rules.")
    assert [q.text for q in _indirect(doc)] == ["the new trade rules"]


def test_a_passive_stance_verb_with_its_agent(extract):
    doc = extract("The new budget was criticized by several opposition senators.")
    (quote,) = _indirect(doc)
    assert quote.text == "The new budget"


def test_a_headline_source_before_a_colon(extract):
    doc = extract("Greek Defence Minister Nikos Pappas visited the island.\n\nPappas: the "
                  "border is safe and the talks will go on.")
    quote = next(q for q in _indirect(doc) if q.cue == ":")
    assert quote.text == "the border is safe and the talks will go on"
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_a_label_before_a_colon_is_not_a_source(extract):
    doc = extract("Correction: an earlier version of this story gave the wrong date.")
    assert not [q for q in _indirect(doc) if q.cue == ":"]


def test_a_that_clause_after_any_verb_of_a_named_subject_is_reported(extract):
    doc = extract("Greek Defence Minister Nikos Pappas bragged that the navy had never been "
                  "stronger.")
    (quote,) = _indirect(doc)
    assert quote.text == "the navy had never been stronger"


def test_the_clause_after_the_cue_is_the_content_not_an_opening_phrase(extract):
    doc = extract("In an interview focused largely on trade, Pappas said tariffs are a higher "
                  "priority than quotas.")
    (quote,) = _indirect(doc)
    assert quote.text.startswith("tariffs are a higher priority")


def test_a_passive_accusation_attributes_its_whole_clause(extract):
    doc = extract("The former mayor was accused of taking bribes from a builder.")
    (quote,) = _indirect(doc)
    assert quote.text == "The former mayor was accused of taking bribes from a builder"


def test_a_one_word_reply_with_its_cue_after_it_is_a_quote(extract):
    doc = extract("Greek Defence Minister Nikos Pappas met the press in Athens. “Never,” "
                  "Pappas said.")
    (quote,) = _direct(doc)
    assert quote.text == "Never,"
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_a_one_word_reply_introduced_by_its_cue_is_a_quote(extract):
    doc = extract("Greek Defence Minister Nikos Pappas met the press in Athens. Asked whether "
                  "talks would resume, Pappas replied, “Probably.”")
    (quote,) = _direct(doc)
    assert quote.text == "Probably."
    assert quote.speaker == actor_named(doc, "Nikos Pappas").id


def test_a_short_title_without_a_cue_is_not_a_quote(extract):
    doc = extract("The opera “Aida,” which opened on Friday, was sold out.")
    assert not _direct(doc)


def test_a_headline_attribution_stops_at_the_paragraph_break(extract):
    doc = extract("Otieno: Peace talks will resume in Nairobi\n\nKenya's president, William "
                  "Otieno, spoke to reporters on Monday about the war.")
    quotes = [q for q in _indirect(doc) if q.cue == ":"]
    assert [q.text for q in quotes] == ["Peace talks will resume in Nairobi"]


def test_a_clause_added_after_a_comma_is_not_part_of_the_content(extract):
    doc = extract("The minister urged the court to release the prisoners, which the judge "
                  "refused to do.")
    quote = next(q for q in _indirect(doc) if q.cue == "urged")
    assert quote.text == "to release the prisoners"


def test_raise_and_find_attribute_only_with_a_clause_or_a_speech_noun(extract):
    assert not _indirect(extract("The senator raised money for her campaign in Ohio."))
    assert not _indirect(extract("The workers found a job in the city last year."))
    (quote,) = _indirect(extract("The study found that the tariffs hurt farmers."))
    assert quote.text == "the tariffs hurt farmers"
    quotes = _indirect(extract("The senator raised concerns about the new tariffs."))
    assert any("the new tariffs" in q.text for q in quotes)


def test_an_accused_person_with_what_they_are_accused_of_is_the_content(extract):
    doc = extract("Kenya's president, William Otieno, accused the minister of lying "
                  "about the budget.")
    (quote,) = _indirect(doc)
    assert "lying about the budget" in quote.text


def test_a_personal_pronoun_object_of_a_stance_verb_is_content(extract):
    (quote,) = _indirect(extract("Both of the senators strongly supported him."))
    assert quote.text == "him"
    assert quote.cue == "supported"


def test_a_demonstrative_or_an_addressed_pronoun_is_not_content(extract):
    assert not _indirect(extract("The voters asked them on Monday."))
    assert not _indirect(extract("The minister supported that on Monday."))


def test_a_speech_noun_after_a_light_verb_reports_its_topic(extract):
    doc = extract("The senator made a reference to the tariffs on steel.")
    (quote,) = _indirect(doc)
    assert quote.text == "the tariffs on steel"


def test_a_verb_with_its_own_preposition_reports_its_object(extract):
    doc = extract("The minister was referring to the tariffs on steel.")
    (quote,) = _indirect(doc)
    assert quote.text == "the tariffs on steel"
    assert quote.cue == "referring"


def test_a_verb_that_responds_to_something_does_not_report_it(extract):
    assert not _indirect(extract("The minister responded to the letter on Monday."))


def test_a_stance_verb_reports_its_object(extract):
    (quote,) = _indirect(extract("The senator disavowed the endorsement on Monday."))
    assert quote.text == "the endorsement"
    (quote,) = _indirect(extract("The court deemed the law unconstitutional."))
    assert "the law" in quote.text


def test_a_continued_attack_is_one_attribution_of_the_continuing_verb(extract):
    (quote,) = _indirect(extract("The senator continued to criticize the tariffs on steel."))
    assert (quote.text, quote.cue) == ("to criticize the tariffs on steel", "continued")
    (quote,) = _indirect(extract("The senator railed against the tariffs on steel."))
    assert (quote.text, quote.cue) == ("the tariffs on steel", "railed")


def test_a_stance_noun_as_predicate_reports_its_topic_for_the_subject(extract):
    doc = extract("Kenya's president, William Otieno, is a staunch opponent of the death "
                  "penalty.")
    (quote,) = _indirect(doc)
    assert quote.text == "the death penalty"
    assert quote.speaker == actor_named(doc, "William Otieno").id


def test_a_stance_noun_that_is_not_a_predicate_reports_nothing(extract):
    assert not _indirect(extract("An opponent of the death penalty spoke in Nairobi."))


def test_a_dismissive_subject_reports_what_it_dismisses(extract):
    (quote,) = _indirect(extract("The senator was dismissive of the new tariffs."))
    assert quote.text == "the new tariffs"


def test_a_short_infinitive_is_content(extract):
    doc = extract("Kenya's president, William Otieno, declined to comment.")
    (quote,) = _indirect(doc)
    assert (quote.text, quote.cue) == ("to comment", "declined")


def test_a_word_standing_for_the_statement_is_content(extract):
    doc = extract("Asked whether he would run, the senator said yes.")
    assert ("yes", "said") in [(q.text, q.cue) for q in _indirect(doc)]
    (quote,) = _indirect(extract("Sixty percent of Democrats say the same of Sanders."))
    assert (quote.text, quote.cue) == ("the same of Sanders", "say")


@pytest.mark.parametrize(("text", "content", "cue", "speaker"), [
    ("Greek Defence Minister Nikos Pappas likened the new budget plan to a tax on the poor.",
     "the new budget plan", "likened", "Nikos Pappas"),
    ("Senator John Smith shrugged off the warning on Monday.",
     "the warning", "shrugged off", "John Smith"),
    ("Senator John Smith reminded voters that the tax cuts expire next year.",
     "the tax cuts expire next year", "reminded", "John Smith"),
    ("Prime Minister Nikos Pappas bemoaned the cuts to the defence budget.",
     "the cuts to the defence budget", "bemoaned", "Nikos Pappas"),
    # spaCy lemmatizes "retweeted" as "retweete"
    ("Senator John Smith retweeted a video of the rally on Monday.",
     "a video of the rally", "retweeted", "John Smith"),
])
def test_more_stance_and_memory_verbs_report_what_the_source_held(extract, text, content, cue,
                                                                  speaker):
    doc = extract(text)
    (quote,) = _indirect(doc)
    assert quote.text == content
    assert quote.cue == cue
    assert quote.speaker == actor_named(doc, speaker).id
