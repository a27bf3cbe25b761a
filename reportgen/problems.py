"""Problems found in a report project: where they are, what was found and what was expected."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

SHOWN_CHARS = 30  # of an author's text in a message
LISTED_PER_KIND = 20  # problems of one kind in one column listed before the rest are counted


def cut(text: str, limit: int = SHOWN_CHARS) -> str:
    """An author's text, cut when long: a message names content, it never carries it."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def shown(text: str, limit: int = SHOWN_CHARS) -> str:
    """An author's text, quoted for a message and cut when long."""
    return f"'{cut(text, limit)}'"


@dataclass(frozen=True)
class Problem:
    """One problem, located as the author sees it (row 1 is the header, as in Excel)."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    severity: str = "error"  # "error" stops the build; "warning" is listed only
    line: int | None = None  # in a text file (a template): its line

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        label = "error" if self.is_error else "warning"
        return f"{where}: {label}: {self.message}"


@dataclass
class Problems:
    """Collects every problem so that one run reports them all at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, file: str, message: str, row: int | None = None,
              column: str | None = None) -> None:
        self.items.append(Problem(file, message, row, column, "error"))

    def warning(self, file: str, message: str, row: int | None = None,
                column: str | None = None) -> None:
        self.items.append(Problem(file, message, row, column, "warning"))

    def extend(self, other: Problems) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]


def listed(problems: list[Problem], every: bool = False) -> list[str]:
    """Each problem as a line; after 20 of one kind in one column of one file, one line counts
    the rest, so 100,000 bad rows are not 100,000 lines (every=True lists them all)."""
    if every:
        return [str(p) for p in problems]
    totals = Counter(_kind(p) for p in problems)
    seen: Counter[tuple[str, ...]] = Counter()
    lines = []
    for problem in problems:
        kind = _kind(problem)
        seen[kind] += 1
        if seen[kind] <= LISTED_PER_KIND:
            lines.append(str(problem))
        if seen[kind] == LISTED_PER_KIND and totals[kind] > LISTED_PER_KIND:
            where = f" column '{problem.column}'" if problem.column else ""
            lines.append(f"… and {totals[kind] - LISTED_PER_KIND:,} more like this in "
                         f"{problem.file}{where}")
    return lines


def _kind(problem: Problem) -> tuple[str, ...]:
    """Problems differing only in the quoted text or numbers they name are of one kind."""
    pattern = re.sub(r"'[^']*'|\d[\d,.]*", "…", problem.message)
    return problem.file, problem.column or "", problem.severity, pattern
