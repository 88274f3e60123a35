"""Keeping Python's cyclic garbage collector out of the way while a process starts."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def long_lived() -> Iterator[None]:
    """Run a block that makes objects which live as long as the process (the pipeline of a
    command or of a worker) with no automatic cyclic collection, then freeze them.

    Importing spaCy and loading the model, the dictionaries and the gazetteer make hundreds
    of thousands of objects that all stay alive. The collector walked them again and again
    meanwhile (325 collections, 0.2 s of a 2.2 s start-up), and once more in the first
    collection after a mere pause (0.1 s). After the block, :func:`gc.freeze` moves every
    object then alive to the permanent generation, which collections skip; reference
    counting still frees what the process drops. What the block left as cyclic garbage (a
    few hundred objects for the pipeline) stays, as do cycles among frozen objects that die
    later: so only for objects that live until the process ends.

    The pause is a zero threshold rather than ``gc.disable()``: spaCy's model loading
    (srsly's msgpack reader) calls ``gc.disable()`` and then ``gc.enable()`` whatever the
    state was before, which would end a pause made with ``gc.disable()``.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(0)  # a zero first threshold: no automatic collection
    try:
        yield
    finally:
        gc.freeze()
        gc.set_threshold(*thresholds)
