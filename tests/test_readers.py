"""Readers: good articles in, Articles out; bad input named and skipped, never fatal."""

from __future__ import annotations

import gzip
import json

from detente.ingest.readers import BadRecord, read_path, read_paths


def _split(items):
    good = [i for i in items if not isinstance(i, BadRecord)]
    bad = [i for i in items if isinstance(i, BadRecord)]
    return good, bad


def test_text_file_takes_date_from_its_name_and_title_from_its_first_line(tmp_path):
    path = tmp_path / "2024-09-11-aid.txt"
    path.write_text("India sends aid\nIndia sent aid to Vietnam.", encoding="utf-8")
    (article,) = list(read_path(str(path)))
    assert (article.id, article.date, article.title) == ("2024-09-11-aid", "2024-09-11",
                                                          "India sends aid")
    assert article.text == "India sends aid\nIndia sent aid to Vietnam."


def test_empty_binary_and_invalid_utf8_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t ")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (tmp_path / "latin1.txt").write_bytes("Les relations franco-allemandes, déjà".encode("latin-1"))
    (tmp_path / "good.txt").write_text("Japan and Korea signed a deal.", encoding="utf-8")
    good, bad = _split(list(read_path(str(tmp_path))))
    assert [a.text for a in good] == ["Japan and Korea signed a deal."]
    reasons = {b.source.rsplit("/", 1)[-1]: b.reason for b in bad}
    assert "empty" in reasons["empty.txt"] and "empty" in reasons["blank.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"] and "iconv" in reasons["latin1.txt"]


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "utf16.txt"
    path.write_bytes("Chile and Peru agreed.".encode("utf-16"))
    (article,) = list(read_path(str(path)))
    assert article.text == "Chile and Peru agreed."


def test_malformed_jsonl_line_is_named_and_the_rest_are_read(tmp_path):
    path = tmp_path / "articles.jsonl"
    lines = [
        json.dumps({"id": "a", "text": "Chile and Peru agreed.", "date": "2020-01-02"}),
        '{"id": "b", "text": "truncated',
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "text": "Ghana hosted Togo.", "date": "yesterday"}),
        json.dumps({"id": "e", "text": "Ghana hosted Togo.", "title": "T", "url": "u"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, bad = _split(list(read_path(str(path))))
    assert [a.id for a in good] == ["a", "e"]
    assert [b.line for b in bad] == [2, 3, 4, 5]
    assert "malformed JSON" in bad[0].reason
    assert str(bad[0]).startswith(f"{path}:2:")


def test_gzipped_jsonl_and_invalid_utf8_line(tmp_path):
    path = tmp_path / "articles.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(json.dumps({"id": "a", "text": "Chile met Peru."}).encode() + b"\n")
        handle.write(b'{"id": "b", "text": "caf\xe9"}\n')
        handle.write(json.dumps({"id": "c", "text": "Peru met Chile."}).encode() + b"\n")
    good, bad = _split(list(read_path(str(path))))
    assert [a.id for a in good] == ["a", "c"]
    assert bad[0].line == 2 and "UTF-8" in bad[0].reason


def test_huge_article_is_refused_with_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("Chile met Peru. " * 330_000, encoding="utf-8")  # about 5 MB
    (bad,) = list(read_path(str(path)))
    assert isinstance(bad, BadRecord) and "--max-chars" in bad.reason


def test_non_english_text_is_refused(tmp_path):
    path = tmp_path / "ru.txt"
    path.write_text("Министр иностранных дел России заявил, что переговоры продолжатся.",
                    encoding="utf-8")
    (bad,) = list(read_path(str(path)))
    assert "English" in bad.reason


def test_missing_path_is_named(tmp_path):
    (bad,) = list(read_paths([str(tmp_path / "nope.txt")]))
    assert "no such file" in bad.reason
