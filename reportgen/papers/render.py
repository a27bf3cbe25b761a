"""A paper document's context → HTML, through the core's template environment."""

from __future__ import annotations

from pathlib import Path

from reportgen.papers.context import PaperContext
from reportgen.render.context import PackContext
from reportgen.render.templates import render_template, template_fields

PAPER_TEMPLATE = "paper.html.j2"


def render_paper(pack: PackContext, paper: PaperContext, project: Path | None) -> str:
    """A committee paper document: the pack's fields, and `paper` for the cover and appendices."""
    return render_template(PAPER_TEMPLATE, {**template_fields(pack), "paper": paper}, project)
