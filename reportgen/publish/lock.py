"""One build at a time per output folder: a lock that a killed run cannot leave behind."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

from reportgen.errors import OutputLocked, OutputNotWritable

LOCK_NAME = ".reportgen.lock"
HOLDER_NAME = ".reportgen.lock.json"


@contextlib.contextmanager
def output_lock(output_dir: Path) -> Iterator[None]:
    """Hold the folder's lock for the build, or fail at once (exit 75) naming the holder.

    The lock is an OS file lock (flock): the kernel drops it when the holding process dies,
    so a lock left by a killed run never blocks the next one.
    """
    from filelock import FileLock, Timeout

    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputNotWritable(f"cannot write to the output folder {output_dir}: "
                                f"{error.strerror}") from None
    for name in (LOCK_NAME, HOLDER_NAME):  # a planted link would be followed and written to
        if (output_dir / name).is_symlink():
            raise OutputNotWritable(f"{output_dir / name} is a symbolic link; reportgen writes "
                                    f"its lock there itself: remove the link")
    lock = FileLock(output_dir / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputLocked(f"another run is building into {output_dir} (lock "
                           f"{output_dir / LOCK_NAME}; {_holder(output_dir)}); try again when "
                           f"it has finished") from None
    except OSError as error:
        raise OutputNotWritable(f"cannot write to the output folder {output_dir}: "
                                f"{error.strerror}") from None
    try:
        _write_holder(output_dir)
        yield
    finally:
        with contextlib.suppress(OSError):
            (output_dir / HOLDER_NAME).unlink()
        lock.release()


def _write_holder(output_dir: Path) -> None:
    started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
    with os.fdopen(os.open(output_dir / HOLDER_NAME, flags, 0o644), "w") as stream:
        stream.write(json.dumps({"pid": os.getpid(), "started": started}))


def _holder(output_dir: Path) -> str:
    try:
        holder = json.loads((output_dir / HOLDER_NAME).read_text())
        return f"held by pid {holder['pid']} since {holder['started']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"
