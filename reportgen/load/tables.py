"""A report project's files (CSV folder or data.xlsx) → raw text tables with author row numbers."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportgen.problems import Problems

WORKBOOK = "data.xlsx"
TABLE_NAMES = ("measures", "priorities", "values", "targets", "commentary", "comparators")
REQUIRED_TABLES = ("measures", "priorities", "values")
TABLE_FILES = (WORKBOOK, *(f"{name}.csv" for name in TABLE_NAMES))  # a project's table files
# Columns whose Excel date cells are months.
MONTH_COLUMNS = {"period", "due"}
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell
MAX_WORKBOOK_BYTES = 50_000_000  # uncompressed; a real KPI workbook is a few MB
MAX_CSV_BYTES = 20_000_000
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 but tab and newline; DEL; C1


@dataclass
class RawTable:
    """One table as text: normalised column names and rows keyed by them."""

    name: str
    source: str  # how the author names it: "values.csv" or "data.xlsx, sheet 'values'"
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (author row, cells)
    # Rows already reported as unreadable (cells shifted by a stray comma): not checked again,
    # but the ids they declare still count, so references to them are not reported too.
    unreadable: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def normalise_column(name: object) -> str:
    return without_controls(str(name if name is not None else "")).strip().lower()


def without_controls(text: str) -> str:
    """A cell's text without control characters (BEL, ESC, NUL …) but tab and newline: they are
    invisible in Excel, yet would reach the PDF's text. A lone CR is a line break."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def read_tables(project: Path, problems: Problems, required: Sequence[str] = REQUIRED_TABLES
                ) -> dict[str, RawTable]:
    """Every table the project has, from data.xlsx when present, else from the CSV files.
    required: the tables whose absence is an error (a national project in DfE's layout reads
    its values from a file of its own)."""
    workbook = project / WORKBOOK
    if workbook.exists():
        return _read_workbook(workbook, problems, required)
    return _read_csv_folder(project, problems, required)


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
    with open_workbook(workbook, problems) as books:
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

def _read_csv_folder(project: Path, problems: Problems, required: Sequence[str]
                     ) -> dict[str, RawTable]:
    tables = {}
    for name in TABLE_NAMES:
        path = project / f"{name}.csv"
        if not path.exists() and name in required:
            problems.error(path.name, f"required table '{name}' is missing: no {path.name} "
                                      f"in {project}")
        elif path.exists():
            table = _read_csv(path, name, problems)
            if table is not None:
                tables[name] = table
    return tables


def _read_csv(path: Path, name: str, problems: Problems) -> RawTable | None:
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
    rows = _csv_rows(text, label, problems)
    if rows is None:
        return None
    header, body = rows[0], rows[1:]
    shifted = _check_row_lengths(label, len(header), body, problems)
    table = _table_from_rows(name, label, header, [row[:len(header)] for row in body], problems)
    table.unreadable = [(row, cells) for row, cells in table.rows if row in shifted]
    table.rows = [(row, cells) for row, cells in table.rows if row not in shifted]
    return table


def _csv_rows(text: str, label: str, problems: Problems) -> list[list[str]] | None:
    """Every row's cells, each cell as text (so 'NA' is reported, never made blank); None when
    the file cannot be read (the problem names the row and line)."""
    rows: list[list[str]] = []
    for strict in (True, False):
        reader = csv.reader(io.StringIO(text, newline=""), strict=strict)
        rows, line = [], 0
        try:
            for row in reader:
                rows.append(row)
                line = reader.line_num
            return rows
        except csv.Error as error:
            if strict and not _fatal(error):
                continue  # text after a closing quote ("a"b): read it leniently, as Excel does
            problems.error(label, _csv_problem(error, line + 1), len(rows) + 1)
            return None
    return rows


def _fatal(error: csv.Error) -> bool:
    """A quoted cell open at the end of the file (it would swallow every row after it), or a
    cell over the csv module's size limit."""
    return "end of data" in str(error) or "field larger" in str(error)


def _csv_problem(error: csv.Error, line: int) -> str:
    if "field larger" in str(error):
        return (f"a cell has over {csv.field_size_limit():,} characters; the limit is "
                f"{MAX_CELL_CHARS:,}")
    if "end of data" in str(error):
        return (f"the row starting on line {line} opens a quoted cell that is never closed; "
                f'end the cell with " (a quote inside a cell is written "")')
    return f"cannot be read as CSV (line {line}): {error}"


def _check_row_lengths(label: str, width: int, body: list[list[str]], problems: Problems
                       ) -> set[int]:
    """Rows with more cells than the header has columns, said once for each cause: only empty
    cells past the header (a trailing comma; the rows read as they are), or text past it (a
    comma in a cell without quotes; the cells have shifted). The shifted rows' numbers."""
    trailing: dict[int, int] = {}
    shifted: dict[int, int] = {}
    for row, cells in enumerate(body, start=2):
        if len(cells) > width:
            found = shifted if any(c.strip() for c in cells[width:]) else trailing
            found[row] = len(cells)
    if trailing and len(trailing) < max(2, len(body) / 2):
        # A trailing comma is on (nearly) every row; a few rows whose extra cells happen to be
        # empty were shifted by a comma inside a cell, with blank cells at the row's end.
        shifted |= trailing
        trailing = {}
    if trailing:
        problems.error(label, f"{_rows_have(trailing)} but the header has {width} columns; is "
                              f"there a trailing comma?")
    if shifted:
        problems.error(label, f"{_rows_have(shifted)} but the header has {width} columns; does "
                              f"a cell hold a comma without double quotes around the cell?")
    return set(shifted)


def _rows_have(cells_by_row: dict[int, int]) -> str:
    """'row 7 has 6 cells', 'rows 2–100 have 6 or 7 cells'."""
    counts = sorted(set(cells_by_row.values()))
    cells = " or ".join(map(str, counts)) if len(counts) < 3 else f"{counts[0]} to {counts[-1]}"
    if len(cells_by_row) == 1:
        return f"row {next(iter(cells_by_row))} has {cells} cells"
    return f"rows {row_list(sorted(cells_by_row))} have {cells} cells"


def row_list(rows: list[int], most: int = 5) -> str:
    """Sorted row numbers as runs: '2–4, 9 and 12', '2, 4, 6, 8, 10 and 45 more'."""
    runs: list[list[int]] = []
    for row in rows:
        if runs and row == runs[-1][-1] + 1:
            runs[-1].append(row)
        else:
            runs.append([row])
    texts = [f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs]
    if len(texts) > most:
        left = sum(len(r) for r in runs[most:])
        return f"{', '.join(texts[:most])} and {left:,} more"
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def _table_from_rows(name: str, label: str, header: Sequence[object], rows, problems: Problems
                     ) -> RawTable:
    columns = [normalise_column(c) for c in header]
    table = RawTable(name, label, columns)
    for index, row in enumerate(rows):
        cells = {}
        for column, cell in zip(columns, row, strict=False):
            text = "" if cell is None else without_controls(str(cell))
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

def _read_workbook(path: Path, problems: Problems, required: Sequence[str]
                   ) -> dict[str, RawTable]:
    tables: dict[str, RawTable] = {}
    with open_workbook(path, problems) as books:
        if books is None:
            return tables
        values, formulas = books
        sheets = {normalise_column(s): s for s in values.sheetnames}
        for name in required:
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
def open_workbook(path: Path, problems: Problems, label: str = WORKBOOK
                  ) -> Iterator[tuple[Any, Any] | None]:
    """The workbook twice (cell values, and formulas to spot ones with no saved result), after
    the safety checks; None when it cannot be read (the problem is recorded against label)."""
    if not _workbook_is_safe(path, problems, label):
        yield None
        return
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        problems.error(label, f"cannot be read as an Excel workbook: {_reason(error)}")
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


def _workbook_is_safe(path: Path, problems: Problems, label: str = WORKBOOK) -> bool:
    """Refuse a non-zip, a zip bomb or a damaged member before openpyxl expands anything."""
    if not zipfile.is_zipfile(path):
        problems.error(label, "is not an Excel .xlsx workbook (not a zip file)")
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return _members_are_safe(archive, problems, label)
    except zipfile.BadZipFile as error:  # its directory of members is damaged
        problems.error(label, f"cannot be read as an Excel workbook: {error}")
        return False


def _members_are_safe(archive: zipfile.ZipFile, problems: Problems, label: str) -> bool:
    expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_WORKBOOK_BYTES:
        problems.error(label, f"expands to {expanded:,} bytes, over the limit of "
                              f"{MAX_WORKBOOK_BYTES:,}; is it really a KPI workbook?")
        return False
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            unsafe = _declares_entities(archive, info)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            # Reading every member here means openpyxl never meets a damaged one later.
            problems.error(label, f"cannot be read as an Excel workbook: {info.filename} "
                                  f"is damaged ({error})")
            return False
        if unsafe:
            problems.error(label, f"cannot be read as an Excel workbook: {info.filename} "
                                  f"contains an XML entity or DTD declaration, which is "
                                  f"refused for safety")
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
    try:  # a read-only sheet is parsed only now, row by row
        rows = iter(list(values_sheet.iter_rows()))
        formula_rows = iter(list(formulas_sheet.iter_rows(values_only=True)))
    except Exception as error:  # openpyxl raises many kinds for a damaged sheet
        problems.error(WORKBOOK, f"cannot be read as an Excel workbook: sheet "
                                 f"'{values_sheet.title}' is damaged ({_reason(error)})")
        return None
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
            return f"{plain_number(value * 100)}%"
        return plain_number(value)
    return str(value)


def plain_number(value: float) -> str:
    """The number as an author would type it: never '1e-05', which is no figure in a cell."""
    rounded = round(float(value), 9)
    return str(int(rounded)) if rounded.is_integer() else format(Decimal(repr(rounded)), "f")
