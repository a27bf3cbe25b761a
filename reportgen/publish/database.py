"""A project's checked tables → a new SQLite file with typed columns, which [source] can read."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import OutputNotWritable
from reportgen.load.numbers import FigureError, parse_number
from reportgen.load.tables import TABLE_NAMES, RawTable
from reportgen.publish.files import publish

# Columns that hold figures: REAL. A symbol in one (c, z, x, :) stays text, as SQLite allows
# in any column, so nothing the author wrote is lost. Months are text YYYY-MM.
NUMBER_COLUMNS = {"measures": ("target", "tolerance_low", "tolerance_high"), "values": ("value",),
                  "targets": ("target",), "comparators": ("value",)}


@dataclass(frozen=True)
class Imported:
    path: Path
    rows: dict[str, int]  # table → rows written


def write_sqlite(tables: dict[str, RawTable], target: Path) -> Imported:
    """Every table into a new SQLite file; never over an existing one."""
    if target.exists():
        raise OutputNotWritable(f"{target} already exists; 'reportgen import' never writes "
                                f"over a file: name a new one, or remove it first")
    with sqlite3.connect(":memory:") as connection:
        rows = {name: _write_table(connection, tables[name])
                for name in TABLE_NAMES if name in tables}
        content = connection.serialize()
    connection.close()
    return Imported(publish(content, target), rows)


def _write_table(connection: sqlite3.Connection, table: RawTable) -> int:
    columns = [c for c in dict.fromkeys(table.columns) if c]
    numbers = NUMBER_COLUMNS.get(table.name, ())
    declared = ", ".join(f"{_quoted(c)} {'REAL' if c in numbers else 'TEXT'}" for c in columns)
    connection.execute(f"CREATE TABLE {_quoted(table.name)} ({declared})")
    marks = ", ".join("?" for _ in columns)
    connection.executemany(
        f"INSERT INTO {_quoted(table.name)} VALUES ({marks})",
        ([_value(cells.get(c, ""), c in numbers) for c in columns] for _, cells in table.rows))
    return len(table.rows)


def _value(text: str, number: bool) -> str | float | None:
    if not text:
        return None
    if number:
        try:
            return parse_number(text).value
        except FigureError:
            return text  # a symbol; a checked table has no other text in a figure's column
    return text


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
