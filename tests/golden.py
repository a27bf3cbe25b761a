"""Golden HTML: the sample pack and the sample scrutiny paper, each in both editions, as the
templates render them, compared in `make test` and written anew by `make golden`
(python -m tests.golden).

Charts are stand-ins (their alt text, no picture) and embedded pictures and machine paths are
replaced by placeholders, so a golden file changes when a template or the context changes, not
when matplotlib draws a pixel differently.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SAMPLE = REPO / "sample_data"
PAPER = REPO / "sample_papers" / "nelc-scrutiny"
EPOCH = "1700000000"


def rendered() -> dict[str, str]:
    """File name → the HTML the templates give today."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        pages = {**_pack(), **_paper()}
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return {name: normalised(html) for name, html in pages.items()}


def _pack() -> dict[str, str]:
    from reportgen.assess import assess
    from reportgen.builds import build_time
    from reportgen.load.project import load_project
    from reportgen.pipeline import (
        pdf_context,
        stand_in_charts,
        stand_in_table_charts,
        theme_logo,
        with_free_pages,
    )
    from reportgen.render.context import pack_context
    from reportgen.render.templates import render_pack

    project = load_project(SAMPLE)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    when = build_time(project.config, project.period)
    charts = stand_in_charts(project)
    tables = stand_in_table_charts(project)
    web = with_free_pages(project, pack_context(
        project.config, project.data, assessments, charts, project.theme.css("html"),
        when.isoformat(), "html", theme_logo(project.settings)), tables)
    pdf = with_free_pages(project, pdf_context(project, assessments, charts, when), tables)
    return {"sample-pack.html": render_pack(pdf, SAMPLE),
            "sample-pack-web.html": render_pack(web, SAMPLE)}


def _paper() -> dict[str, str]:
    from reportgen.assess import assess
    from reportgen.builds import build_time
    from reportgen.papers import extension as papers
    from reportgen.papers.context import paper_documents
    from reportgen.papers.html import render_paper_html
    from reportgen.papers.project import load_paper_project
    from reportgen.papers.render import render_paper
    from reportgen.pipeline import stand_in_charts

    paper = load_paper_project(PAPER)
    assert paper.project is not None
    assessments = assess(paper.project.data, paper.project.period,
                         paper.settings.config.default_tolerance)
    when = build_time(paper.settings.config, paper.period)
    charts = stand_in_charts(paper.project)
    pages = {}
    for document in paper_documents(paper.paper):
        pack = papers.pack_fields(paper, assessments, charts, when, document)
        html = render_paper(pack, papers.paper_fields(paper, document), PAPER)
        pages[f"nelc-scrutiny{document.suffix}.html"] = html
        web = render_paper_html(paper, assessments, charts, when, document)
        pages[f"nelc-scrutiny{document.suffix}-web.html"] = web
    return pages


def normalised(html: str) -> str:
    from reportgen.theme import bundled_fonts_dir

    html = html.replace(bundled_fonts_dir().as_uri(), "file:///BUNDLED-FONTS")
    return re.sub(r"data:image/(png|svg\+xml);base64,[A-Za-z0-9+/=]+", r"data:image/\1;base64,…",
                  html)


def write() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for name, html in rendered().items():
        (GOLDEN / name).write_text(html, encoding="utf-8")
        print(f"wrote {GOLDEN / name}")  # noqa: T201 (a command's report)


if __name__ == "__main__":
    sys.exit(write())
