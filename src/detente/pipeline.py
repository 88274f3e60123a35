"""The one extraction pipeline: Article -> parse -> actors -> quotes -> events -> stances.

The same :class:`Pipeline` runs behind the CLI, the Python API and every worker. Build it
once: it loads the spaCy model and compiles the dictionaries; then feed it articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Doc

from detente.actors.dictionary import ActorDictionary, load_default
from detente.actors.places import default_gazetteer
from detente.actors.resolve import ActorResolver
from detente.entities import EntityFinder
from detente.events.dates import parse_iso
from detente.events.extract import EventCoder
from detente.events.patterns import VerbDictionary, load_verbs
from detente.ingest.readers import content_id
from detente.nlp import BATCH_CHARS, BATCH_SIZE, DEFAULT_MODEL, batches, load_nlp, parse
from detente.quotes import QuoteFinder
from detente.schema import Article, Document
from detente.stances import StanceFinder


class Pipeline:
    """Loads the model and dictionaries once and turns articles into Documents."""

    def __init__(self, model: str = DEFAULT_MODEL, dictionary: ActorDictionary | None = None,
                 verbs: Path | str | None = None,
                 verb_dictionary: VerbDictionary | None = None) -> None:
        """``verbs`` is a verb TSV; ``verb_dictionary`` a loaded one (e.g. from
        :func:`detente.events.petrarch_verbs.load_petrarch_verb_dictionary`). Give at most
        one; with neither, the packaged verb dictionary is used."""
        if verbs is not None and verb_dictionary is not None:
            raise ValueError("pass verbs (a TSV path) or verb_dictionary, not both")
        self.nlp = load_nlp(model)
        gazetteer = default_gazetteer()
        self.resolver = ActorResolver(self.nlp, dictionary or load_default(), gazetteer)
        self.coder = EventCoder(verb_dictionary if verb_dictionary is not None
                                else load_verbs(verbs))
        self.quotes = QuoteFinder()
        self.stances = StanceFinder()
        self.entities = EntityFinder(gazetteer)

    def extract(self, article: Article | str, date: str | None = None) -> Document:
        """One article (or plain text) in, one Document out."""
        if isinstance(article, str):
            article = Article(id=content_id(article), text=article, date=date)
        with self.nlp.memory_zone():
            return self.document(self.nlp(article.text), article)

    def extract_many(self, articles: Iterable[Article],
                     batch_size: int = BATCH_SIZE,
                     batch_chars: int = BATCH_CHARS) -> Iterator[Document]:
        """Documents for ``articles`` in input order, parsed in batches and streamed.

        A batch is at most ``batch_size`` articles and ends before it would pass
        ``batch_chars`` characters (see :func:`detente.nlp.batches`). Each batch is parsed
        in a spaCy memory zone: the strings and lexemes it adds are freed once its Documents
        are built."""
        for batch in batches(articles, batch_size, batch_chars):
            # the words a batch adds to the vocabulary are dropped when its Documents are
            # built, so a long run's memory does not grow with the words it has seen
            with self.nlp.memory_zone():
                docs = self.nlp.pipe([a.text for a in batch], batch_size=len(batch))
                documents = [self.document(doc, article)
                             for doc, article in zip(docs, batch, strict=True)]
            yield from documents

    def document(self, doc: Doc, article: Article) -> Document:
        """Run the stages after parsing on one parsed article."""
        on = parse_iso(article.date)
        actors = self.resolver.resolve(doc, on)
        quotes = self.quotes.find(doc, actors)
        events = self.coder.code(doc, actors, on)
        stances = self.stances.find(doc, actors)
        entities = self.entities.find(doc, actors)
        return Document(article=article, actors=actors.actors, events=events, quotes=quotes,
                        stances=stances, entities=entities)


@lru_cache(maxsize=2)
def get_pipeline(model: str = DEFAULT_MODEL) -> Pipeline:
    """The process-wide pipeline for ``model`` (built on first use)."""
    return Pipeline(model)


def extract(text: str, date: str | None = None, model: str = DEFAULT_MODEL) -> Document:
    """Extract actors, events, quotes, stances and entities from one article's text.

    >>> doc = extract("Hungary and Romania signed a trade agreement on Monday.", "2024-05-08")
    >>> doc.events[0].cameo.code
    '057'
    """
    return get_pipeline(model).extract(text, date)


__all__ = ["Pipeline", "extract", "get_pipeline", "parse"]
