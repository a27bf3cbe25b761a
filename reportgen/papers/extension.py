"""BuildOptions for a paper's folder → the committee paper's documents, published together.

Registered in reportgen/extensions.py for report.toml's [paper] and [[appendix]]; it calls the
core's stages (load, assess, charts, render, layout, publish) and adds the paper's own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import replace

from reportgen.assess import Assessment, assess
from reportgen.builds import (
    BuildOptions,
    BuildResult,
    Output,
    build_date,
    editions,
    output_path,
)
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.layout.pdf import html_to_pdf
from reportgen.load.project import Settings
from reportgen.log import stage
from reportgen.papers.assemble import Placement, finish_pdf
from reportgen.papers.context import PaperContext, PaperDocument, paper_context, paper_documents
from reportgen.papers.governance import exempt_marking
from reportgen.papers.html import paper_html, render_paper_html
from reportgen.papers.meeting import (
    header_date_css,
    meeting_date,
    paper_build_time,
    paper_label,
)
from reportgen.papers.project import PaperProject, check_paper_project, load_paper_project
from reportgen.papers.render import render_paper
from reportgen.pipeline import (
    asset_folders,
    check_resources,
    data_inputs,
    pack_charts,
    pdf_css,
    publish,
    stand_in_charts,
    theme_logo,
)
from reportgen.problems import Problem, Problems
from reportgen.publish.cache import CACHE_FOLDER
from reportgen.publish.lock import output_lock
from reportgen.publish.spool import bytes_of
from reportgen.render.context import Chart, PackContext, document_context, pack_context
from reportgen.workers import default_jobs

PAPER_SHEET = "paper.css"
PART_TWO_MARKING_CSS = "@page { @top-center { width: 48%; } }\n"


def check(options: BuildOptions) -> tuple[PaperProject | None, Problems]:
    """The paper's checks, and each document's templates rendered (no charts drawn, no
    layout), so that validate finds what build would."""
    paper, problems = check_paper_project(options.project, options.period, options.base_config)
    if paper is None:
        return paper, problems
    assessments = assess(paper.project.data, paper.project.period,
                         paper.settings.config.default_tolerance) if paper.project else []
    charts = stand_in_charts(paper.project) if paper.project else {}
    when = paper_build_time(paper)
    try:
        options = dataclasses.replace(options, appendix=appendix_place(paper, options.appendix))
        for document in paper_documents(paper.paper, appendix_of(options)):
            pack = pack_fields(paper, assessments, charts, when, document)
            html = render_paper(pack, paper_fields(paper, document), paper.settings.root)
            check_resources(html, paper.settings, problems)
            render_paper_html(paper, assessments, charts, when, document)
    except InvalidInput as error:
        problems.items.extend(error.problems)
    return paper, problems


def build(options: BuildOptions) -> BuildResult:
    """Load the paper (and the data its appendices show), then each document of it."""
    timings: dict[str, float] = {}
    with stage("load", timings):
        paper = load_paper_project(options.project, options.period, options.base_config)
    with stage("assess", timings):
        assessments = assess(paper.project.data, paper.project.period,
                             paper.settings.config.default_tolerance) if paper.project else []
    options = dataclasses.replace(options, appendix=appendix_place(paper, options.appendix))
    when = paper_build_time(paper)
    with output_lock(options.output_dir), build_date(when):
        outputs = []
        wanted = editions(options.output_format, paper.settings.config)
        if "pdf" in wanted and _exempt_alone(paper, appendix_of(options)):
            wanted = ("pdf",)  # a Part II document has no web page: it is never published
        for edition in wanted:
            if edition == "pdf":
                outputs += paper_pdfs(paper, assessments, when, options, timings)
            else:
                outputs += paper_html(paper, assessments, when, options, timings)
        return publish(paper.settings, period_label(paper), when, outputs, assessments,
                       paper.warnings, options, timings,
                       data_inputs(paper.settings) + paper.paper.files,
                       paper.project.data.query_digests if paper.project else None)


def period_label(paper: PaperProject) -> str:
    """What names the files and the manifest's period: the meeting's date, else the month."""
    return paper_label(paper)


def _exempt_alone(paper: PaperProject, appendix: int | None) -> bool:
    return appendix is not None and 0 < appendix <= len(paper.paper.config.appendices) and \
        paper.paper.config.appendices[appendix - 1].exempt


def appendix_of(options: BuildOptions) -> int | None:
    """The one appendix asked for, by its place, once appendix_place has read --appendix."""
    assert not isinstance(options.appendix, str), "a reference is read by appendix_place first"
    return options.appendix


def appendix_place(paper: PaperProject, asked: int | str | None) -> int | None:
    """--appendix's appendix as its place in the list: given as the place (2) or as its
    reference (C, case aside); else the error saying what the paper has."""
    if asked is None:
        return None
    appendices = paper.paper.config.appendices
    if isinstance(asked, int):
        if 1 <= asked <= len(appendices):
            return asked
    else:
        for place, appendix in enumerate(appendices, start=1):
            if appendix.reference.casefold() == asked.casefold():
                return place
    if not appendices:
        has = "has no [[appendix]] in report.toml"
    elif isinstance(asked, int) or all(a.reference.isdigit() for a in appendices):
        has = f"has appendices 1 to {len(appendices)}"
    else:
        has = f"has appendices {', '.join(a.reference for a in appendices)}"
    raise InvalidInput([Problem(CONFIG_FILE, f"appendix {asked} was asked for; the paper {has}")])


def paper_pdfs(paper: PaperProject, assessments: list[Assessment], when: dt.datetime,
               options: BuildOptions, timings: dict[str, float]) -> list[Output]:
    documents = paper_documents(paper.paper, appendix_of(options))
    charts: dict[str, Chart] = {}
    if paper.project is not None and any(holds_pack(paper, d) for d in documents):
        jobs = default_jobs() if options.jobs is None else options.jobs
        with stage("charts", timings):
            charts = pack_charts(paper.project, assessments, options.output_dir, jobs)
    return [_paper_pdf(paper, assessments, charts, when, document, options, timings)
            for document in documents]


def holds_pack(paper: PaperProject, document: PaperDocument) -> bool:
    return any(paper.paper.config.appendices[n - 1].kind == "pack" for n in document.appendices)


def _paper_pdf(paper: PaperProject, assessments: list[Assessment], charts: dict[str, Chart],
               when: dt.datetime, document: PaperDocument, options: BuildOptions,
               timings: dict[str, float]) -> Output:
    """One document of the committee paper, with any attached PDFs laid onto their pages."""
    settings = paper.settings
    with stage("render", timings):
        pack = pack_fields(paper, assessments, charts, when, document)
        context = paper_fields(paper, document)
        html = render_paper(pack, context, settings.root)
    pdf = html_to_pdf(html, settings.root, asset_folders(settings), timings=timings,
                      cache_dir=options.output_dir / CACHE_FOLDER)
    placements = [
        Placement(pdf.anchor_pages[anchor], attachment.path, index,
                  f"Page {index + 1} of {attachment.pages} of the attached document "
                  f"'{part.title}'", pdf.anchor_pages[part.anchor])
        for part in context.appendices if (attachment := paper.paper.attachments.get(part.number))
        for index, anchor in enumerate(part.attached_pages)]
    with stage("assemble", timings):
        content = finish_pdf(bytes_of(pdf.content), placements, settings.theme.margins,
                             document.page_prefix)
    role = "pdf" + (document.suffix if document.suffix != "-cover" else "")
    path = output_path(settings.config, period_label(paper), options.output_dir,
                       f"{document.suffix}.pdf")
    return Output(role, path, content, pdf.pages, document.publication)


def paper_fields(paper: PaperProject, document: PaperDocument) -> PaperContext:
    settings = paper.settings
    context = paper_context(paper.paper, document,
                            paper.project.data if paper.project else None,
                            settings.config.protective_marking, settings.theme.chart_style(),
                            paper.period)
    return dataclasses.replace(context, date=meeting_date(paper))


def pack_fields(paper: PaperProject, assessments: list[Assessment], charts: dict[str, Chart],
                 when: dt.datetime, document: PaperDocument) -> PackContext:
    """The pack's fields beside the paper's: the whole pack when the document holds it."""
    settings = paper.settings
    config = paper.paper.config
    header = config.header or f"{settings.config.organisation} · {config.committee}"
    css = pdf_css(marked(paper, document), (PAPER_SHEET,), document.page_prefix, header) + \
        header_date_css(paper)
    if document.exempt_paragraph is not None:  # the longer marking is given room on one line
        css += PART_TWO_MARKING_CSS
    if paper.project is not None and holds_pack(paper, document):
        return pack_context(settings.config, paper.project.data, assessments, charts, css,
                            when.isoformat(), "pdf", theme_logo(settings))
    return document_context(settings.config, paper.period,
                            paper.project.data if paper.project else None, css,
                            when.isoformat(), "pdf", theme_logo(settings))


def marked(paper: PaperProject, document: PaperDocument) -> Settings:
    """A Part II document carries its exempt marking on every page instead of the paper's."""
    settings = paper.settings
    if document.exempt_paragraph is None:
        return settings
    marking = exempt_marking(paper.paper.config.exempt_marking, document.exempt_paragraph)
    return replace(settings, config=replace(settings.config, protective_marking=marking))
