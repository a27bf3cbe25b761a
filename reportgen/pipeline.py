"""A report project → the pack PDF and manifest in the output folder; reads like a contents page."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportgen.assess import Assessment, assess
from reportgen.charts.stage import draw_charts, draw_svg_charts
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.layout.furniture import furniture_css
from reportgen.layout.parts import lay_out_in_parts
from reportgen.layout.pdf import RenderedPdf, html_to_pdf
from reportgen.load.project import Project, load_project
from reportgen.log import stage
from reportgen.papers.assemble import Placement, finish_pdf
from reportgen.papers.context import PaperDocument, paper_context, paper_documents
from reportgen.problems import Problem
from reportgen.publish.cache import CACHE_FOLDER
from reportgen.publish.files import publish_set
from reportgen.publish.lock import output_lock
from reportgen.publish.manifest import MANIFEST_NAME, input_files, make_manifest
from reportgen.render.context import Chart, PackContext, pack_context
from reportgen.render.templates import render_pack, render_paper
from reportgen.resources import default_styles_dir, default_templates_dir
from reportgen.theme import bundled_fonts_dir
from reportgen.workers import default_jobs


@dataclass(frozen=True)
class BuildResult:
    outputs: dict[str, Path]  # "pdf", "html", "manifest" → the published file
    pages: int  # of the PDF (of all the paper's PDFs), 0 when none was built
    project: Project
    assessments: list[Assessment]
    warnings: list[Problem]
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def pdf(self) -> Path:
        """The pack, the paper, or its first document (the cover, or the one appendix)."""
        return next(path for kind, path in self.outputs.items() if kind.startswith("pdf"))

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


def asset_folders(project: Project) -> list[Path]:
    """The only folders the PDF writer may read files from: ours, the bundled fonts, and the
    project's templates, styles and assets."""
    root = project.root
    return [default_styles_dir(), default_templates_dir(), bundled_fonts_dir(), root / "styles",
            root / "templates", root / "assets"]


def build(root: Path, output_dir: Path, period: str | None = None,
          base_config: Path | None = None, jobs: int | None = None,
          output_format: str | None = None, appendix: int | None = None,
          split: bool = True) -> BuildResult:
    """jobs: processes drawing charts and laying out pages (default: up to 2; a batch worker
    passes 1).
    output_format: pdf, html or all (default: report.toml's format).
    appendix: build only this appendix of the committee paper, labelled for an agenda pack.
    split: lay the pack out in parts, one per priority (parts.py); False lays it out as one
    document (the reference the parts are tested against)."""
    jobs = default_jobs() if jobs is None else jobs
    timings: dict[str, float] = {}
    with stage("load", timings):
        project = load_project(root, period, base_config)
    with stage("assess", timings):
        assessments = assess(project.data, project.period, project.config.default_tolerance)
    _check_appendix(project, appendix)
    with output_lock(output_dir):
        return _build_locked(project, assessments, output_dir, timings, jobs,
                             editions(output_format, project), appendix, split)


def _check_appendix(project: Project, appendix: int | None) -> None:
    if appendix is None:
        return
    count = len(project.paper.config.appendices) if project.paper else 0
    if not 1 <= appendix <= count:
        has = f"has appendices 1 to {count}" if count else "has no [[appendix]] in report.toml"
        raise InvalidInput([Problem(CONFIG_FILE, f"appendix {appendix} was asked for; the "
                                                 f"paper {has}")])


def _build_locked(project: Project, assessments: list[Assessment], output_dir: Path,
                  timings: dict[str, float], jobs: int, wanted: list[str],
                  appendix: int | None, split: bool) -> BuildResult:
    theme = project.theme
    when = build_time(project)
    os.environ.setdefault("SOURCE_DATE_EPOCH", str(int(when.timestamp())))  # fontTools subsetting
    files: dict[str, tuple[Path, bytes, int]] = {}
    if "pdf" in wanted:
        charts: dict[str, Chart] = {}
        if _shows_pack(project, appendix):
            with stage("charts", timings):
                charts = draw_charts(project.data, assessments, project.config,
                                     theme.chart_style(), output_dir / CACHE_FOLDER, jobs,
                                     while_drawing=_import_page_libraries)
        if project.paper is None:
            pdf = _pack_pdf(project, assessments, charts, when, output_dir, jobs, split,
                            timings)
            files["pdf"] = (output_path(project, output_dir), pdf.content, pdf.pages)
        else:
            for document in paper_documents(project.paper, appendix):
                key = "pdf" + (document.suffix if document.suffix != "-cover" else "")
                files[key] = _paper_pdf(project, assessments, charts, when, document,
                                        output_dir, timings)
    if "html" in wanted:
        with stage("html", timings):
            charts = draw_svg_charts(project.data, assessments, project.config,
                                     theme.chart_style())
            web = _render(project, assessments, charts, when, "html").encode("utf-8")
        files["html"] = (output_path(project, output_dir, ".html"), web, 0)
    manifest = make_manifest(project.root, project.period.iso, when.isoformat(),
                             {path.name: (content, pages) for path, content, pages in
                              files.values()}, assessments, project.warnings,
                             _other_inputs(project))
    files["manifest"] = (output_dir / MANIFEST_NAME, manifest, 0)
    with stage("publish", timings):
        publish_set({path: content for path, content, _ in files.values()})
    return BuildResult({kind: path for kind, (path, _, _) in files.items()},
                       sum(pages for kind, (_, _, pages) in files.items()
                           if kind.startswith("pdf")), project, assessments,
                       project.warnings, timings)


def _import_page_libraries() -> None:
    """WeasyPrint and pikepdf take ~1 s to import: done while the chart workers draw."""
    import pikepdf  # noqa: F401
    import weasyprint  # noqa: F401


def _other_inputs(project: Project) -> list[Path]:
    """Files a build read beyond the project's usual ones, so the manifest names them too."""
    data = input_files(project.data_root) if project.data_root != project.root else []
    return data + (project.paper.files if project.paper else [])


def _shows_pack(project: Project, appendix: int | None) -> bool:
    """Whether this build shows the pack anywhere, and so needs its charts."""
    if project.paper is None:
        return True
    return any(_holds_pack(project, d) for d in paper_documents(project.paper, appendix))


def _holds_pack(project: Project, document: PaperDocument) -> bool:
    assert project.paper is not None
    return any(project.paper.config.appendices[n - 1].kind == "pack" for n in document.appendices)


def _context(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
             when: dt.datetime, edition: str, page_prefix: str = "",
             with_measures: bool = True) -> PackContext:
    theme = project.theme
    css = theme.css(edition, paper=project.paper is not None)
    if edition == "pdf":
        css += furniture_css(theme.margins, project.config.protective_marking, page_prefix)
    return pack_context(project.config, project.data, assessments, charts, css,
                        when.isoformat(), edition, (theme.logo_uri, theme.logo_alt),
                        with_measures=with_measures)


def _pack_pdf(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
              when: dt.datetime, output_dir: Path, jobs: int, split: bool,
              timings: dict[str, float]) -> RenderedPdf:
    """Laid out in parts by `jobs` processes when asked to split and the pack allows
    (parts.py), else as one document."""
    context = _context(project, assessments, charts, when, "pdf")
    pdf = None
    if split:
        pdf = lay_out_in_parts(context, lambda part: render_pack(part, project.root),
                               project.root, asset_folders(project), output_dir / CACHE_FOLDER,
                               jobs, timings)
    if pdf is None:
        with stage("render", timings):
            html = render_pack(context, project.root)
        pdf = html_to_pdf(html, project.root, asset_folders(project), timings=timings)
    return pdf


def _render(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
            when: dt.datetime, edition: str) -> str:
    return render_pack(_context(project, assessments, charts, when, edition), project.root)


def _paper_pdf(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
               when: dt.datetime, document: PaperDocument, output_dir: Path,
               timings: dict[str, float]) -> tuple[Path, bytes, int]:
    """One document of the committee paper, with any attached PDFs laid onto their pages."""
    assert project.paper is not None
    with stage("render", timings):
        pack = _context(project, assessments, charts, when, "pdf", document.page_prefix,
                        with_measures=_holds_pack(project, document))
        paper = paper_context(project.paper, document, project.data,
                              project.config.protective_marking, project.theme.chart_style())
        html = render_paper(pack, paper, project.root)
    pdf = html_to_pdf(html, project.root, asset_folders(project), timings=timings)
    placements = [
        Placement(pdf.anchor_pages[anchor], attachment.path, index,
                  f"Page {index + 1} of {attachment.pages} of the attached document "
                  f"'{part.title}'", pdf.anchor_pages[part.anchor])
        for part in paper.appendices if (attachment := project.paper.attachments.get(part.number))
        for index, anchor in enumerate(part.attached_pages)]
    with stage("assemble", timings):
        content = finish_pdf(pdf.content, placements, project.theme.margins,
                             document.page_prefix)
    return output_path(project, output_dir, f"{document.suffix}.pdf"), content, pdf.pages
