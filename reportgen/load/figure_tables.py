"""A table from a CSV file or a workbook sheet, with column formats → checked, formatted cells.

The machinery of the pack's table pages and the committee paper's table appendices: the columns
to show and how (text, number, percent, rate), and the figures of an optional bar chart. Every
bad cell is named by file, row and column, as the KPI tables' are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.config.pack_pages import TableColumn
from reportgen.config.report import CONFIG_FILE
from reportgen.load.numbers import FigureError, NotANumber, parse_number
from reportgen.load.tables import RawTable
from reportgen.problems import Problems, shown
from reportgen.render.formatting import format_number

MAX_MARKDOWN_BYTES = 1_000_000


@dataclass(frozen=True)
class FigureTable:
    """A table's cells, formatted, and the figures of its bar chart."""

    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    bars: tuple[tuple[str, float], ...] = ()  # (label, value) in table order
    bar_format: str = "number"


def figure_table(raw: RawTable, configured: tuple[TableColumn, ...],
                 chart: tuple[str, str] | None, key: str, problems: Problems) -> FigureTable:
    """The table's columns as configured (default: every column, as text), each cell checked
    and formatted; key names the setting in messages (e.g. 'table_page[1]')."""
    errors_before = len(problems.errors)
    # Without configured columns, every column as text; without a label, the column's name.
    columns = configured or tuple(TableColumn(c, "", "text") for c in raw.columns if c)
    columns = tuple(TableColumn(c.name.strip().lower(), c.label or _heading(c.name), c.format)
                    for c in columns)
    for column in columns:
        if column.name not in raw.columns:
            problems.error(raw.source, f"has no column '{column.name}' (named in {key}.columns); "
                                       f"columns found: {', '.join(raw.columns)}")
    chart_columns = tuple(c.strip().lower() for c in chart) if chart else ()
    for name in chart_columns:
        if name not in raw.columns:
            problems.error(raw.source, f"has no column '{name}' (named in {key}.chart)")
    if len(problems.errors) > errors_before:
        return FigureTable(columns, ())
    figures = {c.name: [_number(cells.get(c.name, ""), raw.source, row, c.name, problems)
                        for row, cells in raw.rows] for c in columns if c.format != "text"}
    # a column's figures all to the same decimals: 2.0% under 39.6%, not 2%
    decimals = {name: int(any(v is not None and not float(v).is_integer() for v in values))
                for name, values in figures.items()}
    rows = [tuple(cells.get(c.name, "") if c.format == "text" else
                  _shown(figures[c.name][index], c.format, decimals[c.name]) for c in columns)
            for index, (_, cells) in enumerate(raw.rows)]
    bars: list[tuple[str, float]] = []
    formats = {c.name: c.format for c in columns}
    if chart_columns:
        label, value = chart_columns
        # A figure the table shows was checked there: its problem is not reported twice.
        checked = value in {c.name for c in columns if c.format != "text"}
        for row, cells in raw.rows:
            figure = _number(cells.get(value, ""), raw.source, row, value,
                             Problems() if checked else problems)
            if figure is not None:
                bars.append((cells.get(label, ""), figure))
    bar_format = formats.get(chart_columns[1], "number") if chart_columns else "number"
    return FigureTable(columns, tuple(rows), tuple(bars),
                       "number" if bar_format == "text" else bar_format)


def bar_chart_title(table: FigureTable, chart: tuple[str, str]) -> str:
    """What the bars show, by what: 'Average caseload by service', not the table's caption."""
    headings = {c.name: c.label for c in table.columns}
    label, value = (name.strip().lower() for name in chart)
    return f"{headings.get(value, value)} by {headings.get(label, label).lower()}"


def _heading(name: str) -> str:
    name = name.strip()
    return name[:1].upper() + name[1:]


def _number(text: str, source: str, row: int, column: str, problems: Problems) -> float | None:
    """A figure by the pack's own rules ('1,234', '90%'; finite and of sane size); blank is None."""
    if not text.strip():
        return None
    try:
        return parse_number(text).value
    except NotANumber:
        problems.error(source, f"expected a number, found {shown(text.strip())}", row, column)
    except FigureError as error:
        problems.error(source, str(error), row, column)
    return None


def _shown(value: float | None, fmt: str, decimals: int) -> str:
    return "" if value is None else format_number(value, fmt, decimals)


def project_file(root: Path, name: str, key: str, problems: Problems) -> Path | None:
    """A file named in report.toml: it must be inside the project folder (links resolved)."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        problems.error(CONFIG_FILE, f"'{key}' is {name!r}: expected a file inside the project "
                                    f"folder")
        return None
    if not path.is_file():
        problems.error(CONFIG_FILE, f"'{key}' is {name!r}: no such file in {root}")
        return None
    return path


def read_markdown(root: Path, name: str, key: str, problems: Problems,
                  what: str = "a paper section") -> str:
    """A Markdown file named by report.toml's `key`, inside the project, as text ("" when it
    cannot be read: the problem is recorded)."""
    path = project_file(root, name, key, problems)
    if path is None:
        return ""
    if path.stat().st_size > MAX_MARKDOWN_BYTES:
        problems.error(name, f"is over {MAX_MARKDOWN_BYTES:,} bytes; {what} is text")
        return ""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.error(name, "the file is not UTF-8 text; save it as UTF-8")
        return ""
