"""The paper's cover sections, in order, and its sources → the blocks the cover template shows.

Each block is a Markdown section (numbered in the committee style or not) or a part the paper
writes from report.toml: the recommendations, the appendices (a list or a governance table),
background papers, the contact officer, sign-off and the signature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup

from reportgen.papers.config import PaperConfig
from reportgen.papers.cover import Heading, Numbering, render_section
from reportgen.papers.sections import MARKDOWN, CoverSection
from reportgen.papers.sources import PaperSources
from reportgen.render.markdown import render_field


@dataclass(frozen=True)
class FieldRow:
    """A row of the front sheet's fields: its label, and its value as inline Markdown."""

    label: str
    value: Markup  # bold, italics and line breaks; never raw HTML


@dataclass(frozen=True)
class GovernanceTable:
    """A table the paper writes (appendices, background papers, sign-off): the first cell of
    each row is its row header."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class CoverBlock:
    """One section of the cover report, in the order the front sheet gives them."""

    part: str  # markdown, recommendations, appendices, background_papers, contact, sign_off,
    #            signature
    anchor: str  # its heading's id ("" when it has no heading of its own)
    number: str  # its heading's number, "8.", or ""
    heading: str  # "" for Markdown that brings its own headings
    html: Markup  # a Markdown section's text, rendered
    lead_in: str  # the recommendations' "It is recommended that Cabinet:"
    items: tuple[tuple[str, str], ...]  # (paragraph number, text): a list the paper writes
    table: GovernanceTable | None


def front_fields(config: PaperConfig) -> tuple[FieldRow, ...]:
    return tuple(FieldRow(f.label, render_field(f.value)) for f in config.fields)


def cover_blocks(sources: PaperSources, contents: list[Heading]) -> tuple[CoverBlock, ...]:
    """Every section of the cover in order, numbered on from one another; each heading is added
    to `contents`."""
    numbering = Numbering()
    blocks = []
    for index, (section, text) in enumerate(zip(sources.config.cover_sections, sources.cover,
                                                strict=True), start=1):
        block = _markdown(section, text, index, numbering, contents, sources.images) \
            if section.part == MARKDOWN \
            else _written(section, sources.config, numbering)
        if block is not None:
            if block.part != MARKDOWN and block.heading and block.part != "signature":
                contents.append(Heading(block.anchor, f"{block.number} {block.heading}".strip()))
            blocks.append(block)
    return tuple(blocks)


def _markdown(section: CoverSection, text: str, index: int, numbering: Numbering,
              contents: list[Heading], images: Mapping[str, str]) -> CoverBlock:
    counted = numbering if section.numbered else None
    if not section.heading:
        prefix = "section" if section.numbered else "summary"
        html = render_section(text, counted, prefix, contents,
                              number_paragraphs=section.number_paragraphs, images=images)
        return CoverBlock(MARKDOWN, "", "", "", html, "", (), None)
    number = counted.heading(1) if counted else ""
    anchor = f"part-{index}"
    contents.append(Heading(anchor, f"{number} {section.heading}".strip()))
    html = render_section(text, counted, under_heading=True,
                          number_paragraphs=section.number_paragraphs, images=images)
    return CoverBlock(MARKDOWN, anchor, number, section.heading, html, "", (), None)


def _written(section: CoverSection, config: PaperConfig, numbering: Numbering
             ) -> CoverBlock | None:
    """A part the paper writes, or None when report.toml gives it nothing to show."""
    lines, table = _content(section.part, config)
    if not lines and table is None:
        return None
    heading = section.heading or config.headings.get(section.part, "")
    counted = section.numbered and section.part != "signature"
    number = numbering.heading(1) if counted else ""
    if section.part == "recommendations":  # a list numbered 1., 2. … of its own
        items = tuple((f"{n}.", line) for n, line in enumerate(lines, start=1))
        return CoverBlock(section.part, "recommendations", number, heading, Markup(""),
                          config.recommendations_lead_in, items, None)
    items = tuple(((numbering.paragraph() if counted and section.number_paragraphs else ""),
                   line) for line in lines)
    return CoverBlock(section.part, f"listed-{section.part}", number, heading, Markup(""), "",
                      items, table)


def _content(part: str, config: PaperConfig
             ) -> tuple[tuple[str, ...], GovernanceTable | None]:
    """A written part's paragraphs, or its table, from report.toml."""
    columns = config.table_headings
    if part == "appendices" and config.appendices_layout == "list":
        return tuple(f"Appendix {a.reference}: {a.title}" + (
            f" (exempt: Schedule 12A paragraph {a.exempt_paragraph})" if a.exempt else "")
            for a in config.appendices), None
    if part == "appendices" and config.appendices:
        return (), _table(columns, ("appendix", "title", "exempt", "exempt_paragraph"),
                          [(a.reference, a.title, "Yes" if a.exempt else "No",
                            str(a.exempt_paragraph) if a.exempt else "–")
                           for a in config.appendices])
    if part == "background_papers" and config.background_papers:
        return (), _table(columns, ("document", "available"),
                          [(p.title, p.available) for p in config.background_papers])
    if part == "sign_off" and config.sign_off:
        return (), _table(columns, ("role", "name", "date"),
                          [(s.role, s.name, s.date) for s in config.sign_off])
    lines = {"recommendations": config.recommendations, "contact": config.contact,
             "signature": config.signature}
    return lines.get(part, ()), None


def _table(headings: dict[str, str], keys: tuple[str, ...],
           rows: list[tuple[str, ...]]) -> GovernanceTable:
    """The columns whose heading is not "" (a council that does not show one blanks it)."""
    shown = [i for i, key in enumerate(keys) if headings.get(key, key) or i == 0]
    return GovernanceTable(tuple(headings.get(keys[i], keys[i]) for i in shown),
                           tuple(tuple(row[i] for i in shown) for row in rows))
