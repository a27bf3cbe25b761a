"""The data model: what a project's tables say, as frozen dataclasses with named kinds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, get_args

from reportgen.months import Month

Unit = Literal["number", "rate", "percent"]
Polarity = Literal["up", "down", "range"]
AuthorRating = Literal["Red", "Amber", "Green"]
Rating = Literal["Red", "Amber", "Green", "Not rated", "No data"]
Direction = Literal["up", "down", "same", "n/a"]
Trend = Literal["improving", "declining", "no change", "n/a"]
SetBy = Literal["rule", "author"]
Edition = Literal["pdf", "html"]
# What a figure counts (README "Measure kinds"): a month-end snapshot, a financial-year-to-date
# total from April, a projected in-year rate, or a rolling 12 months' figure.
Kind = Literal["snapshot", "cumulative", "annualised", "rolling"]
Frequency = Literal["Monthly", "Quarterly", "Annual"]

UNITS: tuple[Unit, ...] = get_args(Unit)
POLARITIES: tuple[Polarity, ...] = get_args(Polarity)
RATINGS: tuple[AuthorRating, ...] = get_args(AuthorRating)
KINDS: tuple[Kind, ...] = get_args(Kind)
FREQUENCIES: tuple[Frequency, ...] = get_args(Frequency)
MONTHS_BETWEEN: dict[Frequency, int] = {"Monthly": 1, "Quarterly": 3, "Annual": 12}
LATEST = "latest"  # the period column's name for the refresh after the month end


@dataclass(frozen=True)
class Priority:
    id: str
    title: str


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    priority: str
    group: str
    unit: Unit
    polarity: Polarity
    target: float | None
    tolerance_low: float | None
    tolerance_high: float | None
    frequency: Frequency
    chart_title: str
    kind: Kind = "snapshot"
    label: str = ""  # the short row label on a group's page ("% CASS"); "" → the title

    @property
    def page(self) -> str:
        """Measures sharing a group share a page; otherwise the measure has its own."""
        return self.group or self.id

    @property
    def row_label(self) -> str:
        return self.label or self.title

    @property
    def months_between(self) -> int:
        """Months from one reported period to the next: 1, 3 or 12."""
        return MONTHS_BETWEEN[self.frequency]


@dataclass(frozen=True)
class Observation:
    """One month's figure: a number, a statistical symbol, or missing (both None)."""

    value: float | None = None
    symbol: str | None = None
    author_rating: AuthorRating | None = None
    rating_note: str = ""

    @property
    def is_number(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Milestone:
    due: Month
    target: float


@dataclass(frozen=True)
class Commentary:
    working_well: str
    worried_about: str
    doing_about_it: str


@dataclass(frozen=True)
class Comparator:
    name: str
    value: float
    period: Month | None


@dataclass(frozen=True)
class Dataset:
    """Everything the tables say, typed and checked; made once, never changed."""

    priorities: tuple[Priority, ...] = ()
    measures: tuple[Measure, ...] = ()
    values: Mapping[str, Mapping[Month, Observation]] = field(default_factory=dict)
    latest: Mapping[str, Observation] = field(default_factory=dict)  # the refresh after the month
    milestones: Mapping[str, tuple[Milestone, ...]] = field(default_factory=dict)
    commentary: Mapping[tuple[str, Month], Commentary] = field(default_factory=dict)
    comparators: Mapping[str, tuple[Comparator, ...]] = field(default_factory=dict)
    group_titles: Mapping[str, str] = field(default_factory=dict)  # group → its page heading
    values_source: str = "values.csv"
    # From a database ([source]): each query's name → sha256 of its result set, for the manifest.
    query_digests: Mapping[str, str] = field(default_factory=dict)

    def months_with_values(self) -> list[Month]:
        return list(self._months_with_values)

    @cached_property
    def _months_with_values(self) -> tuple[Month, ...]:
        # Asked for on every measure page; the Dataset never changes, so worked out once.
        return tuple(sorted({p for series in self.values.values() for p, obs in series.items()
                             if obs.is_number or obs.symbol}))

    def observations(self) -> Iterator[Observation]:
        """Every figure given, the latest refresh's too."""
        for series in self.values.values():
            yield from series.values()
        yield from self.latest.values()
