"""Loading a report project: CSV folder and data.xlsx, values, config."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.assess import assess
from reportgen.load.dataset import parse_value
from reportgen.load.project import check_project, load_project
from tests.helpers import csv_project_to_workbook, rewrite_csv


def _ratings(project: Path) -> list[tuple]:
    loaded = load_project(project)
    return [(a.measure.id, a.observation, a.target, a.rating, a.direction, a.trend)
            for a in assess(loaded.data, loaded.period, loaded.config.default_tolerance)]


def test_workbook_gives_same_results_as_csv(sample_copy: Path) -> None:
    from_csv = load_project(sample_copy)
    csv_ratings = _ratings(sample_copy)
    csv_project_to_workbook(sample_copy, month_cells_as_dates=True)
    # the KPI tables are now sheets; a table page's own CSV stays a file
    assert [p.name for p in sample_copy.glob("*.csv")] == ["placements.csv"]
    from_xlsx = load_project(sample_copy)
    assert from_xlsx.data.values == from_csv.data.values
    assert from_xlsx.data.measures == from_csv.data.measures
    assert from_xlsx.data.commentary == from_csv.data.commentary
    assert from_xlsx.data.milestones == from_csv.data.milestones
    assert from_xlsx.data.comparators == from_csv.data.comparators
    assert _ratings(sample_copy) == csv_ratings


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("1,234", "number", (1234.0, None, None)),
    ("90%", "percent", (90.0, None, None)),
    ("90", "percent", (90.0, None, None)),
    ("12.5", "rate", (12.5, None, None)),
    ("", "number", (None, None, None)),
    ("c", "number", (None, "c", None)),
    (":", "percent", (None, ":", None)),
    ("x", "number", (None, "x", None)),
    ("z", "number", (None, "z", None)),
])
def test_parse_value_accepts(text: str, unit: str, expected: tuple) -> None:
    assert parse_value(text, unit) == expected


@pytest.mark.parametrize(("text", "unit", "message"), [
    ("twelve", "number", "'twelve' is not a number"),
    ("1 2 3", "number", "'1 2 3' is not a number"),
    ("n/a", "number", "'n/a' is not a number"),
    ("NA", "number", "'NA' is not a number"),
    ("101", "percent", "'101' is outside 0–100 for a percentage"),
    ("-3", "number", "'-3' is negative; a number cannot be below 0"),
    ("90%", "number", "'90%' has a % sign but the measure's unit is number"),
])
def test_parse_value_refuses(text: str, unit: str, message: str) -> None:
    number, symbol, error = parse_value(text, unit)
    assert number is None and symbol is None
    assert error is not None and error.startswith(message)


def test_pandas_na_strings_are_not_blank(sample_copy: Path) -> None:
    rewrite_csv(sample_copy / "values.csv", lambda rows: rows[1].__setitem__(2, "NA"))
    _, problems = check_project(sample_copy)
    assert [str(p) for p in problems.errors] == [(
        "values.csv, row 2, column 'value': error: 'NA' is not a number; expected e.g. 1,234 "
        "or 90%, a blank cell, or one of the symbols c, z, x, :")]


def test_column_names_ignore_case_and_spaces_and_extra_columns(sample_copy: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[0] = [f"  {c.upper()} " for c in rows[0]] + ["working notes"]
        for row in rows[1:]:
            row.append("draft")
    rewrite_csv(sample_copy / "measures.csv", edit)
    loaded = load_project(sample_copy)
    assert loaded.data.measures[0].title == "Number of CiN"


def test_config_reports_wrong_type_and_unknown_key(sample_copy: Path) -> None:
    config = sample_copy / "report.toml"
    config.write_text('titel = "x"\n' + config.read_text().replace("window_months = 13",
                                                                    'window_months = "13"'))
    _, problems = check_project(sample_copy)
    messages = [str(p) for p in problems.items]
    assert "report.toml: error: 'charts.window_months' must be a whole number, got '13'" \
        in messages
    assert "report.toml: warning: unknown key 'titel' is ignored; did you mean 'title'?" \
        in messages


def test_config_syntax_error_names_the_line(sample_copy: Path) -> None:
    (sample_copy / "report.toml").write_text('title = "x"\nperiod = 2023-06-\n')
    _, problems = check_project(sample_copy)
    [problem] = problems.errors
    assert str(problem).startswith("report.toml: error: not valid TOML:")
    assert "line 2" in str(problem)


def test_period_override_and_latest(sample_copy: Path) -> None:
    assert load_project(sample_copy, "2023-05").period.iso == "2023-05"
    assert load_project(sample_copy, "latest").period.iso == "2023-06"
