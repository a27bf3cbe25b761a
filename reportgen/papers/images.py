"""Images in the paper's Markdown (`![alt](diagram.png)`) → checked files embedded as data: URIs.

Only files of the paper's own folder, read through the safe fetcher (confined to that folder,
size and pixel limits), of PNG, JPEG or SVG; each needs alt text. A page then carries the image
itself, never a path or an address: the PDF writer and a browser fetch nothing.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token

from reportgen.images import image_complaint
from reportgen.papers.sources import PaperSources
from reportgen.problems import Problem, Problems, shown
from reportgen.resources import data_uri

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}
MAX_IMAGE_BYTES = 5_000_000
RASTER_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


@lru_cache(maxsize=1)
def _every_image() -> MarkdownIt:
    """A parser that keeps every image, whatever its address, so that each is checked."""
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def with_images(root: Path, sources: PaperSources, problems: Problems) -> PaperSources:
    """The sources with their images checked and embedded (papers/images.py)."""
    images = paper_images(root, sources, problems)
    files = [root / unquote(src) for src in images]
    return dataclasses.replace(sources, images=images, files=[*sources.files, *files])


def paper_images(root: Path, sources: PaperSources, problems: Problems) -> dict[str, str]:
    """Every image the paper's Markdown shows: its address as written → a data: URI. Each
    missing, outside, remote, oversized or unreadable image, or one without alt text, is an
    error naming the file and line."""
    config = sources.config
    texts = [*((section.source_name, text) for section, text
               in zip(config.cover_sections, sources.cover, strict=True)),
             *((config.appendices[n - 1].text, t) for n, t in sorted(
                 sources.appendix_texts.items()))]
    embedded: dict[str, str] = {}
    for name, text in texts:
        for line, src, alt in _images(text):
            problem = _alt_problem(src, alt) or (None if src in embedded else
                                                  _embed(root, src, embedded))
            if problem:
                problems.items.append(Problem(name, problem, line=line))
    return embedded


def _images(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, address, alt text) of each image in a Markdown text, in order."""
    for block in _every_image().parse(text):
        if block.type != "inline" or not block.children:
            continue
        starts = [m.start() for m in re.finditer(r"(?<!\\)!\[", block.content)]
        images = [t for t in block.children if t.type == "image"]
        for index, image in enumerate(images):
            offset = starts[index] if index < len(starts) else 0
            line = (block.map[0] if block.map else 0) + block.content.count("\n", 0, offset) + 1
            yield line, str(image.attrGet("src") or ""), image.content


def _alt_problem(src: str, alt: str) -> str | None:
    if alt.strip():
        return None
    return (f"the image {shown(src)} has no alt text: say what it shows, as in "
            f"![What the diagram shows]({src})")


def _embed(root: Path, src: str, embedded: dict[str, str]) -> str | None:
    """Read the image through the safe fetcher into `embedded`; else why it cannot be."""
    from reportgen.layout.fetcher import RefusedFetch, SafeURLFetcher

    if SCHEME.match(src):
        return (f"the image {shown(src)} is not a file of the paper: only images in the "
                f"paper's folder are shown, never an address on the network or elsewhere")
    path = (root / unquote(src)).resolve()
    if src.startswith("/") or not path.is_relative_to(root.resolve()):
        return f"the image {shown(src)} is outside the paper's folder; put it in the folder"
    suffix = path.suffix.lower()
    if suffix not in IMAGE_TYPES:
        return f"the image {shown(src)} is not a PNG, JPEG or SVG file (.png, .jpg, .svg)"
    if not path.is_file():
        return f"the image {shown(src)}: no such file in the paper's folder"
    fetcher = SafeURLFetcher([root], max_fetches=1, max_bytes=MAX_IMAGE_BYTES)
    try:
        content = fetcher.fetch(path.as_uri()).read()
    except RefusedFetch as error:
        return f"the image {shown(src)} cannot be used: {str(error).rsplit(': ', 1)[-1]}"
    complaint = image_complaint(content, suffix) or _format_complaint(content, suffix) or \
        _svg_complaint(content, suffix)
    if complaint:
        return f"the image {shown(src)} cannot be used: {complaint}"
    embedded[src] = data_uri(content, IMAGE_TYPES[suffix])
    return None


SVG_REFERENCE = re.compile(rb"""(?:href\s*=\s*["']|url\(\s*["']?|@import\s+["']?)([^"')\s]*)""",
                           re.IGNORECASE)


def _svg_complaint(content: bytes, suffix: str) -> str | None:
    """An SVG must be self-contained: a reference to another file or an address would be
    fetched when the page is laid out (and refused there, far from the Markdown's line)."""
    if suffix != ".svg":
        return None
    for match in SVG_REFERENCE.finditer(content):
        target = match[1].decode("utf-8", "replace")
        if not target.startswith(("#", "data:")):
            return (f"the SVG refers to {shown(target)}; an image in a paper must be "
                    f"self-contained (no other files or addresses)")
    return None


def _format_complaint(content: bytes, suffix: str) -> str | None:
    """A PNG named .jpg is refused: the embedded image says what it is."""
    if suffix not in RASTER_FORMATS:
        return None
    import io

    from PIL import Image

    with Image.open(io.BytesIO(content)) as image:
        found = image.format
    expected = RASTER_FORMATS[suffix]
    return None if found == expected else f"the file is a {found} image, not {expected}"


def embed_images(tokens: list[Token], images: Mapping[str, str]) -> None:
    """In a parsed Markdown text: each image's address becomes its data: URI (an image not
    checked is shown as its alt text), an image alone in its paragraph becomes a figure
    (unnumbered), and a link to anything but https: or mailto: is shown as its text."""
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        token.children = [*_safe_children(token.children, images)]
        if _image_alone(token) and 0 < index < len(tokens) - 1:
            for edge, kind in ((tokens[index - 1], "figure_open"),
                               (tokens[index + 1], "figure_close")):
                if edge.type.startswith("paragraph_"):
                    edge.type, edge.tag = kind, "figure"
            tokens[index - 1].attrJoin("class", "paper-figure")
            token.children = [*token.children, *_caption(token.children)]


def _caption(children: list[Token]) -> list[Token]:
    """A figure's visible caption, from the image's Markdown title: ![alt](file.png "Figure 1:
    …"). Text only: the renderer escapes it."""
    image = next((c for c in children if c.type == "image"), None)
    title = str(image.attrGet("title") or "").strip() if image else ""
    if not title or image is None:
        return []
    image.attrs.pop("title", None)  # said once, under the figure, not again as a tooltip
    text = Token("text", "", 0)
    text.content = title
    return [Token("figcaption_open", "figcaption", 1), text,
            Token("figcaption_close", "figcaption", -1)]


def _safe_children(children: list[Token], images: Mapping[str, str]) -> Iterator[Token]:
    kept: list[bool] = []  # for each open link: whether it was kept, so its close matches
    for child in children:
        if child.type == "image":
            yield _embedded(child, images)
        elif child.type == "link_open":
            kept.append(safe_address(str(child.attrGet("href") or "")))
            if kept[-1]:
                yield child
        elif child.type == "link_close":
            if kept.pop() if kept else False:
                yield child
        else:
            yield child


def _embedded(image: Token, images: Mapping[str, str]) -> Token:
    src = str(image.attrGet("src") or "")
    if src in images:
        image.attrSet("src", images[src])
        for child in image.children or []:  # alt text written over lines is one line
            if child.type in ("softbreak", "hardbreak"):
                child.type, child.content = "text", " "
        image.attrJoin("class", "paper-image")
        return image
    text = Token("text", "", 0)
    text.content = image.content
    return text


def safe_address(url: str) -> bool:
    """A link the paper keeps: https: and mailto: only."""
    return url.lower().startswith(("https://", "mailto:"))


def parsed_address(url: str) -> bool:
    """What the paper's parser accepts as an address: a safe link, or a relative path (an
    image of the paper's folder; a relative link is then shown as its text)."""
    return safe_address(url) or not SCHEME.match(url)


def _image_alone(inline: Token) -> bool:
    kinds = [c.type for c in inline.children or [] if not (c.type == "text" and
                                                           not c.content.strip())]
    return kinds == ["image"]
