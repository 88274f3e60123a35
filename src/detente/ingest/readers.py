"""Read articles from .txt, .jsonl(.gz), .csv(.gz) and .html files, directories and stdin.

Readers never raise on a bad record: they yield a :class:`BadRecord` that names the input,
the line and what to do, and go on with the next record. Only good articles reach the
pipeline.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.schema import Article

MAX_CHARS = 1_000_000
ARTICLE_SUFFIXES = (".txt", ".jsonl", ".jsonl.gz", ".json.gz", ".csv", ".csv.gz", ".html",
                    ".htm")
_DATE_PREFIX = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class BadRecord:
    """An input that was skipped, with the reason and the fix."""

    source: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


def content_id(text: str) -> str:
    """A stable id from the article text (the store keys articles by it)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_text(text: str, max_chars: int = MAX_CHARS) -> str | None:
    """Why ``text`` cannot be coded, or None when it can."""
    if not text.strip():
        return "the article is empty; give it some text"
    if len(text) > max_chars:
        return (
            f"the article has {len(text):,} characters, more than the limit of {max_chars:,}; "
            f"split it into articles or raise --max-chars"
        )
    if "\x00" in text:
        return "the text holds NUL bytes (binary data?); give plain UTF-8 text"
    letters = [c for c in text[:20000] if c.isalpha()]
    if len(letters) >= 20:
        latin = sum(1 for c in letters if c < "\u0250")
        if latin / len(letters) < 0.5:
            return (
                "the text is not in English (mostly non-Latin letters); detente codes English "
                "news: translate it first"
            )
    return None


def _decode(data: bytes, source: str) -> str | BadRecord:
    if not data.strip():
        return BadRecord(source, None, "the file is empty; give it an article's text")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return BadRecord(source, None, "the file is binary, not text; give a UTF-8 .txt file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            return BadRecord(source, None, f"the file starts as UTF-16 but is not: {err.reason}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        return BadRecord(
            source,
            None,
            f"the file is not valid UTF-8 (byte {err.start}); convert it, for example with "
            f"`iconv -f latin1 -t utf-8`",
        )


def _article_from_text(text: str, source: str, article_id: str, date: str | None,
                       max_chars: int) -> Article | BadRecord:
    problem = check_text(text, max_chars)
    if problem:
        return BadRecord(source, None, problem)
    first, sep, _ = text.partition("\n")
    title = first.strip() if sep and first.strip() and len(first) < 300 else None
    return Article(id=article_id, text=text, title=title, date=date, url=None)


def read_text_file(path: Path, date: str | None = None,
                   max_chars: int = MAX_CHARS) -> Iterator[Article | BadRecord]:
    """One article from a .txt file; the date comes from ``date`` or a YYYY-MM-DD name prefix."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        yield BadRecord(source, None, f"cannot read the file: {err.strerror}")
        return
    text = _decode(data, source)
    if isinstance(text, BadRecord):
        yield text
        return
    match = _DATE_PREFIX.match(path.name)
    yield _article_from_text(text, source, path.stem, date or (match and match.group(1)),
                             max_chars)


def _record(obj: object, source: str, line: int, date: str | None,
            max_chars: int) -> Article | BadRecord:
    if not isinstance(obj, dict):
        return BadRecord(source, line, "the line is JSON but not an object; write one "
                                       '{"id": ..., "text": ...} object a line')
    text = obj.get("text")
    if not isinstance(text, str):
        return BadRecord(source, line, 'the record has no "text" string; every line needs one')
    problem = check_text(text, max_chars)
    if problem:
        return BadRecord(source, line, problem)
    raw_date = obj.get("date") or date
    if raw_date is not None and not (isinstance(raw_date, str) and _ISO_DATE.match(raw_date)):
        return BadRecord(source, line, f'"date" must be ISO 8601 (YYYY-MM-DD), not {raw_date!r}')

    def text_field(name: str) -> str | None:
        value = obj.get(name)
        return value if isinstance(value, str) else None

    return Article(
        id=str(obj.get("id") or content_id(text)),
        text=text,
        title=text_field("title"),
        date=raw_date[:10] if raw_date else None,
        url=text_field("url"),
    )


def read_jsonl_lines(lines: Iterable[str | None], source: str, date: str | None = None,
                     max_chars: int = MAX_CHARS) -> Iterator[Article | BadRecord]:
    """Articles from JSON lines; a bad line becomes a BadRecord and the rest go on.

    A line given as None could not be decoded as UTF-8.
    """
    for number, line in enumerate(lines, start=1):
        if line is None:
            yield BadRecord(source, number, "the line is not valid UTF-8; convert the file, "
                                            "for example with `iconv -t utf-8`")
            continue
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            yield BadRecord(source, number, f"malformed JSON ({err.msg} at column {err.colno}); "
                                            "fix or remove the line")
            continue
        except RecursionError:
            yield BadRecord(source, number, "JSON nested too deeply; fix or remove the line")
            continue
        yield _record(obj, source, number, date, max_chars)


def _text_lines(handle: io.BufferedIOBase | gzip.GzipFile) -> Iterator[str | None]:
    """Decode lines one at a time so a bad line is reported and the rest still read."""
    for number, raw in enumerate(handle, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            yield None


def read_jsonl_file(path: Path, date: str | None = None,
                    max_chars: int = MAX_CHARS) -> Iterator[Article | BadRecord]:
    """Articles from a .jsonl file (gzip when the name ends in .gz)."""
    source = str(path)
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as handle:
            yield from read_jsonl_lines(_text_lines(handle), source, date, max_chars)
    except (OSError, EOFError) as err:
        yield BadRecord(source, None, f"cannot read the file ({err}); is it a complete "
                                      "gzip/JSONL file?")


@dataclass(frozen=True)
class CsvColumns:
    """Which CSV columns hold the article fields (only ``text`` is required)."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    date: str = "date"
    url: str = "url"


# Errors on this many rows in a row, from the first, mean the file is not CSV at all.
_CSV_GIVE_UP = 5


def read_csv_file(path: Path, date: str | None = None, max_chars: int = MAX_CHARS,
                  columns: CsvColumns | None = None) -> Iterator[Article | BadRecord]:
    """Articles from a .csv(.gz) file with a header row; one article a row.

    A row that cannot be read (bad quoting, a NUL byte, invalid UTF-8, too few fields) is a
    BadRecord naming its line, and the rows after it are still read.
    """
    columns = columns or CsvColumns()
    source = str(path)
    csv.field_size_limit(max(csv.field_size_limit(), 4 * max_chars + 1024))
    try:
        opener: Any = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8-sig", errors="surrogateescape",
                    newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                yield BadRecord(source, None, "the CSV file is empty; give it a header row and "
                                              "one article a row")
                return
            except csv.Error as err:
                yield BadRecord(source, 1, f"the CSV header cannot be read ({err}); is this a "
                                           "CSV file?")
                return
            header = [h.strip() for h in header]
            if columns.text not in header:
                yield BadRecord(source, 1, f'no "{columns.text}" column; the header has '
                                           f'{", ".join(header) or "nothing"}: name the '
                                           "article text column with --text-column")
                return
            where = {name: header.index(name) for name in
                     (columns.text, columns.id, columns.title, columns.date, columns.url)
                     if name in header}
            failures = 0
            rows = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as err:
                    failures += 1
                    yield BadRecord(source, reader.line_num,
                                    f"the CSV row cannot be read ({err}); fix its quoting")
                    if failures >= _CSV_GIVE_UP and rows == 0:
                        yield BadRecord(source, None, f"gave up after {failures} unreadable "
                                                      "rows; is this a CSV text file?")
                        return
                    continue
                rows += 1
                if not any(cell.strip() for cell in row):
                    continue
                line = reader.line_num
                try:
                    for cell in row:
                        cell.encode("utf-8")  # undecodable bytes came in as lone surrogates
                except UnicodeEncodeError:
                    yield BadRecord(source, line, "the row is not valid UTF-8; convert the "
                                                  "file, for example with `iconv -t utf-8`")
                    continue
                if len(row) < len(header):
                    yield BadRecord(source, line, f"the row has {len(row)} fields, the header "
                                                  f"{len(header)}; fix its quoting or commas")
                    continue
                obj = {key: row[where[name]] or None for key, name in
                       (("text", columns.text), ("id", columns.id),
                        ("title", columns.title), ("date", columns.date),
                        ("url", columns.url)) if name in where}
                obj["text"] = obj.get("text") or ""
                yield _record(obj, source, line, date, max_chars)
    except (OSError, EOFError) as err:
        yield BadRecord(source, None, f"cannot read the file ({err}); is it a complete "
                                      "CSV (or gzip) file?")


def read_html_file(path: Path, date: str | None = None,
                   max_chars: int = MAX_CHARS) -> Iterator[Article | BadRecord]:
    """One article from a saved web page: its main text, title, date and URL (trafilatura)."""
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        yield BadRecord(source, None, f"cannot read the file: {err.strerror}")
        return
    if not data.strip():
        yield BadRecord(source, None, "the file is empty; give it a web page")
        return
    if b"\x00" in data[:8192]:
        yield BadRecord(source, None, "the file is binary, not HTML; give a saved web page")
        return
    if len(data) > 8 * max_chars + 1_000_000:
        yield BadRecord(source, None, f"the page has {len(data):,} bytes, too many for an "
                                      f"article of at most {max_chars:,} characters; raise "
                                      "--max-chars or split it")
        return
    try:
        import logging

        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        found = trafilatura.bare_extraction(data, with_metadata=True, include_comments=False,
                                            include_tables=False)
    except Exception as err:  # trafilatura can fail in many ways on broken pages
        yield BadRecord(source, None, f"the HTML cannot be parsed ({type(err).__name__}: "
                                      f"{err}); save the page again")
        return
    text = getattr(found, "text", None) if found is not None else None
    if not text or not text.strip():
        yield BadRecord(source, None, "no article text found in the HTML; give the page of "
                                      "one article (not an index page), or its text as .txt")
        return
    problem = check_text(text, max_chars)
    if problem:
        yield BadRecord(source, None, problem)
        return
    match = _DATE_PREFIX.match(path.name)
    page_date = getattr(found, "date", None)
    if page_date and not _ISO_DATE.match(str(page_date)):
        page_date = None
    article_date = date or (match and match.group(1)) or (page_date and str(page_date)[:10])
    yield Article(id=path.stem, text=text, title=getattr(found, "title", None) or None,
                  date=article_date or None, url=getattr(found, "url", None) or None)


def _is_jsonl(path: Path) -> bool:
    return path.name.endswith((".jsonl", ".jsonl.gz", ".json.gz", ".ndjson"))


def _is_csv(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz"))


def _is_html(path: Path) -> bool:
    return path.name.lower().endswith((".html", ".htm"))


def read_path(path: str, date: str | None = None, max_chars: int = MAX_CHARS,
              columns: CsvColumns | None = None) -> Iterator[Article | BadRecord]:
    """Articles from ``path``: a .txt, .jsonl(.gz), .csv(.gz) or .html file, a directory, or
    ``-`` (stdin); ``columns`` maps CSV columns to article fields."""
    if path == "-":
        data = sys.stdin.buffer.read()
        text = _decode(data, "<stdin>")
        if isinstance(text, BadRecord):
            yield text
        elif text.lstrip().startswith("{"):
            yield from read_jsonl_lines(text.splitlines(), "<stdin>", date, max_chars)
        else:
            yield _article_from_text(text, "<stdin>", content_id(text), date, max_chars)
        return
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.is_file() and
                       (f.suffix == ".txt" or _is_jsonl(f) or _is_csv(f) or _is_html(f)))
        if not files:
            yield BadRecord(path, None, "the directory holds no .txt, .jsonl, .csv or .html "
                                        "files")
        for f in files:
            yield from read_path(str(f), date, max_chars, columns)
    elif not p.exists():
        yield BadRecord(path, None, "no such file or directory")
    elif _is_jsonl(p):
        yield from read_jsonl_file(p, date, max_chars)
    elif _is_csv(p):
        yield from read_csv_file(p, date, max_chars, columns)
    elif _is_html(p):
        yield from read_html_file(p, date, max_chars)
    else:
        yield from read_text_file(p, date, max_chars)


def read_paths(paths: Iterable[str], date: str | None = None, max_chars: int = MAX_CHARS,
               columns: CsvColumns | None = None) -> Iterator[Article | BadRecord]:
    """Articles from every path in order."""
    for path in paths:
        yield from read_path(path, date, max_chars, columns)
