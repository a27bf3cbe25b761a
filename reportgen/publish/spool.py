"""A finished output too big to hold in memory: the joined pack's PDF is written straight to an
anonymous file in the output folder (it has no name, so a build that dies leaves nothing
behind), then copied into place and digested in chunks."""

from __future__ import annotations

import contextlib
import hashlib
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


class Spooled:
    """Written through `file`; once published, the file is closed (and gone) and the content
    is read from where it was published."""

    def __init__(self, folder: Path) -> None:
        self.file: BinaryIO = tempfile.TemporaryFile(dir=folder)
        self.published: Path | None = None
        # a build that fails before publishing drops it: closed (and so gone) then
        weakref.finalize(self, self.file.close)

    def chunks(self) -> Iterator[bytes]:
        with self._opened() as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    def read(self) -> bytes:
        with self._opened() as stream:
            return stream.read()

    def close(self, published: Path | None = None) -> None:
        self.published = published
        self.file.close()

    @contextlib.contextmanager
    def _opened(self) -> Iterator[BinaryIO]:
        if not self.file.closed:
            self.file.seek(0)
            yield self.file
        elif self.published is not None:
            with open(self.published, "rb") as stream:
                yield stream
        else:
            raise ValueError("a spooled output that was closed unpublished")


Body = bytes | Spooled  # an output's content: in memory, or spooled


def chunks_of(body: Body) -> Iterator[bytes]:
    if isinstance(body, Spooled):
        yield from body.chunks()
    else:
        yield body


def bytes_of(body: Body) -> bytes:
    return body.read() if isinstance(body, Spooled) else body


def sha256_of(body: Body) -> str:
    digest = hashlib.sha256()
    for chunk in chunks_of(body):
        digest.update(chunk)
    return digest.hexdigest()


def close_spooled(bodies: dict[Path, Body], published: bool) -> None:
    """Spooled bodies closed: read from their published files after, if they were."""
    for path, body in bodies.items():
        if isinstance(body, Spooled):
            body.close(path if published else None)
