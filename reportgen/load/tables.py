"""A report project's files (CSV folder or data.xlsx) → raw text tables with author row numbers."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportgen.problems import Problems

WORKBOOK = "data.xlsx"
TABLE_NAMES = ("measures", "priorities", "values", "targets", "commentary", "comparators")
REQUIRED_TABLES = ("measures", "priorities", "values")
# Columns whose Excel date cells are months.
MONTH_COLUMNS = {"period", "due"}
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_WORKBOOK_BYTES = 50_000_000  # uncompressed; a real KPI workbook is a few MB
MAX_CSV_BYTES = 20_000_000


@dataclass
class RawTable:
    """One table as text: normalised column names and rows keyed by them."""

    name: str
    source: str  # how the author names it: "values.csv" or "data.xlsx, sheet 'values'"
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (author row, cells)


def normalise_column(name: object) -> str:
    return str(name if name is not None else "").strip().lower()


def read_tables(project: Path, problems: Problems) -> dict[str, RawTable]:
    """Every table the project has, from data.xlsx when present, else from the CSV files."""
    workbook = project / WORKBOOK
    if workbook.exists():
        return _read_workbook(workbook, problems)
    return _read_csv_folder(project, problems)


def read_extra_table(project: Path, source: str, label: str, problems: Problems
                     ) -> RawTable | None:
    """A table for a paper's appendix: a CSV file in the project, or a sheet of data.xlsx.

    The same limits and checks as the KPI tables; label names the setting that asked for it.
    """
    if source.lower().endswith(".csv"):
        path = (project / source).resolve()
        if not path.is_relative_to(project.resolve()) or not path.is_file():
            problems.error(label, f"no file {source!r} in the project folder {project}")
            return None
        return _read_csv(path, path.stem, problems)
    workbook = project / WORKBOOK
    if not workbook.exists():
        problems.error(label, f"{source!r} is neither a .csv file nor a sheet: the project has "
                              f"no {WORKBOOK}")
        return None
    with _open_workbook(workbook, problems) as books:
        if books is None:
            return None
        values, formulas = books
        sheet = {normalise_column(s): s for s in values.sheetnames}.get(normalise_column(source))
        if sheet is None:
            problems.error(label, f"no sheet {source!r} in {WORKBOOK}; sheets found: "
                                  f"{', '.join(values.sheetnames)}")
            return None
        return _read_sheet(values[sheet], formulas[sheet], source,
                           f"{WORKBOOK}, sheet '{sheet}'", problems)


# --- CSV -------------------------------------------------------------------------------------

def _read_csv_folder(project: Path, problems: Problems) -> dict[str, RawTable]:
    tables = {}
    for name in TABLE_NAMES:
        path = project / f"{name}.csv"
        if not path.exists() and name in REQUIRED_TABLES:
            problems.error(path.name, f"required table '{name}' is missing: no {path.name} "
                                      f"in {project}")
        elif path.exists():
            table = _read_csv(path, name, problems)
            if table is not None:
                tables[name] = table
    return tables


def _read_csv(path: Path, name: str, problems: Problems) -> RawTable | None:
    import pandas as pd

    label = path.name
    if path.stat().st_size > MAX_CSV_BYTES:
        problems.error(label, f"file is larger than {MAX_CSV_BYTES // 1_000_000} MB")
        return None
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a BOM from Excel's "CSV UTF-8" is fine
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.error(label, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} on "
                              f"line {line}); in Excel use Save As → 'CSV UTF-8'")
        return None
    if not text.strip():
        problems.error(label, "the file is empty; expected a header row and data rows")
        return None
    import io

    # Every cell as text, nothing read as NA: 'NA' or 'n/a' must be reported, not made blank.
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
                        skip_blank_lines=False)
    return _table_from_rows(name, label, list(frame.columns), frame.itertuples(index=False),
                            problems)


def _table_from_rows(name: str, label: str, header: Sequence[object], rows, problems: Problems
                     ) -> RawTable | None:
    columns = [normalise_column(c) for c in header]
    table = RawTable(name, label, columns)
    for index, row in enumerate(rows):
        cells = {}
        for column, cell in zip(columns, row, strict=False):
            text = "" if cell is None else str(cell)
            if len(text) > MAX_CELL_CHARS:
                problems.error(label, f"cell has {len(text):,} characters; the limit is "
                                      f"{MAX_CELL_CHARS:,}", index + 2, column)
                text = ""
            if column and column not in cells:
                cells[column] = text.strip()
        if any(cells.values()):
            table.rows.append((index + 2, cells))
    if not table.rows:
        problems.error(label, "the table has a header but no data rows")
    return table


# --- Excel -----------------------------------------------------------------------------------

def _read_workbook(path: Path, problems: Problems) -> dict[str, RawTable]:
    tables: dict[str, RawTable] = {}
    with _open_workbook(path, problems) as books:
        if books is None:
            return tables
        values, formulas = books
        sheets = {normalise_column(s): s for s in values.sheetnames}
        for name in REQUIRED_TABLES:
            if name not in sheets:
                problems.error(WORKBOOK, f"required sheet '{name}' is missing; sheets found: "
                                         f"{', '.join(values.sheetnames)}")
        for key in sorted(set(sheets) - set(TABLE_NAMES)):
            close = difflib.get_close_matches(key, TABLE_NAMES, n=1)
            if close and close[0] not in sheets:
                problems.error(WORKBOOK, f"unknown sheet '{sheets[key]}'; did you mean "
                                         f"'{close[0]}'?")
        for name in TABLE_NAMES:
            if name in sheets:
                sheet = sheets[name]
                table = _read_sheet(values[sheet], formulas[sheet], name,
                                    f"{WORKBOOK}, sheet '{sheet}'", problems)
                if table is not None:
                    tables[name] = table
    return tables


@contextlib.contextmanager
def _open_workbook(path: Path, problems: Problems) -> Iterator[tuple[Any, Any] | None]:
    """The workbook twice (cell values, and formulas to spot ones with no saved result), after
    the safety checks; None when it cannot be read (the problem is recorded)."""
    if not _workbook_is_safe(path, problems):
        yield None
        return
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problems.error(WORKBOOK, f"cannot be read as an Excel workbook: {_reason(error)}")
        yield None
        return
    try:
        yield values, formulas
    finally:
        values.close()
        formulas.close()


def _reason(error: Exception) -> str:
    from defusedxml import DefusedXmlException

    if isinstance(error, DefusedXmlException):
        return "it contains an XML entity or DTD declaration, which is refused for safety"
    return str(error) or type(error).__name__


def _workbook_is_safe(path: Path, problems: Problems) -> bool:
    """Refuse a non-zip or a zip bomb before openpyxl expands anything."""
    if not zipfile.is_zipfile(path):
        problems.error(WORKBOOK, "is not an Excel .xlsx workbook (not a zip file)")
        return False
    with zipfile.ZipFile(path) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
        if expanded > MAX_WORKBOOK_BYTES:
            problems.error(WORKBOOK, f"expands to {expanded:,} bytes, over the limit of "
                                     f"{MAX_WORKBOOK_BYTES:,}; is it really a KPI workbook?")
            return False
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")) and _declares_entities(archive, info):
                problems.error(WORKBOOK, f"cannot be read as an Excel workbook: "
                                         f"{info.filename} contains an XML entity or DTD "
                                         f"declaration, which is refused for safety")
                return False
    return True


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Excel never writes a DTD; one in a workbook is an entity-expansion attack."""
    with archive.open(info) as stream:
        while chunk := stream.read(1 << 20):
            if b"<!DOCTYPE" in chunk or b"<!ENTITY" in chunk:
                return True
    return False


def _read_sheet(values_sheet, formulas_sheet, name: str, label: str, problems: Problems
                ) -> RawTable | None:
    rows = values_sheet.iter_rows()
    formula_rows = formulas_sheet.iter_rows(values_only=True)
    header_cells = next(rows, None)
    next(formula_rows, None)
    if header_cells is None or not any(c.value is not None for c in header_cells):
        problems.error(label, "the sheet is empty; expected a header row and data rows")
        return None
    columns = [normalise_column(c.value) for c in header_cells]
    text_rows = []
    pairs = zip(rows, formula_rows, strict=False)
    for row_number, (cells, formula_row) in enumerate(pairs, start=2):
        texts = []
        for column, cell, formula in zip(columns, cells, formula_row, strict=False):
            if cell.value is None and isinstance(formula, str) and formula.startswith("="):
                problems.error(label, f"formula {formula} has no saved result; open the "
                                      f"workbook in Excel and save it", row_number, column)
            texts.append(_cell_text(cell, column))
        text_rows.append(texts)
    return _table_from_rows(name, label, columns, text_rows, problems)


def _cell_text(cell, column: str) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value.year:04d}-{value.month:02d}" if column in MONTH_COLUMNS else \
            value.isoformat()[:10]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if "%" in (cell.number_format or ""):  # a cell formatted as 90% holds 0.9
            return f"{_plain_number(value * 100)}%"
        return _plain_number(value)
    return str(value)


def _plain_number(value: float) -> str:
    """The number as an author would type it: never '1e-05', which is no figure in a cell."""
    rounded = round(float(value), 9)
    return str(int(rounded)) if rounded.is_integer() else format(Decimal(repr(rounded)), "f")
