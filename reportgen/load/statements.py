"""A [source] table's setting → the one read-only SELECT to run, or why it is refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# A table or view, optionally in a schema: reports.kpi_values
_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?")
_READING = ("select", "with")


@dataclass(frozen=True)
class Statement:
    sql: str
    error: str | None = None


def statement_for(setting: str, quote: Callable[[str], str]) -> Statement:
    """A table or view name is read whole; otherwise the text must be one SELECT (or WITH …
    SELECT) statement. The transaction is read-only as well: this is the first guard."""
    setting = setting.strip()
    if _TABLE_NAME.fullmatch(setting):
        return Statement("SELECT * FROM " + ".".join(quote(part) for part in setting.split(".")))
    code = _code(setting)
    body = code.rstrip()
    if body.endswith(";"):
        body = body[:-1].rstrip()
    if ";" in body:
        return Statement("", "expected one SELECT statement; this has more than one "
                             "(a ';' between statements)")
    first = re.match(r"\s*([A-Za-z]*)", body)
    word = first[1].lower() if first else ""
    if word not in _READING:
        start = f"'{word.upper()}'" if word else "no SQL keyword"
        return Statement("", f"expected a table or view name, or one SELECT (or WITH … SELECT) "
                             f"statement; this starts with {start}, and only reading is allowed")
    return Statement(setting[: len(body)])


def _code(sql: str) -> str:
    """The SQL with its comments blanked out and its quoted text as '_', each character kept
    in place, so that a ';' or keyword in them is not mistaken for code."""
    out, i = list(sql), 0
    while i < len(sql):
        end = _skipped_to(sql, i)
        if end > i:
            out[i:end] = ("_" if sql[i] in "'\"" else " ") * (end - i)
            i = end
        else:
            i += 1
    return "".join(out)


def _skipped_to(sql: str, i: int) -> int:
    """Where the comment or quoted text starting at i ends (i when none starts there)."""
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return len(sql) if end < 0 else end
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        return len(sql) if end < 0 else end + 2
    if sql[i] in "'\"":
        j = i + 1
        while j < len(sql):
            if sql[j] == sql[i]:
                if sql.startswith(sql[i] * 2, j):  # '' inside quotes is one quote
                    j += 2
                    continue
                return j + 1
            j += 1
        return len(sql)
    return i
