"""report.toml's [paper] and [[appendix]] → the committee paper's checked settings.

Everything a council varies (front-sheet labels and their order, headings, which Markdown files,
which appendices) is configuration; nothing about a council's layout is in code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

from reportgen.config.options import Option, Reader, Table, Tables, TextList, one_of
from reportgen.config.pack_pages import COLUMN_FORMATS as COLUMN_FORMATS
from reportgen.config.pack_pages import TableColumn as TableColumn
from reportgen.config.report import CONFIG_FILE
from reportgen.problems import Problems

PAPER_KEYS = ("paper", "appendix")
AppendixKind = Literal["pack", "table", "comparison", "pdf", "markdown", ""]  # "": not given
APPENDIX_KINDS = ("pack", "table", "comparison", "pdf", "markdown")
DOCUMENT_CHOICES = ("one", "separate")
DEFAULT_HEADINGS = {
    "recommendations": "RECOMMENDATIONS",
    "appendices": "APPENDICES",
    "contact": "CONTACT OFFICER(S)",
    "contents": "Contents",
}


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


def _page_prefix(value: str) -> str | None:
    try:
        value.format(number=1)
    except (KeyError, IndexError, ValueError, AttributeError):
        return "expected text using only {number}, e.g. '{number}.' for pages 2.1, 2.2 …"
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
    "contact": Option(TextList(), ()),
    "signature": Option(TextList(), ()),
    "documents": Option(str, "one", "one PDF, or separate PDFs for the cover and each appendix",
                        one_of(*DOCUMENT_CHOICES)),
    "page_prefix": Option(str, "{number}.", "a separate appendix's page labels", _page_prefix),
    "headings": Option(HEADINGS, {}),
    "header": Option(str, "", "the running header at the top of every page but the first; "
                     "default: organisation · committee"),
})
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
    reader = Reader(CONFIG_FILE, problems)
    paper = reader.table(raw["paper"], PAPER, "paper")
    return PaperConfig(
        committee=paper["committee"], subject=paper["subject"],
        fields=tuple(FrontSheetField(f["label"], f["value"]) for f in paper["fields"]),
        summary=paper["summary"], sections=paper["sections"],
        recommendations=paper["recommendations"], contact=paper["contact"],
        signature=paper["signature"], documents=paper["documents"],
        page_prefix=paper["page_prefix"], headings=paper["headings"],
        appendices=_appendices(raw.get("appendix", []), reader), header=paper["header"])


def _appendices(raw: Any, reader: Reader) -> tuple[AppendixConfig, ...]:
    if not isinstance(raw, list):
        reader.problems.error(CONFIG_FILE, "'appendix' must be written as [[appendix]] tables")
        return ()
    return tuple(_appendix(table, f"appendix[{index}]", reader)
                 for index, table in enumerate(raw, start=1))


def _appendix(table: Any, where: str, reader: Reader) -> AppendixConfig:
    """One [[appendix]]: the keys every kind has, and its kind's own."""
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
    return AppendixConfig(kind=cast(AppendixKind, kind), title=values["title"], text=values["text"],
                          caption=values["caption"], **settings)
