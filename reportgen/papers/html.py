"""The paper's documents → its HTML edition: the cover and appendices as accessible web pages.

One self-contained file per document (the whole paper, or with documents = "separate" the cover
and each appendix), as the pack's HTML edition is: inline SVG charts for the pack, images of the
paper's folder as data: URIs (papers/images.py), the theme's fonts named, never fetched.
"""

from __future__ import annotations

import datetime as dt

from reportgen.assess import Assessment
from reportgen.builds import BuildOptions, Output, output_path
from reportgen.charts.stage import draw_svg_charts
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.log import stage
from reportgen.papers.context import PaperDocument, paper_documents
from reportgen.papers.meeting import paper_label
from reportgen.papers.project import PaperProject
from reportgen.pipeline import theme_logo
from reportgen.problems import Problem
from reportgen.publish.cache import CACHE_FOLDER
from reportgen.render.context import Chart, PackContext, document_context, pack_context
from reportgen.render.templates import render_template, template_fields

PAPER_WEB_TEMPLATE = "paper_web.html.j2"
PAPER_WEB_SHEETS = ("paper.css", "paper-web.css")


def paper_html(paper: PaperProject, assessments: list[Assessment], when: dt.datetime,
               options: BuildOptions, timings: dict[str, float]) -> list[Output]:
    """Each document of the paper as a web page."""
    from reportgen.papers.extension import appendix_of, holds_pack

    documents = public_documents(paper, appendix_of(options))
    with stage("html", timings):
        charts: dict[str, Chart] = {}
        if paper.project is not None and any(holds_pack(paper, d) for d in documents):
            project = paper.project
            charts = draw_svg_charts(project.data, assessments, project.config,
                                     project.theme.chart_style(),
                                     options.output_dir / CACHE_FOLDER)
        return [_output(paper, document, render_paper_html(paper, assessments, charts, when,
                                                            document), options)
                for document in documents]


def public_documents(paper: PaperProject, only_appendix: int | None) -> list[PaperDocument]:
    """The documents a web page may be made of: a Part II document is never published, so it
    has no HTML edition (its PDF is built for the meeting's private papers)."""
    documents = paper_documents(paper.paper, only_appendix)
    exempt = [d for d in documents if d.exempt_paragraph is not None]
    if only_appendix is not None and exempt:
        appendix = paper.paper.config.appendices[only_appendix - 1]
        raise InvalidInput([Problem(CONFIG_FILE, (
            f"Appendix {appendix.reference} is exempt information (Schedule 12A paragraph "
            f"{appendix.exempt_paragraph}): it has no HTML edition, which would be published; "
            f"build its PDF, a Part II document (--format pdf)"))])
    return [d for d in documents if d.exempt_paragraph is None]


def render_paper_html(paper: PaperProject, assessments: list[Assessment],
                      charts: dict[str, Chart], when: dt.datetime, document: PaperDocument
                      ) -> str:
    """One document's web page (validate renders it too, with stand-in charts)."""
    from reportgen.papers.extension import holds_pack, paper_fields

    pack = _pack_fields(paper, assessments, charts, when, holds_pack(paper, document))
    return render_template(PAPER_WEB_TEMPLATE, {**template_fields(pack),
                                                "paper": paper_fields(paper, document)},
                           paper.settings.root)


def _pack_fields(paper: PaperProject, assessments: list[Assessment], charts: dict[str, Chart],
                 when: dt.datetime, with_pack: bool) -> PackContext:
    settings = paper.settings
    css = settings.theme.css("html", PAPER_WEB_SHEETS)
    if paper.project is not None and with_pack:
        return pack_context(settings.config, paper.project.data, assessments, charts, css,
                            when.isoformat(), "html", theme_logo(settings))
    return document_context(settings.config, paper.period,
                            paper.project.data if paper.project else None, css,
                            when.isoformat(), "html", theme_logo(settings))


def _output(paper: PaperProject, document: PaperDocument, html: str, options: BuildOptions
            ) -> Output:
    suffix = document.suffix if document.suffix != "-cover" else ""
    path = output_path(paper.settings.config, paper_label(paper), options.output_dir,
                       f"{document.suffix}.html")
    return Output("html" + suffix, path, html.encode("utf-8"), publication=document.publication)
