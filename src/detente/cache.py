"""A small on-disk cache for data that detente builds from installed packages.

The directory is ``$DETENTE_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/detente``, else
``~/.cache/detente``. Each entry is one file named after what it holds and a key that
covers everything its content depends on, so a file is never used for other inputs: a
changed key is another file name, and the full key is checked again inside the file.

The cache only saves time. Whatever goes wrong (no home directory, a read-only or missing
directory, a truncated or corrupt file, another process writing at the same moment), the
caller builds the value in memory and goes on; a bad file is replaced by the next write.
Values are written with :mod:`marshal` (plain data only: no code is ever run on loading,
unlike pickle) behind a SHA-256 checksum, then renamed into place, so that readers never
see a half-written file.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ENV_VAR = "DETENTE_CACHE_DIR"
_MAGIC = b"detente-cache-1\n"
_DIGEST = 32  # bytes of a SHA-256 digest
# marshal's format may change between Python versions: part of every key
_FORMAT = f"marshal {marshal.version} python {sys.version_info[0]}.{sys.version_info[1]}"


def cache_dir() -> Path:
    """The cache directory (it may not exist yet): see the module docstring. OSError when
    none is set and there is no home directory to put it in."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG rule: a relative path is ignored
        return Path(xdg) / "detente"
    try:
        home = Path.home()
    except RuntimeError as err:  # no $HOME and no passwd entry
        raise OSError(f"no home directory for the cache: set {ENV_VAR} to a directory") from err
    return home / ".cache" / "detente"


def cache_key(*parts: str) -> bytes:
    """A key (a SHA-256 digest) for content that depends on ``parts``."""
    digest = hashlib.sha256(_FORMAT.encode())
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.digest()


def cache_path(name: str, key: bytes) -> Path:
    """The file of entry ``name`` under ``key``."""
    return cache_dir() / f"{name}-{key.hex()[:24]}.marshal"


def load(name: str, key: bytes) -> object | None:
    """The value stored as ``name`` under ``key``, or None when there is no good one."""
    try:
        data = cache_path(name, key).read_bytes()
    except OSError:
        return None
    header = len(_MAGIC) + 2 * _DIGEST
    if len(data) < header or not data.startswith(_MAGIC):
        return None
    stored_key = data[len(_MAGIC):len(_MAGIC) + _DIGEST]
    checksum = data[len(_MAGIC) + _DIGEST:header]
    payload = memoryview(data)[header:]
    if stored_key != key or hashlib.sha256(payload).digest() != checksum:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def store(name: str, key: bytes, value: Any) -> bool:
    """Write ``value`` (plain data: str, int, None, tuples, lists, dicts) as ``name`` under
    ``key``; False when it could not be written, which callers may ignore."""
    payload = marshal.dumps(value)
    temp: str | None = None
    try:
        path = cache_path(name, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # a temporary file in the same directory, renamed over the entry: a process that
        # reads meanwhile sees the old file or the new one, never a part of one
        fd, temp = tempfile.mkstemp(prefix=f".{name}-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(_MAGIC + key + hashlib.sha256(payload).digest())
            out.write(payload)
        os.replace(temp, path)
        temp = None
        return True
    except OSError:
        return False
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
