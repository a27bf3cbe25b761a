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
    ("1" * 400, f"{ONES} has 400 digits; {AT_MOST} 17 digits"),
    ("0.123456789012345678", f"'0.123456789012345678' has 18 digits; {AT_MOST} 17 digits"),
    ("2,000,000,000,000", f"'2,000,000,000,000' is too large; {AT_MOST} 1,000,000,000,000"),
])
def test_figures_too_long_or_too_large_are_refused(text: str, message: str) -> None:
    with pytest.raises(FigureError) as caught:
        parse_number(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(("text", "value", "percent"), [
    ("1,234", 1234.0, False), ("90%", 90.0, True), ("-.5", -0.5, False),
    ("0.000000000000001", 1e-15, False), ("123456789012.345", 123456789012.345, False),
    ("1,000,000,000,000", 1e12, False), ("880.0000000000001", 880.0000000000001, False)])
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
                f"{AT_MOST} 17 digits")
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
    ("1" * 400, f"{ONES} has 400 digits; {AT_MOST} 17 digits")])
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


# --- 2. a broken CSV or workbook is a message, not a traceback --------------------------------

def test_an_unclosed_quote_names_the_row_and_line(sample_copy: Path) -> None:
    path = sample_copy / "values.csv"
    path.write_text(path.read_text().replace("cin_number,2022-07,712", 'cin_number,2022-07,"712'))
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [(
        "values.csv, row 3: error: the row starting on line 3 opens a quoted cell that is never "
        'closed; end the cell with " (a quote inside a cell is written "")')]


def test_text_after_a_closing_quote_is_read_as_excel_reads_it(sample_copy: Path) -> None:
    path = sample_copy / "priorities.csv"
    path.write_text(path.read_text().replace("B,Priority B", 'B,"Priority" B'))
    assert run("validate", str(sample_copy))[0] == 0


def test_a_ragged_row_is_one_message_and_its_shifted_cells_are_not_checked(sample_copy: Path
                                                                           ) -> None:
    path = sample_copy / "measures.csv"
    # An unquoted comma in a title shifts every later cell of the row.
    path.write_text(path.read_text().replace("Rate of CiN,", "Rate of CiN, per 10,000,"))
    code, output = run("validate", str(sample_copy))
    assert code == 65
    width = len(path.read_text().splitlines()[0].split(","))
    assert errors(output) == [(
        f"measures.csv: error: row 3 has {width + 2} cells but the header has {width} columns; "
        "does a cell hold a comma without double quotes around the cell?")]


def test_a_trailing_comma_on_every_data_row_is_one_message(sample_copy: Path) -> None:
    path = sample_copy / "values.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [f"{line}," for line in lines[1:]]) + "\n")
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [(
        f"values.csv: error: rows 2–{len(lines)} have 6 cells but the header has 5 columns; is "
        "there a trailing comma?")]


def _rewrite_member(workbook: Path, member: str, surgery) -> None:
    """Apply surgery(data, local header offset, compressed data offset) to the zip's bytes."""
    import zipfile

    with zipfile.ZipFile(workbook) as archive:
        info = archive.getinfo(member)
    data = bytearray(workbook.read_bytes())
    name_length, extra_length = (int.from_bytes(data[info.header_offset + i:][:2], "little")
                                 for i in (26, 28))
    surgery(data, info, info.header_offset + 30 + name_length + extra_length)
    workbook.write_bytes(bytes(data))


def test_a_damaged_deflate_member_is_named(sample_copy: Path) -> None:
    workbook = csv_project_to_workbook(sample_copy)

    def break_deflate(data: bytearray, info, start: int) -> None:
        data[start] = 0xFF  # a final block of the reserved type 3: invalid block type
    _rewrite_member(workbook, "xl/worksheets/sheet1.xml", break_deflate)
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [(
        "data.xlsx: error: cannot be read as an Excel workbook: xl/worksheets/sheet1.xml is "
        "damaged (Error -3 while decompressing data: invalid block type)")]


def test_a_member_whose_header_understates_its_size_is_named(sample_copy: Path) -> None:
    workbook = csv_project_to_workbook(sample_copy)

    def understate(data: bytearray, info, start: int) -> None:
        central = bytes(data).rindex(info.filename.encode()) - 46  # the directory comes last
        for offset in (info.header_offset + 22, central + 24):  # sizes in both headers
            data[offset:offset + 4] = (info.file_size // 2).to_bytes(4, "little")
    _rewrite_member(workbook, "xl/worksheets/sheet1.xml", understate)
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [(
        "data.xlsx: error: cannot be read as an Excel workbook: xl/worksheets/sheet1.xml is "
        "damaged (Bad CRC-32 for file 'xl/worksheets/sheet1.xml')")]


def test_a_sheet_whose_xml_is_cut_short_is_named(sample_copy: Path) -> None:
    import zipfile

    workbook = csv_project_to_workbook(sample_copy)
    with zipfile.ZipFile(workbook) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["xl/worksheets/sheet3.xml"] = files["xl/worksheets/sheet3.xml"][:3000]  # values
    with zipfile.ZipFile(workbook, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    code, output = run("validate", str(sample_copy))
    assert code == 65
    [problem] = errors(output)
    assert problem.startswith("data.xlsx: error: cannot be read as an Excel workbook: sheet "
                              "'values' is damaged (unclosed token: line 1, column ")


def test_a_cell_over_the_csv_readers_limit_is_named(sample_copy: Path) -> None:
    set_cell(sample_copy, "commentary", 3, "working_well", "x" * 200_000)
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [("commentary.csv, row 3: error: a cell has over 131,072 "
                               "characters; the limit is 32,767")]


@pytest.mark.parametrize(("rows", "text"), [
    ([7], "7"), ([2, 3], "2–3"), ([2, 3, 4, 9, 12], "2–4, 9 and 12"),
    (list(range(2, 40, 2)), "2, 4, 6, 8, 10 and 14 more")])
def test_row_lists_are_runs(rows: list[int], text: str) -> None:
    from reportgen.load.tables import row_list

    assert row_list(rows) == text


# --- 3. one mistake is one message; floods are counted -----------------------------------------

@pytest.mark.parametrize(("table", "header", "wrong"), [
    ("measures", "id", "idd"), ("measures", "polarity", "polarit"),
    ("priorities", "title", "titel"), ("values", "measure_id", "measure")])
def test_a_misspelt_header_is_one_message(sample_copy: Path, table: str, header: str,
                                          wrong: str) -> None:
    rewrite_csv(sample_copy / f"{table}.csv",
                lambda rows: rows[0].__setitem__(rows[0].index(header), wrong))
    code, output = run("validate", str(sample_copy))
    assert code == 65
    [problem] = errors(output)
    assert problem.startswith(f"{table}.csv: error: missing required column '{header}'")


def test_a_missing_measures_table_is_one_message(sample_copy: Path) -> None:
    (sample_copy / "measures.csv").unlink()
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert len(errors(output)) == 1, output


LETTERS = "must be letters, digits or underscores"


def test_a_malformed_id_is_reported_once_and_not_at_its_references(sample_copy: Path) -> None:
    set_cell(sample_copy, "measures", 2, "id", "cin number")  # values still say cin_number
    set_cell(sample_copy, "priorities", 3, "id", "B.")  # measures still say B
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [
        f"priorities.csv, row 3, column 'id': error: id 'B.' {LETTERS}",
        f"measures.csv, row 2, column 'id': error: id 'cin number' {LETTERS}"]


def test_a_bad_unit_is_not_reported_again_at_the_measures_figures(sample_copy: Path) -> None:
    set_cell(sample_copy, "measures", 4, "unit", "pct")  # cin_visits, values 0–100
    set_cell(sample_copy, "measures", 4, "target", "90%")
    set_cell(sample_copy, "values", 30, "value", "104%")
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert [p.split(": error: ")[0] for p in errors(output)] == [
        "measures.csv, row 4, column 'unit'"]


def test_a_flood_of_one_kind_is_counted_after_twenty(sample_copy: Path) -> None:
    header = (sample_copy / "values.csv").read_text().splitlines()[0]
    rows = [f"cin_number,2022-06,bad{n}," for n in range(100_000)]
    (sample_copy / "values.csv").write_text("\n".join([header, *rows]) + "\n")
    code, output = run("validate", str(sample_copy))
    assert code == 65
    listed = errors(output)
    assert output.startswith("Error: 100,000 error(s) in the report project:")
    assert len(listed) == 21
    assert listed[0] == ("values.csv, row 2, column 'value': error: 'bad0' is not a number; "
                         "expected e.g. 1,234 or 90%, a blank cell, or one of the symbols c, z, "
                         "x, :")
    assert listed[-1] == "… and 99,980 more like this in values.csv column 'value'"
    code, output = run("validate", "--all", str(sample_copy))
    assert code == 65 and len(errors(output)) == 100_000


def test_problems_of_other_kinds_or_columns_are_listed_apart(sample_copy: Path) -> None:
    for row in range(2, 27):
        set_cell(sample_copy, "values", row, "value", "many")
        set_cell(sample_copy, "values", row, "rag", "Blue")
    code, output = run("validate", str(sample_copy))
    listed = errors(output)
    assert len(listed) == 42
    assert "… and 5 more like this in values.csv column 'value'" in listed
    assert listed[-1] == "… and 5 more like this in values.csv column 'rag'"


def test_a_batch_counts_every_problem_of_a_failed_project(sample_copy: Path, tmp_path: Path
                                                         ) -> None:
    for row in range(2, 27):
        set_cell(sample_copy, "values", row, "value", "many")
    result = CliRunner().invoke(cli, ["batch", str(sample_copy), "-o", str(tmp_path / "out")])
    assert result.exit_code == 65
    table = " ".join(result.output.split())
    assert "symbols c, z, x, : (+24 more)" in table


# --- 4. content that passed silently -----------------------------------------------------------

@pytest.mark.parametrize("theme", ["default", "northshire"])
def test_a_very_long_word_breaks_inside_the_page(theme: str) -> None:
    import weasyprint
    from weasyprint.formatting_structure.boxes import TextBox

    from reportgen.theme import load_theme

    word = "x" * 500
    html = (f"<style>{load_theme(theme).css('pdf')}</style>"
            f"<div class='commentary'><section class='panel'><p>{word}</p></section></div>"
            f"<table><tr><th scope='row'>{word}</th><td>{word}</td></tr></table>")
    page = weasyprint.HTML(string=html).render().pages[0]
    right = page.width - page._page_box.margin_right
    texts = [box for box in page._page_box.descendants()
             if isinstance(box, TextBox) and "x" in box.text]
    assert sum(box.text.count("x") for box in texts) == 3 * len(word)  # nothing lost
    assert max(box.position_x + box.width for box in texts) <= right + 0.01


def _fractions(project: Path, measure: str) -> None:
    """Write a percent measure's every value as a fraction, as a spreadsheet's 0.9 for 90%."""
    def edit(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            if row[0] == measure and row[2]:
                row[2] = str(float(row[2].rstrip("%")) / 100)
    rewrite_csv(project / "values.csv", edit)


def test_percentages_given_as_fractions_are_a_warning(sample_copy: Path) -> None:
    _fractions(sample_copy, "cin_visits")
    code, output = run("validate", str(sample_copy))
    assert code == 0
    assert ("values.csv, column 'value': warning: measure 'cin_visits': every value is 1% or "
            "less; were percentages given as fractions (0.9 for 90%)?") in output


def test_small_percentages_with_one_above_one_are_not_fractions(sample_copy: Path) -> None:
    _fractions(sample_copy, "cin_visits")
    set_cell(sample_copy, "values", 30, "value", "2")
    assert "fractions" not in run("validate", str(sample_copy))[1]


def test_control_characters_are_removed_from_cells_and_headers(sample_copy: Path,
                                                                tmp_path: Path) -> None:
    from reportgen.load.project import load_project
    from reportgen.months import Month

    set_cell(sample_copy, "commentary", 2, "working_well", "Ring\x07 the\x1b[31m bell\x00\tnow\r\n")
    rewrite_csv(sample_copy / "priorities.csv", lambda rows: rows[0].__setitem__(1, "title\x1b"))
    commentary = load_project(sample_copy).data.commentary[("cin", Month.parse("2023-06"))]
    assert commentary.working_well == "Ring the[31m bell\tnow"
    code, _ = build_html(sample_copy, tmp_path / "out")
    assert code == 0
    html = next((tmp_path / "out").glob("*.html")).read_text()
    assert "Ring the[31m bell" in html and not {"\x07", "\x1b", "\x00"} & set(html)


@pytest.mark.parametrize(("typed", "shown_as"), [
    ("{{ ''.__class__ }}", "<p>{{ ''.__class__ }}</p>"),
    ("_x_ and __y__ and snake_case", "<p>_x_ and __y__ and snake_case</p>"),
    ("*italics* and **bold**", "<p><em>italics</em> and <strong>bold</strong></p>"),
    ("- a_b\n- **c_d**", "<ul>\n<li>a_b</li>\n<li><strong>c_d</strong></li>\n</ul>")])
def test_underscores_in_commentary_are_shown_as_typed(typed: str, shown_as: str) -> None:
    from reportgen.render.markdown import render_commentary

    assert str(render_commentary(typed)).strip() == shown_as


def test_a_workbook_whose_directory_of_members_is_damaged_is_named(sample_copy: Path) -> None:
    workbook = csv_project_to_workbook(sample_copy)
    data = bytearray(workbook.read_bytes())
    entry = data.index(b"PK\x01\x02")  # the first entry of the central directory
    data[entry:entry + 4] = b"PK\x00\x00"
    workbook.write_bytes(bytes(data))
    code, output = run("validate", str(sample_copy))
    assert code == 65
    assert errors(output) == [("data.xlsx: error: cannot be read as an Excel workbook: Bad "
                               "magic number for central directory")]
