"""The pack's introduction and table pages → their part of the template context, placed among
each priority's measure pages where report.toml puts them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from markupsafe import Markup

from reportgen.load.pack_pages import LoadedTablePage, PackPages
from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.render.context import Chart, MeasurePage, PackContext, Panels, panels

INTRODUCTION_ANCHOR = "introduction"


@dataclass(frozen=True)
class Introduction:
    """The Markdown page after the title page (a director's introduction)."""

    anchor: str
    title: str
    html: Markup  # from the safe Markdown renderer: paragraphs, lists, bold, italics


@dataclass(frozen=True)
class TablePage:
    """A table between a priority's measure pages: placements by type, inspection outcomes."""

    kind: str  # "table" (a MeasurePage's kind is "measure")
    anchor: str
    heading: str
    caption: str
    columns: tuple[str, ...]  # headings; the first column heads each row
    numeric: tuple[bool, ...]  # per column: figures, set right-aligned
    rows: tuple[tuple[str, ...], ...]
    chart: Chart | None
    show_panels: bool
    commentary: Panels | None


def introduction(pages: PackPages) -> Introduction | None:
    if not pages.introduction_title:
        return None
    from reportgen.render.markdown import render_commentary

    return Introduction(INTRODUCTION_ANCHOR, pages.introduction_title,
                        render_commentary(pages.introduction))


def table_page(loaded: LoadedTablePage, data: Dataset, period: Month, chart: Chart | None
               ) -> TablePage:
    config, table = loaded.config, loaded.table
    return TablePage(
        kind="table", anchor=f"page-{config.id}", heading=config.title, caption=config.caption,
        columns=tuple(c.label for c in table.columns),
        numeric=tuple(c.format != "text" for c in table.columns), rows=table.rows,
        chart=chart, show_panels=config.panels,
        commentary=panels(data, config.id, period) if config.panels else None)


def with_pack_pages(context: PackContext, pages: PackPages, data: Dataset, period: Month | None,
                    charts: dict[str, Chart]) -> PackContext:
    """The context with the introduction after the title page and each table page after the
    measure page it names (or at its priority's end). charts: table page id → its bar chart."""
    if period is None:
        return context
    priorities = []
    for section in context.priorities:
        placed: list[MeasurePage | TablePage] = list(section.pages)
        for loaded in pages.tables:
            if f"priority-{loaded.config.priority}" != section.anchor:
                continue
            page = table_page(loaded, data, period, charts.get(loaded.config.id))
            after = f"page-{loaded.config.after}"
            anchors = [p.anchor for p in placed]
            # after the named page and any table pages already placed after it
            index = len(placed) if not loaded.config.after or after not in anchors else \
                anchors.index(after) + 1
            while index < len(placed) and placed[index].kind == "table":
                index += 1
            placed.insert(index, page)
        priorities.append(dataclasses.replace(section, pages=tuple(placed)))  # type: ignore[arg-type]
    return dataclasses.replace(context, priorities=tuple(priorities),
                               introduction=introduction(pages))
