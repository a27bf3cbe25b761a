"""BuildOptions → the pack's documents published in the output folder; reads like a contents page.

A project whose report.toml has an extension's section (the committee paper's [paper]) is built
by that extension (extensions.py), which calls the same stages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportgen.assess import Assessment, assess
from reportgen.builds import (
    BuildOptions,
    BuildResult,
    Output,
    build_date,
    build_time,
    editions,
    output_path,
)
from reportgen.charts.stage import draw_charts, draw_svg_charts
from reportgen.charts.table_charts import table_page_charts
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.extensions import extension_for
from reportgen.layout.furniture import furniture_css
from reportgen.layout.parts import lay_out_in_parts
from reportgen.layout.pdf import html_to_pdf
from reportgen.layout.prefetch import refused_resources
from reportgen.load.national import check_national, is_national
from reportgen.load.project import Project, Settings, check_project, load_project
from reportgen.log import LOGGER, stage
from reportgen.problems import Problem, Problems
from reportgen.publish.cache import CACHE_FOLDER
from reportgen.publish.files import publish_set
from reportgen.publish.lock import output_lock
from reportgen.publish.manifest import (
    MANIFEST_NAME,
    input_files,
    make_manifest,
    previous_outputs,
)
from reportgen.publish.spool import close_spooled
from reportgen.render.context import Chart, PackContext, pack_context
from reportgen.render.pack_pages import with_pack_pages
from reportgen.render.templates import render_pack
from reportgen.resources import default_styles_dir, default_templates_dir
from reportgen.theme import bundled_fonts_dir
from reportgen.workers import default_jobs


def build(options: BuildOptions) -> BuildResult:
    """Load and assess, then make every document asked for and publish them together."""
    extension = extension_for(options.project)
    if extension is not None:
        result: BuildResult = extension.build(options)
        return result
    if options.appendix is not None:
        raise InvalidInput([Problem(CONFIG_FILE, f"--appendix {options.appendix} was asked for, "
                                                 f"but this is a pack, not a committee paper "
                                                 f"(a paper has [paper] in report.toml)")])
    timings: dict[str, float] = {}
    with stage("load", timings):
        project = load_project(options.project, options.period, options.base_config)
    return build_loaded(project, options, timings)


def build_loaded(project: Project, options: BuildOptions, timings: dict[str, float] | None = None,
                 tables: Mapping[str, str] | None = None) -> BuildResult:
    """A loaded project (one area of a national table, say) → its documents, published.
    tables: its table files' sha256 for the manifest, when they were read elsewhere."""
    timings = {} if timings is None else timings
    with stage("assess", timings):
        assessments = assess(project.data, project.period, project.config.default_tolerance)
    when = build_time(project.config, project.period)
    with output_lock(options.output_dir), build_date(when):
        outputs = []
        for edition in editions(options.output_format, project.config):
            make = pack_pdf if edition == "pdf" else pack_html
            outputs.append(make(project, assessments, when, options, timings))
        return publish(project.settings, project.period.iso, when, outputs, assessments,
                       project.warnings, options, timings,
                       [*data_inputs(project.settings), *project.pages.files],
                       project.data.query_digests, tables)


def check(project: Path, period: str | None = None, base_config: Path | None = None
          ) -> tuple[Any, Problems]:
    """What `validate` reports: everything build checks short of laying out pages."""
    extension = extension_for(project)
    if extension is not None:
        found: tuple[Any, Problems] = extension.check(BuildOptions(project, period=period,
                                                                   base_config=base_config))
        return found
    if is_national(project, base_config):
        national, problems = check_national(project, period, base_config)
        if national is not None and national.areas:  # the areas' packs share the templates
            _check_templates(national.areas[0].project, problems)
        return (national if not problems.errors else None), problems
    loaded, problems = check_project(project, period, base_config)
    if loaded is not None:
        _check_templates(loaded, problems)
    return loaded, problems


def _check_templates(project: Project, problems: Problems) -> None:
    """Render both editions' templates with stand-in charts (no drawing, no layout), so that a
    template's mistake is found by validate as build would find it."""
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    charts = stand_in_charts(project)
    try:
        html = render_pack(with_free_pages(project, pdf_context(
            project, assessments, charts, build_time(project.config, project.period)),
            stand_in_table_charts(project)), project.root)
        render_pack(with_free_pages(project, pack_context(
            project.config, project.data, assessments, charts, project.theme.css("html"), "",
            "html"), stand_in_table_charts(project)), project.root)
    except InvalidInput as error:
        problems.items.extend(error.problems)
        return
    check_resources(html, project.settings, problems)


def check_resources(html: str, settings: Settings, problems: Problems) -> None:
    """What the PDF writer would refuse (files outside the project's folders, the network,
    images of too many pixels), found before any layout."""
    for reason in refused_resources(html, settings.root, asset_folders(settings)):
        message = f"the PDF would not be written: a resource would be refused: {reason}"
        if all(p.message != message for p in problems.items):  # a paper's documents share it
            problems.error("templates and styles", message)


def stand_in_charts(project: Project) -> dict[str, Chart]:
    return {m.id: Chart("", m.title, m.chart_title) for m in project.data.measures}


def stand_in_table_charts(project: Project) -> dict[str, Chart]:
    return {t.config.id: Chart("", t.config.title, t.config.title) for t in project.pages.tables
            if t.config.chart and t.table.bars}


def with_free_pages(project: Project, context: PackContext, table_charts: dict[str, Chart]
                    ) -> PackContext:
    """The introduction after the title page, and the table pages among the measure pages."""
    return with_pack_pages(context, project.pages, project.data, project.period, table_charts)


def build_project(project: Path, output_dir: Path, period: str | None = None,
                  **settings: object) -> BuildResult:
    """build() for scripts and tests: the options as arguments."""
    return build(BuildOptions(project, output_dir, period, **settings))  # type: ignore[arg-type]


def pack_pdf(project: Project, assessments: list[Assessment], when: dt.datetime,
             options: BuildOptions, timings: dict[str, float]) -> Output:
    """The pack's PDF: charts drawn (or cached), then laid out in parts when it can be."""
    jobs = default_jobs() if options.jobs is None else options.jobs
    with stage("charts", timings):
        charts = pack_charts(project, assessments, options.output_dir, jobs)
        table_charts = table_page_charts(project.pages, project.theme.chart_style(), "pdf")
    context = with_free_pages(project, pdf_context(project, assessments, charts, when),
                              table_charts)
    pdf = None
    if options.split:
        pdf = lay_out_in_parts(context, lambda part: render_pack(part, project.root),
                               project.root, asset_folders(project.settings),
                               options.output_dir / CACHE_FOLDER, jobs, timings,
                               options.part_pages)
    if pdf is None:
        with stage("render", timings):
            html = render_pack(context, project.root)
        pdf = html_to_pdf(html, project.root, asset_folders(project.settings), timings=timings,
                          cache_dir=options.output_dir / CACHE_FOLDER)
    path = output_path(project.config, project.period.iso, options.output_dir)
    return Output("pdf", path, pdf.content, pdf.pages)


def pack_html(project: Project, assessments: list[Assessment], when: dt.datetime,
              options: BuildOptions, timings: dict[str, float]) -> Output:
    """The HTML edition: one self-contained page with inline SVG charts."""
    with stage("html", timings):
        charts = draw_svg_charts(project.data, assessments, project.config,
                                 project.theme.chart_style(), options.output_dir / CACHE_FOLDER)
        css = project.theme.css("html")
        context = with_free_pages(project, pack_context(
            project.config, project.data, assessments, charts, css, when.isoformat(), "html",
            theme_logo(project.settings)),
            table_page_charts(project.pages, project.theme.chart_style(), "html"))
        html = render_pack(context, project.root).encode("utf-8")
    path = output_path(project.config, project.period.iso, options.output_dir, ".html")
    return Output("html", path, html)


def pack_charts(project: Project, assessments: list[Assessment], output_dir: Path, jobs: int
                ) -> dict[str, Chart]:
    return draw_charts(project.data, assessments, project.config, project.theme.chart_style(),
                       output_dir / CACHE_FOLDER, jobs, while_drawing=_import_page_libraries)


def pdf_context(project: Project, assessments: list[Assessment], charts: dict[str, Chart],
                when: dt.datetime, extra_sheets: tuple[str, ...] = (), page_prefix: str = ""
                ) -> PackContext:
    return pack_context(project.config, project.data, assessments, charts,
                        pdf_css(project.settings, extra_sheets, page_prefix), when.isoformat(),
                        "pdf", theme_logo(project.settings))


def pdf_css(settings: Settings, extra_sheets: tuple[str, ...] = (), page_prefix: str = "",
            header: str = "") -> str:
    """The theme's print stylesheet and the page furniture report.toml asks for."""
    return settings.theme.css("pdf", extra_sheets) + furniture_css(
        settings.theme.margins, settings.config.protective_marking, page_prefix, header)


def theme_logo(settings: Settings) -> tuple[str, str]:
    return settings.theme.logo_uri, settings.theme.logo_alt


def asset_folders(settings: Settings) -> list[Path]:
    """The only folders the PDF writer may read files from: ours, the bundled fonts, and the
    project's templates, styles and assets."""
    root = settings.root
    return [default_styles_dir(), default_templates_dir(), bundled_fonts_dir(), root / "styles",
            root / "templates", root / "assets"]


def data_inputs(settings: Settings) -> list[Path]:
    """The `data` folder's files, when the tables are not the project's own, for the manifest."""
    return input_files(settings.data_root) if settings.data_root != settings.root else []


def publish(settings: Settings, period: str, when: dt.datetime, outputs: list[Output],
            assessments: list[Assessment], warnings: list[Problem], options: BuildOptions,
            timings: dict[str, float], also_read: list[Path],
            queries: Mapping[str, str] | None = None, tables: Mapping[str, str] | None = None
            ) -> BuildResult:
    """The outputs and their manifest, published together (all new, or all as they were).
    also_read: files read besides the project's usual ones, named in the manifest too;
    queries: [source]'s result sets' digests; tables: table files' digests, read elsewhere."""
    manifest = make_manifest(settings.root, period, when.isoformat(),
                             {o.path.name: (o.body, o.pages) for o in outputs}, assessments,
                             warnings, also_read, queries, tables,
                             {o.path.name: o.publication for o in outputs if o.publication})
    published = (*outputs, Output("manifest", options.output_dir / MANIFEST_NAME, manifest))
    retire = [options.output_dir / name for name in superseded(
        published, previous_outputs(options.output_dir, settings.root.name), options)]
    bodies = {o.path: o.body for o in published}
    try:
        with stage("publish", timings):
            removed = publish_set(bodies, retire)
    except BaseException:
        close_spooled(bodies, published=False)
        raise
    close_spooled(bodies, published=True)
    for path in removed:
        LOGGER.info("removed %s: the previous build of %s published it, this one does not",
                    path.name, settings.root.name)
    return BuildResult(published, assessments, warnings, timings)


def superseded(published: Sequence[Output], previous: list[str], options: BuildOptions
               ) -> list[str]:
    """What a committee paper's build with an exempt (Part II) document removes of what the
    project's last build published: the public twin of each Part II document (`…-appendix-C`
    beside `…-appendix-C-exempt`), and, from a whole paper's build, anything else it does not
    publish again (an older web page that still holds the appendix's text). Other builds
    remove nothing: a PDF stays when only the web page is built, a paper when one appendix is."""
    exempt = [Path(o.path.name).stem.removesuffix("-exempt") for o in published
              if o.publication == "exempt"]
    if not exempt:
        return []
    names = {o.path.name for o in published}
    return [name for name in previous if name not in names and (
        Path(name).stem in exempt or options.appendix is None)]


def _import_page_libraries() -> None:
    """WeasyPrint and pikepdf take ~1 s to import: done while the chart workers draw."""
    import pikepdf  # noqa: F401
    import weasyprint  # noqa: F401

