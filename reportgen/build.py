"""A report project → the pack PDF and manifest in the output folder; reads like a contents page."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.assess import Assessment, assess
from reportgen.chartcache import CACHE_FOLDER, default_chart_jobs
from reportgen.chartdata import draw_charts, draw_svg_charts
from reportgen.context import Chart, pack_context
from reportgen.lock import output_lock
from reportgen.log import stage
from reportgen.manifest import MANIFEST_NAME, make_manifest
from reportgen.problems import Problem
from reportgen.project import Project, load_project
from reportgen.render import render_pack
from reportgen.resources import default_styles_dir, default_templates_dir
from reportgen.theme import Theme, load_theme
from reportgen.write import html_to_pdf, publish_set


@dataclass(frozen=True)
class BuildResult:
    outputs: dict[str, Path]  # "pdf", "html", "manifest" → the published file
    pages: int  # of the PDF, 0 when none was built
    project: Project
    assessments: list[Assessment]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pdf(self) -> Path:
        return self.outputs["pdf"]

    @property
    def manifest(self) -> Path:
        return self.outputs["manifest"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def output_path(project: Project, output_dir: Path, suffix: str = ".pdf") -> Path:
    """Predictable from the report and period, e.g. improvement-plan-report-2023-06.pdf."""
    name = project.config.output_name.format(slug=slugify(project.config.title),
                                             period=project.period.iso)
    return output_dir / f"{name}{suffix}"


def editions(requested: str | None, project: Project) -> list[str]:
    choice = requested or project.config.format
    return ["pdf", "html"] if choice == "all" else [choice]


def build_time(project: Project) -> dt.datetime:
    """One build date for the whole build, never the wall clock, so builds are reproducible:
    SOURCE_DATE_EPOCH when set, else the data refresh date, else the day after the period."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    day = project.config.data_refreshed or _first_day_after(project)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _first_day_after(project: Project) -> dt.date:
    following = project.period.shift(1)
    return dt.date(following.year, following.month, 1)


def asset_folders(root: Path) -> list[Path]:
    """The only folders the PDF writer may read files from: ours, and the project's assets."""
    return [default_styles_dir(), default_templates_dir(), root / "styles", root / "templates",
            root / "assets"]


def build(root: Path, output_dir: Path, period: str | None = None,
          base_config: Path | None = None, chart_jobs: int | None = None,
          output_format: str | None = None) -> BuildResult:
    """chart_jobs: processes drawing charts (default: up to 2; a batch worker passes 1).
    output_format: pdf, html or all (default: report.toml's format)."""
    chart_jobs = default_chart_jobs() if chart_jobs is None else chart_jobs
    timings: dict[str, float] = {}
    with stage("load", timings):
        project = load_project(root, period, base_config)
    with stage("assess", timings):
        assessments = assess(project.data, project.period, project.config.default_tolerance)
    with output_lock(output_dir):
        return _build_locked(project, assessments, output_dir, timings, chart_jobs,
                             editions(output_format, project))


def _build_locked(project: Project, assessments: list[Assessment], output_dir: Path,
                  timings: dict[str, float], chart_jobs: int, wanted: list[str]) -> BuildResult:
    theme = load_theme()
    when = build_time(project)
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(when.timestamp())))  # fontTools subsetting
    files: dict[str, tuple[Path, bytes, int]] = {}
    if "pdf" in wanted:
        with stage("charts", timings):
            charts = draw_charts(project.data, assessments, project.config, theme.chart_style(),
                                 output_dir / CACHE_FOLDER, chart_jobs)
        with stage("render", timings):
            html = _render(project, assessments, charts, theme, when, "pdf")
        pdf = html_to_pdf(html, project.root, asset_folders(project.root), timings=timings)
        files["pdf"] = (output_path(project, output_dir), pdf.content, pdf.pages)
    if "html" in wanted:
        with stage("html", timings):
            charts = draw_svg_charts(project.data, assessments, project.config,
                                     theme.chart_style())
            web = _render(project, assessments, charts, theme, when, "html").encode("utf-8")
        files["html"] = (output_path(project, output_dir, ".html"), web, 0)
    manifest = make_manifest(project.root, project.period.iso, when.isoformat(),
                             {path.name: (content, pages) for path, content, pages in
                              files.values()}, assessments, project.warnings)
    files["manifest"] = (output_dir / MANIFEST_NAME, manifest, 0)
    with stage("publish", timings):
        publish_set({path: content for path, content, _ in files.values()})
    return BuildResult({kind: path for kind, (path, _, _) in files.items()},
                       files["pdf"][2] if "pdf" in files else 0, project, assessments,
                       project.warnings, timings)


def _render(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
            theme: Theme, when: dt.datetime, edition: str) -> str:
    context = pack_context(project.config, project.data, assessments, charts,
                           theme.css(edition), when.isoformat(), edition)
    return render_pack(context, project.root)
