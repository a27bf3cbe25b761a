"""The monthly commentary round: forms out (one workbook a page), forms back (merged into the
commentary table with a backup), and stale commentary named by collect and by validate."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.authoring.starter import new_project
from reportgen.cli import cli
from tests.conftest import pdf_text
from tests.helpers import rewrite_csv

TODAY = dt.date(2024, 7, 17)  # the starter's commentary is for June 2024
VISITS_FORM = "commentary-2024-07-visits_timely.xlsx"
CP_FORM = "commentary-2024-07-cp_plans.xlsx"
JUNE_WORRIED = ("Timeliness is not the same as quality: a few visits are still short and not "
                "purposeful.")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(params=["xlsx", "csv"])
def july(request, tmp_path: Path) -> Path:
    return started_in_july(tmp_path, request.param)


def started_in_july(tmp_path: Path, kind: str) -> Path:
    """A starter project (June's figures and commentary) with July's figures added."""
    project = tmp_path / "pack"
    new_project(project, kind, TODAY)
    rows = [["visits_timely", "2024-07", 93], ["cp_plans", "2024-07", 301]]
    if kind == "csv":
        with (project / "values.csv").open("a", encoding="utf-8") as stream:
            stream.writelines(",".join(map(str, row)) + "\r\n" for row in rows)
    else:
        workbook = openpyxl.load_workbook(project / "data.xlsx")
        for row in rows:
            workbook["values"].append(row)
        workbook.save(project / "data.xlsx")
    return project


def make_forms(project: Path, folder: Path) -> list[Path]:
    result = run("commentary-forms", str(project), "-o", str(folder))
    assert result.exit_code == 0, result.output
    return sorted(folder.iterdir())


def fill(form: Path, answers: dict[str, str], cells: dict[str, str] | None = None) -> None:
    """What a manager does: type into the answer cells (and perhaps elsewhere), then save."""
    workbook = openpyxl.load_workbook(form)
    sheet = workbook["Commentary"]
    first = next(r for r in range(1, sheet.max_row + 1)
                 if sheet.cell(r, 1).value == "Your commentary for this month")
    for question, text in answers.items():
        row = next(r for r in range(first, sheet.max_row + 1) if sheet.cell(r, 1).value == question)
        sheet.cell(row, 2).value = text
    for cell, text in (cells or {}).items():
        sheet[cell] = text
    workbook.save(form)


def commentary_rows(project: Path) -> list[list[str]]:
    if (project / "data.xlsx").exists():
        sheet = openpyxl.load_workbook(project / "data.xlsx")["commentary"]
        return [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    import csv

    with (project / "commentary.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


# --- forms out ------------------------------------------------------------------------------------

def test_a_form_per_page_with_figures_last_answers_and_only_answers_unlocked(
        july: Path, tmp_path: Path) -> None:
    forms = make_forms(july, tmp_path / "forms")
    assert [f.name for f in forms] == [CP_FORM, VISITS_FORM]
    workbook = openpyxl.load_workbook(tmp_path / "forms" / VISITS_FORM)
    assert workbook["reportgen"].sheet_state == "veryHidden"
    assert workbook.security.lockStructure
    sheet = workbook["Commentary"]
    assert sheet.protection.sheet
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Commentary for July 2024: Child in need visits in timescale"]
    assert rows[4] == ["Measure", "Feb-24", "Mar-24", "Apr-24", "May-24", "Jun-24", "Jul-24",
                       "Target", "Rating"]
    assert rows[5] == ["Child in need visits in timescale", "86%", "88%", "87%", "89%", "91%",
                       "93%", "90%", "Green"]
    assert rows[7] == ["For reference: the commentary for June 2024"]
    assert rows[9] == ["What are we worried about?", JUNE_WORRIED]
    assert rows[12] == ["Your commentary for this month"]
    assert [r[0] for r in rows[13:16]] == ["What's working well?", "What are we worried about?",
                                           "What are we doing about it?"]
    unlocked = {c.coordinate for row in sheet.iter_rows() for c in row
                if not c.protection.locked}
    answers = {f"{col}{row}" for row in (14, 15, 16) for col in "BCDEFGHI"}
    assert unlocked == answers


def test_forms_are_never_written_over(july: Path, tmp_path: Path) -> None:
    make_forms(july, tmp_path / "forms")
    fill(tmp_path / "forms" / CP_FORM, {"What's working well?": "kept"})
    before = (tmp_path / "forms" / CP_FORM).read_bytes()
    result = run("commentary-forms", str(july), "-o", str(tmp_path / "forms"))
    assert result.exit_code == 73
    assert (f"Error: {tmp_path / 'forms'} already has {VISITS_FORM}, {CP_FORM}; forms are never "
            f"written over") in result.output
    assert (tmp_path / "forms" / CP_FORM).read_bytes() == before


# --- forms back -----------------------------------------------------------------------------------

def test_collect_merges_keeps_a_backup_and_names_what_to_check(july: Path, tmp_path: Path
                                                              ) -> None:
    make_forms(july, tmp_path / "forms")
    fill(tmp_path / "forms" / VISITS_FORM,
         {"What's working well?": "Visits rose again, to 93%.",
          "What are we worried about?": JUNE_WORRIED,  # copied from June: stale
          "What are we doing about it?": "- More dip sampling\n- A workshop on visits"},
         {"G6": "95%"})  # a figure typed over: ignored
    (tmp_path / "forms" / CP_FORM).unlink()  # not returned
    table = july / ("data.xlsx" if (july / "data.xlsx").exists() else "commentary.csv")
    before, june_rows = table.read_bytes(), commentary_rows(july)

    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(july))
    assert result.exit_code == 0, result.output
    backup = next(july.glob(f"{table.name}.bak-*"))
    assert result.stdout.splitlines() == [
        f"Merged the commentary of 1 page(s) for July 2024 into {table}",
        f"The previous version is kept as {backup}"]
    assert result.stderr.splitlines() == [
        (f"{VISITS_FORM}, row 6, column 'G': warning: the figure was changed from '93%' to "
         f"'95%'; figures come from the data, not the forms: ignored"),
        (f"{tmp_path / 'forms'}: warning: no form returned for page 'cp_plans' ({CP_FORM}); its "
         f"commentary is unchanged"),
        (f"{VISITS_FORM}, row 15, column 'B': warning: 'What are we worried about?' is word for "
         f"word the commentary for June 2024; taken, but is it still true?")]
    assert backup.read_bytes() == before
    assert commentary_rows(july) == [*june_rows, [
        "visits_timely", "2024-07", "Visits rose again, to 93%.", JUNE_WORRIED,
        "- More dip sampling\n- A workshop on visits"]]

    checked = run("validate", str(july))
    assert checked.exit_code == 0, checked.output
    assert ("commentary, column 'worried_about': warning: page 'visits_timely': 'What are we "
            "worried about?' for 2024-07 is word for word the commentary for 2024-06; is it "
            "still true?") in checked.output
    built = run("build", str(july), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert built.exit_code == 0, built.output
    text = " ".join(pdf_text(next((tmp_path / "out").glob("*.pdf"))))
    assert "Visits rose again, to 93%." in text and "A workshop on visits" in text


def test_collect_changes_only_the_commentary_sheet_of_a_workbook(tmp_path: Path) -> None:
    project = tmp_path / "pack"
    new_project(project, "xlsx", TODAY)
    make_forms(project, tmp_path / "forms")  # June's own forms: they hold June's answers
    fill(tmp_path / "forms" / "commentary-2024-06-cp_plans.xlsx",
         {"What are we doing about it?": "A new answer & a <tag>"})
    with zipfile.ZipFile(project / "data.xlsx") as archive:
        before = {i.filename: archive.read(i) for i in archive.infolist()}

    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(project))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(project / "data.xlsx") as archive:
        after = {i.filename: archive.read(i) for i in archive.infolist()}
    assert list(after) == list(before)
    assert [name for name in before if after[name] != before[name]] == \
        ["xl/worksheets/sheet5.xml"]
    rows = commentary_rows(project)
    assert len(rows) == 3 and rows[2][:2] == ["cp_plans", "2024-06"]
    assert rows[2][4] == "A new answer & a <tag>"
    assert rows[1][2].startswith("Visits in timescale")  # its form came back unchanged


def test_collect_grows_an_excel_table_on_the_commentary_sheet(tmp_path: Path) -> None:
    from openpyxl.worksheet.table import Table

    july = started_in_july(tmp_path, "xlsx")

    workbook = openpyxl.load_workbook(july / "data.xlsx")
    workbook["commentary"].add_table(Table(displayName="Commentary", ref="A1:E3"))
    workbook.save(july / "data.xlsx")
    make_forms(july, tmp_path / "forms")
    fill(tmp_path / "forms" / CP_FORM, {"What's working well?": "Fewer plans open for long."})
    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(july))
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(july / "data.xlsx")["commentary"]
    assert sheet.tables["Commentary"].ref == "A1:E4"
    assert sheet["C4"].value == "Fewer plans open for long."


def test_collect_refuses_two_forms_for_one_page_and_writes_nothing(july: Path, tmp_path: Path
                                                                   ) -> None:
    make_forms(july, tmp_path / "forms")
    fill(tmp_path / "forms" / CP_FORM, {"What's working well?": "One"})
    shutil.copy(tmp_path / "forms" / CP_FORM, tmp_path / "forms" / "cp_plans (2).xlsx")
    files = sorted(p.name for p in july.iterdir())
    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(july))
    assert result.exit_code == 65
    assert (f"cp_plans (2).xlsx: error: is a second form for page 'cp_plans' (the first is "
            f"{CP_FORM}); keep one and collect again") in result.output
    assert sorted(p.name for p in july.iterdir()) == files  # no backup, nothing merged


def test_collect_says_what_it_could_not_use(july: Path, tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    forms.mkdir()
    result = run("commentary-collect", str(forms), "--project", str(july))
    assert result.exit_code == 65
    assert (f"{forms}: error: has no commentary forms (.xlsx workbooks written by 'reportgen "
            f"commentary-forms')") in result.output
    make_forms(july, tmp_path / "more")
    shutil.move(tmp_path / "more" / CP_FORM, forms / CP_FORM)  # returned as sent: blank
    (forms / "notes.ods").write_bytes(b"not read")
    (forms / "~$commentary.xlsx").write_bytes(b"Excel's lock file")
    result = run("commentary-collect", str(forms), "--project", str(july))
    assert result.exit_code == 0, result.output
    assert "Nothing to merge for July 2024: no form had answers." in result.stdout
    assert ("notes.ods: warning: was saved as another kind of file; save it as an Excel Workbook "
            "(.xlsx) and collect again; skipped") in result.stderr
    assert (f"{CP_FORM}: warning: came back with no answers; nothing taken for page "
            "'cp_plans'") in result.stderr
    assert not list(july.glob("*.bak-*"))


def test_a_damaged_form_is_named_and_nothing_is_written(july: Path, tmp_path: Path) -> None:
    make_forms(july, tmp_path / "forms")
    fill(tmp_path / "forms" / CP_FORM, {"What's working well?": "One"})
    (tmp_path / "forms" / VISITS_FORM).write_bytes(b"PK\x03\x04 cut short by the mail system")
    files = sorted(p.name for p in july.iterdir())
    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(july))
    assert result.exit_code == 65
    assert f"{VISITS_FORM}: error: is not an Excel .xlsx workbook (not a zip file)" in \
        result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in july.iterdir()) == files


def test_a_form_for_another_month_is_refused(july: Path, tmp_path: Path) -> None:
    make_forms(july, tmp_path / "forms")
    result = run("commentary-forms", str(july), "--period", "2024-06", "-o",
                 str(tmp_path / "june"))
    assert result.exit_code == 0, result.output
    shutil.copy(tmp_path / "june" / "commentary-2024-06-cp_plans.xlsx", tmp_path / "forms")
    result = run("commentary-collect", str(tmp_path / "forms"), "--project", str(july))
    assert result.exit_code == 65
    assert (f"{tmp_path / 'forms'}: error: holds forms for more than one month (2024-06: "
            f"commentary-2024-06-cp_plans.xlsx; 2024-07: {CP_FORM}, {VISITS_FORM}); collect one "
            f"month at a time") in result.output


# --- stale commentary in validate -----------------------------------------------------------------

def test_validate_warns_when_a_panel_is_last_months_word_for_word(sample_copy: Path) -> None:
    def copy_may(rows: list[list[str]]) -> None:
        june = next(r for r in rows if r[:2] == ["cin", "2023-06"])
        # May's worries, spaced differently, are June's word for word; the rest differs
        rows.append(["cin", "2023-05", "Other", june[3].replace(". ", ".\n  "), "Other"])
    rewrite_csv(sample_copy / "commentary.csv", copy_may)
    result = run("validate", str(sample_copy))
    assert result.exit_code == 0, result.output
    stale = [line for line in result.output.splitlines() if "word for word" in line]
    assert stale == [
        ("commentary, column 'worried_about': warning: page 'cin': 'What are we worried "
         "about?' for 2023-06 is word for word the commentary for 2023-05; is it still true?")]
