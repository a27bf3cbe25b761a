"""report.toml's [paper] and [[appendix]] → the committee paper's checked settings.

Everything a council varies (front-sheet labels and their order, headings, which Markdown files,
which appendices) is configuration; nothing about a council's layout is in code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

from reportgen.config.options import Option, Reader, Table, Tables, TextList, one_of
from reportgen.config.pack_pages import COLUMN_FORMATS as COLUMN_FORMATS
from reportgen.config.pack_pages import TableColumn as TableColumn
from reportgen.config.report import CONFIG_FILE
from reportgen.papers.governance import (
    APPENDIX_GOVERNANCE,
    PAPER_GOVERNANCE,
    BackgroundPaper,
    SignOff,
    appendix_references,
    background_papers,
    sign_offs,
)
from reportgen.papers.sections import CoverSection, check_parts_placed, read_sections
from reportgen.problems import Problems

PAPER_KEYS = ("paper", "appendix")
AppendixKind = Literal["pack", "table", "comparison", "pdf", "markdown", ""]  # "": not given
APPENDIX_KINDS = ("pack", "table", "comparison", "pdf", "markdown")
DOCUMENT_CHOICES = ("one", "separate")
DEFAULT_HEADINGS = {
    "recommendations": "RECOMMENDATIONS",
    "appendices": "APPENDICES",
    "contact": "CONTACT OFFICER(S)",
    "contents": "Contents",  # "" leaves the contents list out
    "background_papers": "BACKGROUND PAPERS",
    "sign_off": "SIGN-OFF",
}
DEFAULT_PERIOD_LINE = "Performance data for {month}"


@dataclass(frozen=True)
class FrontSheetField:
    label: str
    value: str


@dataclass(frozen=True)
class PeriodColumn:
    """A column of a comparison appendix: a heading and the month whose values it shows."""

    label: str
    period: str  # YYYY-MM or latest


@dataclass(frozen=True)
class AppendixConfig:
    kind: AppendixKind
    title: str
    text: str = ""  # a Markdown file shown before the appendix's table
    source: str = ""  # table: a CSV file of the project or a sheet of data.xlsx; pdf: the file
    caption: str = ""
    columns: tuple[TableColumn, ...] = ()
    chart: tuple[str, str] | None = None  # table: (label column, value column) of a bar chart
    measures: tuple[str, ...] = ()
    periods: tuple[PeriodColumn, ...] = ()
    reference: str = ""  # "2", "B": how the paper refers to it
    exempt_paragraph: int | None = None  # Schedule 12A paragraph: a Part II appendix

    @property
    def exempt(self) -> bool:
        return self.exempt_paragraph is not None


@dataclass(frozen=True)
class PaperConfig:
    committee: str
    subject: str
    fields: tuple[FrontSheetField, ...]
    summary: tuple[str, ...]  # Markdown files before the numbered sections
    sections: tuple[str, ...]  # Markdown files, numbered in the committee style
    recommendations: tuple[str, ...]
    contact: tuple[str, ...]
    signature: tuple[str, ...]
    documents: str  # "one" document, or "separate" documents for the cover and each appendix
    page_prefix: str  # a separate appendix's page labels: "{number}." gives 2.1, 2.2 …
    headings: dict[str, str]
    appendices: tuple[AppendixConfig, ...]
    header: str = ""
    cover_sections: tuple[CoverSection, ...] = ()  # in the order the cover shows them
    recommendations_lead_in: str = ""  # "It is recommended that Cabinet:"
    period_line: str = DEFAULT_PERIOD_LINE  # "" leaves it out
    appendices_layout: str = "list"  # or "table", with the exemption columns
    exempt_marking: str = ""  # a Part II document's marking, with {paragraph}
    background_papers: tuple[BackgroundPaper, ...] = ()
    sign_off: tuple[SignOff, ...] = ()
    table_headings: dict[str, str] = field(default_factory=dict)
    date: dt.date | None = None  # the meeting's: the header, metadata and file name


def _page_prefix(value: str) -> str | None:
    try:
        value.format(number=1)
    except (KeyError, IndexError, ValueError, AttributeError):
        return "expected text using only {number}, e.g. '{number}.' for pages 2.1, 2.2 …"
    return None


def _period_line(value: str) -> str | None:
    try:
        value.format(month="June 2023")
    except (KeyError, IndexError, ValueError, AttributeError):
        return "expected text using only {month}, e.g. 'Performance data for {month}', or ''"
    return None


FIELD = Table({"label": Option(str, "", required=True), "value": Option(str, "")})
HEADINGS = Table({key: Option(str, default) for key, default in DEFAULT_HEADINGS.items()})
PAPER = Table({
    "committee": Option(str, "", "the committee, e.g. 'Cabinet'", required=True),
    "subject": Option(str, "", "the report's subject", required=True),
    "fields": Option(Tables(FIELD, '[{label = "DATE", value = "14/11/2024"}]'), []),
    "summary": Option(TextList(), (), "Markdown files before the numbered sections"),
    "sections": Option(TextList(), (), "Markdown files, numbered in the committee style"),
    "recommendations": Option(TextList(), ()),
    "recommendations_lead_in": Option(str, "", "a line before the recommendations, e.g. 'It "
                                      "is recommended that Cabinet:'"),
    "period_line": Option(str, DEFAULT_PERIOD_LINE, "the line under the subject; '' for none",
                          _period_line),
    "contact": Option(TextList(), ()),
    "signature": Option(TextList(), ()),
    "documents": Option(str, "one", "one PDF, or separate PDFs for the cover and each appendix",
                        one_of(*DOCUMENT_CHOICES)),
    "page_prefix": Option(str, "{number}.", "a separate appendix's page labels", _page_prefix),
    "headings": Option(HEADINGS, {}),
    "header": Option(str, "", "the running header at the top of every page but the first; "
                     "default: organisation · committee"),
    **PAPER_GOVERNANCE,
    "date": Option(dt.date, None, "the meeting's date, YYYY-MM-DD (the header's right, the "
                   "metadata and the file name; default: the data's month)"),
})
PAPER_SECTION_KEY = "section"  # [[paper.section]]: read by sections.py, in order
COLUMN = Table({"name": Option(str, "", required=True), "label": Option(str, ""),
                "format": Option(str, "text", check=one_of(*COLUMN_FORMATS))})
PERIOD_COLUMN = Table({"label": Option(str, "", required=True),
                       "period": Option(str, "", required=True)})
CHART = Table({"label": Option(str, "", required=True), "value": Option(str, "", required=True)})
APPENDIX_COMMON = {
    "kind": Option(str, "", "pack, table, comparison, pdf or markdown", one_of(*APPENDIX_KINDS),
                   required=True),
    "title": Option(str, "", required=True),
    "text": Option(str, "", "a Markdown file shown before the appendix"),
    "caption": Option(str, ""),
    **APPENDIX_GOVERNANCE,
}
APPENDIX_BY_KIND: dict[str, dict[str, Option]] = {
    "pdf": {"file": Option(str, "", "the PDF to attach", required=True)},
    "table": {"source": Option(str, "", "a CSV file or a sheet of data.xlsx", required=True),
              "columns": Option(Tables(COLUMN), []), "chart": Option(CHART, None)},
    "comparison": {"measures": Option(TextList(), (), required=True),
                   "columns": Option(Tables(PERIOD_COLUMN), [])},
}


def check_paper(raw: dict[str, Any], problems: Problems) -> PaperConfig | None:
    """The paper's settings, or None when report.toml has no [paper] (a pack on its own)."""
    if "paper" not in raw:
        if "appendix" in raw:
            problems.error(CONFIG_FILE, "[[appendix]] tables need a [paper] to belong to")
        return None
    reader = Reader(CONFIG_FILE, problems, strict=True)
    table = raw["paper"]
    own = {k: v for k, v in table.items() if k != PAPER_SECTION_KEY} \
        if isinstance(table, dict) else table
    paper = reader.table(own, PAPER, "paper")
    sections = read_sections(table.get(PAPER_SECTION_KEY) if isinstance(table, dict) else None,
                             reader, paper)
    appendices = _appendices(raw.get("appendix", []), reader, paper["appendix_references"])
    if isinstance(table, dict) and PAPER_SECTION_KEY in table:
        check_parts_placed(sections, {
            "recommendations": bool(paper["recommendations"]), "appendices": bool(appendices),
            "background_papers": bool(paper["background_papers"]),
            "contact": bool(paper["contact"]), "sign_off": bool(paper["sign_off"]),
            "signature": bool(paper["signature"])}, reader)
    return PaperConfig(
        committee=paper["committee"], subject=paper["subject"],
        fields=tuple(FrontSheetField(f["label"], f["value"]) for f in paper["fields"]),
        summary=paper["summary"], sections=paper["sections"],
        recommendations=paper["recommendations"], contact=paper["contact"],
        signature=paper["signature"], documents=paper["documents"],
        page_prefix=paper["page_prefix"], headings=paper["headings"],
        appendices=appendices, header=paper["header"], cover_sections=sections,
        recommendations_lead_in=paper["recommendations_lead_in"],
        period_line=paper["period_line"], appendices_layout=paper["appendices_layout"],
        exempt_marking=paper["exempt_marking"],
        background_papers=background_papers(paper["background_papers"]),
        sign_off=sign_offs(paper["sign_off"]), table_headings=paper["table_headings"],
        date=paper["date"])


def _appendices(raw: Any, reader: Reader, style: str) -> tuple[AppendixConfig, ...]:
    if not isinstance(raw, list):
        reader.problems.error(CONFIG_FILE, "'appendix' must be written as [[appendix]] tables")
        return ()
    read = [_appendix(table, f"appendix[{index}]", reader)
            for index, table in enumerate(raw, start=1)]
    references = appendix_references([given for _, given in read], style, reader)
    return tuple(replace(appendix, reference=reference)
                 for (appendix, _), reference in zip(read, references, strict=True))


def _appendix(table: Any, where: str, reader: Reader) -> tuple[AppendixConfig, Any]:
    """One [[appendix]] (the keys every kind has, and its kind's own), and the reference it
    gives itself (None: its place in the list)."""
    kind = table.get("kind") if isinstance(table, dict) else None
    own = APPENDIX_BY_KIND.get(kind, {}) if isinstance(kind, str) else {}
    values = reader.table(table, Table({**APPENDIX_COMMON, **own}), where)
    kind = values["kind"]
    if kind == "markdown" and not values["text"]:
        reader.problems.error(CONFIG_FILE, f"'{where}.text' is required")
    settings: dict[str, Any] = {}
    if kind == "pdf":
        settings = {"source": values["file"]}
    elif kind == "table":
        chart = values["chart"]
        settings = {"source": values["source"], "chart": (chart["label"], chart["value"])
                    if chart else None,
                    "columns": tuple(TableColumn(c["name"], c["label"], c["format"])
                                     for c in values["columns"])}
    elif kind == "comparison":
        if not values["columns"]:
            reader.problems.error(CONFIG_FILE, f"'{where}.columns' needs at least one "
                                               "{label = \"…\", period = \"YYYY-MM\"}")
        settings = {"measures": values["measures"],
                    "periods": tuple(PeriodColumn(c["label"], c["period"])
                                     for c in values["columns"])}
    appendix = AppendixConfig(kind=cast(AppendixKind, kind), title=values["title"],
                              text=values["text"], caption=values["caption"],
                              exempt_paragraph=values["exempt_paragraph"], **settings)
    return appendix, values["reference"]
