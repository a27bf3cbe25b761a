"""report.toml's [source]: a database's tables, views or SELECTs → the same text tables as CSV."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import NullPool

from reportgen.config.report import CONFIG_FILE, SourceConfig
from reportgen.errors import DatabaseUnavailable
from reportgen.load.statements import statement_for
from reportgen.load.tables import (
    MAX_CELL_CHARS,
    MONTH_COLUMNS,
    REQUIRED_TABLES,
    RawTable,
    normalise_column,
    plain_number,
    without_controls,
)
from reportgen.problems import Problem, Problems

DIALECTS = ("sqlite", "postgresql")
MAX_ROWS = 200_000  # a KPI table has hundreds of rows; more is the wrong query
# The columns that name a row to its author: "row 12 (measure_id=cin_number, period=2023-06)".
ROW_KEYS = {"priorities": ("id",), "measures": ("id",), "values": ("measure_id", "period"),
            "targets": ("measure_id", "due"), "commentary": ("page", "period"),
            "comparators": ("measure_id", "name", "period")}


@dataclass(frozen=True)
class SourceTables:
    """What the database gave: the tables, and a sha256 of each result set for the manifest."""

    tables: dict[str, RawTable]
    digests: dict[str, str]


@dataclass
class Deadline:
    """When the running query is given up (SQLite has no statement timeout of its own)."""

    seconds: float
    at: float = field(default=math.inf)

    def restart(self) -> None:
        self.at = time.monotonic() + self.seconds

    def passed(self) -> bool:
        return time.monotonic() > self.at


def query_label(name: str) -> str:
    return f"query '{name}'"


def read_source(folder: Path, source: SourceConfig, problems: Problems) -> SourceTables | None:
    """Every table [source] names, read in one read-only transaction; None when the URL is
    wrong (the problem is in problems). DatabaseUnavailable when it cannot be reached.

    folder: where report.toml is, against which an SQLite file's path is resolved."""
    url = database_url(folder, source.url, problems)
    if url is None:
        return None
    deadline = Deadline(source.timeout_seconds)
    engine = _engine(url, deadline)
    try:
        with _transaction(engine, url, source.timeout_seconds) as connection:
            return _read_tables(connection, source, deadline, problems)
    except exc.DBAPIError as error:  # beginning the transaction, or listing the tables
        if error.connection_invalidated:
            raise _unavailable(url, error) from None
        what = f"the SQLite file {url.database}" if url.get_backend_name() == "sqlite" else \
            f"the database {_shown(url)}"
        problems.error(CONFIG_FILE, f"'source.url': {what} cannot be read: {_reason(error)}")
        return None
    finally:
        engine.dispose()


def database_url(folder: Path, text: str, problems: Problems) -> URL | None:
    """The URL report.toml gives, or the variable it names; an SQLite file is resolved against
    folder and must exist (reading never makes one)."""
    where = "'source.url'"
    if text.startswith("env:"):
        where = f"the environment variable {text[4:]} ('source.url')"
        text = os.environ.get(text[4:], "").strip()
        if not text:
            problems.error(CONFIG_FILE, f"{where} is not set; it should hold the database's "
                                        f"URL, e.g. 'postgresql://reports@dbhost/kpi'")
            return None
    try:
        url = sa.make_url(text)
    except exc.ArgumentError:
        problems.error(CONFIG_FILE, f"{where} is not a database URL; expected e.g. "
                                    f"'sqlite:///kpi.sqlite' or 'postgresql://reports@dbhost/kpi'")
        return None
    backend = url.get_backend_name()
    if backend not in DIALECTS:
        problems.error(CONFIG_FILE, f"{where} names a {backend!r} database; reportgen reads "
                                    f"{' and '.join(DIALECTS)}")
        return None
    if backend == "postgresql":
        return url.set(drivername="postgresql+psycopg")  # libpq: .pgpass and PG* variables work
    return _sqlite_file(folder, url, where, problems)


def _sqlite_file(folder: Path, url: URL, where: str, problems: Problems) -> URL | None:
    name = url.database or ""
    if not name or name == ":memory:" or name.startswith("file:"):
        problems.error(CONFIG_FILE, f"{where} names no SQLite file; expected e.g. "
                                    f"'sqlite:///kpi.sqlite' (relative to the project folder)")
        return None
    path = (folder / name).resolve()
    if not path.is_file():
        problems.error(CONFIG_FILE, f"{where}: no SQLite file {name!r} in {folder}; make one "
                                    f"with 'reportgen import PROJECT --to {name}'")
        return None
    return url.set(database=str(path))


def _engine(url: URL, deadline: Deadline) -> Engine:
    if url.get_backend_name() == "postgresql":
        seconds = max(1, math.ceil(deadline.seconds))
        return sa.create_engine(url, poolclass=NullPool,
                                connect_args={"connect_timeout": seconds})
    path = urllib.parse.quote(url.database or "")
    engine = sa.create_engine("sqlite://", poolclass=NullPool,
                              creator=lambda: _sqlite_connection(path, deadline))
    # Python's sqlite3 begins a transaction only before a write: begin one for all reads.
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    return engine


def _sqlite_connection(path: str, deadline: Deadline) -> sqlite3.Connection:
    """Opened read-only, queries only, and given up at the deadline."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    connection.execute("PRAGMA query_only = ON")
    connection.set_progress_handler(lambda: int(deadline.passed()), 10_000)
    return connection


@contextmanager
def _transaction(engine: Engine, url: URL, seconds: float) -> Iterator[Connection]:
    """One read-only transaction (PostgreSQL: one snapshot, each statement timed out)."""
    try:
        connection = engine.connect()
    except exc.DBAPIError as error:
        raise _unavailable(url, error) from None
    with connection, connection.begin():
        if url.get_backend_name() == "postgresql":
            connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, "
                                       "READ ONLY")
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(seconds * 1000)}")
        yield connection


def _unavailable(url: URL, error: exc.DBAPIError) -> DatabaseUnavailable:
    return DatabaseUnavailable(f"cannot reach the database {_shown(url)} named by report.toml's "
                               f"[source]: {_reason(error)}")


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _read_tables(connection: Connection, source: SourceConfig, deadline: Deadline,
                 problems: Problems) -> SourceTables:
    names = set(sa.inspect(connection).get_table_names()) | \
        set(sa.inspect(connection).get_view_names())
    tables, digests = {}, {}
    for name, query in source.queries:
        if query == name and name not in names and name not in REQUIRED_TABLES:
            continue  # an optional table left out, as a CSV file may be
        statement = statement_for(query, connection.dialect.identifier_preparer.quote)
        if statement.error:
            problems.error(query_label(name), statement.error)
            continue
        deadline.restart()
        table = _run(connection, name, statement.sql, deadline, problems)
        if table is not None:
            tables[name], digests[name] = table, result_digest(table)
    return SourceTables(tables, digests)


def _run(connection: Connection, name: str, sql: str, deadline: Deadline, problems: Problems
         ) -> RawTable | None:
    label = query_label(name)
    try:
        with connection.begin_nested():  # a refused query leaves the transaction usable
            result = connection.exec_driver_sql(sql)
            columns = [normalise_column(c) for c in result.keys()]
            rows = result.fetchmany(MAX_ROWS + 1)
    except exc.DBAPIError as error:
        if error.connection_invalidated:
            raise DatabaseUnavailable(f"lost the connection to the database during {label}: "
                                      f"{_reason(error)}") from None
        problems.error(label, _refused(error, deadline))
        return None
    if len(rows) > MAX_ROWS:
        problems.error(label, f"the query gives over {MAX_ROWS:,} rows; is it the right one?")
        return None
    return _table(name, label, columns, rows, problems)


def _refused(error: exc.DBAPIError, deadline: Deadline) -> str:
    reason = _reason(error)
    if "statement timeout" in reason or (reason == "interrupted" and deadline.passed()):
        return (f"the query took longer than {deadline.seconds:g} seconds ([source] "
                f"timeout_seconds) and was stopped")
    return f"the database refused the query: {reason}"


def _reason(error: exc.DBAPIError) -> str:
    """The driver's own first line, without SQLAlchemy's statement and links."""
    lines = str(error.orig).strip().splitlines()
    return lines[0].strip() if lines else type(error.orig).__name__


def _table(name: str, label: str, columns: list[str], rows: Any, problems: Problems
           ) -> RawTable:
    table = RawTable(name, label, columns)
    for number, row in enumerate(rows, start=1):
        cells: dict[str, str] = {}
        for column, value in zip(columns, row, strict=True):
            text = cell_text(value, column)
            if len(text) > MAX_CELL_CHARS:
                problems.error(label, f"cell has {len(text):,} characters; the limit is "
                                      f"{MAX_CELL_CHARS:,}", number, column)
                text = ""
            if column and column not in cells:
                cells[column] = text
        if any(cells.values()):
            table.rows.append((number, cells))
    if not table.rows:
        problems.error(label, "the query gives no rows")
    return table


def cell_text(value: object, column: str) -> str:
    """A database value as an author would type it in a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, dt.date):  # a datetime too
        return f"{value.year:04d}-{value.month:02d}" if column in MONTH_COLUMNS else \
            value.isoformat()[:10]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value.is_finite() else str(value)
    if isinstance(value, float) and math.isfinite(value):
        return plain_number(value)
    if isinstance(value, bytes | memoryview):
        return "(binary data)"
    return without_controls(str(value)).strip()


def result_digest(table: RawTable) -> str:
    """sha256 of a result set as read: its columns and every row's text."""
    rows = [[number, [cells.get(c, "") for c in table.columns]] for number, cells in table.rows]
    text = json.dumps({"columns": table.columns, "rows": rows}, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name_rows(problems: Problems, start: int, tables: dict[str, RawTable]) -> None:
    """Problems from problems.items[start:] that name a query's row also name its key, so the
    author can find it: "query 'values', row 12 (measure_id=cin_number, period=2023-06)"."""
    keys = {query_label(name): _row_keys(table) for name, table in tables.items()}
    problems.items[start:] = [_with_key(p, keys) for p in problems.items[start:]]


def _row_keys(table: RawTable) -> dict[int, str]:
    columns = ROW_KEYS.get(table.name, ())
    return {number: ", ".join(f"{c}={cells[c]}" for c in columns if cells.get(c))
            for number, cells in table.rows}


def _with_key(problem: Problem, keys: dict[str, dict[int, str]]) -> Problem:
    key = keys.get(problem.file, {}).get(problem.row) if problem.row is not None else None
    if key is None:
        return problem
    where = f"{problem.file}, row {problem.row}" + (f" ({key})" if key else "")
    return Problem(where, problem.message, None, problem.column, problem.severity, problem.line)


