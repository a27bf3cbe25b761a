"""Many report projects, or the areas of a national table → one pack each, in worker processes
(or Dask tasks: cluster.py); one failure never stops the rest."""

from __future__ import annotations

import re
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import ReportgenError
from reportgen.progress import steps
from reportgen.workers import fork_pool

if TYPE_CHECKING:
    from reportgen.builds import BuildResult
    from reportgen.config.report import ReportConfig
    from reportgen.load.national import AreaProject
    from reportgen.model import Dataset
    from reportgen.months import Month
    from reportgen.problems import Problem


@dataclass(frozen=True)
class BatchItem:
    project: Path
    output_dir: Path
    period: str | None
    base_config: Path | None

    @property
    def label(self) -> str:
        return self.project.resolve().name


@dataclass(frozen=True)
class AreaItem:
    """One area of a national table, loaded and checked by the batch (load/national.py): its
    project's parts, each of which pickles, so that a worker (or a Dask task) can build it."""

    label: str  # "E08000011 Knowsley"
    root: Path  # the national project (its report.toml, templates, styles)
    config: ReportConfig  # the area's: its name as organisation and in the file name
    data: Dataset
    period: Month
    warnings: tuple[Problem, ...]
    tables: tuple[tuple[str, str], ...]  # the national tables' files and sha256
    output_dir: Path

    @property
    def project(self) -> Path:
        return self.output_dir


def area_items(areas: Sequence[AreaProject], output_dir: Path) -> list[AreaItem]:
    """Each area's pack into a folder named by its code."""
    return [AreaItem(a.area.label, a.project.root, a.project.config, a.project.data,
                     a.project.period, tuple(a.project.warnings), a.digests,
                     output_dir / a.area.folder) for a in areas]


Item = BatchItem | AreaItem


@dataclass(frozen=True)
class BatchOutcome:
    project: Path
    ok: bool
    outputs: tuple[str, ...]
    seconds: float
    message: str  # the first line of the error, or the page count
    exit_code: int
    label: str = ""  # the table's name for it: the project folder's, or the area's


def build_item(item: Item) -> BuildResult:
    """Build one project or area, with one process: the batch's workers already use the cores.
    Raises as build does."""
    from reportgen.builds import BuildOptions
    from reportgen.pipeline import build, build_loaded

    if isinstance(item, BatchItem):
        return build(BuildOptions(item.project, item.output_dir, item.period,
                                  item.base_config, jobs=1))
    from reportgen.load.project import Project, Settings
    from reportgen.theme import load_theme

    settings = Settings(item.root, item.config, load_theme(item.config.theme, item.root))
    project = Project(settings, item.data, item.period, list(item.warnings))
    return build_loaded(project, BuildOptions(item.root, item.output_dir, jobs=1),
                        tables=dict(item.tables))


def build_one(item: Item) -> BatchOutcome:
    """Build one project or area; every failure becomes an outcome, never an exception."""
    start = time.perf_counter()
    try:
        result = build_item(item)
    except ReportgenError as error:
        return failed(item, time.perf_counter() - start, error.format_message(),
                      error.exit_code)
    except Exception:  # a bug: keep going, but say so with the traceback
        return failed(item, time.perf_counter() - start, traceback.format_exc(limit=-3), 1)
    return BatchOutcome(item.project, True, (str(result.pdf), str(result.manifest)),
                        time.perf_counter() - start, f"{result.pages} pages", 0, item.label)


def failed(item: Item, seconds: float, message: str, exit_code: int) -> BatchOutcome:
    return BatchOutcome(item.project, False, (), seconds, message, exit_code, item.label)


def run_batch(items: Sequence[Item], jobs: int, executor: Executor | None = None
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
        rows.append((outcome.label or outcome.project.name, "ok" if outcome.ok else "FAILED",
                     f"{outcome.seconds:.1f} s", detail))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}"
                     for r in rows)
