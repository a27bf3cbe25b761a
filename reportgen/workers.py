"""Worker processes for the stages that use every core: drawing charts, laying out parts.

Workers die with the process that made them: a build killed by SIGKILL, or stopped by SIGTERM,
leaves no worker behind holding memory and the build's stdout and stderr (a cron job's pipe
would never close).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5  # where there is no PR_SET_PDEATHSIG

_stop_requested = False


class Stopped(BaseException):
    """The build was asked to stop (SIGTERM). A BaseException, like KeyboardInterrupt, so that
    no `except Exception` on its way out holds it up."""


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


@contextlib.contextmanager
def fork_pool(jobs: int, initializer: Callable[[], object] | None = None
              ) -> Iterator[ProcessPoolExecutor]:
    """Forked where the platform can: the workers share the parent's imported libraries
    (matplotlib, WeasyPrint), so they start in milliseconds. initializer: run in each worker
    before its first task (layout sets its memory limit there).

    Leaving the block by an exception (a layout over its time, SIGTERM, Ctrl-C) kills the
    workers first, so that it never waits for a task that may run for minutes."""
    if _stop_requested:  # a stop that could not be raised where it came (stop_workers_now)
        raise Stopped
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method),
                               initializer=_start_worker, initargs=(os.getpid(), initializer))
    try:
        yield pool
    except BaseException:
        kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def stop_workers_now() -> None:
    """For a SIGTERM handler: kill every worker process at once, and refuse new pools.

    The handler then raises Stopped, which leaves each pool's block; but Python ignores an
    exception raised where it cannot go on (in an at-fork hook, a __del__), so the workers
    are killed here too: the build, waiting for them, then fails. Takes no lock, as the
    handler may run while the main thread holds one."""
    global _stop_requested
    _stop_requested = True
    for process in multiprocessing.active_children():
        with contextlib.suppress(ProcessLookupError, TypeError):  # ended; not started
            os.kill(process.pid, signal.SIGKILL)  # type: ignore[arg-type]


def stop_requested() -> bool:
    return _stop_requested


def forget_stop() -> None:
    """After the stop was reported (a test's process goes on)."""
    global _stop_requested
    _stop_requested = False


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """Python 3.14 has ProcessPoolExecutor.kill_workers(); before it, the pool's process table.
    The pool then finds its workers gone and fails what was left (BrokenProcessPool)."""
    if hasattr(pool, "kill_workers"):
        pool.kill_workers()
        return
    for process in list((pool._processes or {}).values()):
        with contextlib.suppress(ProcessLookupError, ValueError):  # gone, or closed
            process.kill()


def _start_worker(parent: int, then: Callable[[], object] | None) -> None:
    # A forked worker inherits the build's SIGTERM handler (cli.py), which would make it raise
    # inside its task; a worker has nothing to clean up, so it simply ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)
    if then is not None:
        then()


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel sends SIGKILL when the parent dies (PR_SET_PDEATHSIG). Elsewhere: a
    thread that checks every PARENT_CHECK_SECONDS whether the worker was handed to another
    parent (init), and ends the worker if so."""
    if sys.platform.startswith("linux") and _set_parent_death_signal(signal.SIGKILL):
        # The parent may have died between fork() and prctl(): the worker was reparented then,
        # and the signal will never come.
        if os.getppid() != parent:
            os._exit(1)
        return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                     name="reportgen-parent-watch").start()


def _set_parent_death_signal(signum: int) -> bool:
    """The parent here is the thread that forked the worker: the pool forks from the thread
    that submits its first task, the build's main thread, which lives as long as the build."""
    try:
        process = ctypes.CDLL(None, use_errno=True)  # libc is loaded: no library search
        return process.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)
