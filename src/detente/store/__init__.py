"""The store: Documents in an embedded DuckDB file, keyed by article id and content hash.

See docs/store.md for the tables, the dedupe rule and the exports.
"""

from detente.store.schema import SCHEMA_VERSION
from detente.store.store import DEFAULT_DB, Store, StoreError, WriteResult

__all__ = ["DEFAULT_DB", "SCHEMA_VERSION", "Store", "StoreError", "WriteResult"]
