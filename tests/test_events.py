"""Events: (source, verb, target) coded into CAMEO and PLOVER, with evidence."""

from __future__ import annotations

from conftest import countries
from detente.export import dyads


def _events(doc, plover=None):
    return [e for e in doc.events if plover is None or (e.plover and e.plover.event == plover)]


def test_active_voice_source_verb_target(extract):
    doc = extract("Russian troops attacked Ukrainian positions near Kharkiv on Tuesday.")
    (event,) = _events(doc, "ASSAULT")
    assert countries(doc, event.source) == {"RUS"}
    assert event.cameo.quad_class == 4 and event.cameo.goldstein < 0
    assert event.date == "2024-05-07"  # the Tuesday before the article date (a Wednesday)


def test_passive_voice_swaps_source_and_target(extract):
    doc = extract("New sanctions were imposed on Belarus by the European Union.")
    (event,) = [e for e in doc.events if e.cameo.code.startswith("163")]
    assert countries(doc, event.source) == {"IGO"}
    assert countries(doc, event.target) == {"BLR"}


def test_coordinated_actors_are_one_event_with_reciprocal_dyads(extract):
    doc = extract("Hungary and Romania signed a trade agreement.")
    (event,) = [e for e in doc.events if e.cameo.root in ("03", "05", "06")]
    assert countries(doc, event.source) == {"HUN", "ROU"}
    assert event.target == []
    assert sorted(dyads(event)) == sorted([(event.source[0], event.source[1]),
                                           (event.source[1], event.source[0])])


def test_coordinated_targets(extract):
    doc = extract("Japan condemned North Korea and Iran.")
    (event,) = _events(doc, "ACCUSE")
    assert countries(doc, event.target) == {"PRK", "IRN"}
    assert len(dyads(event)) == 2


def test_negation_with_did_not(extract):
    doc = extract("Greece did not sign the agreement with Turkey.")
    assert doc.events and all(e.negated for e in doc.events)


def test_refusal_negates_the_act_or_codes_a_rejection(extract):
    doc = extract("Estonia refused to meet the Russian envoy.")
    (event,) = doc.events
    assert event.negated or event.cameo.root == "12"


def test_reported_speech_codes_the_reported_act(extract):
    doc = extract("Japan's Foreign Minister, Akira Sato, said Japan will send humanitarian aid "
                  "to Vietnam.")
    # a stated future act is coded as CAMEO codes it: intent to provide aid (033, AGREE)
    (aid,) = [e for e in doc.events if e.cameo.code == "033"]
    assert countries(doc, aid.source) == {"JPN"}
    assert countries(doc, aid.target) == {"VNM"}
    assert aid.modality == "future"


def test_stated_future_attack_is_a_threat(extract):
    doc = extract("Iran said it would attack Israel.")
    (event,) = doc.events
    assert event.cameo.code == "138" and countries(doc, event.source) == {"IRN"}


def test_statement_without_recipient_is_not_an_event(extract):
    doc = extract("Wang Yi, China's foreign minister, said relations had reached a peak.")
    assert all(e.cameo.root != "01" for e in doc.events)


def test_events_keep_sentence_trigger_and_offsets(extract):
    text = "Chile welcomed the decision. Kenya deployed troops to Somalia."
    doc = extract(text)
    assert doc.events
    for event in doc.events:
        assert event.trigger.split()[0] in text[event.start:event.end]
        assert 0 <= event.start < event.end <= len(text)
    deploy = [e for e in doc.events if e.sentence == 1]
    assert deploy and countries(doc, deploy[0].source) == {"KEN"}


def test_cameo_and_plover_fields_agree_with_the_ontology(extract):
    doc = extract("Canada expelled two Chinese diplomats on Monday.")
    (event,) = doc.events
    assert event.cameo.code.startswith("16")
    assert event.plover is not None and event.plover.event == "SANCTION"
    assert event.cameo.quad_class == 4


def test_cooperative_visit(extract):
    doc = extract("French President Emmanuel Laurent visited Beijing on Monday.")
    (event,) = _events(doc, "CONSULT")
    assert countries(doc, event.source) == {"FRA"}
    assert countries(doc, event.target) == {"CHN"}


def test_intent_to_harm_is_a_threat(extract):
    doc = extract("Russia vowed to retaliate against Estonia.")
    (event,) = doc.events
    assert event.cameo.root == "13" and event.plover and event.plover.event == "THREATEN"
    assert countries(doc, event.target) == {"EST"}


def test_own_troops_are_the_instrument_and_the_destination_is_the_target(extract):
    doc = extract("Kenya deployed troops to Somalia.")
    (event,) = doc.events
    assert countries(doc, event.source) == {"KEN"}
    assert countries(doc, event.target) == {"SOM"}


def test_country_adjective_on_the_object_names_the_target(extract):
    doc = extract("The United States imposed sanctions on Iranian oil exports.")
    (event,) = doc.events
    assert countries(doc, event.target) == {"IRN"}


def test_agreeing_to_act_is_an_intent_to_act(extract):
    doc = extract("Japan pledged to send aid to Vietnam.")
    (event,) = doc.events
    assert event.cameo.code == "033" and event.plover and event.plover.event == "AGREE"
    assert countries(doc, event.source) == {"JPN"} and countries(doc, event.target) == {"VNM"}


def test_it_in_reported_speech_is_the_speaker(extract):
    doc = extract("Hungary has said it will support the ceasefire proposal of Egypt.")
    assert doc.events and all(countries(doc, e.source) == {"HUN"} for e in doc.events)


def test_demand_targets_the_one_asked_and_stands_for_the_act(extract):
    doc = extract("China demanded that the United States cancel its arms sales.")
    (event,) = doc.events
    assert event.plover and event.plover.event == "REQUEST"
    assert countries(doc, event.source) == {"CHN"} and countries(doc, event.target) == {"USA"}


def test_protest_without_a_named_target_aims_at_the_home_government(extract):
    doc = extract("Thousands of Iraqi Kurds demonstrated in Kirkuk.")
    (event,) = doc.events
    assert event.plover and event.plover.event == "PROTEST"
    assert countries(doc, event.source) == {"IRQ"} and countries(doc, event.target) == {"IRQ"}


def test_an_event_noun_after_a_light_verb_is_coded_as_its_verb(extract):
    doc = extract("Russian forces completed their withdrawal from the town of Kherson.")
    (event,) = doc.events
    assert event.plover and event.plover.event == "RETREAT"
    assert "withdrawal" in event.trigger


def test_saying_another_state_must_act_is_a_demand(extract):
    doc = extract("Egypt said that Israel must withdraw its troops from Gaza.")
    (event,) = doc.events
    assert event.cameo.code == "100" and event.modality == "obligation"
    assert countries(doc, event.source) == {"EGY"} and countries(doc, event.target) == {"ISR"}


def test_clauses_describing_a_thing_or_a_purpose_are_not_events(extract):
    doc = extract("Hungary backed a resolution that aims to impose a naval blockade on Serbia.")
    assert all(e.plover is None or e.plover.event != "COERCE" for e in doc.events)


def test_the_target_can_be_named_deeper_in_the_verb_phrase(extract):
    # "welcomed the resumption of ties with Romania": Romania is the target
    doc = extract("Hungary welcomed the resumption of diplomatic ties with Romania.")
    (event,) = doc.events
    assert countries(doc, event.source) == {"HUN"} and countries(doc, event.target) == {"ROU"}
    doc = extract("Hungary welcomed memos sent by Romania.")
    assert countries(doc, doc.events[0].target) == {"ROU"}


def test_a_relative_clause_in_the_object_names_no_target(extract):
    doc = extract("Hungary praised the report that Romania released last week.")
    (event,) = doc.events
    assert event.target == []


def test_sending_arms_is_military_aid(extract):
    doc = extract("Hungary continued to send arms to Romania last year.")
    (event,) = doc.events
    assert event.cameo.code == "072" and event.plover.event == "AID"
    assert countries(doc, event.source) == {"HUN"} and countries(doc, event.target) == {"ROU"}


def test_the_author_of_a_condemned_act_is_the_target(extract):
    doc = extract("France condemned an attack by Russian soldiers in eastern Ukraine.")
    (event,) = _events(doc, "ACCUSE")
    assert countries(doc, event.source) == {"FRA"}
    assert countries(doc, event.target) == {"RUS"}


def test_a_statement_in_the_future_tense_is_no_intent_to_cooperate(extract):
    doc = extract("Russia will deny the allegations made by Ukraine.")
    assert _events(doc, "AGREE") == []


def test_common_news_phrasings_of_yielding_investigating_and_mobilizing(extract):
    doc = extract("The Kenyan government accepted demands from striking teachers.")
    assert [e.cameo.code for e in _events(doc, "CONCEDE")] == ["080"]
    doc = extract("The IAEA dispatched inspectors to Syria.")
    (event,) = _events(doc, "ACCUSE")
    assert countries(doc, event.source) == {"IGO"} and countries(doc, event.target) == {"SYR"}
    doc = extract("Turkey strengthened its forces in Syria.")
    (event,) = _events(doc, "MOBILIZE")
    assert countries(doc, event.target) == {"SYR"}
    doc = extract("Dock workers stopped work over the new pension law in France.")
    assert [e.cameo.code for e in _events(doc, "PROTEST")] == ["143"]


def test_officials_and_envoys_of_an_igo_act_for_it(extract):
    doc = extract("African Union foreign ministers agreed to send aid to Sudan.")
    (event,) = _events(doc, "AGREE")
    (source,) = [doc.actor(i) for i in event.source]
    assert source.country is None and source.code == "IGOAFU"
    doc = extract("Arab League Secretary General Amr Moussa condemned Israel.")
    (event,) = _events(doc, "ACCUSE")
    (source,) = [doc.actor(i) for i in event.source]
    assert source.name == "Amr Moussa" and source.code.startswith("IGO")


def test_every_country_of_a_coordination_deep_in_the_phrase_is_a_target(extract):
    doc = extract("France welcomed the resumption of talks between Armenia and Azerbaijan.")
    (event,) = [e for e in doc.events if countries(doc, e.source) == {"FRA"}]
    assert countries(doc, event.target) == {"ARM", "AZE"}


def test_a_party_named_with_with_outranks_a_place_named_with_in(extract):
    doc = extract("The Japanese prime minister held talks in Beijing with Russia.")
    (event,) = _events(doc, "CONSULT")
    assert countries(doc, event.target) == {"RUS"}


def test_with_no_other_target_an_act_bears_on_the_subject_of_its_clause(extract):
    doc = extract("France welcomed that Iran had freed the British sailors.")
    (event,) = _events(doc, "SUPPORT")
    assert countries(doc, event.source) == {"FRA"} and countries(doc, event.target) == {"IRN"}


def test_a_statement_issued_carries_the_act_of_its_issuer(extract):
    doc = extract("The Chinese foreign ministry issued a statement condemning Japan.")
    (event,) = doc.events
    assert event.plover.event == "ACCUSE"
    assert countries(doc, event.source) == {"CHN"} and countries(doc, event.target) == {"JPN"}


def test_a_complaint_targets_the_one_complained_about(extract):
    doc = extract("Georgia complained to the United Nations about Russian troop movements.")
    (event,) = _events(doc, "ACCUSE")
    assert countries(doc, event.source) == {"GEO"} and countries(doc, event.target) == {"RUS"}


def test_alleged_proposed_and_omitted_acts_are_not_reported_events(extract):
    doc = extract("Ukraine accused Russia of shelling Kharkiv.")
    assert [e.plover.event for e in doc.events if e.plover] == ["ACCUSE"]
    doc = extract("Iran rejected a French proposal for holding talks with Israel.")
    assert [e.plover.event for e in doc.events if e.plover] == ["REJECT"]
    doc = extract("Japan left the summit without meeting the Chinese president.")
    assert _events(doc, "CONSULT") == []


def test_defending_against_criticism_is_verbal_support(extract):
    doc = extract("Turkey defended Azerbaijan against criticism from France.")
    (event,) = _events(doc, "SUPPORT")
    assert countries(doc, event.target) == {"AZE"}
    assert _events(doc, "AID") == []


def test_a_mediator_of_an_igo_acts_for_it(extract):
    doc = extract("Sudanese rebels met UN mediator Jan Eliasson on Monday.")
    (event,) = _events(doc, "CONSULT")
    (target,) = [doc.actor(i) for i in event.target]
    assert target.name == "Jan Eliasson" and target.code.startswith("IGO")


def test_a_conflictual_act_that_may_follow_a_condition_is_a_threat(extract):
    doc = extract("The European Union may suspend aid to Mali if the junta delays the vote.")
    assert [e.plover.event for e in doc.events if e.plover] == ["THREATEN"]
    doc = extract("The European Union may suspend aid to Mali.")
    assert [e.plover.event for e in doc.events if e.plover] == ["SANCTION"]


def test_police_force_with_no_one_named_acts_on_its_own_country(extract):
    doc = extract("Kenyan police arrested twelve people in Nairobi on Monday.")
    (event,) = _events(doc, "COERCE")
    assert countries(doc, event.source) == {"KEN"} and countries(doc, event.target) == {"KEN"}


def test_trying_to_act_is_no_trial(extract):
    doc = extract("The Sudanese government tried to improve its relations with Chad.")
    assert _events(doc, "COERCE") == []


def test_an_activity_noun_named_by_an_event_noun_is_coded_as_that_event(extract):
    doc = extract("The EU envoy undertook a mediation mission between Serbia and Kosovo.")
    (event,) = _events(doc, "CONSULT")
    assert event.cameo.code == "045"
    assert "mediation" in event.trigger


def test_forcing_people_out_is_an_expulsion(extract):
    doc = extract("Sudan forced the UN refugee agency out of the country.")
    (event,) = _events(doc, "SANCTION")
    assert event.cameo.code == "1663"
    doc = extract("Serbian troops forced out thousands of Albanian villagers from their homes.")
    (event,) = _events(doc, "ASSAULT")
    assert event.cameo.code == "201"


def test_opening_a_closed_border_eases_a_blockade(extract):
    doc = extract("Uzbekistan reopened its border with Afghanistan on Monday.")
    (event,) = _events(doc, "RETREAT")
    assert event.cameo.code == "0872"


def test_negotiators_returning_for_talks_negotiate(extract):
    doc = extract("U.S. and Russian negotiators returned to Geneva for talks on missiles.")
    assert [e.cameo.code for e in _events(doc, "CONSULT")] == ["046"]


def test_a_protest_with_no_one_named_targets_the_government_named_in_the_text(extract):
    doc = extract("Young Algerians blocked roads on Sunday to press their demands for "
                  "greater freedom from President Bouteflika's government.", date="2001-05-01")
    (event,) = _events(doc, "PROTEST")
    assert countries(doc, event.source) == {"DZA"}
    assert countries(doc, event.target) == {"DZA"}


def test_a_bare_preposition_takes_the_noun_the_parser_made_a_subject(extract):
    doc = extract("Peru has granted diplomatic asylum to five Panamanian army officers holed "
                  "up in a diplomatic residence, the Peruvian embassy said.")
    (event,) = _events(doc, "AID")
    assert countries(doc, event.source) == {"PER"}
    assert countries(doc, event.target) == {"PAN"}


def test_an_event_noun_as_the_subject_of_a_verb_of_happening_is_the_event(extract):
    doc = extract("Palestinian riots against Israel are still continuing.")
    (event,) = _events(doc, "PROTEST")
    assert event.cameo.code == "145"
    assert countries(doc, event.source) == {"PSE"}
    assert countries(doc, event.target) == {"ISR"}


def test_a_named_body_the_parser_made_an_adjective_owns_the_noun(extract):
    doc = extract("Palestinian riots against Israeli military policies are still continuing.")
    (event,) = _events(doc, "PROTEST")
    assert countries(doc, event.target) == {"ISR"}


def test_vandalizing_is_damaging_property(extract):
    doc = extract("Serbian nationalists vandalized the Croatian embassy in Belgrade.")
    assert [e.cameo.code for e in _events(doc, "COERCE")] == ["171"]


def test_ordering_someone_to_appear_is_a_demand(extract):
    doc = extract("An Argentine judge ordered former president Carlos Menem to appear for "
                  "questioning.", date="2001-06-01")
    (event,) = _events(doc, "REQUEST")
    assert event.cameo.code == "100"
    assert countries(doc, event.source) == {"ARG"}
    assert countries(doc, event.target) == {"ARG"}


def test_letting_refugees_return_eases_a_restriction(extract):
    doc = extract("Turkey allowed Kurdish refugees to return home.")
    assert [e.cameo.code for e in doc.events if e.cameo.root == "08"] == ["081"]
    doc = extract("Turkey will allow Kurdish refugees to return home.")
    assert [e.plover.event for e in doc.events if e.plover] == ["AGREE"]


def test_a_past_participle_on_a_noun_is_a_passive_with_the_noun_as_target(extract):
    doc = extract("A judge questioned Chilean officials suspected by Peru of taking kickbacks.")
    (event,) = [e for e in doc.events if e.cameo.code == "112"]
    assert countries(doc, event.source) == {"PER"}
    assert countries(doc, event.target) == {"CHL"}


def test_prohibiting_aid_stops_aid(extract):
    doc = extract("The United States prohibited all aid to Albanian rebels.")
    assert [e.cameo.code for e in _events(doc, "SANCTION")] == ["162"]


def test_a_purpose_clause_naming_the_same_act_is_not_a_second_event(extract):
    doc = extract("Liberian riot police used tear gas to disperse demonstrators in Monrovia.")
    assert [e.cameo.code for e in _events(doc, "ASSAULT")] == ["175"]


def test_the_demand_a_protest_voices_is_part_of_the_protest(extract):
    doc = extract("Hundreds of Algerians blocked roads in Algiers demanding that the "
                  "government resign.")
    assert [e.plover.event for e in doc.events if e.plover] == ["PROTEST"]


def test_a_description_before_the_names_does_not_hide_them(extract):
    # "Old allies Hungary and Romania": the names in apposition, or (for "foes") parsed
    # as a second subject of the verb
    for text in ("Old allies Hungary and Romania signed a trade agreement.",
                 "Old foes Hungary and Romania signed a trade agreement."):
        (event,) = [e for e in extract(text).events if e.cameo.root in ("03", "05", "06")]
        assert countries(extract(text), event.source) == {"HUN", "ROU"}, text


def test_the_object_of_the_act_a_verb_is_done_for_is_its_target(extract):
    doc = extract("Kenya signed an accord on Thursday to supply Somalia with wheat.")
    (event,) = [e for e in doc.events if e.cameo.root == "05"]
    assert countries(doc, event.target) == {"SOM"}


def test_a_state_s_own_civilians_are_acted_on_not_sent(extract):
    # own forces sent are an instrument ("Kenya deployed troops to Somalia"); own students
    # arrested are the target
    doc = extract("Russian police arrested Russian students in Moscow.")
    (event,) = [e for e in doc.events if e.cameo.root == "17"]
    assert [doc.actor(t).code for t in event.target] == ["RUSEDU"]


def test_preparing_to_use_force_is_a_show_of_force(extract):
    # the verb "prepare" over an attack (through "resume") is a military posture (CAMEO 154)
    doc = extract("The Turkish army prepared to resume shelling Syrian border villages.")
    (event,) = doc.events
    assert event.cameo.code == "154" and event.plover and event.plover.event == "MOBILIZE"
    assert countries(doc, event.source) == {"TUR"} and countries(doc, event.target) == {"SYR"}


def test_being_prepared_to_use_force_is_a_threat(extract):
    # the adjective states a willingness, which CAMEO codes as a threat of force (138)
    doc = extract("Turkey is prepared to shell Syrian border villages.")
    (event,) = doc.events
    assert event.cameo.code == "138" and countries(doc, event.target) == {"SYR"}


def test_a_vow_to_continue_an_attack_is_a_threat(extract):
    doc = extract("Hamas vowed to continue firing rockets at Israel.")
    assert [e.cameo.root for e in doc.events] == ["13"]


def test_a_coordinated_object_completes_a_pattern(extract):
    # "weapons" is the second of two objects; "send weapon" is military aid (072)
    doc = extract("Britain sent blankets and weapons to Ukraine.")
    assert [e.cameo.code for e in doc.events] == ["072"]
    assert countries(doc, doc.events[0].target) == {"UKR"}


def test_military_intelligence_handed_over_is_military_aid(extract):
    doc = extract("France is supplying satellite images and military intelligence to Ukraine.")
    (event,) = doc.events
    assert event.cameo.code == "072" and event.plover and event.plover.event == "AID"
    assert countries(doc, event.source) == {"FRA"} and countries(doc, event.target) == {"UKR"}


def test_a_mission_sent_to_investigate_is_an_investigation(extract):
    # the purpose completes "dispatch investigate" (090) when the verb's own words do not
    doc = extract("Japan dispatched a team to Peru to investigate the collapse of the dam.")
    (event,) = doc.events
    assert event.cameo.code == "090" and countries(doc, event.target) == {"PER"}


def test_the_object_outranks_the_purpose_in_a_pattern(extract):
    doc = extract("Turkey offered troops to Azerbaijan to help defend its border.")
    assert [e.cameo.code for e in doc.events] == ["0334"]


def test_an_infinitive_hung_on_the_objects_clause_belongs_to_allow(extract):
    # the parser makes "to return" the purpose of "had fled"; "allow" needs an infinitive,
    # so the one after its object's relative clause is its own ("allow return", 081)
    doc = extract("Pakistan allowed Afghan refugees who had fled the fighting in Kabul to "
                  "return home.")
    (event,) = [e for e in doc.events if e.cameo.code == "081"]
    assert countries(doc, event.source) == {"PAK"} and countries(doc, event.target) == {"AFG"}
