"""report.toml's [[paper.section]] (or the older summary and sections) → the cover's sections.

A front sheet is an ordered list: Markdown sections (a file of the paper folder, or text written
in report.toml), each numbered in the committee style or not, and the parts the paper writes
itself (the recommendations, the appendices, background papers, the contact officer, sign-off,
the signature) wherever the council puts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportgen.config.options import Option, Reader, Table, one_of
from reportgen.config.report import CONFIG_FILE

MARKDOWN = "markdown"
WRITTEN_PARTS = ("recommendations", "appendices", "background_papers", "contact", "sign_off",
                 "signature")
PARTS = (MARKDOWN, *WRITTEN_PARTS)
# Numbered unless a section says otherwise: the Markdown and the lists numbered on after it;
# the recommendations are a numbered list under a plain heading, the signature is a name.
NUMBERED_BY_DEFAULT = {MARKDOWN: True, "recommendations": False, "appendices": True,
                       "background_papers": True, "contact": True, "sign_off": True,
                       "signature": False}


@dataclass(frozen=True)
class CoverSection:
    """One section of the cover report, in the order the front sheet shows them."""

    part: str  # "markdown", or a part the paper writes: recommendations, appendices …
    heading: str = ""  # "": a Markdown section's own headings, a written part's [paper.headings]
    file: str = ""  # a Markdown file in the paper folder …
    text: str = ""  # … or Markdown written in report.toml
    numbered: bool = True  # its heading (and subheadings) numbered 1., 1.1 …
    number_paragraphs: bool = True  # its top-level paragraphs numbered 1.1, 1.2 …
    key: str = ""  # the key that names its file, for messages: "paper.section[2].file"

    @property
    def source_name(self) -> str:
        """What a problem in its Markdown names: its file, or the report.toml key of its text
        (line numbers then count within the text)."""
        return self.file or f"{CONFIG_FILE} {self.key.removesuffix('.file')}.text"


SECTION = Table({
    "heading": Option(str, "", "the section's heading; without one, the Markdown's own # "
                               "headings"),
    "file": Option(str, "", "a Markdown file inside the paper folder"),
    "text": Option(str, "", "Markdown written here instead of a file"),
    "part": Option(str, MARKDOWN, "a part the paper writes itself", one_of(*PARTS)),
    "numbered": Option(bool, None, "number the heading and subheadings (1., 1.1 …)"),
    "number_paragraphs": Option(bool, None, "number the top-level paragraphs (1.1, 1.2 …)"),
})


def read_sections(raw: Any, reader: Reader, legacy: dict[str, Any]) -> tuple[CoverSection, ...]:
    """[[paper.section]] as given, or the fixed order of the older keys when there is none:
    summary → recommendations → numbered sections → appendices → background papers → contact →
    sign-off → signature."""
    if raw is None:
        return default_sections(legacy["summary"], legacy["sections"])
    for key in ("summary", "sections"):
        if legacy[key]:
            reader.problems.error(reader.file, f"'paper.{key}' and [[paper.section]] cannot both "
                                               f"be given: list every section as a "
                                               f"[[paper.section]]")
    if not isinstance(raw, list):
        reader.problems.error(reader.file, "'paper.section' must be a list of tables, e.g. "
                                           "[[paper.section]] heading = \"…\" file = \"….md\"")
        return ()
    sections = tuple(_section(item, f"paper.section[{index}]", reader)
                     for index, item in enumerate(raw, start=1))
    _check_each_part_once(sections, reader)
    return sections


def _section(item: Any, where: str, reader: Reader) -> CoverSection:
    values = reader.table(item, SECTION, where)
    part = values["part"]
    if isinstance(item, dict) and item.get("part", part) != part:  # a wrong part: told already
        return CoverSection(part, numbered=False, key=f"{where}.part")
    numbered = values["numbered"]
    numbered = NUMBERED_BY_DEFAULT.get(part, True) if numbered is None else numbered
    paragraphs = values["number_paragraphs"]
    if part == MARKDOWN and bool(values["file"]) == bool(values["text"]):
        reader.problems.error(reader.file, f"'{where}' needs one of 'file' (a Markdown file) or "
                                           f"'text' (Markdown written here)"
                              + (", not both" if values["file"] else ""))
    elif part != MARKDOWN and (values["file"] or values["text"]):
        reader.problems.error(reader.file, f"'{where}' is part = \"{part}\", which the paper "
                                           f"writes itself: it takes no 'file' or 'text'")
    return CoverSection(part, values["heading"], values["file"], values["text"], numbered,
                        numbered if paragraphs is None else paragraphs, f"{where}.file")


def _check_each_part_once(sections: tuple[CoverSection, ...], reader: Reader) -> None:
    seen: set[str] = set()
    for section in sections:
        if section.part != MARKDOWN and section.part in seen:
            reader.problems.error(reader.file, f"'paper.section' places part = "
                                               f"\"{section.part}\" twice")
        seen.add(section.part)


def default_sections(summary: tuple[str, ...], sections: tuple[str, ...]
                     ) -> tuple[CoverSection, ...]:
    """Today's fixed order, from the `summary` and `sections` files: the lists the paper writes
    are numbered on from the numbered sections, when there are any."""
    on = bool(sections)
    return (*(CoverSection(MARKDOWN, file=name, numbered=False, number_paragraphs=False,
                           key="paper.summary") for name in summary),
            CoverSection("recommendations", numbered=False),
            *(CoverSection(MARKDOWN, file=name, key="paper.sections") for name in sections),
            *(CoverSection(part, numbered=on, number_paragraphs=on)
              for part in ("appendices", "background_papers", "contact", "sign_off")),
            CoverSection("signature", numbered=False))


def check_parts_placed(sections: tuple[CoverSection, ...], given: dict[str, bool],
                       reader: Reader) -> None:
    """Each part that has something to show must have a place in an explicit [[paper.section]]
    list; given: part → whether report.toml gives it anything."""
    placed = {s.part for s in sections}
    for part, present in given.items():
        if present and part not in placed:
            key = "[[appendix]] tables are" if part == "appendices" else \
                f"'paper.{part}' is"
            reader.problems.error(reader.file, f"{key} given, but no [[paper.section]] has "
                                               f"part = \"{part}\" to show them")
