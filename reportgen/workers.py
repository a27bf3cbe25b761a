"""Worker processes for the stages that use every core: drawing charts, laying out parts."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def default_jobs() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def fork_pool(jobs: int) -> ProcessPoolExecutor:
    """Forked where the platform can: the workers share the parent's imported libraries
    (matplotlib, WeasyPrint), so they start in milliseconds."""
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method))
