"""report.toml's introduction and [[table_page]]s, with their files → the pack's checked free
pages, every problem named (the key, or the table file's row and column)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from reportgen.config.pack_pages import TablePageConfig
from reportgen.config.report import CONFIG_FILE, ReportConfig
from reportgen.load.figure_tables import FigureTable, figure_table, read_markdown
from reportgen.load.tables import read_extra_table
from reportgen.model import Dataset
from reportgen.problems import Problems


@dataclass(frozen=True)
class LoadedTablePage:
    config: TablePageConfig
    table: FigureTable


@dataclass(frozen=True)
class PackPages:
    """The pack's pages besides the measure pages, read and checked."""

    introduction: str = ""  # Markdown
    introduction_title: str = ""
    tables: tuple[LoadedTablePage, ...] = ()
    files: tuple[Path, ...] = ()  # every file read, for the manifest


def table_page_ids(config: ReportConfig | None) -> frozenset[str] | None:
    """The pages the commentary table may name besides the measures' pages; None when
    report.toml could not be read, so they are unknown."""
    return frozenset(t.id for t in config.table_pages) if config else None


def load_pack_pages(folder: Path, config: ReportConfig, data: Dataset, problems: Problems,
                    check_places: bool = True) -> PackPages:
    """The introduction and table pages report.toml names. folder: where the tables are (the
    project, or its `data` folder); every file named must be inside it. check_places: check
    each page's priority, `after` and id against the tables (not when they had errors)."""
    introduction = read_markdown(folder, config.introduction, "pack.introduction", problems,
                                 "an introduction") if config.introduction else ""
    tables = []
    for number, page in enumerate(config.table_pages, start=1):
        key = f"table_page[{number}]"
        if check_places:
            _check_place(page, key, data, config.table_pages[:number - 1], problems)
        raw = read_extra_table(folder, page.source, f"{CONFIG_FILE}: {key}.source", problems)
        if raw is not None:
            tables.append(LoadedTablePage(page, figure_table(raw, page.columns, page.chart, key,
                                                             problems)))
    named = [config.introduction] if config.introduction else []
    named += [t.source for t in config.table_pages if t.source.lower().endswith(".csv")]
    files = tuple(dict.fromkeys(p for name in named if (p := folder / name).is_file()))
    return PackPages(introduction, config.introduction_title if config.introduction else "",
                     tuple(tables), files)


def _check_place(page: TablePageConfig, key: str, data: Dataset,
                 earlier: tuple[TablePageConfig, ...], problems: Problems) -> None:
    """Its priority and the page it follows exist, and its id is no other page's."""
    priorities = [p.id for p in data.priorities]
    if page.priority not in priorities:
        hint = _close(page.priority, priorities)
        problems.error(CONFIG_FILE, f"'{key}.priority' is {page.priority!r}: expected a priority "
                                    f"id in priorities ({', '.join(priorities)}){hint}")
        return
    pages = list(dict.fromkeys(m.page for m in data.measures if m.priority == page.priority))
    if page.after and page.after not in pages:
        hint = _close(page.after, pages)
        problems.error(CONFIG_FILE, f"'{key}.after' is {page.after!r}: expected a measure page "
                                    f"(a group or measure id) of priority {page.priority}: "
                                    f"{', '.join(pages) or 'it has none'}{hint}")
    taken = {m.page for m in data.measures} | {m.id for m in data.measures}
    if page.id in taken or page.id in {t.id for t in earlier}:
        problems.error(CONFIG_FILE, f"'{key}.id' is {page.id!r}, which is already a page's id; "
                                    f"give the table page an id of its own")


def _close(text: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(text, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
