"""A month's answers by page → the project's commentary table (commentary.csv, or the
commentary sheet of data.xlsx) with those rows set or added and all else as it was; the previous
file is kept as a dated backup beside it first."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

from reportgen.authoring.staleness import QUESTIONS
from reportgen.errors import InvalidInput, OutputNotWritable
from reportgen.load.tables import WORKBOOK, RawTable, normalise_column, read_extra_table
from reportgen.months import Month
from reportgen.problems import Problem, Problems
from reportgen.publish.files import publish

TABLE = "commentary"
COLUMNS = ("page", "period", *QUESTIONS)
Answers = dict[str, dict[str, str]]  # page → column → text


@dataclass(frozen=True)
class Written:
    table: Path
    backup: Path | None  # None when there was no table before


def merge_commentary(data_root: Path, period: Month, updates: Answers) -> Written:
    """Set the month's rows of the pages in updates; back up, then replace the file at once."""
    workbook = data_root / WORKBOOK
    if workbook.exists():
        target, content = workbook, merged_workbook(data_root, period, updates)
    else:
        target = data_root / f"{TABLE}.csv"
        content = merged_csv(target, period, updates)
    backup = back_up(target) if target.exists() else None
    publish(content, target)
    if backup is not None:
        shutil.copymode(backup, target)  # the table keeps its own permissions
    return Written(target, backup)


def back_up(path: Path, now: dt.datetime | None = None) -> Path:
    """A copy beside the file, `commentary.csv.bak-20240705-093000`; never over another."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    for number in range(1, 100):
        backup = path.with_name(f"{path.name}.bak-{stamp}" + (f"-{number}" if number > 1 else ""))
        try:
            with path.open("rb") as original, backup.open("xb") as copy:
                shutil.copyfileobj(original, copy)
        except FileExistsError:
            continue
        except OSError as error:
            raise OutputNotWritable(f"cannot keep a backup of {path} as {backup}: "
                                    f"{error.strerror}; nothing was changed") from None
        shutil.copystat(path, backup)
        return backup
    raise OutputNotWritable(f"cannot keep a backup of {path}: too many backups named "
                            f"{path.name}.bak-{stamp}")


# --- commentary.csv ----------------------------------------------------------------------------

def merged_csv(path: Path, period: Month, updates: Answers) -> bytes:
    """The CSV with the rows set; its encoding mark, line ends and other columns kept."""
    raw = path.read_bytes() if path.exists() else b""
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text))) if text.strip() else [list(COLUMNS)]
    header = rows[0]
    index = _column_index(header)
    for page, texts in updates.items():
        row = next((r for r in rows[1:] if _is_row(r, index, page, period)), None)
        if row is None:
            row = [""] * len(header)
            rows.append(row)
        row.extend([""] * (len(header) - len(row)))
        for column, value in {"page": page, "period": period.iso, **texts}.items():
            row[index[column]] = value
    stream = io.StringIO()
    csv.writer(stream, lineterminator="\r\n" if "\r\n" in text or not raw else "\n"
               ).writerows(rows)
    mark = raw.startswith(codecs.BOM_UTF8) or not raw  # a new file gets one, for Excel
    return stream.getvalue().encode("utf-8-sig" if mark else "utf-8")


def _column_index(header: list[str]) -> dict[str, int]:
    """Column → position (the first of a name, as the loader reads); missing ones are added."""
    index: dict[str, int] = {}
    for position, name in enumerate(header):
        index.setdefault(normalise_column(name), position)
    for column in COLUMNS:
        if column not in index:
            index[column] = len(header)
            header.append(column)
    return index


def _is_row(row: list[str], index: dict[str, int], page: str, period: Month) -> bool:
    def cell(column: str) -> str:
        position = index[column]
        return row[position].strip() if position < len(row) else ""
    return cell("page") == page and _same_month(cell("period"), period)


def _same_month(text: str, period: Month) -> bool:
    try:
        return Month.parse(text) == period
    except ValueError:
        return False


# --- data.xlsx ---------------------------------------------------------------------------------

def merged_workbook(data_root: Path, period: Month, updates: Answers) -> bytes:
    """data.xlsx with only the commentary sheet's changed cells rewritten."""
    from reportgen.authoring.xlsx_cells import CannotEdit, set_cells

    problems = Problems()
    table = read_extra_table(data_root, TABLE, WORKBOOK, problems)
    if table is None or problems.errors:
        raise InvalidInput([*problems.errors, Problem(WORKBOOK, "add a 'commentary' sheet with "
                                                      f"the columns {', '.join(COLUMNS)}, then "
                                                      "collect again")])
    try:
        return set_cells(data_root / WORKBOOK, TABLE, _sheet_cells(table, period, updates))
    except CannotEdit as error:
        raise InvalidInput([Problem(table.source, f"cannot be updated safely: {error}; "
                                                  "nothing was changed")]) from None


def _sheet_cells(table: RawTable, period: Month, updates: Answers) -> dict[int, dict[int, str]]:
    """Row → column → text: the answers in their rows, new rows below the last, and any
    missing header cells."""
    columns = list(table.columns)
    cells: dict[int, dict[int, str]] = {}
    for column in COLUMNS:
        if column not in columns:
            columns.append(column)
            cells.setdefault(1, {})[len(columns)] = column
    position = {name: columns.index(name) + 1 for name in COLUMNS}
    next_row = max((row for row, _ in table.rows), default=1) + 1
    for page, texts in updates.items():
        row = next((r for r, c in table.rows
                    if c.get("page") == page and _same_month(c.get("period", ""), period)), None)
        if row is None:
            row, next_row = next_row, next_row + 1
            texts = {"page": page, "period": period.iso, **texts}
        cells[row] = {position[column]: text for column, text in texts.items()}
    return cells
