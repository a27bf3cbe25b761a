"""A report project → the pack PDF in the output folder; reads like a table of contents."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.assess import Assessment, assess
from reportgen.chartdata import draw_charts
from reportgen.context import pack_context
from reportgen.problems import Problem
from reportgen.project import Project, load_project
from reportgen.render import render_pack
from reportgen.resources import default_styles_dir, default_templates_dir
from reportgen.theme import load_theme
from reportgen.write import html_to_pdf, publish


@dataclass(frozen=True)
class BuildResult:
    pdf: Path
    project: Project
    assessments: list[Assessment]
    warnings: list[Problem]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "report"


def output_path(project: Project, output_dir: Path) -> Path:
    """Predictable from the report and period, e.g. improvement-plan-report-2023-06.pdf."""
    name = project.config.output_name.format(slug=slugify(project.config.title),
                                             period=project.period.iso)
    return output_dir / f"{name}.pdf"


def asset_folders(root: Path) -> list[Path]:
    """The only folders the PDF writer may read files from: ours, and the project's assets."""
    return [default_styles_dir(), default_templates_dir(), root / "styles", root / "templates",
            root / "assets"]


def build(root: Path, output_dir: Path, period: str | None = None) -> BuildResult:
    project = load_project(root, period)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    theme = load_theme()
    charts = draw_charts(project.data, assessments, project.config, theme.chart_style())
    stylesheet = theme.css_variables() + theme.stylesheet.read_text(encoding="utf-8")
    context = pack_context(project.config, project.data, assessments, charts, stylesheet)
    html = render_pack(context, project.root)
    pdf = html_to_pdf(html, project.root, asset_folders(project.root))
    target = publish(pdf, output_path(project, output_dir))
    return BuildResult(target, project, assessments, project.warnings)
