"""validate warns when commentary says a figure rose and the data says it fell (or the other way);
each rule of the documented check (README "Commentary that contradicts the figures") by example.

In the sample, June 2023: the number of CP plans rose (291 → 321), the rate of children in care
fell (129 → 128 per 10,000), and children starting care is a cumulative count."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from tests.helpers import rewrite_csv

PANELS = {"working_well": 2, "worried_about": 3, "doing_about_it": 4}


def commentary_says(project: Path, page: str, text: str, panel: str = "working_well") -> None:
    def edit(rows: list[list[str]]) -> None:
        row = next(r for r in rows if r[:2] == [page, "2023-06"])
        row[PANELS[panel]] = text
    rewrite_csv(project / "commentary.csv", edit)


def contradiction_warnings(project: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["validate", str(project)])
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if "is the commentary right?" in line]


def test_a_figure_said_to_fall_that_rose_is_named_with_both_figures(sample_copy: Path) -> None:
    commentary_says(sample_copy, "cp", "Good news. The number of CP fell again in June.")
    assert contradiction_warnings(sample_copy) == [
        ("commentary, column 'working_well': warning: page 'cp' for 2023-06: 'What's working "
        "well?' says cp_number fell (\"The number of CP fell again in June.\"), but the figure "
        "rose: 291 in 2023-05 → 321 in 2023-06; is the commentary right?")]


def test_a_figure_said_to_rise_that_fell_is_named_in_its_own_panel(sample_copy: Path) -> None:
    commentary_says(sample_copy, "cla", "We are worried that the rate of children in care is "
                                        "higher than last month.", panel="worried_about")
    [warning] = contradiction_warnings(sample_copy)
    assert warning.startswith("commentary, column 'worried_about': warning: page 'cla' for "
                              "2023-06: 'What are we worried about?' says cla_rate rose")
    assert "but the figure fell: 129 in 2023-05 → 128 in 2023-06" in warning


@pytest.mark.parametrize("text", [
    "The number of CP rose again in June.",  # agrees with the data
    "The number of CP did not fall this month.",  # negated
    "Our plan is to decrease the number of CP by March.",  # an intention
    "The number of CP is lower than the statistical neighbours.",  # a comparison, not a change
    "Visits fell behind in May while the team was short.",  # names no measure on the page
    "The number of CP fell while the rate of CP rose.",  # names two: whose change is unclear
])
def test_what_is_not_a_claim_about_this_months_change_is_not_warned(
        sample_copy: Path, text: str) -> None:
    commentary_says(sample_copy, "cp", text)
    assert contradiction_warnings(sample_copy) == []


def test_plans_in_what_are_we_doing_about_it_are_not_checked(sample_copy: Path) -> None:
    commentary_says(sample_copy, "cp", "The number of CP fell.", panel="doing_about_it")
    assert contradiction_warnings(sample_copy) == []


def test_a_cumulative_count_is_not_checked(sample_copy: Path) -> None:
    # 22 → 34 in the year to date, but fewer than at this point last year: "fell" is fair
    commentary_says(sample_copy, "cla_starts_ytd",
                    "Children who started to be looked after this year fell against last year.")
    assert contradiction_warnings(sample_copy) == []


def test_a_measures_short_label_names_it(sample_copy: Path) -> None:
    def label(rows: list[list[str]]) -> None:
        column = rows[0].index("label")
        next(r for r in rows if r[0] == "cp_number")[column] = "CP plans"
    rewrite_csv(sample_copy / "measures.csv", label)
    commentary_says(sample_copy, "cp", "CP plans fell by ten.")
    [warning] = contradiction_warnings(sample_copy)
    assert "says cp_number fell (\"CP plans fell by ten.\"), but the figure rose" in warning


def test_a_name_two_measures_share_is_not_taken_for_either(sample_copy: Path) -> None:
    # "children in care" is both "Number of children in care" and "Rate of children in care"
    # without the unit word; the number's label "Number" alone names nothing
    commentary_says(sample_copy, "cla", "Children in care rose slightly, a number of them "
                                        "placed at a distance.")
    assert contradiction_warnings(sample_copy) == []
