"""Finished outputs → the output folder, all together or not at all (atomic renames)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportgen.errors import OutputNotWritable
from reportgen.log import LOGGER
from reportgen.publish.spool import Body, chunks_of

# What os.link raises where a file system has no hard links (vfat, exFAT, some SMB shares),
# or may not make this one (fs.protected_hardlinks, a link count at its limit).
NO_HARD_LINK = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK,
                errno.ENOSYS}


def publish(content: bytes, target: Path) -> Path:
    """Write one file atomically: see publish_set."""
    publish_set({target: content})
    return target


def publish_set(files: Mapping[Path, Body], retire: Sequence[Path] = ()) -> list[Path]:
    """Publish files together: all new, or (on any failure) all as they were, no temporaries.

    Each file is written to a temporary file beside its target first; the previous versions
    are kept (as hard links, or copies where there are none) until every rename has
    succeeded, and restored if one fails. `retire`: files an earlier build published that this
    one does not (a paper's appendix now exempt, say), removed with the same guarantee; a link
    or anything but a plain file is left alone. Returns the files removed.
    """
    staged: dict[Path, str] = {}
    backups: dict[Path, str] = {}
    replaced: list[Path] = []
    retired = [path for path in retire if path not in files and path.is_file()
               and not path.is_symlink()]
    try:
        for target, content in files.items():
            staged[target] = _stage(target, content)
        for target in [*files, *retired]:
            if target.exists():
                backups[target] = _temporary_name(target, ".previous")
                _back_up(target, backups[target])
        for target, temporary in staged.items():
            os.replace(temporary, target)
            replaced.append(target)
        for target in retired:
            os.unlink(target)
            replaced.append(target)
    except BaseException as error:
        _roll_back(replaced, backups)
        _remove([*staged.values(), *backups.values()])
        if isinstance(error, OSError):
            raise OutputNotWritable(f"cannot write {error.filename or next(iter(files))}: "
                                    f"{error.strerror}") from None
        raise
    _remove(list(backups.values()))
    return retired


def _temporary_name(target: Path, suffix: str) -> str:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    os.close(handle)
    os.unlink(name)
    return name


def _back_up(target: Path, backup: str) -> None:
    """A hard link costs nothing; where the file system has none, a copy does the same job."""
    try:
        os.link(target, backup)
    except OSError as error:
        if error.errno not in NO_HARD_LINK:
            raise
        LOGGER.debug("publish: no hard link for %s (%s); keeping a copy of it until the new "
                     "version is in place", target, error.strerror)
        with open(target, "rb") as previous, open(backup, "xb") as copy:
            shutil.copyfileobj(previous, copy)
        shutil.copymode(target, backup)


def _stage(target: Path, content: Body) -> str:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise OutputNotWritable(f"cannot write to the output folder {target.parent}: "
                                f"{error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            for chunk in chunks_of(content):
                stream.write(chunk)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # published papers are read by others
    except BaseException:
        _remove([temporary])
        raise
    return temporary


def _roll_back(replaced: list[Path], backups: dict[Path, str]) -> None:
    for target in replaced:
        with contextlib.suppress(OSError):
            if target in backups:
                os.replace(backups.pop(target), target)
            else:
                target.unlink()


def _remove(paths: list[str]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
