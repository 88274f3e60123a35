"""Generate the bad-input corpus: every kind of input a night's crawl can hold.

    python tests/data/make_bad.py [DIR]      (default: tests/data/bad, which git ignores)

Each file is one kind of bad (or merely awkward) input, written by this script rather than by
hand so that the big ones need not live in the repository. ``MANIFEST.json`` in the same
directory says, for every file, what a correct run must do with it:

- ``articles``: the ids of the articles that must be read and stored (the good records,
  including those around a bad one in the same file), and ``count``, how many there are
  (``articles`` is a sample for the file of tiny articles);
- ``skipped``: how many records must be skipped, and ``reason``, words the reason must hold
  (the user must be told what is wrong and what to do).

The tests in ``tests/test_bad_inputs.py`` run ``detente extract``, ``detente ingest`` and
``POST /extract`` over this corpus. ``--small`` leaves out the 50 MB article and makes 10,000
tiny articles instead of 100,000.
"""

from __future__ import annotations

import argparse
import codecs
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path

GOOD = "China and Russia signed a trade agreement in Beijing on Monday."
OTHER = ("The Peruvian government thanked Chile for sending rescue teams after the "
         "earthquake, officials said on Tuesday.")
# non-English news in three scripts (written for this corpus)
CHINESE = "中国和俄罗斯周一在北京签署了一项贸易协定。两国外交部长表示，合作将继续扩大。"
RUSSIAN = ("Китай и Россия подписали в понедельник в Пекине торговое соглашение. Министры "
           "иностранных дел заявили, что сотрудничество будет расширяться.")
ARABIC = ("وقعت الصين وروسيا يوم الاثنين في بكين اتفاقية تجارية. وقال وزيرا الخارجية إن "
          "التعاون سيتوسع.")
PARAGRAPH = " ".join([GOOD, OTHER] * 4)


@dataclass
class Expect:
    """What a correct run does with one file."""

    kind: str
    articles: list[str] = field(default_factory=list)
    skipped: int = 0
    reason: str = ""
    count: int = -1  # how many articles are good (when ``articles`` lists only a sample)

    def __post_init__(self) -> None:
        if self.count < 0:
            self.count = len(self.articles)


def _jsonl(*records: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                   for r in records)


def make(directory: Path, small: bool = False) -> dict[str, Expect]:
    """Write the corpus into ``directory`` and return the expectations (also MANIFEST.json)."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261127)
    expect: dict[str, Expect] = {}

    def put(name: str, data: bytes | str, how: Expect) -> None:
        (directory / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expect[name] = how

    def stem(name: str) -> str:
        return name.rsplit(".", 1)[0]

    put("good.txt", GOOD + "\n", Expect("a good article", [stem("good.txt")]))
    put("empty.txt", b"", Expect("empty file", skipped=1, reason="empty"))
    put("whitespace.txt", " \n\t\r\n   \n", Expect("whitespace only", skipped=1, reason="empty"))
    put("binary.txt", bytes(rng.randrange(256) for _ in range(4096)) + b"\x00\x00",
        Expect("binary data", skipped=1, reason="binary"))
    put("invalid_utf8.txt", ("Caf\xe9 diplomacy: " + GOOD).encode("latin-1"),
        Expect("Latin-1, not UTF-8", skipped=1, reason="UTF-8"))
    put("utf16_bom.txt", codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"),
        Expect("UTF-16 with a byte order mark", [stem("utf16_bom.txt")]))
    put("mixed_line_endings.txt", "Trade deal\r\n" + GOOD + "\r" + OTHER + "\n\r\n" + GOOD,
        Expect("CRLF, CR and LF line endings", [stem("mixed_line_endings.txt")]))
    if not small:
        line = (GOOD + " " + OTHER + "\n").encode()
        put("huge_50mb.txt", line * (50_000_000 // len(line) + 1),
            Expect("a 50 MB article", skipped=1, reason="more than the limit"))
    tiny = 10_000 if small else 100_000
    verbs = ("praised", "criticized", "thanked", "met", "accused", "visited")
    countries = ("Chile", "Peru", "Japan", "Kenya", "Norway", "Egypt", "Canada", "India")
    put("tiny_articles.jsonl",
        _jsonl(*({"id": f"tiny-{n}", "date": "2024-03-01",
                  "text": f"{rng.choice(countries)} {rng.choice(verbs)} "
                          f"{rng.choice(countries)}."} for n in range(tiny))),
        Expect(f"{tiny:,} tiny articles", ["tiny-0", f"tiny-{tiny // 2}", f"tiny-{tiny - 1}"],
               count=tiny))
    depth = 100_000
    put("deeply_nested.jsonl",
        _jsonl({"id": "nested-before", "text": GOOD},
               '{"id": "deep", "text": ' + "[" * depth + "]" * depth + "}",
               '{"id": "deep2", "meta": ' + '{"a": ' * depth + "1" + "}" * depth + "}",
               {"id": "nested-after", "text": OTHER}),
        Expect("JSON nested 100,000 deep", ["nested-before", "nested-after"], skipped=2,
               reason="nested"))
    put("truncated.jsonl",
        _jsonl({"id": "trunc-before", "text": GOOD}) + '{"id": "trunc", "text": "Chile and Pe',
        Expect("JSON cut off mid-record", ["trunc-before"], skipped=1, reason="malformed JSON"))
    put("not_objects.jsonl", _jsonl({"id": "obj", "text": GOOD}, "[1, 2]", '"text"', "null"),
        Expect("JSON lines that are not objects", ["obj"], skipped=3, reason="object"))
    put("no_text_field.jsonl", _jsonl({"id": "no-text"}, {"id": "num", "text": 42},
                                      {"id": "has-text", "text": OTHER}),
        Expect("JSON records without a text string", ["has-text"], skipped=2,
               reason='"text"'))
    put("no_text_column.csv", "id,title\n1,Trade deal\n",
        Expect("CSV without a text column", skipped=1, reason="text-column"))
    put("missing_fields.csv",
        f'id,text,date\ncsv-1,"{GOOD}",2024-01-08\ncsv-2\ncsv-3,"{OTHER}",2024-01-09\n',
        Expect("CSV row with missing fields", ["csv-1", "csv-3"], skipped=1, reason="fields"))
    put("embedded_newlines.csv",
        'id,text\ncsv-nl,"Trade deal\n\n' + GOOD + '\r\n' + OTHER + '"\n',
        Expect("CSV text with newlines inside quotes", ["csv-nl"]))
    put("no_body.html", "<!DOCTYPE html><html><head><title>Trade deal</title></head></html>",
        Expect("HTML with no body", skipped=1, reason="no article text"))
    put("scripts_only.html",
        "<html><head><script>var a = 1;</script></head><body><script>"
        + "document.write('x');" * 200 + "</script><style>p {color: red}</style></body></html>",
        Expect("HTML with scripts only", skipped=1, reason="no article text"))
    put("broken_tags.html",
        "<html><head><title>Trade deal signed</title><body><article><h1>Trade deal<p>"
        + "</p><p>".join([PARAGRAPH] * 3) + "<div><b><i>" + OTHER + "</article></span>",
        Expect("HTML with unclosed and stray tags", [stem("broken_tags.html")]))
    put("chinese.txt", CHINESE * 3, Expect("Chinese text", skipped=1, reason="not in English"))
    put("russian.txt", RUSSIAN * 2, Expect("Russian text", skipped=1, reason="not in English"))
    put("arabic.txt", ARABIC * 2, Expect("Arabic text", skipped=1, reason="not in English"))
    put("unbalanced_quotes.txt",
        '"We will never give up, said the minister. ' + GOOD + ' He called it "historic.\n'
        + OTHER + ' "\n"',
        Expect("unbalanced quotation marks", [stem("unbalanced_quotes.txt")]))
    put("control_chars.txt",
        "Trade\x01 deal\x07\n" + GOOD.replace(" ", " \x1b", 3) + "\x0b" + OTHER + "\x7f\x9f",
        Expect("control characters", [stem("control_chars.txt")]))
    words = ("China", "and", "Russia", "said", "that", "the", "talks", "with", "Japan", "went",
             "on", ",")
    put("long_sentence.txt", GOOD + " " + " ".join(rng.choice(words) for _ in range(10_000))
        + ".\n" + OTHER, Expect("a sentence of 10,000 tokens", [stem("long_sentence.txt")]))
    # (under the 100,000 characters POST /extract takes)
    put("long_token.txt", GOOD + " " + "x" * 90_000 + " " + OTHER,
        Expect("a token of 90,000 characters", [stem("long_token.txt")]))
    manifest = {name: asdict(how) for name, how in expect.items()}
    (directory / "MANIFEST.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False)
                                             + "\n", encoding="utf-8")
    return expect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(Path(__file__).parent / "bad"))
    parser.add_argument("--small", action="store_true",
                        help="no 50 MB article, 10,000 tiny articles instead of 100,000")
    args = parser.parse_args()
    expect = make(Path(args.directory), small=args.small)
    print(f"wrote {len(expect)} files and MANIFEST.json to {args.directory}")


if __name__ == "__main__":
    main()
