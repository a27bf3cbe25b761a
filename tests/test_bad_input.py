"""Hostile and broken input: every bad table is one clear message (exit 65), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.load.numbers import FigureError, NotANumber, parse_number
from tests.helpers import csv_project_to_workbook, rewrite_csv


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code in (0, 65), result.output + repr(result.exception)
    return result.exit_code, result.output


def errors(output: str) -> list[str]:
    """The listed problems of a failed run (each is indented under the 'Error:' line)."""
    return [line.strip() for line in output.splitlines() if line.startswith("  ")]


def set_cell(project: Path, table: str, row: int, column: str, value: str) -> None:
    """Set a cell by its author row number (header = row 1) and column name."""
    def edit(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value
    rewrite_csv(project / f"{table}.csv", edit)


def build_html(project: Path, output: Path) -> tuple[int, str]:
    return run("build", str(project), "-o", str(output), "--format", "html")


# --- 1. one number parser: finite figures of sane size ----------------------------------------

@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "Infinity", "1e5", "1_000",
                                  "0x10", "١٢"])
def test_only_plain_figures_are_numbers(text: str) -> None:
    with pytest.raises(NotANumber):
        parse_number(text)


ONES = "'111111111111111111111111111111…'"  # a run of ones, cut: a message never repeats a cell
AT_MOST = "expected a figure of at most"


@pytest.mark.parametrize(("text", "message"), [
    ("1" * 400, f"{ONES} has 400 digits; {AT_MOST} 15 digits"),
    ("0.30000000000000004", f"'0.30000000000000004' has 17 digits; {AT_MOST} 15 digits"),
    ("2,000,000,000,000", f"'2,000,000,000,000' is too large; {AT_MOST} 1,000,000,000,000"),
])
def test_figures_too_long_or_too_large_are_refused(text: str, message: str) -> None:
    with pytest.raises(FigureError) as caught:
        parse_number(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "value", "percent"), [
    ("1,234", 1234.0, False), ("90%", 90.0, True), ("-.5", -0.5, False),
    ("0.000000000000001", 1e-15, False), ("123456789012.345", 123456789012.345, False),
    ("1,000,000,000,000", 1e12, False)])
def test_plain_figures_are_read(text: str, value: float, percent: bool) -> None:
    figure = parse_number(text)
    assert (figure.value, figure.percent) == (value, percent)


@pytest.mark.parametrize(("measure", "row"), [("cin_number", 3), ("cin_rate", 15)])
@pytest.mark.parametrize("digits", [309, 400])
def test_a_huge_value_is_refused_by_validate_and_build(sample_copy: Path, tmp_path: Path,
                                                       measure: str, row: int, digits: int
                                                       ) -> None:
    set_cell(sample_copy, "values", row, "value", "1" * digits)
    expected = (f"values.csv, row {row}, column 'value': error: {ONES} has {digits} digits; "
                f"{AT_MOST} 15 digits")
    code, output = run("validate", str(sample_copy))
    assert code == 65 and errors(output) == [expected]
    code, output = build_html(sample_copy, tmp_path / "out")
    assert code == 65 and errors(output) == [expected]


def _paper_with_table(project: Path, cells: str) -> None:
    (project / "report.toml").write_text((project / "report.toml").read_text() + '''
[paper]
committee = "Cabinet"
subject = "Placements"

[[appendix]]
kind = "table"
title = "Placement types"
source = "placements.csv"
columns = [{ name = "kind" }, { name = "children", format = "number" }]
chart = { label = "kind", value = "children" }
''')
    (project / "placements.csv").write_text(f"kind,children\nFoster care,120\nHomes,{cells}\n")


@pytest.mark.parametrize(("cell", "message"), [
    ("inf", "expected a number, found 'inf'"),
    ("nan", "expected a number, found 'nan'"),
    ("1" * 400, f"{ONES} has 400 digits; {AT_MOST} 15 digits")])
def test_an_appendix_table_uses_the_same_number_rules(sample_copy: Path, tmp_path: Path,
                                                      cell: str, message: str) -> None:
    _paper_with_table(sample_copy, cell)
    expected = f"placements.csv, row 3, column 'children': error: {message}"
    assert errors(run("validate", str(sample_copy))[1]) == [expected]
    code, output = build_html(sample_copy, tmp_path / "out")
    assert code == 65 and errors(output) == [expected]


def test_a_tiny_excel_number_is_read_as_a_figure(sample_copy: Path) -> None:
    import openpyxl

    from reportgen.load.project import load_project
    from reportgen.months import Month

    path = csv_project_to_workbook(sample_copy)
    workbook = openpyxl.load_workbook(path)
    workbook["values"]["C3"] = 0.00001  # a float Python writes as 1e-05
    workbook.save(path)
    values = load_project(sample_copy).data.values["cin_number"]
    assert values[Month.parse("2022-07")].value == 0.00001
