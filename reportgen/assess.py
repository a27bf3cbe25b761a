"""A Dataset and a reporting period → each measure's rating, target and direction of travel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportgen.model import (
    Dataset,
    Direction,
    Measure,
    Milestone,
    Observation,
    Rating,
    SetBy,
    Trend,
)
from reportgen.months import Month
from reportgen.problems import Problems

NO_DATA: Rating = "No data"
NOT_RATED: Rating = "Not rated"
MISSING = Observation()


@dataclass(frozen=True)
class Target:
    """The target a month is rated against, and the milestone it comes from (if any)."""

    value: float
    milestone: Milestone | None


@dataclass(frozen=True)
class Band:
    """The tolerance band: Amber between the target and the band's edge."""

    low: float | None
    high: float | None


@dataclass(frozen=True)
class Assessment:
    """What the pack says of one measure in the reporting period."""

    measure: Measure
    period: Month
    observation: Observation
    previous: Observation
    reported: Month  # the month of the figure shown: the period, or a quarter's or year's end
    compared_with: Month  # the month of `previous`: the previous reported period, or for a
    #                       cumulative measure the same month last year
    target: Target | None
    band: Band | None  # the band the rule uses (the measure's, else the default tolerance's)
    band_given: bool  # the measure has a tolerance of its own: else a default stands in
    rating: Rating
    rule_rating: Rating
    rating_set_by: SetBy
    direction: Direction
    trend: Trend


def milestone_target(milestones: Sequence[Milestone], period: Month) -> Milestone | None:
    """The earliest milestone due in or after the period."""
    return next((m for m in milestones if m.due >= period), None)


def target_for(measure: Measure, milestones: Sequence[Milestone], period: Month
               ) -> Target | None:
    milestone = milestone_target(milestones, period)
    if measure.target is not None:
        same = milestone if milestone and milestone.target == measure.target else None
        return Target(measure.target, same)
    return Target(milestone.target, milestone) if milestone else None


def tolerance_band(measure: Measure, target: float | None, tolerance: float) -> Band | None:
    """The band the rules use: the measure's own edges, else the default tolerance."""
    if target is None:
        if measure.tolerance_low is None and measure.tolerance_high is None:
            return None
        return Band(measure.tolerance_low, measure.tolerance_high)
    low = measure.tolerance_low
    high = measure.tolerance_high
    if measure.polarity in ("up", "range") and low is None:
        low = target * (1 - tolerance)
    if measure.polarity in ("down", "range") and high is None:
        high = target * (1 + tolerance)
    return Band(low, high)


def rag_rating(measure: Measure, value: float | None, target: float | None, tolerance: float
               ) -> Rating:
    """SPEC "RAG rating": Green on target, Amber inside tolerance, else Red."""
    if value is None:
        return NO_DATA
    if target is None:  # SPEC: no target → Not rated, for a range measure too
        return NOT_RATED
    band = tolerance_band(measure, target, tolerance)
    if measure.polarity == "up":
        assert target is not None and band is not None and band.low is not None
        return "Green" if _at_most(target, value) else \
            "Amber" if _at_most(band.low, value) else "Red"
    if measure.polarity == "down":
        assert target is not None and band is not None and band.high is not None
        return "Green" if _at_most(value, target) else \
            "Amber" if _at_most(value, band.high) else "Red"
    return _range_rating(band, value, target, tolerance)


def _range_rating(band: Band | None, value: float, target: float | None, tolerance: float
                  ) -> Rating:
    if band is None or band.low is None or band.high is None:
        return NOT_RATED
    if _at_most(band.low, value) and _at_most(value, band.high):
        return "Green"
    reference = target if target is not None else (band.low + band.high) / 2
    outside = band.low - value if value < band.low else value - band.high
    return "Amber" if _at_most(outside, tolerance * reference) else "Red"


def _at_most(value: float, limit: float) -> bool:
    """value ≤ limit, forgiving binary rounding (21.8 − 20 is 1.8000000000000007)."""
    return value <= limit + 1e-9 * max(1.0, abs(limit))


def direction_of_travel(measure: Measure, value: float | None, previous: float | None,
                        band: Band | None, same_at: float = 0.5
                        ) -> tuple[Direction, Trend]:
    """(direction, trend) against the figure compared with; equal at display precision is 'same'."""
    if value is None or previous is None:
        return "n/a", "n/a"
    if abs(value - previous) < same_at:
        return "same", "no change"
    direction: Direction = "up" if value > previous else "down"
    if measure.polarity == "up":
        better = direction == "up"
    elif measure.polarity == "down":
        better = direction == "down"
    else:
        if band is None or band.low is None or band.high is None:
            return direction, "n/a"
        middle = (band.low + band.high) / 2
        if abs(abs(value - middle) - abs(previous - middle)) < same_at:
            return direction, "no change"
        better = abs(value - middle) < abs(previous - middle)
    return direction, "improving" if better else "declining"


def display_step(measure: Measure, value: float | None) -> float:
    """Half the smallest step the pack shows, so 'same' means 'looks the same'."""
    if measure.unit == "rate":
        return 0.5
    if value is not None and not float(value).is_integer():
        return 0.05
    return 0.5


def reported_month(measure: Measure, series: Mapping[Month, Observation], period: Month
                   ) -> Month:
    """The month whose figure a pack for `period` shows: the period itself for a monthly
    measure; for a quarterly or annual one, the newest month with a figure (or symbol) in the
    interval ending at the period (a May pack shows the March quarter)."""
    for back in range(measure.months_between):
        month = period.shift(-back)
        if _given(series.get(month)):
            return month
    return period


def compared_month(measure: Measure, series: Mapping[Month, Observation], reported: Month
                   ) -> Month:
    """What direction of travel compares against (README "Direction of travel"): for a
    cumulative measure the same month last year, as a year-to-date total only rises month on
    month; otherwise the previous reported period: the month before, or for a quarterly or
    annual measure the newest earlier figure at most one interval back."""
    if measure.kind == "cumulative":
        return reported.shift(-12)
    for back in range(1, measure.months_between + 1):
        if _given(series.get(reported.shift(-back))):
            return reported.shift(-back)
    return reported.shift(-measure.months_between)


def _given(observation: Observation | None) -> bool:
    return observation is not None and (observation.is_number or observation.symbol is not None)


def assess_measure(data: Dataset, measure: Measure, period: Month, tolerance: float
                   ) -> Assessment:
    series = data.values.get(measure.id, {})
    reported = reported_month(measure, series, period)
    compared_with = compared_month(measure, series, reported)
    observation = series.get(reported, MISSING)
    previous = series.get(compared_with, MISSING)
    target = target_for(measure, data.milestones.get(measure.id, []), period)
    target_value = target.value if target else None
    band = tolerance_band(measure, target_value, tolerance)
    rule = rag_rating(measure, observation.value, target_value, tolerance)
    by_author = observation.author_rating is not None
    step = min(display_step(measure, observation.value), display_step(measure, previous.value))
    direction, trend = direction_of_travel(measure, observation.value, previous.value, band, step)
    return Assessment(
        measure=measure, period=period, observation=observation, previous=previous,
        reported=reported, compared_with=compared_with,
        target=target, band=band,
        band_given=measure.tolerance_low is not None or measure.tolerance_high is not None,
        rating=observation.author_rating or rule,
        rule_rating=rule, rating_set_by="author" if by_author else "rule",
        direction=direction, trend=trend)


def assess(data: Dataset, period: Month, tolerance: float) -> list[Assessment]:
    """Every measure, in report order (priority order, then listed order)."""
    order = {p.id: i for i, p in enumerate(data.priorities)}
    measures = sorted(data.measures, key=lambda m: order.get(m.priority, len(order)))
    return [assess_measure(data, m, period, tolerance) for m in measures]


def resolve_period(requested: str, data: Dataset, problems: Problems) -> Month | None:
    """`YYYY-MM` as given, or `latest`: the newest month that has values."""
    months = data.months_with_values()
    if requested == "latest":
        if not months:
            problems.error(data.values_source, "no month has any values to report")
            return None
        return months[-1]
    period = Month.parse(requested)
    if period not in months:
        newest = f"; the newest month with values is {months[-1]}" if months else ""
        problems.error(data.values_source, f"the reporting period {period} has no values at all"
                                     f"{newest}")
        return None
    return period
