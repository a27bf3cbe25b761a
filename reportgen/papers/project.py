"""A committee paper's folder → its checked settings, sources and (when it shows them) the data.

A paper needs the KPI tables only when an appendix shows them (the pack, a comparison); then they
come from report.toml's `data` folder, checked exactly as a pack's are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.config.report import CONFIG_FILE, check_config, read_config
from reportgen.errors import InvalidInput
from reportgen.extensions import extension_sections
from reportgen.load.project import Project, Settings, check_settings, check_tables, reporting_period
from reportgen.months import Month
from reportgen.papers.config import PaperConfig, check_paper
from reportgen.papers.figures import figure_measures, fill_figures, uses_live_figures
from reportgen.papers.images import with_images
from reportgen.papers.sources import PaperSources, load_paper
from reportgen.problems import Problem, Problems

KINDS_SHOWING_DATA = ("pack", "comparison")


@dataclass(frozen=True)
class PaperProject:
    settings: Settings
    paper: PaperSources
    project: Project | None  # the data, when an appendix shows it
    warnings: list[Problem]

    @property
    def period(self) -> Month | None:
        return self.project.period if self.project else None


def needs_data(config: PaperConfig) -> bool:
    return any(a.kind in KINDS_SHOWING_DATA for a in config.appendices)


def check_paper_project(root: Path, period: str | None = None, base_config: Path | None = None
                        ) -> tuple[PaperProject | None, Problems]:
    """Everything a paper's build checks, without raising: the paper (if usable), all problems."""
    problems = Problems()
    if not root.is_dir():
        problems.error(str(root), "is not a folder; expected a report project folder")
        return None, problems
    raw = read_config(root, problems, base_config)
    config = check_config(raw, problems, extension_sections()) if raw is not None else None
    paper_config = check_paper(raw, problems) if raw is not None else None
    if paper_config is None and raw is not None and not problems.errors:
        problems.error(CONFIG_FILE, "has no [paper] table")
    data = None
    found = Problems()  # the data's problems: its warnings are listed when the paper shows them
    if config is not None and paper_config is not None and (
            needs_data(paper_config) or uses_live_figures(root, paper_config)):
        data = check_tables(root, config, found)
        if found.errors and not config.data and not needs_data(paper_config):
            # Only figures want the data and none is named: each figure says so, by its line.
            data, found = None, Problems()
        problems.items.extend(found.errors)
    sources = None
    if config is not None and paper_config is not None:
        folder = root / config.data if config.data else root
        sources = load_paper(root, paper_config, data, folder, problems)
        sources = with_images(root, sources, problems)
        problems.items.extend(shown_warnings(found.warnings, sources))
    settings = check_settings(root, config, problems) if config is not None else None
    if settings is None or sources is None or problems.errors:
        return None, problems
    project = None
    if data is not None:
        found = Problems()
        month = reporting_period(data, settings.config, period, found)
        problems.items.extend([*found.errors, *shown_warnings(found.warnings, sources)])
        if month is None:
            return None, problems
        project = Project(settings, data, month, problems.warnings)
    sources = _with_figures(sources, project, problems)
    if problems.errors:
        return None, problems
    return PaperProject(settings, sources, project, problems.warnings), problems


def shown_warnings(warnings: list[Problem], sources: PaperSources) -> list[Problem]:
    """The data's warnings about what the paper shows: all of them with the pack, else those
    naming a measure of a comparison appendix or a live figure."""
    config = sources.config
    if any(a.kind == "pack" for a in config.appendices):
        return warnings
    shown = {m for a in config.appendices for m in a.measures} | figure_measures(sources)
    return [w for w in warnings if any(re.search(rf"\b{re.escape(m)}\b", w.message)
                                       for m in shown)]


def _with_figures(sources: PaperSources, project: Project | None, problems: Problems
                  ) -> PaperSources:
    """The Markdown with its live figures filled in from the data (papers/figures.py)."""
    from reportgen.assess import assess

    assessments = assess(project.data, project.period, project.config.default_tolerance) \
        if project else []
    return fill_figures(sources, project.data if project else None,
                        project.period if project else None, assessments, problems)


def load_paper_project(root: Path, period: str | None = None, base_config: Path | None = None
                       ) -> PaperProject:
    paper, problems = check_paper_project(root, period, base_config)
    if paper is None:
        raise InvalidInput(problems.items)
    return paper
