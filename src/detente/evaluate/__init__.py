"""Score detente against gold standards: PLOVER events, quotes, and PETRARCH's unit tests.

Each scorer takes a :class:`~detente.pipeline.Pipeline` and gold records and returns a
report dataclass; :mod:`detente.evaluate.report` prints it or turns it into JSON, and
:mod:`detente.evaluate.cli` is the ``detente eval`` command group.
"""
