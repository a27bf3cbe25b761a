"""Calendar months: parsing `YYYY-MM`, arithmetic and the labels used in packs."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
# Council packs write "Sept-23", not "Sep-23".
SHORT_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov",
               "Dec"]
_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Read `YYYY-MM`; raise ValueError for anything else."""
        match = _PERIOD.match(text.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"not a month in the form YYYY-MM: {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def months_since(self, other: Month) -> int:
        return (self.year - other.year) * 12 + self.month - other.month

    @property
    def iso(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def short(self) -> str:
        """`Jun-23`, as in the pack's tables."""
        return f"{SHORT_NAMES[self.month - 1]}-{self.year % 100:02d}"

    @property
    def long(self) -> str:
        """`June 2023`, as in the pack's prose."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"

    @property
    def financial_year(self) -> int:
        """The year its financial year (April to March) starts in: Mar-24 is in 2023's."""
        return self.year if self.month >= 4 else self.year - 1

    def __str__(self) -> str:
        return self.iso


def month_range(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, inclusive."""
    return [first.shift(i) for i in range(last.months_since(first) + 1)]


def long_date(day: dt.date) -> str:
    """`17 July 2023`."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
