"""What a build is asked for (BuildOptions) and what it gives back (Outputs, a BuildResult)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.model import Edition
from reportgen.months import Month
from reportgen.problems import Problem
from reportgen.publish.spool import Body, bytes_of

if TYPE_CHECKING:
    from reportgen.assess import Assessment
    from reportgen.config.report import ReportConfig

EDITIONS: dict[str, tuple[Edition, ...]] = {"pdf": ("pdf",), "html": ("html",),
                                            "all": ("pdf", "html")}


@dataclass(frozen=True)
class BuildOptions:
    """What the command line (or a batch) asks of one build."""

    project: Path
    output_dir: Path = Path("output")
    period: str | None = None  # YYYY-MM or latest; None: report.toml's
    base_config: Path | None = None  # a batch's shared report.toml
    jobs: int | None = None  # worker processes; None: the cores, up to 2
    output_format: str | None = None  # pdf, html or all; None: report.toml's
    appendix: int | str | None = None  # a committee paper's appendix built on its own: its
    #                                    place in the list (2), or its reference ("C")
    split: bool = True  # lay the pack out in parts (False: one document, the reference)
    part_pages: int | None = None  # the most measure pages in a part (None: layout/parts.py's)


@dataclass(frozen=True)
class Output:
    """One file a build publishes: its role ("pdf", "pdf-appendix-2", "html", "manifest")."""

    role: str
    path: Path
    body: Body  # a big pack's PDF is spooled to a file, not held
    pages: int = 0  # 0 for a file without pages
    publication: str = ""  # a committee paper's "public" or "exempt" (Part II) document

    @property
    def content(self) -> bytes:
        """The whole file in memory (the preview server, a cluster's client)."""
        return bytes_of(self.body)


@dataclass(frozen=True)
class BuildResult:
    published: tuple[Output, ...]
    assessments: list[Assessment]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def outputs(self) -> dict[str, Path]:
        """Role → the published file."""
        return {output.role: output.path for output in self.published}

    @property
    def pages(self) -> int:
        """Of every PDF built."""
        return sum(o.pages for o in self.published if o.role.startswith("pdf"))

    @property
    def pdf(self) -> Path:
        """The pack, the paper, or its first document (the cover, or the one appendix)."""
        return next(o.path for o in self.published if o.role.startswith("pdf"))

    @property
    def manifest(self) -> Path:
        return self.outputs["manifest"]


def editions(requested: str | None, config: ReportConfig) -> tuple[Edition, ...]:
    return EDITIONS[requested or config.format]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def output_path(config: ReportConfig, period: str, output_dir: Path, suffix: str = ".pdf"
                ) -> Path:
    """Predictable from the report and period, e.g. improvement-plan-report-2023-06.pdf. A
    paper with no data has no period: its name loses the separator too, not just the month."""
    name = config.output_name.format(slug=slugify(config.title), period=period)
    return output_dir / f"{name.strip(' -_.') or slugify(config.title)}{suffix}"


def build_time(config: ReportConfig, period: Month | None) -> dt.datetime:
    """One build date for the whole build, never the wall clock, so builds are reproducible:
    SOURCE_DATE_EPOCH when set, else the data refresh date, else the day after the period."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    day = config.data_refreshed or _first_day_after(period)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _first_day_after(period: Month | None) -> dt.date:
    if period is None:
        return dt.date(1980, 1, 1)  # the earliest date a ZIP or PDF tool accepts as "no date"
    following = period.shift(1)
    return dt.date(following.year, following.month, 1)


@contextlib.contextmanager
def build_date(when: dt.datetime) -> Iterator[dt.datetime]:
    """SOURCE_DATE_EPOCH set to this build's date while it runs (fontTools reads it when it
    subsets fonts), then put back as it was: the next build in the same process (a batch) has
    its own date."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(when.timestamp()))
    try:
        yield when
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
