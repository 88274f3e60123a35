"""detente: news about international affairs in, event data out.

>>> import detente
>>> doc = detente.extract("Japan's Foreign Minister, Akira Sato, met Chinese officials.")
"""

from detente.schema import (
    Actor,
    Article,
    Cameo,
    Document,
    Entity,
    Event,
    Mention,
    Plover,
    Quote,
    Stance,
)

__version__ = "0.1.0"


def extract(text: str, date: str | None = None, model: str | None = None) -> Document:
    """One article's text in, one :class:`Document` out (see ``detente.pipeline``)."""
    from detente.nlp import DEFAULT_MODEL
    from detente.pipeline import extract as _extract

    return _extract(text, date, model or DEFAULT_MODEL)


def __getattr__(name: str) -> object:
    # Store pulls in DuckDB: imported on first use so that `import detente` stays light.
    if name == "Store":
        from detente.store import Store

        return Store
    raise AttributeError(f"module 'detente' has no attribute {name!r}")


__all__ = ["Actor", "Article", "Cameo", "Document", "Entity", "Event", "Mention", "Plover",
           "Quote", "Stance", "Store", "__version__", "extract"]
