"""Property tests (hypothesis): the readers never raise on any bytes, and on generated news-like
text every offset of the resolver, the quote finder and the coder lies inside the text, every
span matches its text, and extracting the same text again gives the same Document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.ingest.readers import BadRecord, check_text, read_jsonl_lines, read_path
from detente.schema import Article, Document

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))

# --- readers -------------------------------------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=2000),
       suffix=st.sampled_from([".txt", ".jsonl", ".csv", ".html", ".jsonl.gz", ".csv.gz"]))
def test_readers_take_any_bytes_without_raising(tmp_path_factory, data: bytes, suffix: str):
    path = tmp_path_factory.mktemp("bytes") / f"input{suffix}"
    path.write_bytes(data)
    for item in read_path(str(path)):
        assert isinstance(item, Article | BadRecord)
        if isinstance(item, Article):
            assert check_text(item.text) is None  # only codable text gets through
        else:
            assert str(path) in str(item) and item.reason


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12)


@SETTINGS
@given(lines=st.lists(st.one_of(
    st.text(max_size=200),
    _json_values.map(json.dumps),
    st.fixed_dictionaries({"text": st.text(min_size=1, max_size=300)},
                          optional={"id": st.text(max_size=20) | st.integers(),
                                    "date": st.text(max_size=12), "title": _json_values,
                                    "url": _json_values}).map(json.dumps)), max_size=12))
def test_every_jsonl_line_is_an_article_or_a_named_bad_record(lines: list[str]):
    items = list(read_jsonl_lines(lines, "feed.jsonl"))
    assert len(items) == sum(1 for line in lines if line.strip())
    for item in items:
        if isinstance(item, BadRecord):
            assert item.source == "feed.jsonl" and item.line and item.reason
        else:
            assert item.text.strip() and isinstance(item.id, str)

# --- the pipeline on generated news-like text ------------------------------------------------


NAMES = ["China", "Russia", "the United States", "Iran", "the European Union", "NATO",
         "Chinese Foreign Minister Wang Yi", "President Vladimir Putin", "Hamas", "the UN",
         "Japanese officials", "he", "she", "they", "it", "the minister", "Beijing", "Kyiv",
         "protesters", "the government", "Mr. Smith", "rebels in Mali"]
VERBS = ["condemned", "met", "signed a deal with", "accused", "threatened", "praised",
         "did not attack", "will visit", "urged", "expelled diplomats from", "said",
         "agreed to help", "rejected", "imposed sanctions on", "called for talks with",
         "criticized", "supports", "opposes", "warned"]
TAILS = ["", " on Monday", " in Geneva", " over the border dispute", " last week",
         ", officials said", ", according to state media", " and its allies"]
PUNCT = [". ", "! ", "? ", ".\n\n", "; ", " — ", ": "]


@st.composite
def sentences(draw) -> str:
    subject, verb, obj = draw(st.sampled_from(NAMES)), draw(st.sampled_from(VERBS)), \
        draw(st.sampled_from(NAMES))
    sentence = f"{subject} {verb} {obj}{draw(st.sampled_from(TAILS))}"
    shape = draw(st.integers(0, 5))
    if shape == 1:  # a direct quote, speaker after
        sentence = f"\"{sentence},\" {draw(st.sampled_from(NAMES))} said"
    elif shape == 2:  # a quote, speaker before with a colon
        sentence = f"{draw(st.sampled_from(NAMES))} said: \u201c{sentence}\u201d"
    elif shape == 3:  # indirect speech
        sentence = f"{draw(st.sampled_from(NAMES))} said that {sentence}"
    elif shape == 4:  # noise: stray quote marks, odd characters
        noise = draw(st.text(alphabet="\"'“”«»()[]-–—…&%$#@\t ", max_size=6))
        sentence = f"{noise}{sentence}{noise}"
    return sentence[0].upper() + sentence[1:] + draw(st.sampled_from(PUNCT))


articles = st.lists(sentences(), min_size=1, max_size=6).map("".join)


def _check_offsets(doc: Document) -> None:
    text = doc.article.text
    for actor in doc.actors:
        for m in actor.mentions:
            assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.text, (actor, m)
    ids = {a.id for a in doc.actors}
    for event in doc.events:
        assert 0 <= event.start < event.end <= len(text), event
        assert set(event.source) | set(event.target) <= ids
    for quote in doc.quotes:
        assert 0 <= quote.start < quote.end <= len(text), quote
        assert quote.speaker is None or quote.speaker in ids
        for start, end in quote.segments or [(quote.start, quote.end)]:
            assert quote.start <= start < end <= quote.end
        if not quote.segments:
            assert text[quote.start:quote.end] == quote.text, quote
    for stance in doc.stances:
        assert 0 <= stance.start < stance.end <= len(text), stance
        assert text[stance.start:stance.end] == stance.topic, stance
        assert stance.holder in ids
    for entity in doc.entities:
        assert 0 <= entity.start < entity.end <= len(text)
        assert text[entity.start:entity.end] == entity.text, entity


@SETTINGS
@given(text=articles)
def test_offsets_lie_in_the_text_and_spans_match_it(pipeline, text: str):
    _check_offsets(pipeline.extract(text, date="2024-05-08"))


@settings(SETTINGS, max_examples=25)
@given(text=articles)
def test_extracting_the_same_text_again_gives_the_same_document(pipeline, text: str):
    first = pipeline.extract(text, date="2024-05-08").to_dict()
    again = pipeline.extract(text, date="2024-05-08").to_dict()
    assert first == again


@pytest.mark.parametrize("name", ["long_sentence.txt", "unbalanced_quotes.txt",
                                  "control_chars.txt", "long_token.txt"])
def test_offsets_hold_on_the_awkward_inputs_of_the_bad_corpus(pipeline, tmp_path: Path, name):
    from test_bad_inputs import make_bad

    make_bad.make(tmp_path, small=True)
    (article,) = read_path(str(tmp_path / name))
    assert isinstance(article, Article)
    _check_offsets(pipeline.extract_many([article]).__next__())
