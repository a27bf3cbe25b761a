"""The rating rules of SPEC "Rules", table-driven."""

from __future__ import annotations

import pytest

from reportgen.assess import (
    assess,
    direction_of_travel,
    milestone_target,
    rag_rating,
    resolve_period,
    target_for,
    tolerance_band,
)
from reportgen.model import Dataset, Measure, Milestone, Observation, Priority
from reportgen.months import Month
from reportgen.problems import Problems


def measure(polarity: str = "up", target: float | None = None, low: float | None = None,
            high: float | None = None, unit: str = "number", ident: str = "m") -> Measure:
    return Measure(ident, "M", "A", "", unit, polarity, target, low, high, "Monthly", "M")


# The worked checks of SPEC, all from the June 2023 example pack.
WORKED = [
    ("Number of CiN", measure("down", 800, 720, 880), 807, "Amber"),
    ("Number of CP", measure("down", 275, 250, 300), 321, "Red"),
    ("CiN visits", measure("up", 90, 85, None, "percent"), 90, "Green"),
    ("ICPC in timescale", measure("up", 95, None, None, "percent"), 64, "Red"),
    ("CP reviews", measure("up", 96, None, None, "percent"), 97, "Green"),
]


@pytest.mark.parametrize(("name", "m", "value", "expected"), WORKED, ids=[w[0] for w in WORKED])
def test_worked_checks(name: str, m: Measure, value: float, expected: str) -> None:
    assert rag_rating(m, value, m.target, 0.10) == expected


@pytest.mark.parametrize(("m", "value", "expected"), [
    # up: Green at or above target, Amber down to the low edge, Red below
    (measure("up", 90, 85), 95, "Green"),
    (measure("up", 90, 85), 90, "Green"),
    (measure("up", 90, 85), 85, "Amber"),
    (measure("up", 90, 85), 84.9, "Red"),
    # up with no band: the default tolerance makes L = 90 × 0.9 = 81
    (measure("up", 90), 81, "Amber"),
    (measure("up", 90), 80.9, "Red"),
    # down: Green at or below target, Amber up to the high edge, Red above
    (measure("down", 800, 720, 880), 800, "Green"),
    (measure("down", 800, 720, 880), 880, "Amber"),
    (measure("down", 800, 720, 880), 881, "Red"),
    # down with no band: H = 100 × 1.1 = 110
    (measure("down", 100), 110, "Amber"),
    (measure("down", 100), 110.5, "Red"),
    # range: Green inside the band, Amber within d × T outside it, Red further out
    (measure("range", 18, 16, 20), 16, "Green"),
    (measure("range", 18, 16, 20), 20, "Green"),
    (measure("range", 18, 16, 20), 21.8, "Amber"),
    (measure("range", 18, 16, 20), 14.2, "Amber"),
    (measure("range", 18, 16, 20), 21.9, "Red"),
    (measure("range", 18, 16, 20), 14.1, "Red"),
])
def test_rating_by_polarity(m: Measure, value: float, expected: str) -> None:
    assert rag_rating(m, value, m.target, 0.10) == expected


def test_default_tolerance_comes_from_config() -> None:
    m = measure("up", 100)
    assert rag_rating(m, 85, 100, 0.10) == "Red"
    assert rag_rating(m, 85, 100, 0.20) == "Amber"


def test_no_data_and_not_rated() -> None:
    assert rag_rating(measure("up", 90), None, 90, 0.1) == "No data"
    assert rag_rating(measure("up"), 50, None, 0.1) == "Not rated"


def test_target_falls_back_to_next_milestone() -> None:
    milestones = [Milestone(Month(2023, 3), 50), Milestone(Month(2023, 9), 60),
                  Milestone(Month(2024, 3), 70)]
    assert milestone_target(milestones, Month(2023, 6)) == milestones[1]
    assert milestone_target(milestones, Month(2023, 9)) == milestones[1]
    assert milestone_target(milestones, Month(2024, 4)) is None
    target = target_for(measure("up"), milestones, Month(2023, 6))
    assert target is not None and target.value == 60 and target.milestone == milestones[1]
    own = target_for(measure("up", 55), milestones, Month(2023, 6))
    assert own is not None and own.value == 55 and own.milestone is None


def test_tolerance_band_keeps_given_edges() -> None:
    band = tolerance_band(measure("up", 90, 85), 90, 0.1)
    assert band is not None and (band.low, band.high) == (85, None)
    band = tolerance_band(measure("range", 18), 18, 0.1)
    assert band is not None and band.low == pytest.approx(16.2) and band.high == pytest.approx(19.8)


@pytest.mark.parametrize(("polarity", "value", "previous", "direction", "trend"), [
    ("up", 91, 78, "up", "improving"),
    ("up", 64, 100, "down", "declining"),
    ("down", 807, 788, "up", "declining"),
    ("down", 283, 291, "down", "improving"),
    ("up", 90, 90, "same", "no change"),
    ("up", 90.2, 90, "same", "no change"),  # equal at display precision
    ("range", 19, 21, "down", "improving"),  # closer to the middle (18)
    ("range", 17, 18, "down", "declining"),
    ("range", 19, 17, "up", "no change"),  # as far from the middle either side
    ("up", 90, None, "n/a", "n/a"),
])
def test_direction_of_travel(polarity: str, value: float, previous: float | None,
                             direction: str, trend: str) -> None:
    m = measure(polarity, 18, 16, 20)
    band = tolerance_band(m, 18, 0.1)
    assert direction_of_travel(m, value, previous, band) == (direction, trend)


def _data(values: dict, measures: list[Measure], latest: dict | None = None) -> Dataset:
    return Dataset(priorities=(Priority("A", "A"),), measures=tuple(measures),
                   values={m.id: values.get(m.id, {}) for m in measures}, latest=latest or {})


def test_author_rating_replaces_the_rule() -> None:
    m = measure("up", 90, 85)
    data = _data({"m": {Month(2023, 6): Observation(87, None, "Green", "moved on 3 July")}}, [m])
    [result] = assess(data, Month(2023, 6), 0.1)
    assert (result.rating, result.rule_rating, result.rating_set_by) == ("Green", "Amber",
                                                                        "author")


def test_symbol_is_no_data_and_no_direction() -> None:
    m = measure("up", 90, 85)
    data = _data({"m": {Month(2023, 5): Observation(80), Month(2023, 6): Observation(None, "c")}},
                 [m])
    [result] = assess(data, Month(2023, 6), 0.1)
    assert (result.rating, result.direction, result.trend) == ("No data", "n/a", "n/a")


def test_latest_period_is_newest_month_with_values() -> None:
    m = measure()
    data = _data({"m": {Month(2023, 5): Observation(1), Month(2023, 6): Observation(2)}}, [m],
                 latest={"m": Observation(3)})
    assert resolve_period("latest", data, Problems()) == Month(2023, 6)
    problems = Problems()
    assert resolve_period("2023-08", data, problems) is None
    assert "2023-08 has no values at all; the newest month with values is 2023-06" in \
        str(problems.errors[0])
