"""report.toml's governance settings → appendix references, exemptions (Part II), background papers
and sign-off, checked.

An appendix with an `exempt_paragraph` is exempt information under the Local Government Act 1972,
Schedule 12A: it is built into a Part II document of its own and never into the public one.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from typing import Any

from reportgen.config.options import Option, Reader, Table, Tables, one_of

# Local Government Act 1972, Schedule 12A, Part 1 (England): the descriptions of exempt information.
SCHEDULE_12A = {
    1: "Information relating to any individual.",
    2: "Information which is likely to reveal the identity of an individual.",
    3: "Information relating to the financial or business affairs of any particular person "
       "(including the authority holding that information).",
    4: "Information relating to any consultations or negotiations, or contemplated "
       "consultations or negotiations, in connection with any labour relations matter arising "
       "between the authority or a Minister of the Crown and employees of, or office holders "
       "under, the authority.",
    5: "Information in respect of which a claim to legal professional privilege could be "
       "maintained in legal proceedings.",
    6: "Information which reveals that the authority proposes (a) to give under any enactment "
       "a notice under or by virtue of which requirements are imposed on a person; or (b) to "
       "make an order or direction under any enactment.",
    7: "Information relating to any action taken or to be taken in connection with the "
       "prevention, investigation or prosecution of crime.",
}
REFERENCE_STYLES = ("numbers", "letters")
REFERENCE = re.compile(r"[A-Za-z0-9]+(?:[.-][A-Za-z0-9]+)*")
DEFAULT_EXEMPT_MARKING = "NOT FOR PUBLICATION – Schedule 12A paragraph {paragraph}"
DEFAULT_TABLE_HEADINGS = {
    "appendix": "Appendix",
    "title": "Title",
    "exempt": "Exempt?",
    "exempt_paragraph": "Exemption paragraph number",
    "document": "Document",
    "available": "Where available",
    "role": "Role",
    "name": "Name",
    "date": "Date",
}


@dataclass(frozen=True)
class BackgroundPaper:
    title: str
    available: str  # where it can be read: a web address, an office


@dataclass(frozen=True)
class SignOff:
    role: str  # "Legal", "Finance", "Monitoring Officer"
    name: str
    date: str


def _exempt_paragraph(value: int) -> str | None:
    return None if value in SCHEDULE_12A else \
        "expected a paragraph of Schedule 12A to the Local Government Act 1972, 1 to 7"


def _reference(value: str | int) -> str | None:
    if isinstance(value, int):
        return None if value >= 1 else "expected a whole number from 1, or letters such as 'A'"
    if len(value) <= 10 and REFERENCE.fullmatch(value):
        return None
    return "expected a short reference of letters and digits, such as 'A', '2' or 'B1'"


def _marking(value: str) -> str | None:
    try:
        value.format(paragraph=3)
    except (KeyError, IndexError, ValueError, AttributeError):
        return ("expected text using only {paragraph}, e.g. 'NOT FOR PUBLICATION – Schedule "
                "12A paragraph {paragraph}'")
    return None


APPENDIX_GOVERNANCE = {
    "reference": Option((str, int), None, "the appendix's reference: 1, 2 … or A, B …",
                        _reference),
    "exempt_paragraph": Option(int, None, "Schedule 12A paragraph (1–7): a Part II appendix",
                               _exempt_paragraph),
}
BACKGROUND_PAPER = Table({"title": Option(str, "", required=True),
                          "available": Option(str, "", "where it can be read")})
SIGN_OFF = Table({"role": Option(str, "", required=True), "name": Option(str, ""),
                  "date": Option((str, dt.date), "", "text, or a date YYYY-MM-DD")})
TABLE_HEADINGS = Table({key: Option(str, default)
                        for key, default in DEFAULT_TABLE_HEADINGS.items()})
PAPER_GOVERNANCE = {
    "appendix_references": Option(str, "numbers", "appendices referred to as 1, 2 … or A, B …",
                                  one_of(*REFERENCE_STYLES)),
    "appendices_layout": Option(str, "list", "the appendices section: a numbered list, or a "
                                "table with the exemption columns", one_of("list", "table")),
    "exempt_marking": Option(str, DEFAULT_EXEMPT_MARKING, "a Part II document's marking",
                             _marking),
    "background_papers": Option(Tables(BACKGROUND_PAPER, '[{title = "…", available = "…"}]'),
                                []),
    "sign_off": Option(Tables(SIGN_OFF, '[{role = "Legal", name = "…", date = "…"}]'), []),
    "table_headings": Option(TABLE_HEADINGS, {}),
}


def appendix_references(given: list[str | int | None], style: str, reader: Reader
                        ) -> tuple[str, ...]:
    """Each appendix's reference: its own, else its place in the list (1, 2 … or A, B …);
    two appendices with one reference are an error."""
    references = tuple(str(value) if value is not None else _default_reference(index, style)
                       for index, value in enumerate(given, start=1))
    seen: dict[str, int] = {}
    for index, reference in enumerate(references, start=1):
        if reference.upper() in seen:
            reader.problems.error(reader.file, f"'appendix[{index}].reference' is "
                                               f"{reference!r}, as appendix "
                                               f"{seen[reference.upper()]}'s is: each appendix "
                                               f"needs its own reference")
        seen.setdefault(reference.upper(), index)
    return references


def _default_reference(index: int, style: str) -> str:
    if style == "numbers":
        return str(index)
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = string.ascii_uppercase[remainder] + letters
    return letters


def background_papers(raw: list[dict[str, Any]]) -> tuple[BackgroundPaper, ...]:
    return tuple(BackgroundPaper(p["title"], p["available"]) for p in raw)


def sign_offs(raw: list[dict[str, Any]]) -> tuple[SignOff, ...]:
    return tuple(SignOff(s["role"], s["name"], _date_text(s["date"])) for s in raw)


def _date_text(value: str | dt.date) -> str:
    return value if isinstance(value, str) else f"{value.day} {value:%B %Y}"


def exempt_marking(template: str, paragraph: int) -> str:
    return template.format(paragraph=paragraph)


def exemption_statement(paragraph: int) -> str:
    """What the Part II document says of itself, in the Act's words."""
    return (f"This document contains exempt information as described in paragraph {paragraph} of "
            f"Part 1 of Schedule 12A to the Local Government Act 1972: "
            f"{SCHEDULE_12A[paragraph]}")
