"""Commentary text and front-sheet field values → safe HTML: paragraphs, lists, bold and italics;
never raw HTML or links."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline, emphasis
from markupsafe import Markup


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    # html=False escapes any tag; links and images are off so text never becomes a URL, and
    # headings are off so commentary cannot break the document outline.
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False})
    renderer.disable(["link", "image", "autolink", "html_inline", "html_block", "heading",
                      "lheading", "reference", "code", "fence", "hr"])
    renderer.inline.ruler.at("emphasis", _star_emphasis)
    return renderer


def _star_emphasis(state: StateInline, silent: bool) -> bool:
    """Bold and italics by * only; an underscore is always shown as typed. CommonMark keeps
    snake_case literal, but makes '{{ x.__class__ }}' bold and '_x_' italic."""
    return state.src[state.pos] != "_" and emphasis.tokenize(state, silent)


def render_commentary(text: str) -> Markup:
    """Markdown from a manager → HTML produced by the renderer alone, so it is safe to embed."""
    return Markup(_renderer().render(text)) if text.strip() else Markup("")


def render_field(text: str) -> Markup:
    """One value of a committee paper's front sheet → inline HTML: bold and italics, and each
    line break kept (a two-line "Corporate Director(s)"); raw HTML and links are shown as typed.
    """
    renderer = _renderer()
    tokens = renderer.parseInline(text.strip())
    children = tokens[0].children or [] if tokens else []
    for token in children:
        if token.type == "softbreak":
            token.type = "hardbreak"
    html = renderer.renderer.renderInline(children, renderer.options, {})  # type: ignore[attr-defined]
    return Markup(html)
