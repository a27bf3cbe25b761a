"""Environment (or arguments) → the memory and time a page layout may use; a breach's message."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from reportgen.errors import InvalidInput
from reportgen.problems import Problem

SECONDS_VARIABLE = "REPORTGEN_LAYOUT_SECONDS"
MEMORY_VARIABLE = "REPORTGEN_LAYOUT_MEMORY_MB"
# Measured on this project's 2-core machine (shared, so times vary by up to 2x), WeasyPrint 70:
# the 160-measure synthetic pack (benchmarks/synthetic.py, 137 pages) laid out as one document
# took 17-33 s (layout and write) and grew its process by ~280 MB of address space (770 MB
# in all, 420 MB resident); in parts, one round took 22 s with --jobs 2 and 35 s with --jobs 1
# (every part in one worker), each worker growing by under 100 MB; the sample pack, 2-4 s.
# The defaults leave x17 in time and x7 in memory, and still stop a runaway layout (one
# `@page { size: 100000cm }` grew by 800 MB in 3 s, past 8 GB in 300 s) before the machine
# swaps.
DEFAULT_SECONDS = 600.0
DEFAULT_MEMORY_MB = 2048
NEAR_LIMIT_MB = 64  # a malloc arena's reservation: an error this close to the limit is the limit
HINT = ("check the project's stylesheets (styles/…) for sizes such as @page size or "
        "font-size")


@dataclass(frozen=True)
class LayoutLimits:
    seconds: float  # wall time for one layout: a document, or one round of a pack's parts
    memory_mb: int  # address space a layout process may add to what it had when it started


def layout_limits(seconds: float | None = None, memory_mb: int | None = None) -> LayoutLimits:
    """The arguments, else the environment (REPORTGEN_LAYOUT_SECONDS, REPORTGEN_LAYOUT_MEMORY_MB),
    else the defaults. A value that is not a positive number is an input error naming it."""
    if seconds is None:
        seconds = _from_environment(SECONDS_VARIABLE, float, "a number of seconds") or \
            DEFAULT_SECONDS
    if memory_mb is None:
        memory_mb = int(_from_environment(MEMORY_VARIABLE, int, "a whole number of megabytes")
                        or DEFAULT_MEMORY_MB)
    return LayoutLimits(seconds, memory_mb)


def _from_environment(variable: str, kind: type[int] | type[float], what: str) -> float | None:
    text = os.environ.get(variable, "").strip()
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if not 0 < value < float("inf"):
        raise InvalidInput([Problem(variable, f"the environment variable must be {what} above "
                                              f"0, got {text[:40]!r}")])
    return value


def limit_memory(memory_mb: int) -> None:
    """In a layout process: an allocation past the limit fails (MemoryError in Python; an abort
    in a C library) instead of growing until the machine swaps. The limit is on top of the
    address space the process starts with, which depends on the machine (numpy's thread
    buffers grow with the cores), not on the pack."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


class OverMemoryLimit(Exception):
    """A layout process failed as it reached its memory limit."""


def near_memory_limit() -> bool:
    """Whether this process's address space came within NEAR_LIMIT_MB of its limit. Past the
    limit, an allocation fails wherever it is, and C code reports that in many ways: a
    MemoryError, a SystemError, an abort."""
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return False
    return _address_space("VmPeak") >= soft - NEAR_LIMIT_MB * 1024 * 1024


def _address_space(field: str = "VmSize") -> int:
    """This process's address space (VmSize) or its peak (VmPeak) in bytes; Linux only, 0
    elsewhere (where the limit is then absolute)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            line = next(line for line in status if line.startswith(f"{field}:"))
        return int(line.split()[1]) * 1024  # kB
    except (OSError, ValueError, IndexError, StopIteration):
        return 0


def time_message(limits: LayoutLimits) -> str:
    return (f"the PDF was not written: the page layout took more than {limits.seconds:g} s "
            f"(the limit; {SECONDS_VARIABLE} changes it); {HINT}")


def memory_message(limits: LayoutLimits) -> str:
    return (f"the PDF was not written: the page layout needed more than {limits.memory_mb} MB "
            f"of memory (the limit; {MEMORY_VARIABLE} changes it); {HINT}")


def failure_message(error: BaseException) -> str:
    """WeasyPrint failed on what it was given; the exception's text is not shown, as it may
    quote the document."""
    return (f"the PDF was not written: the page layout failed ({type(error).__name__} in "
            f"WeasyPrint), most likely on a size in the project's stylesheets; {HINT}")
