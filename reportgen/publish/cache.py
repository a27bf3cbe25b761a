"""Bytes by key ↔ files in the output folder's cache (drawn charts, laid-out parts), each
trusted only as what was stored under its key."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from reportgen.log import LOGGER

CACHE_FOLDER = ".reportgen-cache"
SEAL = ".sha256"  # beside each entry: its sha256 as written, a `sha256sum` line
SEAL_LIMIT = 1024  # a seal is one short line: never read more of a file posing as one

T = TypeVar("T")


class KeyedCache:
    """Entries of one kind (`suffix`) in one folder: `<key><suffix>`, sealed by
    `<key><suffix>.sha256`. The seal names the file, so a file cut short, overwritten,
    renamed or swapped with another's does not match the seal of the name it has now, and
    is discarded: the caller makes it again. Writing is best effort: a cache that cannot be
    written only makes the next build slower."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix

    def get(self, key: str) -> bytes | None:
        """The content stored under key, or None when there is none or it is not as stored."""
        return self.load(key, lambda content: content)

    def load(self, key: str, parse: Callable[[bytes], T]) -> T | None:
        """The entry parsed, or None when there is none, it is not as stored, or parse finds
        it unusable (raises ValueError saying why)."""
        name = key + self.suffix
        try:
            content = (self.folder / name).read_bytes()
        except FileNotFoundError:
            return None  # not cached
        except OSError as error:
            reason = error.strerror or "it cannot be read"
        else:
            try:
                return parse(self._as_sealed(name, content))
            except ValueError as error:
                reason = str(error)[:200]
        LOGGER.debug("cache: %s discarded (%s); it is made again", self.folder / name, reason)
        return None

    def put(self, key: str, content: bytes) -> None:
        """Content first, then its seal: a build that dies between the two leaves an entry
        whose seal does not match, which the next build discards."""
        name = key + self.suffix
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomically(self.folder / name, content)
            _write_atomically(self.folder / (name + SEAL), _seal(name, content))
        except OSError as error:
            LOGGER.debug("cache: cannot write %s (%s); it is made again next time",
                         self.folder / name, error.strerror)

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove this kind's entries not in keys, so the cache stays one pack's size."""
        kept = {key + self.suffix for key in keys}
        kept |= {name + SEAL for name in kept}
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                if path.name.endswith((self.suffix, self.suffix + SEAL)) and \
                        path.name not in kept:
                    path.unlink()

    def _as_sealed(self, name: str, content: bytes) -> bytes:
        try:
            with (self.folder / (name + SEAL)).open("rb") as stream:
                seal = stream.read(SEAL_LIMIT)
        except OSError:
            raise ValueError(f"it has no readable {name + SEAL}") from None
        if seal != _seal(name, content):
            raise ValueError(f"it is not what {name + SEAL} records")
        return content


def json_object(content: bytes) -> dict:
    """An entry's JSON object, for a load's parse; ValueError for anything else (NaN and
    Infinity are refused; 1e999 is a float, for the caller's type checks to refuse)."""
    try:
        found = json.loads(content, parse_constant=_refuse)
    except RecursionError:
        raise ValueError("JSON nested too deep") from None
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} in JSON")


def _seal(name: str, content: bytes) -> bytes:
    """The `sha256sum` line for the content under this name: binds the content to its key."""
    return f"{hashlib.sha256(content).hexdigest()}  {name}\n".encode()


def _write_atomically(path: Path, content: bytes) -> None:
    """Whole or not at all: a build that dies mid-write leaves no half file for the next to read."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(content)
    os.replace(temporary, path)
