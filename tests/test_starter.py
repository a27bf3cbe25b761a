"""`reportgen new` and the commands meeting a user where they stand: a starter project that
validates and builds at once, the current folder as the project, clear messages."""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.authoring.starter import new_project
from reportgen.cli import cli
from reportgen.load.dataset import COLUMNS
from reportgen.load.tables import TABLE_NAMES
from tests.conftest import pdf_text

TODAY = dt.date(2024, 7, 17)  # the starter reports June 2024


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# --- what `new` writes builds and validates at once ---------------------------------------------

@pytest.mark.parametrize(("options", "files"), [
    ([], ["report.toml", "data.xlsx"]),
    (["--csv"], ["report.toml", *(f"{t}.csv" for t in ("priorities", "measures", "values",
                                                         "targets", "commentary",
                                                         "comparators"))]),
    (["--paper"], ["report.toml", "summary.md", "report.md", "appendix.md"]),
])
def test_new_project_validates_and_builds(tmp_path: Path, options: list[str],
                                          files: list[str]) -> None:
    project = tmp_path / "my-pack"
    result = run("new", str(project), *options)
    assert result.exit_code == 0, result.output
    assert [line.removeprefix("Wrote ") for line in result.output.splitlines()[:-1]] == \
        [str(project / name) for name in files]
    assert sorted(p.name for p in project.iterdir()) == sorted(files)

    checked = run("validate", str(project))
    assert checked.exit_code == 0, checked.output
    assert "no errors, 0 warning(s)" in checked.output

    built = run("build", str(project), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert built.exit_code == 0, built.output
    pdf = next((tmp_path / "out").glob("*.pdf"))
    text = " ".join(pdf_text(pdf))
    assert "Example Council" in text
    if options != ["--paper"]:
        assert "Child in need visits in timescale" in text
        assert "What's working well?" in text


def test_new_workbook_has_every_sheet_header_and_check(tmp_path: Path) -> None:
    new_project(tmp_path / "pack", "xlsx", TODAY)
    workbook = openpyxl.load_workbook(tmp_path / "pack" / "data.xlsx")
    assert workbook.sheetnames == ["priorities", "measures", "values", "targets", "commentary",
                                   "comparators"]
    assert set(workbook.sheetnames) == set(TABLE_NAMES)
    for name in workbook.sheetnames:
        assert [c.value for c in workbook[name][1]] == list(COLUMNS[name])

    def check(sheet: str, cell: str):
        found = [v for v in workbook[sheet].data_validations.dataValidation if cell in v.sqref]
        assert len(found) == 1, (sheet, cell)
        return found[0]

    assert check("measures", "E2").formula1 == '"number,rate,percent"'
    assert check("measures", "F500").formula1 == '"up,down,range"'
    assert check("values", "D2").formula1 == '"Red,Amber,Green"'
    assert check("measures", "C2").formula1 == "priorities!$A$2:$A$200"
    for sheet, cell in (("values", "B2"), ("targets", "B2"), ("commentary", "B2"),
                        ("comparators", "D2")):
        month = check(sheet, cell)
        assert month.type == "custom" and "LEN(" in month.formula1
        assert month.prompt.startswith("A month as text, YYYY-MM")
    assert "latest" in check("values", "B2").formula1
    # months are text cells, so Excel keeps a typed 2024-06 as text
    periods = [row[1] for row in workbook["values"].iter_rows(min_row=2)]
    assert [c.value for c in periods[:6]] == ["2024-01", "2024-02", "2024-03", "2024-04",
                                              "2024-05", "2024-06"]
    assert {c.number_format for c in periods} == {"@"}
    assert workbook["values"].column_dimensions["B"].number_format == "@"


def test_new_reports_the_last_whole_month(tmp_path: Path) -> None:
    new_project(tmp_path / "pack", "csv", TODAY)
    values = (tmp_path / "pack" / "values.csv").read_text(encoding="utf-8-sig").splitlines()
    assert values[0] == "measure_id,period,value,rag,rag_note"
    assert values[6] == "visits_timely,2024-06,91,,"
    commentary = (tmp_path / "pack" / "commentary.csv").read_text(encoding="utf-8-sig")
    assert commentary.count("2024-06") == 2
    result = run("summary", str(tmp_path / "pack"), "--json")
    assert {r["period"] for r in json.loads(result.output)} == {"2024-06"}


def test_report_toml_is_commented_and_paper_has_one_markdown_appendix(tmp_path: Path) -> None:
    new_project(tmp_path / "pack", "csv", TODAY)
    new_project(tmp_path / "paper", "paper", TODAY)
    pack = (tmp_path / "pack" / "report.toml").read_text()
    assert pack.startswith("# What reportgen builds from this folder.")
    assert "# data_refreshed = " in pack
    assert tomllib.loads(pack)["period"] == "latest"
    paper = tomllib.loads((tmp_path / "paper" / "report.toml").read_text())
    assert paper["paper"]["summary"] == ["summary.md"]
    assert paper["paper"]["sections"] == ["report.md"]
    assert paper["appendix"] == [{"kind": "markdown", "title": "Improvement plan milestones",
                                  "text": "appendix.md"}]


# --- `new` never writes over anything ---------------------------------------------------------

def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("new", str(folder))
    assert result.exit_code == 73
    assert (f"Error: will not start a project in {folder}: the folder exists and is not empty "
            f"(it holds notes.txt); give a new folder name. Nothing was written") in result.output
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]
    assert (folder / "notes.txt").read_text() == "mine"


def test_new_fills_an_empty_folder_but_not_a_file_or_a_missing_parent(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert run("new", str(tmp_path / "empty")).exit_code == 0
    (tmp_path / "file").write_text("x")
    result = run("new", str(tmp_path / "file"))
    assert result.exit_code == 73
    assert "it is a file; give a new folder name" in result.output
    result = run("new", str(tmp_path / "no" / "pack"))
    assert result.exit_code == 73
    assert f"the folder {tmp_path / 'no'} that would hold it does not exist" in result.output
    assert not (tmp_path / "no").exists()


def test_new_refuses_a_symbolic_link(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    result = run("new", str(tmp_path / "link"))
    assert result.exit_code == 73
    assert "it is a symbolic link" in result.output
    assert not any((tmp_path / "elsewhere").iterdir())


def test_new_csv_and_paper_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run("new", str(tmp_path / "pack"), "--csv", "--paper")
    assert result.exit_code == 2
    assert "--csv and --paper cannot be used together" in result.output
    assert not (tmp_path / "pack").exists()


# --- commands meet a user where they stand ------------------------------------------------------

def test_project_defaults_to_the_current_folder(tmp_path: Path, monkeypatch) -> None:
    new_project(tmp_path / "pack", "csv", TODAY)
    monkeypatch.chdir(tmp_path / "pack")
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'pack'}: no errors, 0 warning(s); reporting period 2024-06" in \
        result.output


def test_no_project_and_no_report_toml_here_says_what_to_do(tmp_path: Path,
                                                            monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.exit_code == 2
    assert (f"Error: no PROJECT given, and the current folder {tmp_path} has no report.toml; "
            f"name a report project folder, or start one with 'reportgen new FOLDER'"
            ) in result.output


def test_a_missing_project_folder_does_not_exist(tmp_path: Path) -> None:
    result = run("build", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert f"'{tmp_path / 'nowhere'}' does not exist" in result.output


def test_a_bad_period_is_echoed(tmp_path: Path) -> None:
    new_project(tmp_path / "pack", "csv", TODAY)
    result = run("summary", str(tmp_path / "pack"), "--period", "June")
    assert result.exit_code == 2
    assert ("Invalid value for '--period': 'June' is not a month; expected YYYY-MM or "
            "'latest'") in result.output


def test_summary_shows_units_and_its_json_carries_unit_and_note(tmp_path: Path) -> None:
    new_project(tmp_path / "pack", "csv", TODAY)
    values = tmp_path / "pack" / "values.csv"
    values.write_text(values.read_text(encoding="utf-8-sig").replace(
        "cp_plans,2024-06,296,,", "cp_plans,2024-06,296,Green,Plans ending next week"),
        encoding="utf-8")
    table = run("summary", str(tmp_path / "pack")).output.splitlines()
    assert re.split(r"\s{2,}", table[1]) == ["visits_timely", "2024-06", "91%", "90%", "Green",
                                             "rule", "up", "improving"]
    rows = json.loads(run("summary", str(tmp_path / "pack"), "--json").output)
    assert [(r["unit"], r["rag_note"]) for r in rows] == [
        ("percent", ""), ("number", "Plans ending next week")]
    assert rows[1]["rating"] == "Green" and rows[1]["rating_set_by"] == "author"
