"""report.toml's [paper] and [[appendix]] → the committee paper's checked settings.

Everything a council varies (front-sheet labels and their order, headings, which Markdown files,
which appendices) is configuration; nothing about a council's layout is in code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from reportgen.problems import Problems

CONFIG_FILE = "report.toml"
PAPER_KEYS = ("paper", "appendix")
APPENDIX_KINDS = ("pack", "table", "comparison", "pdf", "markdown")
COLUMN_FORMATS = ("text", "number", "percent", "rate")
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
class TableColumn:
    """A column of a table appendix: the CSV column, its heading and how figures are shown."""

    name: str
    label: str
    format: str  # text, number, percent, rate


@dataclass(frozen=True)
class PeriodColumn:
    """A column of a comparison appendix: a heading and the month whose values it shows."""

    label: str
    period: str  # YYYY-MM or latest


@dataclass(frozen=True)
class AppendixConfig:
    kind: str
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


class _Reader:
    """Reads one TOML table, reporting each problem with the key's full name."""

    def __init__(self, table: Any, where: str, problems: Problems) -> None:
        self.where = where
        self.problems = problems
        if not isinstance(table, dict):
            self.error("", "must be a table of keys")
            table = {}
        self.table: dict[str, Any] = table
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if key else self.where

    def error(self, key: str, message: str) -> None:
        self.problems.error(CONFIG_FILE, f"'{self.name(key)}' {message}")

    def text(self, key: str, default: str = "", required: bool = False) -> str:
        self.used.add(key)
        value = self.table.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return default
        if not isinstance(value, str):
            self.error(key, f"must be text in quotes (e.g. \"14/11/2024\"), got {value!r}")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in choices:
            self.error(key, f"is {value!r}: expected one of {', '.join(choices)}")
            return default
        return value

    def texts(self, key: str, required: bool = False) -> tuple[str, ...]:
        """A list of text, or one text standing for a list of one."""
        self.used.add(key)
        value = self.table.get(key)
        if value is None:
            if required:
                self.error(key, "is required")
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            self.error(key, f"must be a list of text, got {value!r}")
            return ()
        return tuple(items)

    def tables(self, key: str) -> list[_Reader]:
        self.used.add(key)
        value = self.table.get(key, [])
        if not isinstance(value, list):
            self.error(key, "must be a list of tables, e.g. [{label = \"…\", value = \"…\"}]")
            return []
        return [_Reader(item, f"{self.name(key)}[{index + 1}]", self.problems)
                for index, item in enumerate(value)]

    def warn_unknown(self) -> None:
        for key in sorted(set(self.table) - self.used):
            close = difflib.get_close_matches(key, sorted(self.used), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.problems.warning(CONFIG_FILE, f"unknown key '{self.name(key)}' is ignored{hint}")


def check_paper(raw: dict[str, Any], problems: Problems) -> PaperConfig | None:
    """The paper's settings, or None when report.toml has no [paper] (a pack on its own)."""
    if "paper" not in raw:
        if "appendix" in raw:
            problems.error(CONFIG_FILE, "[[appendix]] tables need a [paper] to belong to")
        return None
    paper = _Reader(raw["paper"], "paper", problems)
    fields = tuple(FrontSheetField(f.text("label", required=True), f.text("value"))
                   for f in paper.tables("fields"))
    headings_reader = _Reader(raw["paper"].get("headings", {}) if isinstance(raw["paper"], dict)
                              else {}, "paper.headings", problems)
    paper.used.add("headings")
    headings = {key: headings_reader.text(key, default) for key, default in
                DEFAULT_HEADINGS.items()}
    config = PaperConfig(
        committee=paper.text("committee", required=True),
        subject=paper.text("subject", required=True),
        fields=fields,
        summary=paper.texts("summary"),
        sections=paper.texts("sections"),
        recommendations=paper.texts("recommendations"),
        contact=paper.texts("contact"),
        signature=paper.texts("signature"),
        documents=paper.choice("documents", DOCUMENT_CHOICES, "one"),
        page_prefix=_page_prefix(paper),
        headings=headings,
        appendices=_appendices(raw.get("appendix", []), problems),
    )
    for reader in (paper, headings_reader):
        reader.warn_unknown()
    return config


def _page_prefix(paper: _Reader) -> str:
    prefix = paper.text("page_prefix", "{number}.")
    try:
        prefix.format(number=1)
    except (KeyError, IndexError, ValueError):
        paper.error("page_prefix", f"is {prefix!r}: expected text using only {{number}}, "
                                   f"e.g. '{{number}}.' for pages 2.1, 2.2 …")
        return "{number}."
    return prefix


def _appendices(raw: Any, problems: Problems) -> tuple[AppendixConfig, ...]:
    if not isinstance(raw, list):
        problems.error(CONFIG_FILE, "'appendix' must be written as [[appendix]] tables")
        return ()
    appendices = []
    for index, table in enumerate(raw):
        reader = _Reader(table, f"appendix[{index + 1}]", problems)
        kind = reader.text("kind", required=True)
        if kind and kind not in APPENDIX_KINDS:
            reader.error("kind", f"is {kind!r}: expected one of {', '.join(APPENDIX_KINDS)}")
        appendix = AppendixConfig(kind=kind, title=reader.text("title", required=True),
                                  text=reader.text("text", required=kind == "markdown"),
                                  caption=reader.text("caption"),
                                  **_kind_settings(kind, reader))
        reader.warn_unknown()
        appendices.append(appendix)
    return tuple(appendices)


def _kind_settings(kind: str, reader: _Reader) -> dict[str, Any]:
    if kind == "pdf":
        return {"source": reader.text("file", required=True)}
    if kind == "table":
        columns = tuple(TableColumn(c.text("name", required=True), c.text("label"),
                                    c.choice("format", COLUMN_FORMATS, "text"))
                        for c in reader.tables("columns"))
        return {"source": reader.text("source", required=True), "columns": columns,
                "chart": _chart(reader)}
    if kind == "comparison":
        periods = tuple(PeriodColumn(c.text("label", required=True),
                                     c.text("period", required=True))
                        for c in reader.tables("columns"))
        if not periods:
            reader.error("columns", "needs at least one {label = \"…\", period = \"YYYY-MM\"}")
        return {"measures": reader.texts("measures", required=True), "periods": periods}
    return {}


def _chart(reader: _Reader) -> tuple[str, str] | None:
    reader.used.add("chart")
    if "chart" not in reader.table:
        return None
    chart = _Reader(reader.table["chart"], reader.name("chart"), reader.problems)
    pair = (chart.text("label", required=True), chart.text("value", required=True))
    chart.warn_unknown()
    return pair
