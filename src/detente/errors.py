"""Errors a user can act on: each names the input and says what to do."""

from __future__ import annotations


class DetenteError(Exception):
    """Base class of every error detente raises on purpose."""


class InputError(DetenteError):
    """An input file or record that cannot be read; the message names it and the fix."""


class DictionaryError(DetenteError):
    """A dictionary data file that cannot be loaded; the message names the file and line."""


class ModelError(DetenteError):
    """The spaCy pipeline cannot be loaded."""
