"""Many report projects → one pack each, in worker processes; one failure never stops the rest."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.progress import steps
from reportgen.workers import fork_pool


@dataclass(frozen=True)
class BatchItem:
    project: Path
    output_dir: Path
    period: str | None
    base_config: Path | None


@dataclass(frozen=True)
class BatchOutcome:
    project: Path
    ok: bool
    outputs: tuple[str, ...]
    seconds: float
    message: str  # the first line of the error, or the page count
    exit_code: int


def build_one(item: BatchItem) -> BatchOutcome:
    """Build one project; every failure becomes an outcome, never an exception."""
    from reportgen.builds import BuildOptions
    from reportgen.pipeline import build

    start = time.perf_counter()
    try:
        # one process per project: the batch's workers already use the cores
        result = build(BuildOptions(item.project, item.output_dir, item.period,
                                    item.base_config, jobs=1))
    except ReportgenError as error:
        return BatchOutcome(item.project, False, (), time.perf_counter() - start,
                            error.format_message(), error.exit_code)
    except Exception:  # a bug: keep going, but say so with the traceback
        return BatchOutcome(item.project, False, (), time.perf_counter() - start,
                            traceback.format_exc(limit=-3), 1)
    return BatchOutcome(item.project, True, (str(result.pdf), str(result.manifest)),
                        time.perf_counter() - start, f"{result.pages} pages", 0)


def run_batch(items: list[BatchItem], jobs: int, executor: Executor | None = None
              ) -> list[BatchOutcome]:
    """Outcomes in the order of items. Any concurrent.futures Executor will do (a Dask
    distributed Client's get_executor(), say); by default a pool of `jobs` processes."""
    with steps("building packs", len(items)) as built:
        if executor is None and jobs <= 1:
            return [_counted(build_one(item), built) for item in items]
        if executor is not None:
            return [_counted(o, built) for o in executor.map(build_one, items)]
        with fork_pool(jobs) as pool:  # workers that die with the batch (workers.py)
            return [_counted(o, built) for o in pool.map(build_one, items)]


def _counted(outcome: BatchOutcome, built: Callable[[], None]) -> BatchOutcome:
    built()
    return outcome


def _first_problem(message: str) -> str:
    """The first listed problem (and how many more), else the message's first line."""
    lines = [line.strip() for line in message.strip().splitlines()]
    if len(lines) > 1:
        # The heading counts every problem; the list may count a kind's rest on one line.
        counts = re.findall(r"([\d,]+) (?:error|warning)\(s\)", lines[0])
        total = sum(int(n.replace(",", "")) for n in counts) if counts else len(lines) - 1
        more = f" (+{total - 1:,} more)" if total > 1 else ""
        return lines[1] + more
    return lines[0] if lines else ""


def outcome_table(outcomes: list[BatchOutcome]) -> str:
    rows = [("project", "result", "time", "outputs / problem")]
    for outcome in outcomes:
        detail = ", ".join(Path(o).name for o in outcome.outputs) if outcome.ok else \
            _first_problem(outcome.message)
        rows.append((outcome.project.name, "ok" if outcome.ok else "FAILED",
                     f"{outcome.seconds:.1f} s", detail))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"
                     for r in rows)
