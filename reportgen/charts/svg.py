"""A matplotlib Figure → inline SVG for the HTML edition: titled, described, with unique ids."""

from __future__ import annotations

import io
import re

import matplotlib
from markupsafe import Markup, escape
from matplotlib.figure import Figure

from reportgen.charts.draw import glyphs_unwarned

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")


def figure_svg(figure: Figure, prefix: str, title: str, description: str) -> Markup:
    """Inline SVG with <title> and <desc> read by screen readers; ids prefixed so that many
    charts can share one page; byte-stable (fixed hash salt, no date)."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "reportgen", "svg.fonttype": "path"}):
        with glyphs_unwarned():
            figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = _COMMENT.sub("", svg[svg.index("<svg"):])
    for ident in sorted(set(_ID.findall(svg)), key=len, reverse=True):
        svg = svg.replace(f'id="{ident}"', f'id="{prefix}-{ident}"')
        svg = svg.replace(f"#{ident})", f"#{prefix}-{ident})")
        svg = svg.replace(f'href="#{ident}"', f'href="#{prefix}-{ident}"')
    opening = _SVG_OPEN.search(svg)
    assert opening is not None
    tag = opening.group(0)
    tag = re.sub(r'\s(width|height)="[^"]*"', "", tag)  # sized by CSS, keeps its viewBox
    labelled = tag[:-1] + (f' role="img" aria-labelledby="{prefix}-title {prefix}-desc"'
                           f' class="chart-svg">')
    header = (f'<title id="{prefix}-title">{escape(title)}</title>'
              f'<desc id="{prefix}-desc">{escape(description)}</desc>')
    return Markup(svg[:opening.start()] + labelled + header + svg[opening.end():])
