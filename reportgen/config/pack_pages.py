"""report.toml's [pack] and [[table_page]] → the pack's free pages: an introduction after the
title page, and table pages among a priority's measure pages (README "Introduction and table
pages")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reportgen.config.options import Option, Table, Tables, one_of

COLUMN_FORMATS = ("text", "number", "percent", "rate")


@dataclass(frozen=True)
class TableColumn:
    """A column of a table: the CSV column, its heading and how figures are shown."""

    name: str
    label: str
    format: str  # text, number, percent, rate


@dataclass(frozen=True)
class TablePageConfig:
    """One [[table_page]]: a table between a priority's measure pages."""

    id: str  # the page's id: its commentary's `page`, and its link anchor
    priority: str
    title: str
    source: str  # a CSV file in the project, or a sheet of data.xlsx
    after: str  # the measure page (group or measure id) it follows; "": the priority's last
    caption: str
    columns: tuple[TableColumn, ...]
    chart: tuple[str, str] | None  # (label column, value column) of a bar chart
    panels: bool  # the three commentary panels


def _page_id(value: str) -> str | None:
    return None if re.fullmatch(r"[A-Za-z0-9_]+", value) else \
        "expected an id of letters, digits and _ (the commentary table's `page` for it)"


PACK = Table({
    "introduction": Option(str, "", "a Markdown file in the project, shown after the title page"),
    "introduction_title": Option(str, "Introduction", "the introduction's heading"),
})
COLUMN = Table({"name": Option(str, "", required=True), "label": Option(str, ""),
                "format": Option(str, "text", check=one_of(*COLUMN_FORMATS))})
CHART = Table({"label": Option(str, "", required=True), "value": Option(str, "", required=True)})
TABLE_PAGE = Table({
    "id": Option(str, "", "the page's id (commentary's `page`)", _page_id, required=True),
    "priority": Option(str, "", "the priority id it belongs to", required=True),
    "title": Option(str, "", "the page heading", required=True),
    "source": Option(str, "", "a CSV file in the project or a sheet of data.xlsx",
                     required=True),
    "after": Option(str, "", "the measure page (group or measure id) it follows"),
    "caption": Option(str, "", "the table's caption (default: the title)"),
    "columns": Option(Tables(COLUMN, '[{name = "placement", label = "Placement type"}]'), []),
    "chart": Option(CHART, None, "a bar chart: {label = \"column\", value = \"column\"}"),
    "panels": Option(bool, True, "the three commentary panels, from commentary"),
})
TABLE_PAGES = Tables(TABLE_PAGE, '[[table_page]] with id, priority, title and source')


def table_pages(values: list[dict[str, Any]]) -> tuple[TablePageConfig, ...]:
    return tuple(TablePageConfig(
        id=v["id"], priority=v["priority"], title=v["title"], source=v["source"],
        after=v["after"], caption=v["caption"] or v["title"],
        columns=tuple(TableColumn(c["name"], c["label"], c["format"]) for c in v["columns"]),
        chart=(v["chart"]["label"], v["chart"]["value"]) if v["chart"] else None,
        panels=v["panels"]) for v in values)
