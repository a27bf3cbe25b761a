"""The pack laid out in parts, a title page and one or more per priority, on several cores, and
joined.

WeasyPrint lays out a document on one core (~100 ms a page: SPEC "Measured facts"). Each
priority starts on a new page and its layout does not depend on the others', so each is laid
out as a document of its own in a worker process, and join.py joins the PDFs. A priority of more
than MAX_PART_PAGES measure pages is laid out as its summary (with light stand-ins for its
pages, the summary's link targets: _stand_ins_css), then its pages in runs of that many (each
measure page starts a page too), so that a layout worker's memory is bounded by the part, never
by the pack (5,000 measures in 8 priorities are 600-page priorities), and an edit to a page lays
out its run alone. What crosses parts is made right:
- "Page X of Y": a part's first priority page sets the page counter to its place in the whole
  pack, and `counter(pages)` in the stylesheet becomes the pack's page count;
- the running header and the title page's `@page :first`: every part starts with the title
  page, as the pack does, and leaves its pages out of the PDF it writes;
- the contents' page numbers and links: the first part holds the title page and stand-ins for
  the priorities on pages numbered where they will be (only the title page is kept).
Page counts are predicted (the last build's, else the summary's pages from its rows and a page
per measure page) and checked after layout; a wrong prediction lays the parts out again with
the counts found.
Laid-out parts are cached by their HTML, so a rebuild lays out only the priorities that changed.
Stylesheets or templates this cannot split faithfully (named or left/right pages, links between
priorities) get the one-document layout instead.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import tinycss2
from markupsafe import Markup

from reportgen import __version__
from reportgen.errors import OutputNotWritable
from reportgen.layout.furniture import css_string
from reportgen.layout.join import PartPdf, join_parts, join_parts_to_bytes
from reportgen.layout.pdf import RenderedPdf, lay_out_in_children, lay_out_pdf
from reportgen.layout.sizes import refuse_absurd_sizes
from reportgen.log import LOGGER, stage
from reportgen.publish.cache import KeyedCache, json_object
from reportgen.publish.spool import Body, Spooled, bytes_of
from reportgen.render.context import MeasurePage, PackContext, PrioritySection
from reportgen.render.pack_pages import TablePage

PARTS_FOLDER = "parts"  # in the output folder's cache
RECORD_KEY = "layout"  # the page counts the last build found, among the parts' facts
LAYOUT_RECORD = RECORD_KEY + ".json"
MAX_PAGES = 100_000  # more than any pack has: a larger count in the cache is damage
ROUNDS = 3  # predictions tried before falling back to one document
MAX_PART_PAGES = 24  # measure pages laid out in one part: ~60 MB of a worker's memory
MIN_PAGES = 12  # smaller packs are laid out faster as one document than started and joined
# Summary rows on a priority's first page and on each page after, measured on the default
# theme's A4 pages with one-line rows (benchmarks/synthetic.py's): longer titles or other themes
# fit fewer, and a wrong guess costs a second layout, never a wrong page.
SUMMARY_ROWS_FIRST_PAGE = 30
SUMMARY_ROWS_NEXT_PAGES = 33
# Links whose target's page number parts print right: the contents' (the front part numbers
# its stand-ins for the priorities) and a summary's table pages' (_stand_ins_css). Any other
# target-counter() could point at a measure page, whose stand-in is folded away in a summary.
TARGET_COUNTERS = {"target-counter", "target-counters"}
NUMBERED_LINKS = {".contents a::after", ".section-tables a::after"}
PAGE_COUNT = re.compile(r"counter\(\s*pages\s*(?:,\s*decimal\s*)?\)", re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """What one part after the title page lays out: a priority with its pages, a long
    priority's summary (its pages as stand-ins), or a run of its pages (laid out after a
    heading that is not written)."""

    section: PrioritySection
    anchor: str  # the element the part is written from
    continues: bool  # a run of the priority's pages after its summary
    until: str | None = None  # the element before whose page the part's pages end: the first
    #   stand-in for the priority's pages, there so the summary's links have somewhere to go
    stand_ins: int = 0  # how many of section.pages are such stand-ins (never written)


@dataclass(frozen=True)
class PageCounts:
    """Pages before the first priority (the title page and any introduction), and of each
    part after it."""

    front: int
    parts: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.front + sum(self.parts)

    def first_pages(self) -> list[int]:
        """The page number (from 1) each part starts on."""
        starts, page = [], self.front + 1
        for pages in self.parts:
            starts.append(page)
            page += pages
        return starts


def parts_of(priorities: tuple[PrioritySection, ...], most: int | None = None) -> list[Part]:
    """Each priority as one part, or, when it has more than `most` measure pages (default
    MAX_PART_PAGES), its summary as a part of its own (with stand-ins for all its pages, the
    summary's link targets) and its pages in runs of at most `most`: an edit to a page's
    commentary then lays out its run alone, never the summary."""
    most = most or MAX_PART_PAGES
    parts = []
    for priority in priorities:
        if len(priority.pages) <= most:
            parts.append(Part(priority, priority.anchor, continues=False))
            continue
        stand_ins = tuple(_stand_in_page(page) for page in priority.pages)
        parts.append(Part(dataclasses.replace(priority, pages=stand_ins), priority.anchor,
                          continues=False, until=stand_ins[0].anchor, stand_ins=len(stand_ins)))
        parts += [Part(dataclasses.replace(priority, rows=(), pages=priority.pages[i:i + most]),
                       priority.pages[i].anchor, continues=True)
                  for i in range(0, len(priority.pages), most)]
    return parts


def lay_out_in_parts(context: PackContext, render: Callable[[PackContext], str],
                     base_folder: Path, asset_folders: list[Path], cache_dir: Path | None,
                     jobs: int, timings: dict[str, float], part_pages: int | None = None
                     ) -> RenderedPdf | None:
    """The pack's PDF laid out in parts by `jobs` processes; None when it cannot or need not
    be split (the caller lays it out as one document). Whether it is split depends on the pack
    alone, never on `jobs`, so that the same inputs give the same bytes on any machine.
    part_pages: the most measure pages a part lays out (default MAX_PART_PAGES)."""
    priorities = context.priorities
    parts = parts_of(priorities, part_pages)
    reason = _unsplittable(context, parts)
    if reason:
        LOGGER.debug("laying the pack out as one document: %s", reason)
        return None
    caches = _caches(cache_dir)
    record = _read_record(caches)
    # the title page, and a page of introduction (a guess, as the priorities' are)
    front = 1 + (context.introduction is not None)
    counts = PageCounts(record.get("front", front), tuple(
        record.get(part.anchor, _estimated_pages(part)) for part in parts))
    for _ in range(ROUNDS):
        with stage("render", timings):
            htmls = [_part_html(context, parts, index, counts, render)
                     for index in range(len(parts) + 1)]
        reason = next(filter(None, (_unsplittable_html(html, anchors) for (html, *_), anchors
                                    in zip(htmls, _anchors_needed(priorities, parts),
                                           strict=True))), "")
        if reason:
            LOGGER.debug("laying the pack out as one document: %s", reason)
            return None
        with stage("layout", timings):
            rendered = _lay_out_all(htmls, base_folder, asset_folders, caches, jobs)
        found = _counts_found([part for _, part in rendered], priorities)
        if found == counts:
            _write_record(caches, found, parts)
            ranges = [(0, counts.front)] + [(0, part.pages) for _, part in rendered[1:]]
            anchors = _joined_anchors(rendered, ranges)
            reason = _misnumbered_stand_ins(priorities, parts, anchors)
            if reason:  # found before joining what would be thrown away
                LOGGER.debug("laying the pack out as one document: %s", reason)
                return None
            with stage("join", timings):
                pdf = _joined(rendered, ranges, parts, caches)
            if pdf is None:
                LOGGER.debug("laying the pack out as one document: a part's cached PDF "
                             "changed before it was joined")
                return None
            return RenderedPdf(pdf, counts.total, anchors)
        counts = found
    LOGGER.debug("laying the pack out as one document: the page counts did not settle")
    return None


def _unsplittable(context: PackContext, parts: list[Part]) -> str:
    if len(parts) < 2:
        return "one part"
    if sum(map(_estimated_pages, parts)) < MIN_PAGES:
        return "a short pack"
    return _unsplittable_css(str(context.theme_css))


def _estimated_pages(part: Part) -> int:
    """The summary's pages (a first run's), and a page per measure page of its own (the pack's
    layout keeps each to one)."""
    summary = 0 if part.continues else _summary_pages(len(part.section.rows))
    return summary + len(part.section.pages) - part.stand_ins


def _summary_pages(rows: int) -> int:
    """A priority with hundreds of measures has a summary of several pages."""
    beyond_first = max(0, rows - SUMMARY_ROWS_FIRST_PAGE)
    return 1 + math.ceil(beyond_first / SUMMARY_ROWS_NEXT_PAGES)


def _unsplittable_css(css: str) -> str:
    """Why the stylesheet needs the pack as one document, or "" when parts are faithful."""
    functions = list(_page_count_functions(tinycss2.parse_component_value_list(css)))
    if any(not PAGE_COUNT.fullmatch(text) for text in functions) or \
            len(PAGE_COUNT.findall(css)) != len(functions):
        return "the stylesheet counts pages in a way parts cannot copy"
    return _unsplittable_rules(tinycss2.parse_stylesheet(css, skip_comments=True,
                                                         skip_whitespace=True))


def _page_count_functions(nodes) -> list[str]:
    """The text of every counter(pages …) function in the stylesheet."""
    found: list[str] = []
    for node in nodes:
        if node.type == "function":
            arguments = [a for a in node.arguments if a.type not in ("whitespace", "comment")]
            if node.lower_name == "counter" and arguments and \
                    getattr(arguments[0], "lower_value", "") == "pages":
                found.append(node.serialize())
            found += _page_count_functions(node.arguments)
        elif node.type in ("() block", "[] block", "{} block"):
            found += _page_count_functions(node.content)
    return found


def _unsplittable_rules(rules) -> str:
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "page":
            if _named_or_sided(rule.prelude):
                return f"the stylesheet has @page{tinycss2.serialize(rule.prelude)}"
        elif rule.type == "at-rule" and rule.content is not None and \
                rule.lower_at_keyword in ("media", "supports", "layer"):
            reason = _unsplittable_rules(tinycss2.parse_rule_list(
                rule.content, skip_comments=True, skip_whitespace=True))
            if reason:
                return reason
        elif rule.type == "qualified-rule":
            for declaration in tinycss2.parse_declaration_list(rule.content, skip_comments=True,
                                                               skip_whitespace=True):
                if declaration.type == "declaration" and declaration.lower_name == "page":
                    return "the stylesheet names pages (`page:`)"
                if declaration.type == "declaration" and \
                        TARGET_COUNTERS & set(_function_names(declaration.value)) and \
                        _selector(rule.prelude) not in NUMBERED_LINKS:
                    return (f"the stylesheet numbers the pages links lead to "
                            f"({_selector(rule.prelude)})")
    return ""


def _function_names(nodes) -> Iterator[str]:
    for node in nodes:
        if node.type == "function":
            yield node.lower_name
            yield from _function_names(node.arguments)
        elif node.type in ("() block", "[] block", "{} block"):
            yield from _function_names(node.content)


def _selector(prelude) -> str:
    return " ".join(tinycss2.serialize(prelude).split())


def _named_or_sided(prelude) -> bool:
    """Anything but `@page` and `@page :first`: named, :left/:right, :blank, :nth() pages."""
    tokens = [t for t in prelude if t.type not in ("whitespace", "comment")]
    for before, token in zip([None, *tokens], tokens, strict=False):
        pseudo = before is not None and before.type == "literal" and before.value == ":"
        if token.type == "ident" and not (pseudo and token.lower_value == "first"):
            return True
        if token.type not in ("ident", "literal") or \
                (token.type == "literal" and token.value != ":"):
            return True
    return False


def _misnumbered_stand_ins(priorities: tuple[PrioritySection, ...], parts: list[Part],
                           pages: dict[str, int]) -> str:
    """A summary laid out with stand-ins (a page each) numbers the table pages it lists as if
    every page before them were one page long: where one ran on, those numbers would be wrong."""
    split = {part.section.anchor for part in parts if part.stand_ins}
    for priority in (p for p in priorities if p.anchor in split):
        starts = [pages.get(page.anchor) for page in priority.pages]
        ran_on = False  # has a page so far taken other than one page?
        for page, start, following in zip(priority.pages, starts, [*starts[1:], None],
                                          strict=True):
            if ran_on and isinstance(page, TablePage):
                return (f"a page before {page.anchor} runs on, so the summary's page number "
                        f"for it would be wrong")
            ran_on = ran_on or start is None or following is None or following - start != 1
    return ""


def _anchors_needed(priorities: tuple[PrioritySection, ...], parts: list[Part]
                    ) -> list[list[str]]:
    """The ids each part's layout is measured by: every priority's in the title-page part (its
    stand-ins), the part's own in the others."""
    return [[p.anchor for p in priorities]] + [[part.anchor] for part in parts]


def _unsplittable_html(html: str, anchors: list[str]) -> str:
    ids = set(re.findall(r'\bid="([^"]*)"', html))
    if not set(anchors) <= ids:
        return "the templates give a priority section no id"
    if PAGE_COUNT.search(html) or re.search(r"<link\b[^>]*stylesheet", html, re.IGNORECASE):
        return "the templates bring a stylesheet of their own"
    missing = set(re.findall(r'\bhref="#([^"]*)"', html)) - ids
    if missing:
        return f"a link crosses priorities (to #{sorted(missing)[0]})"
    return ""


def _part_html(context: PackContext, parts: list[Part], index: int, counts: PageCounts,
               render: Callable[[PackContext], str]) -> tuple[str, str | None, str | None]:
    """The part's HTML, the element from whose page on it is written (None: all), and the one
    before whose page its own pages end (None: the last page).

    Part 0: the title page, then stand-ins (a heading and an empty summary) for the priorities
    on pages numbered as they will be, for the contents (only the title page is kept). Part n:
    the title page (for the running header; not written) and part n's priority (for a later run
    of its pages, its heading and no summary, not written either) numbered from its place in
    the pack. An edit in one part so changes it alone, which alone is laid out again."""
    starts = counts.first_pages()
    if index == 0:
        shown = tuple(_stand_in(p) for p in context.priorities)
        first_part = {part.section.anchor: n for n, part in reversed(list(enumerate(parts)))}
        numbered = {p.anchor: starts[first_part[p.anchor]] for p in context.priorities}
        written_from = until = None
    else:
        part = parts[index - 1]
        shown, numbered = (part.section,), {part.anchor: starts[index - 1]}
        written_from, until = part.anchor, part.until
        # the introduction's pages are the first part's (front): not laid out again here
        context = dataclasses.replace(context, introduction=None)
    folded = ""
    if index and parts[index - 1].stand_ins:
        table_pages, folded = _stand_ins_css(parts, index - 1, starts)
        numbered |= table_pages
    css = PAGE_COUNT.sub(f'"{counts.total}"', str(context.theme_css)) + \
        _numbering_css(numbered) + folded
    html = render(dataclasses.replace(context, priorities=shown, theme_css=Markup(css)))
    return html, written_from, until


def _stand_ins_css(parts: list[Part], summary: int, starts: list[int]
                   ) -> tuple[dict[str, int], str]:
    """A summary part's stand-ins laid out light: a table page's on a page of its own numbered
    where the real one is predicted to start (the summary lists it with its page number), the
    others folded to nothing on one page after the first (link targets only), so that the
    part's layout does not grow with its priority's pages. Predicted: each page one page long
    (_misnumbered_stand_ins checks it)."""
    table_pages: dict[str, int] = {}
    folded = []
    for offset, run in enumerate(parts[summary + 1:], start=summary + 1):
        if not run.continues:
            break
        for position, page in enumerate(run.section.pages):
            if isinstance(page, TablePage):
                table_pages[page.anchor] = starts[offset] + position
            elif page.anchor != parts[summary].until:
                folded.append(f"[id={css_string(page.anchor)}]")
    if not folded:
        return table_pages, ""
    return table_pages, "\n" + ",\n".join(folded) + (
        " { break-before: auto !important; page-break-before: auto !important; "
        "height: 0 !important; min-height: 0 !important; overflow: hidden !important; "
        "margin: 0 !important; padding: 0 !important; border: 0 !important; }\n")


def _stand_in_page(page: MeasurePage | TablePage) -> MeasurePage | TablePage:
    """A page with its heading and id only: a link's target, never written."""
    if isinstance(page, TablePage):
        return dataclasses.replace(page, rows=(), chart=None, commentary=None,
                                   show_panels=False)
    return dataclasses.replace(page, targets=(), recent_rows=(), milestone_rows=(),
                               commentary=None, charts=(), author_notes=())


def _stand_in(priority: PrioritySection) -> PrioritySection:
    return dataclasses.replace(priority, rows=(), pages=())


def _numbering_css(first_pages: dict[str, int]) -> str:
    """Each section's first page numbered `first_pages[id]`; later pages count on from it."""
    rules = []
    for number, (anchor, page) in enumerate(first_pages.items()):
        name = f"reportgen-part-{number}"
        rules.append(f"[id={css_string(anchor)}] {{ page: {name}; }}\n"
                     f"@page {name}:nth(1 of {name}) {{ counter-set: page {page}; }}\n")
    return "\n" + "".join(rules)


def _counts_found(rendered: list[RenderedPdf], priorities: tuple[PrioritySection, ...]
                  ) -> PageCounts:
    front = rendered[0].anchor_pages[priorities[0].anchor]
    return PageCounts(front, tuple(part.pages for part in rendered[1:]))


def _joined(rendered: list[tuple[str, RenderedPdf]], ranges: list[tuple[int, int]],
            parts: list[Part], caches: PartCaches | None) -> Body | None:
    """The parts' kept pages (`ranges`) joined; each part's PDF is read from the cache as it is
    joined (it is held only when the cache could not keep it), and a pack's PDF is spooled to a
    file in the output folder: the join holds one part, never the pack. None: a cached part was
    lost meanwhile."""
    continues = [False] + [part.continues for part in parts]
    pdfs = [PartPdf(functools.partial(_part_pdf, caches, key, part), first, last, run_on)
            for (key, part), (first, last), run_on in zip(rendered, ranges, continues,
                                                         strict=True)]
    try:
        if caches is None:
            return join_parts_to_bytes(pdfs)
        content = Spooled(caches.folder.parent)
        join_parts(pdfs, content.file)
        content.file.flush()  # a full disk is found here, not when it is read
        return content
    except _PartLost:
        return None
    except OSError as error:
        raise OutputNotWritable(f"cannot write the joined PDF in the output folder: "
                                f"{error.strerror}") from None


def _joined_anchors(rendered: list[tuple[str, RenderedPdf]], ranges: list[tuple[int, int]]
                    ) -> dict[str, int]:
    """Each element's page in the joined file: where it first starts on a kept page."""
    anchors: dict[str, int] = {}
    offset = 0
    for (_, part), (first, last) in zip(rendered, ranges, strict=True):
        for name, page in part.anchor_pages.items():
            if first <= page < last:
                anchors.setdefault(name, offset + page - first)
        offset += last - first
    return anchors


class _PartLost(Exception):
    """A part's PDF is no longer in the cache as it was stored."""


def _part_pdf(caches: PartCaches | None, key: str, part: RenderedPdf) -> bytes:
    if part.content or caches is None:
        return bytes_of(part.content)
    content = caches.pdfs.get(key)
    if content is None:
        raise _PartLost(key)
    return content


# Laying out: from the cache, the rest in worker processes.

def _part_key(html: str, from_anchor: str | None, until: str | None) -> str:
    from weasyprint import __version__ as weasyprint_version

    payload = f"{__version__}\0{weasyprint_version}\0{from_anchor}\0{until}\0{html}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lay_out_all(htmls: list[tuple[str, str | None, str | None]], base_folder: Path,
                 asset_folders: list[Path], caches: PartCaches | None, jobs: int
                 ) -> list[tuple[str, RenderedPdf]]:
    """Each part by its key, its PDF left in the cache (content empty) where the cache has it."""
    keys = [_part_key(*part) for part in htmls]
    results = {key: part for key in set(keys) if (part := _read_part(caches, key))}
    missing = {key: html for key, html in zip(keys, htmls, strict=True) if key not in results}
    largest_first = sorted(missing, key=lambda key: -len(missing[key][0]))
    for html, *_ in missing.values():
        refuse_absurd_sizes(html, base_folder)
    laid_out = lay_out_in_children(_lay_out_one, [(*missing[key], base_folder, asset_folders,
                                                   caches, key) for key in largest_first], jobs)
    results |= dict(zip(largest_first, laid_out, strict=True))
    processes = min(jobs, max(1, len(missing)))
    LOGGER.info("parts of the pack: %d laid out in %d process%s, %d from the cache",
                len(missing), processes, "" if processes == 1 else "es",
                len(htmls) - len(missing))
    if caches is not None:
        _store_facts(caches, {key: results[key] for key in missing}, keep=set(keys))
    return [(key, results[key]) for key in keys]


def _lay_out_one(html: str, from_anchor: str | None, until: str | None, base_folder: Path,
                 asset_folders: list[Path], caches: PartCaches | None, key: str) -> RenderedPdf:
    """One part, in a worker, without a log line per stage: the parts' layout is logged as one
    stage. Its pages are those before `until`'s (the stand-ins after are there for links). Its
    PDF goes to the cache from here, so that the parts are not all held by the build at once:
    the part comes back without it (unless the cache could not take it)."""
    level = LOGGER.level
    LOGGER.setLevel(max(level, logging.WARNING))
    try:
        rendered = lay_out_pdf(html, base_folder, asset_folders, from_anchor=from_anchor,
                               font_config=_font_config(),
                               cache_dir=None if caches is None else caches.folder)
    finally:
        LOGGER.setLevel(level)
    if caches is not None and caches.pdfs.put(key, bytes_of(rendered.content)):
        rendered = dataclasses.replace(rendered, content=b"")
    if until is None:
        return rendered
    kept = rendered.anchor_pages[until]
    return dataclasses.replace(rendered, pages=kept, pdf_pages=rendered.pages, anchor_pages={
        anchor: page for anchor, page in rendered.anchor_pages.items() if page < kept})


_FONT_CONFIGS: dict[int, object] = {}


def _font_config() -> object:
    """One FontConfiguration per process, so that a worker loads the theme's fonts once for
    all its parts (~65 ms a part, measured); made in the process that uses it, never shared
    across a fork."""
    from weasyprint.text.fonts import FontConfiguration

    if os.getpid() not in _FONT_CONFIGS:
        _FONT_CONFIGS[os.getpid()] = FontConfiguration()
    return _FONT_CONFIGS[os.getpid()]


# The cache: each part's PDF and its facts (pages, anchors' pages), and the layout record.

@dataclass(frozen=True)
class PartCaches:
    folder: Path  # the output folder's cache (the charts' too)
    pdfs: KeyedCache
    facts: KeyedCache  # JSON: each part's facts, and the record under RECORD_KEY


def _caches(cache_dir: Path | None) -> PartCaches | None:
    if cache_dir is None:
        return None
    return PartCaches(cache_dir, KeyedCache(cache_dir, ".pdf", PARTS_FOLDER),
                      KeyedCache(cache_dir, ".json", PARTS_FOLDER))


def _read_part(caches: PartCaches | None, key: str) -> RenderedPdf | None:
    """A part from the cache when its facts and its PDF are as stored and agree (a PDF of the
    recorded page count), else None: it is laid out again."""
    if caches is None or (facts := caches.facts.load(key, _part_facts)) is None:
        return None
    pages, anchors, pdf_pages = facts
    found = caches.pdfs.load(key, lambda content: _pdf_of(content, pdf_pages or pages))
    # checked, then left in the cache until it is joined
    return None if found is None else RenderedPdf(b"", pages, anchors, pdf_pages)


def _part_facts(content: bytes) -> tuple[int, dict[str, int], int]:
    facts = json_object(content)
    pages, anchors = _count(facts.get("pages")), facts.get("anchors")
    # a first run's PDF holds stand-in pages after its own (0: none)
    pdf_pages = _count(facts["pdf_pages"]) if facts.get("pdf_pages") else 0
    if not isinstance(anchors, dict) or not all(
            isinstance(page, int) and not isinstance(page, bool) and 0 <= page < pages
            for page in anchors.values()):
        raise ValueError("its anchors are not pages of the part")
    if pdf_pages and pdf_pages < pages:
        raise ValueError("its PDF has fewer pages than the part")
    return pages, anchors, pdf_pages


def _pdf_of(content: bytes, pages: int) -> bool:
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(content)) as pdf:
            found = len(pdf.pages)
    except Exception:  # noqa: BLE001  (any damage pikepdf finds means laying it out again)
        raise ValueError("not a PDF") from None
    if found != pages:
        raise ValueError(f"a PDF of {found} pages, not the {pages} recorded")
    return True


def _store_facts(caches: PartCaches, parts: dict[str, RenderedPdf], keep: set[str]) -> None:
    """The laid-out parts' facts (their PDFs were stored by the workers)."""
    for key, part in parts.items():
        facts = {"pages": part.pages, "anchors": part.anchor_pages,
                 **({"pdf_pages": part.pdf_pages} if part.pdf_pages else {})}
        caches.facts.put(key, json.dumps(facts).encode("utf-8"))
    caches.pdfs.keep_only(keep)
    caches.facts.keep_only(keep | {RECORD_KEY})


def _read_record(caches: PartCaches | None) -> dict[str, int]:
    """The page counts the last build found, by part anchor (and "front")."""
    if caches is None:
        return {}
    record = caches.facts.load(RECORD_KEY, lambda content: {
        str(name): _count(pages) for name, pages in json_object(content).items()})
    return record or {}


def _write_record(caches: PartCaches | None, counts: PageCounts, parts: list[Part]) -> None:
    if caches is None:
        return
    record = {"front": counts.front} | {part.anchor: n for part, n in
                                        zip(parts, counts.parts, strict=True)}
    caches.facts.put(RECORD_KEY, json.dumps(record).encode("utf-8"))


def _count(value: object) -> int:
    """A page count: a whole number from 1 to MAX_PAGES (1e999 is a float, so refused)."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_PAGES:
        raise ValueError("a page count is not a whole number of pages")
    return value
