"""Bytes by key ↔ files in the output folder's cache (drawn charts, laid-out parts), each
trusted only as what was stored under its key."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from reportgen.errors import OutputNotWritable
from reportgen.log import LOGGER

CACHE_FOLDER = ".reportgen-cache"
SEAL = ".sha256"  # beside each entry: its sha256 as written, a `sha256sum` line
TEMPORARY = ("tmp", ".tmp")  # a file being written: tmp<random>.tmp
SEAL_LIMIT = 1024  # a seal is one short line: never read more of a file posing as one

T = TypeVar("T")


class KeyedCache:
    """Entries of one kind (`suffix`) in one folder: `<key><suffix>`, sealed by
    `<key><suffix>.sha256`. The seal names the file, so a file cut short, overwritten,
    renamed or swapped with another's does not match the seal of the name it has now, and
    is discarded: the caller makes it again. Writing is best effort: a cache that cannot be
    written only makes the next build slower.

    The cache folder (and `subfolder` in it) must be real folders: every file is reached
    through them without following a symbolic link, so nothing outside is ever read, written
    or removed; a link or a file in their place stops the build (OutputNotWritable, exit 73).
    """

    def __init__(self, cache_dir: Path, suffix: str, subfolder: str = "") -> None:
        self.folder = cache_dir / subfolder if subfolder else cache_dir
        self.suffix = suffix
        self._base = cache_dir.parent  # the output folder: a link to it is the user's choice
        self._chain = [cache_dir.name, subfolder] if subfolder else [cache_dir.name]

    def get(self, key: str) -> bytes | None:
        """The content stored under key, or None when there is none or it is not as stored."""
        return self.load(key, lambda content: content)

    def load(self, key: str, parse: Callable[[bytes], T]) -> T | None:
        """The entry parsed, or None when there is none, it is not as stored, or parse finds
        it unusable (raises ValueError saying why)."""
        name = key + self.suffix
        try:
            with self._opened(create=False) as folder:
                if folder is None or (content := _read(folder, name)) is None:
                    return None  # not cached
                seal = _read(folder, name + SEAL, SEAL_LIMIT)
            if seal != _seal(name, content):
                raise ValueError(f"it is not what {name + SEAL} records")
            return parse(content)
        except OSError as error:
            reason = error.strerror or "it cannot be read"
        except ValueError as error:
            reason = str(error)[:200]
        LOGGER.debug("cache: %s discarded (%s); it is made again", self.folder / name, reason)
        return None

    def put(self, key: str, content: bytes) -> bool:
        """Content first, then its seal: a build that dies between the two leaves an entry
        whose seal does not match, which the next build discards. Whether it was stored."""
        name = key + self.suffix
        try:
            with self._opened(create=True) as folder:
                assert folder is not None
                _write_atomically(folder, name, content)
                _write_atomically(folder, name + SEAL, _seal(name, content))
        except OSError as error:
            LOGGER.debug("cache: cannot write %s (%s); it is made again next time",
                         self.folder / name, error.strerror)
            return False
        return True

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove this kind's entries not in keys, so the cache stays one pack's size, and any
        temporary file a killed run left (this run holds the output folder's lock: no other
        run is writing)."""
        kept = {key + self.suffix for key in keys}
        kept |= {name + SEAL for name in kept}
        with contextlib.suppress(OSError), self._opened(create=False) as folder:
            for name in os.listdir(folder) if folder is not None else []:
                if (name.endswith((self.suffix, self.suffix + SEAL)) and name not in kept) or \
                        (name.startswith(TEMPORARY[0]) and name.endswith(TEMPORARY[1])):
                    with contextlib.suppress(OSError):  # a folder of that name: left alone
                        os.unlink(name, dir_fd=folder)  # unlink never follows a link

    @contextlib.contextmanager
    def _opened(self, create: bool) -> Iterator[int | None]:
        """The entries' folder as a descriptor, each folder from the output folder down opened
        without following a link (O_NOFOLLOW); None when it is not there and not to be made."""
        with contextlib.ExitStack() as opened:
            try:
                folder: int | None = os.open(self._base, os.O_RDONLY | os.O_DIRECTORY)
            except FileNotFoundError:
                if create:
                    raise
                folder = None
            path = self._base
            for name in self._chain:
                if folder is None:
                    break
                opened.callback(os.close, folder)
                path = path / name
                folder = _folder(folder, name, path, create)
            if folder is not None:
                opened.callback(os.close, folder)
            yield folder


def _folder(parent: int, name: str, path: Path, create: bool) -> int | None:
    """The folder `name` in `parent`, made when asked; refused when it is a link or a file."""
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, dir_fd=parent)  # never follows a link: EEXIST
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent)
    except FileNotFoundError:
        if create:
            raise
        return None
    except OSError as error:
        if error.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise
    raise OutputNotWritable(f"the cache folder {path} is a symbolic link or not a folder; "
                            f"reportgen writes only into a real folder there: remove it and "
                            f"build again")


def _read(folder: int, name: str, limit: int = -1) -> bytes | None:
    """A regular file's bytes (up to limit), None when there is none; never through a link,
    never blocking on a pipe."""
    try:
        handle = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except FileNotFoundError:
        return None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            raise ValueError("it is not a regular file")
        return stream.read(limit)


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


def _write_atomically(folder: int, name: str, content: bytes) -> None:
    """Whole or not at all: a build that dies mid-write leaves no half file for the next to read.
    The temporary file is new (O_EXCL) and the rename replaces a link, never its target."""
    temporary = f"{TEMPORARY[0]}{secrets.token_hex(8)}{TEMPORARY[1]}"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                     dir_fd=folder)
    try:
        try:
            _write_all(handle, content)
        finally:
            os.close(handle)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:  # a full disk, an interrupt: no temporary file left behind
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise


def _write_all(handle: int, content: bytes) -> None:
    view = memoryview(content)
    while view:
        view = view[os.write(handle, view):]
