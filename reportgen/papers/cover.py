"""The cover report's Markdown → HTML numbered in the committee style (1. BACKGROUND, 1.1, 1.2 …).

The Markdown is the clerk's: headings, paragraphs, lists, emphasis, tables and images of the
paper's folder (papers/images.py). Raw HTML is refused (it would fetch or inject); links are kept
only for https: and mailto:.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

from reportgen.papers.images import embed_images, parsed_address

MAX_DEPTH = 5  # 1., 1.1 … 1.1.1.1.1: deeper headings are numbered as the fifth level


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    renderer.disable(["html_inline", "html_block"])
    # Images of the paper's folder (papers/images.py embeds them); links https: and mailto:.
    renderer.validateLink = parsed_address  # type: ignore[method-assign]
    return renderer


class Numbering:
    """Section and paragraph numbers, continued across the Markdown files of one paper."""

    def __init__(self) -> None:
        self.path: tuple[int, ...] = ()  # the current heading's number, e.g. (5, 1)
        self.used: dict[tuple[int, ...], int] = defaultdict(int)

    def heading(self, depth: int) -> str:
        """The next heading number at depth 1..MAX_DEPTH: '2.', '2.1', '2.1.1'."""
        depth = min(depth, MAX_DEPTH)
        parent = (self.path + (1,) * depth)[: depth - 1]  # a ## before any # still numbers
        self.used[parent] += 1
        self.path = parent + (self.used[parent],)
        return _label(self.path)

    def paragraph(self) -> str:
        """The next paragraph number under the current heading, or '' before any heading."""
        if not self.path:
            return ""
        self.used[self.path] += 1
        return _label(self.path + (self.used[self.path],))


def _label(numbers: tuple[int, ...]) -> str:
    text = ".".join(str(n) for n in numbers)
    return text + "." if len(numbers) == 1 else text


@dataclass(frozen=True)
class Heading:
    """A top-level heading of the cover report, for the contents."""

    anchor: str
    text: str  # with its number: "1. BACKGROUND AND ISSUES"


def render_section(text: str, numbering: Numbering | None, anchor_prefix: str = "section",
                   headings: list[Heading] | None = None, under_heading: bool = False,
                   number_paragraphs: bool = True,
                   images: Mapping[str, str] | None = None) -> Markup:
    """One Markdown file → HTML; numbered when a Numbering is given (the body of the report).

    Headings move down one level (# → h2): the paper's own title is the document's h1; under a
    heading of the front sheet's own (under_heading), one more (# → h3, numbered 1.1).
    Top-level headings get an id and are added to `headings`, for the contents.
    """
    renderer = _renderer()
    tokens = renderer.parse(text)
    embed_images(tokens, images or {})
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            depth = int(token.tag[1]) + under_heading
            token.tag = f"h{min(depth + 1, 6)}"
            if token.type != "heading_open":
                continue
            number = numbering.heading(depth) if numbering is not None else ""
            if number:
                token.attrJoin("class", f"numbered level-{min(depth, MAX_DEPTH)} {_hang(number)}")
                _prefix(tokens[index + 1], number)
            if depth == 1 and headings is not None:
                anchor = f"{anchor_prefix}-{len(headings) + 1}"
                token.attrSet("id", anchor)
                words = "".join(child.content for child in tokens[index + 1].children or []
                                if child.type in ("text", "code_inline"))
                label = f"{number} {words}".strip()
                headings.append(Heading(anchor, label))
        elif token.type == "paragraph_open" and token.level == 0 and numbering is not None \
                and number_paragraphs:
            number = numbering.paragraph()
            if number:
                token.attrJoin("class", f"numbered {_hang(number)}")
                _prefix(tokens[index + 1], number)
        elif token.type == "table_open":
            token.attrJoin("class", "paper-table")
    return Markup(renderer.renderer.render(tokens, renderer.options, {}))


def _hang(number: str) -> str:
    """The class that makes room for a number of this many parts ('1.3.3.2': hang-4), so that
    deep numbers never run into their text."""
    return f"hang-{min(len(number.rstrip('.').split('.')), MAX_DEPTH + 1)}"


def _prefix(inline: Token, number: str) -> None:
    """Put the number in front of a heading's or paragraph's text, as text of the document."""
    marker = Token("html_inline", "", 0)
    marker.content = f'<span class="number">{number}</span> '  # digits and dots, ours
    inline.children = [marker, *(inline.children or [])]
