"""detente eval: tiny gold files in, scores out; each matching rule on a real pipeline run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from detente.cli import main
from detente.evaluate.events import score_events
from detente.evaluate.gold import GoldError, read_gold
from detente.evaluate.petrarch import score_petrarch
from detente.evaluate.quotes import score_quotes, surname
from detente.pipeline import Pipeline

DATE = "2024-05-08"


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def actor(code: str) -> dict:
    return {"text": code, "code": code, "sector": None}


def plover_record(rid: str, text: str, *events: dict) -> dict:
    return {"id": rid, "text": text, "date": DATE, "events": list(events)}


def gold_event(kind: str, source: list[str], target: list[str], reciprocal: bool = False) -> dict:
    return {"source": [actor(c) for c in source], "target": [actor(c) for c in target],
            "plover_2021": kind, "reciprocal": reciprocal}


SIGNED = "Hungary and Romania signed a trade agreement on Monday."
SHELLED = "Serbian villages were shelled on Monday."


def test_a_reciprocal_gold_event_accepts_both_orders_of_its_actors(pipeline, tmp_path):
    # our event: Hungary + Romania with no target, i.e. HUN->ROU and ROU->HUN
    kind = pipeline.extract(SIGNED, DATE).events[0].plover.event
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        plover_record("recip", SIGNED, gold_event(kind, ["HUN", "ROU"], [], reciprocal=True)),
        plover_record("wrong", SIGNED, gold_event(kind, ["HUN"], ["USA"])),
    ])
    report = score_events(pipeline, gold)
    assert report.micro.gold == 2
    assert report.micro.predicted == 2
    assert report.micro.tp_gold == 1  # the reciprocal one; HUN->USA is not among our dyads
    assert report.type_only.share == 1.0
    assert [m.id for m in report.misses if m.kind == "FN"] == ["wrong"]
    assert report.actors.total == 2 and report.actors.hits == 1


def test_a_passive_gold_event_with_no_source_ignores_the_source(pipeline, tmp_path):
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        plover_record("passive", SHELLED, gold_event("ASSAULT", [], ["SRB"])),
    ])
    report = score_events(pipeline, gold)
    assert report.micro.tp_gold == 1
    assert report.micro.f1 == 1.0
    assert report.per_type["ASSAULT"].gold == 1
    assert report.actors.total == 0  # a gold event without a source is left out


def test_an_empty_gold_target_is_ignored(pipeline, tmp_path):
    text = "Gunmen attacked the embassy of Serbia on Monday."
    doc = pipeline.extract(text, DATE)
    assert doc.events and doc.events[0].target
    source = {doc.actor(i).country or "-" for i in doc.events[0].source}
    kind = doc.events[0].plover.event
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        plover_record("notarget", text, gold_event(kind, sorted(source)[:1], []))])
    report = score_events(pipeline, gold)
    assert report.micro.tp_gold == 1


def split_quote_record(text: str, quote: dict) -> dict:
    return {"id": "q", "text": text, "quotes": [quote], "meta": {"date": DATE}}


def test_a_split_quote_matches_by_its_pieces_and_its_speaker_by_span(pipeline, tmp_path):
    text = '"We will not give up," the minister said, "and we will win."'
    first, second = (1, 21), (43, 59)
    assert text[slice(*first)] == "We will not give up,"
    speaker = text.index("the minister")
    gold = write_jsonl(tmp_path / "gold.jsonl", [split_quote_record(text, {
        "quote": text[1:59], "quote_span": [1, 59], "quote_segments": [first, second],
        "speaker": "the minister", "speaker_span": [speaker, speaker + 12], "kind": "direct"})])
    report = score_quotes(pipeline, gold)
    direct = report.scores["direct"]
    assert (direct.gold, direct.predicted, direct.tp_gold, direct.tp_pred) == (1, 1, 1, 1)
    assert report.scores["indirect"].gold == 0
    assert report.speakers["direct"].hits == 1


def test_a_pronoun_speaker_is_matched_by_span_only(pipeline, tmp_path):
    text = 'Angela Merkel arrived in Paris on Monday. "We are ready to talk," she said.'
    start = text.index('"') + 1
    end = text.index(',"') + 1
    she = text.index("she")
    quote = {"quote": text[start:end], "quote_span": [start, end],
             "quote_segments": [[start, end]], "kind": "direct"}
    gold = write_jsonl(tmp_path / "gold.jsonl", [
        split_quote_record(text, {**quote, "speaker": "she", "speaker_span": [she, she + 3]}),
        # the same quote with its speaker span elsewhere ("Paris"): a pronoun has no surname
        # to fall back on, so ours is wrong
        split_quote_record(text, {**quote, "speaker": "she",
                                  "speaker_span": [text.index("Paris"), text.index(" on")]}),
    ])
    report = score_quotes(pipeline, gold)
    assert report.scores["direct"].tp_gold == 2
    sp = report.speakers["direct"]
    assert (sp.hits, sp.total) == (1, 2)
    assert surname("she") is None and surname("a source") is None
    assert surname("O’Malley’s campaign") == "o’malley"
    assert surname("Spokeswoman Haley Morris") == "morris"


ACTORS = "FREEDONIA_ [FRE]\nGRAUSTARK_ [GRK]\n"
AGENTS = "MINISTER [~GOV]\n"


@pytest.fixture(scope="module")
def petrarch_pipeline(tmp_path_factory) -> Pipeline:
    from detente.evaluate.petrarch import load_dictionary

    folder = tmp_path_factory.mktemp("petrarch")
    (folder / "PETR.Validate.actors.txt").write_text(ACTORS, encoding="utf-8")
    (folder / "PETR.Validate.agents.txt").write_text(AGENTS, encoding="utf-8")
    return Pipeline(dictionary=load_dictionary(folder))


def test_a_petrarch_record_passes_when_its_pairs_are_ours(petrarch_pipeline, tmp_path):
    text = "Freedonia signed a trade agreement with Graustark on Monday."
    doc = petrarch_pipeline.extract(text, "1995-01-01")
    codes = {a.id: a.code for a in doc.actors}
    assert sorted(codes.values()) == ["FRE", "GRK"]
    records = [
        {"id": "pass", "text": text, "date": "1995-01-01", "expected_kind": "events",
         "evaluate": True, "expected": [{"source": "FRE", "target": "GRK", "code": "064"}]},
        {"id": "fail", "text": text, "date": "1995-01-01", "expected_kind": "noevents",
         "evaluate": True, "expected": []},
        {"id": "skipped", "text": text, "date": "1995-01-01", "expected_kind": "error",
         "evaluate": True, "expected": []},
    ]
    report = score_petrarch(petrarch_pipeline, write_jsonl(tmp_path / "r.jsonl", records))
    assert report.records == 2 and report.skipped == 1
    assert (report.passed.hits, report.decision.hits) == (1, 1)
    assert [m.id for m in report.misses] == ["fail"]
    assert report.misses[0].ours == [("FRE", "GRK")]


def test_a_bad_gold_line_names_the_file_and_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "text": "x", "events": []}\n{not json\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad\.jsonl:2: not valid JSON"):
        read_gold(path, ("id", "text", "events"))
    path.write_text('{"id": 1, "text": "x"}\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"bad\.jsonl:1: missing field\(s\) events"):
        read_gold(path, ("id", "text", "events"))
    result = CliRunner().invoke(main, ["eval", "events", str(path)])
    assert result.exit_code == 1
    assert "bad.jsonl:1" in result.output


# -- the real gold files, when ../shared is here ------------------------------------------

def run_json(args: list[str]) -> dict:
    result = CliRunner().invoke(main, ["eval", *args, "--json", "--limit", "20"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_eval_events_on_the_plover_gold(shared):
    data = run_json(["events", str(shared / "eval" / "plover_gsr_dev.jsonl")])
    assert data["sentences"] == 20
    assert data["micro"]["gold"] >= 20
    assert 0 <= data["micro"]["f1"] <= 1
    assert data["micro"]["tp_gold"] <= min(data["micro"]["gold"], data["micro"]["predicted"])


def test_eval_quotes_on_the_quote_gold(shared):
    data = run_json(["quotes", str(shared / "eval" / "quotes_dev.jsonl")])
    assert data["texts"] == 20
    for scores in data["scores"].values():
        assert 0 <= scores["f1"] <= 1
        assert scores["tp_gold"] <= scores["gold"] and scores["tp_pred"] <= scores["predicted"]


def test_eval_petrarch_on_the_unit_tests(shared):
    data = run_json(["petrarch", str(shared / "eval" / "petrarch_unittest.jsonl"),
                     "--dictionaries", str(shared / "petrarch")])
    assert 0 < data["records"] <= 20
    assert 0 <= data["pass_rate"]["share"] <= 1
    assert data["pass_rate"]["hits"] <= data["decision_accuracy"]["hits"]


def test_eval_all_writes_the_accuracy_page(shared, tmp_path):
    page = tmp_path / "accuracy.md"
    result = CliRunner().invoke(main, ["eval", "all", "--shared", str(shared), "--limit", "5",
                                       "--worst", "0", "--write", str(page)])
    assert result.exit_code == 0, result.output
    assert "petrarch" in result.output and "total" in result.output
    text = page.read_text(encoding="utf-8")
    assert "detente eval all --shared" in text and "--limit 5" in text
    assert "## Quotes" in text


def test_an_official_of_an_igo_is_scored_as_the_igo():
    from detente.evaluate.events import actor_country
    from detente.schema import Actor

    envoy = Actor("envoy", "Kofi Annan", "person", None, "IGO", "IGOUNO", "IGO official")
    assert actor_country(envoy) == "IGO"
    minister = Actor("min", "Ali Ahmed", "person", "EGY", "GOV", "EGYGOV", "minister")
    assert actor_country(minister) == "EGY"
    assert actor_country(Actor("x", "someone", "person")) != "IGO"
