"""Progress bars while a long build or batch runs — on a terminal only.

The CLI turns them on (`show_on_terminal`) when stderr is a terminal and the log is text; cron, a
pipe or `--log-format json` get the plain stage lines alone. Code that works through many things
(charts, layout parts, a batch's projects) asks for `steps(...)` and calls the function it yields
once per thing done, whether or not a bar is shown.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

_bars: Any = None  # the rich Progress shown now, or None
_shown_by = 0  # the process showing it: a forked worker has a copy it must not draw with


@contextlib.contextmanager
def show_on_terminal(wanted: bool) -> Iterator[None]:
    """Show bars for the block when wanted and stderr is a terminal."""
    global _bars, _shown_by
    if not wanted or _bars is not None or not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    # Log lines written meanwhile go through rich (redirect_stderr), above the bars.
    bars = Progress(TextColumn("reportgen: {task.description}"), BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)
    _bars, _shown_by = bars, os.getpid()
    try:
        with bars:
            yield
    finally:
        _bars = None


@contextlib.contextmanager
def steps(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A function to call once per thing done; a bar for the block when bars are shown.
    Safe to call from another thread (a pool's callbacks)."""
    bars = _bars
    if bars is None or _shown_by != os.getpid() or total <= 0:
        yield _nothing
        return
    task = bars.add_task(description, total=total)

    def advance() -> None:
        with contextlib.suppress(KeyError):  # a pool's callback late, after the block ended
            bars.advance(task)
    try:
        yield advance
    finally:
        bars.remove_task(task)


def _nothing() -> None:
    return None
