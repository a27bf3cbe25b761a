"""`reportgen validate`: every bad cell named by file, row and column, all in one run."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from tests.helpers import csv_project_to_workbook, rewrite_csv


def validate(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(project)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def set_cell(project: Path, table: str, row: int, column: str, value: str) -> None:
    """Set a cell by its author row number (header = row 1) and column name."""
    def edit(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value
    rewrite_csv(project / f"{table}.csv", edit)


def assert_error(project: Path, message: str) -> str:
    code, output = validate(project)
    assert code == 65, output
    assert message in output
    return output


@pytest.mark.parametrize("text", ["twelve", "1 2 3", "n/a", "NA", "null"])
def test_text_in_a_value_is_an_error_not_a_blank(sample_copy: Path, text: str) -> None:
    set_cell(sample_copy, "values", 4, "value", text)
    assert_error(sample_copy, f"values.csv, row 4, column 'value': error: '{text}' is not a "
                              f"number; expected e.g. 1,234 or 90%, a blank cell, or one of the "
                              f"symbols c, z, x, :")


@pytest.mark.parametrize("symbol", ["c", "z", "x", ":"])
def test_statistical_symbols_are_accepted(sample_copy: Path, symbol: str) -> None:
    set_cell(sample_copy, "values", 4, "value", symbol)
    code, output = validate(sample_copy)
    assert code == 0, output


def test_percent_outside_range_and_negative_count(sample_copy: Path) -> None:
    set_cell(sample_copy, "values", 30, "value", "104%")  # cin_visits
    set_cell(sample_copy, "values", 2, "value", "-5")  # cin_number
    output = assert_error(sample_copy, "values.csv, row 30, column 'value': error: '104%' is "
                                       "outside 0–100 for a percentage")
    assert ("values.csv, row 2, column 'value': error: '-5' is negative; a number cannot be "
            "below 0") in output


@pytest.mark.parametrize("period", ["2023-13", "June 23", "23-06"])
def test_bad_period(sample_copy: Path, period: str) -> None:
    set_cell(sample_copy, "values", 5, "period", period)
    assert_error(sample_copy, f"values.csv, row 5, column 'period': error: '{period}' is not a "
                              f"month; expected YYYY-MM (e.g. 2023-06) or 'latest'")


def test_duplicate_measure_and_period_names_both_rows(sample_copy: Path) -> None:
    set_cell(sample_copy, "values", 3, "period", "2022-06")
    assert_error(sample_copy, "values.csv, row 3, column 'period': error: cin_number 2022-06 is "
                              "given twice: rows 2 and 3")


def test_bad_unit_polarity_and_priority(sample_copy: Path) -> None:
    set_cell(sample_copy, "measures", 2, "unit", "count")
    set_cell(sample_copy, "measures", 3, "polarity", "higher")
    set_cell(sample_copy, "measures", 4, "priority", "Z")
    output = assert_error(sample_copy, "measures.csv, row 2, column 'unit': error: 'count' is "
                                       "not a valid unit; expected one of number, rate, percent")
    assert ("measures.csv, row 3, column 'polarity': error: 'higher' is not a valid polarity; "
            "expected one of up, down, range") in output
    assert ("measures.csv, row 4, column 'priority': error: priority 'Z' is not an id in "
            "priorities; known: A, B, C, D") in output


def test_author_rating_must_be_red_amber_or_green(sample_copy: Path) -> None:
    set_cell(sample_copy, "values", 2, "rag", "Blue")
    assert_error(sample_copy, "values.csv, row 2, column 'rag': error: rag 'Blue' is not a "
                              "rating; expected Red, Amber or Green, or a blank cell")


def test_unknown_page_in_commentary(sample_copy: Path) -> None:
    set_cell(sample_copy, "commentary", 2, "page", "cin_visit")
    set_cell(sample_copy, "commentary", 3, "page", "cin_number")
    output = assert_error(sample_copy, "commentary.csv, row 2, column 'page': error: page "
                                       "'cin_visit' is not a measure group or id; did you mean "
                                       "'cin_visits'?")
    assert ("commentary.csv, row 3, column 'page': error: page 'cin_number' is not a measure "
            "group or id; 'cin_number' is reported in group 'cin': use the group") in output


def test_missing_column_lists_expected_and_suggests(sample_copy: Path) -> None:
    rewrite_csv(sample_copy / "values.csv",
                lambda rows: rows[0].__setitem__(2, "valeu"))
    assert_error(sample_copy, "values.csv: error: missing required column 'value'; expected "
                              "columns measure_id, period, value, rag, rag_note; found "
                              "measure_id, period, valeu, rag, rag_note; did you mean 'valeu'?")


def test_empty_file_and_header_only(sample_copy: Path) -> None:
    (sample_copy / "targets.csv").write_text("")
    (sample_copy / "comparators.csv").write_text("measure_id,name,value\n")
    output = assert_error(sample_copy, "targets.csv: error: the file is empty; expected a "
                                       "header row and data rows")
    assert "comparators.csv: error: the table has a header but no data rows" in output


def test_missing_required_table(sample_copy: Path) -> None:
    (sample_copy / "priorities.csv").unlink()
    assert_error(sample_copy, "priorities.csv: error: required table 'priorities' is missing")


def test_non_utf8_csv_is_named_and_a_bom_is_fine(sample_copy: Path) -> None:
    path = sample_copy / "commentary.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate(sample_copy)[0] == 0
    path.write_bytes(path.read_bytes()[3:].replace(b"12 months", "£12".encode("cp1252")))
    assert_error(sample_copy, "commentary.csv: error: the file is not UTF-8 text (byte 0xa3 on "
                              "line")


def test_reporting_period_with_no_values(sample_copy: Path) -> None:
    config = sample_copy / "report.toml"
    config.write_text(config.read_text().replace('period = "2023-06"', 'period = "2024-01"'))
    assert_error(sample_copy, "values.csv: error: the reporting period 2024-01 has no values at "
                              "all; the newest month with values is 2023-06")


def test_config_errors_exit_65(sample_copy: Path) -> None:
    config = sample_copy / "report.toml"
    config.write_text(config.read_text().replace("default_tolerance = 0.10",
                                                 "default_tolerance = 10"))
    assert_error(sample_copy, "report.toml: error: 'rag.default_tolerance' is 10: expected a "
                              "fraction from 0 to below 1, e.g. 0.10")


def test_every_problem_is_reported_at_once(sample_copy: Path) -> None:
    set_cell(sample_copy, "values", 2, "value", "twelve")
    set_cell(sample_copy, "values", 9, "period", "June 23")
    set_cell(sample_copy, "measures", 5, "unit", "people")
    set_cell(sample_copy, "targets", 3, "target", "lots")
    (sample_copy / "report.toml").write_text('title = "x"\n')
    code, output = validate(sample_copy)
    assert code == 65
    assert "Error: 5 error(s) in the report project:" in output
    for where in ("values.csv, row 2, column 'value'", "values.csv, row 9, column 'period'",
                  "measures.csv, row 5, column 'unit'", "targets.csv, row 3, column 'target'",
                  "report.toml: error: 'organisation' is required"):
        assert where in output


def test_warnings_do_not_fail(sample_copy: Path) -> None:
    rewrite_csv(sample_copy / "commentary.csv", lambda rows: (rows[1].__setitem__(1, "2023-08")))
    rewrite_csv(sample_copy / "measures.csv", lambda rows: rows[8].__setitem__(6, ""))
    rewrite_csv(sample_copy / "targets.csv",
                lambda rows: rows.__delitem__(slice(15, 17)))  # cp_reviews' milestones
    code, output = validate(sample_copy)
    assert code == 0, output
    assert "commentary: warning: page 'cin' has no commentary for 2023-06" in output
    assert ("commentary: warning: commentary for page 'cin' is for 2023-08, after the newest "
            "month with figures (2023-06); not shown") in output
    assert ("measures: warning: measure 'cp_reviews' has no target and no milestone due from "
            "2023-06; it is 'Not rated'") in output
    assert ("values.csv: warning: care_leavers_accom 2023-06: the author's rating Green differs "
            "from the rule's Amber") in output


# --- data.xlsx ---------------------------------------------------------------------------------

def test_excel_errors_name_the_sheet(sample_copy: Path) -> None:
    set_cell(sample_copy, "values", 4, "value", "twelve")
    csv_project_to_workbook(sample_copy)
    assert_error(sample_copy, "data.xlsx, sheet 'values', row 4, column 'value': error: "
                              "'twelve' is not a number")


def test_unknown_sheet_suggests_the_closest(sample_copy: Path) -> None:
    import openpyxl

    path = csv_project_to_workbook(sample_copy)
    workbook = openpyxl.load_workbook(path)
    workbook["values"].title = "Value"
    workbook.save(path)
    output = assert_error(sample_copy, "data.xlsx: error: unknown sheet 'Value'; did you mean "
                                       "'values'?")
    assert "data.xlsx: error: required sheet 'values' is missing" in output


def test_formula_without_saved_result(sample_copy: Path) -> None:
    import openpyxl

    path = csv_project_to_workbook(sample_copy)
    workbook = openpyxl.load_workbook(path)
    workbook["values"]["C5"] = "=C3+C4"
    workbook.save(path)  # openpyxl saves formulas without results, as a script would
    assert_error(sample_copy, "data.xlsx, sheet 'values', row 5, column 'value': error: formula "
                              "=C3+C4 has no saved result; open the workbook in Excel and save it")


def test_workbook_that_is_not_a_zip(sample_copy: Path) -> None:
    (sample_copy / "data.xlsx").write_text("measure_id,period\n")
    assert_error(sample_copy, "data.xlsx: error: is not an Excel .xlsx workbook (not a zip file)")


def test_zip_bomb_is_refused_before_opening(sample_copy: Path) -> None:
    with zipfile.ZipFile(sample_copy / "data.xlsx", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 60_000_000)
    assert_error(sample_copy, "data.xlsx: error: expands to 60,000,000 bytes, over the limit")


def test_xml_entities_are_refused(sample_copy: Path) -> None:
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # defusedxml is installed and openpyxl uses it
    path = csv_project_to_workbook(sample_copy)
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    files["xl/workbook.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                                b'<!ENTITY b "&a;&a;&a;&a;">]>' + files["xl/workbook.xml"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    assert_error(sample_copy, "data.xlsx: error: cannot be read as an Excel workbook: "
                              "xl/workbook.xml contains an XML entity or DTD declaration, which "
                              "is refused for safety")


def test_cell_over_excel_limit(sample_copy: Path) -> None:
    set_cell(sample_copy, "commentary", 2, "working_well", "x" * 40_000)
    assert_error(sample_copy, "commentary.csv, row 2, column 'working_well': error: cell has "
                              "40,000 characters; the limit is 32,767")


def test_a_group_must_not_span_priorities(sample_copy: Path) -> None:
    set_cell(sample_copy, "measures", 3, "priority", "B")  # cin_rate, grouped with cin_number
    assert_error(sample_copy, "measures.csv, column 'group': error: group 'cin' has measures in "
                              "priorities A and B; the measures of a group share one page, so "
                              "they need the same priority")
