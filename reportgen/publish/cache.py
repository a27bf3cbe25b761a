"""The output folder's cache (drawn charts, laid-out parts): where it is, and how files go in."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

CACHE_FOLDER = ".reportgen-cache"


def write_atomically(path: Path, content: bytes) -> None:
    """Whole or not at all: a build that dies mid-write leaves no half file for the next to read."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:  # a full disk, or the build stopped by SIGTERM: no temporary left
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
