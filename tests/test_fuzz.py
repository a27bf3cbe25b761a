"""Random damage to the sample project's tables → validate and build end in 0 or 65, and agree.

The build writes the HTML edition only, to keep the run short: it loads and checks the project
exactly as the PDF build does (pipeline.build → load_project) and draws the same charts (as SVG);
it skips only page layout, which checks nothing in the tables. A build is cheap when validate
fails: it stops at the same check.
"""

from __future__ import annotations

import csv
import shutil
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.cli import cli
from tests.conftest import SAMPLE

TABLES = ("values", "measures", "priorities", "targets", "commentary", "comparators")

# Cells that have broken a parser somewhere, and the kinds of text around them.
NASTY = ("", " ", "inf", "-inf", "nan", "1e309", "1" * 309, "1" * 400, "9" * 16, "0.9", "104%",
         "-5", "1,234", "12,34", "1.5.2", "c", "x", ":", "NA", "null", "latest", "2023-13",
         "2023-06", "June 23", "Green", "Blue", "up", "range", "percent", "rate", '"', '""',
         ",", ";", "\n", "\r", "\x07", "\x00", "\x1b[31m", "__class__", "{{ 7*7 }}",
         "<script>x</script>", "x" * 600, "🙂", "١٢", "\u202e", "\ufeff", "=1+1", "cin number",
         "cin_number", "A", "cin")
cell_texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.from_regex(r"-?[0-9]{1,20}(\.[0-9]{1,20})?%?", fullmatch=True),
    st.floats().map(str),
)
# (kind, table, a row, a column, text): each kind damages a table one way.
damage = st.tuples(
    st.sampled_from(["cell", "cell", "cell", "header", "raw", "raw", "extra", "commas", "drop",
                     "duplicate", "delete"]),
    st.sampled_from(TABLES), st.integers(0, 300), st.integers(0, 12), cell_texts)


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as stream:
        return list(csv.reader(stream))  # leniently: an earlier damage may have broken quoting


def _write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def _damage(project: Path, kind: str, table: str, row: int, column: int, text: str) -> None:
    path = project / f"{table}.csv"
    if not path.exists():
        return
    if kind == "delete":
        path.unlink()
    elif kind == "raw":  # text typed into the file as it is: stray quotes, commas, line breaks
        content = path.read_text(encoding="utf-8", errors="replace")
        at = (row * 37 + column) % (len(content) + 1)
        path.write_text(content[:at] + text + content[at:], encoding="utf-8")
    else:
        rows = _rows(path) or [[""]]
        _write(path, _damaged_rows(rows, kind, row, column, text))


def _damaged_rows(rows: list[list[str]], kind: str, row: int, column: int, text: str
                  ) -> list[list[str]]:
    index = 0 if kind == "header" else min(1 + row % len(rows), len(rows) - 1)
    cells = rows[index] = rows[index] or [""]
    if kind in ("cell", "header"):
        cells[column % len(cells)] = text
    elif kind == "extra":  # a row longer than the header
        cells.extend([text] * (1 + column % 3))
    elif kind == "commas":  # a trailing comma on every data row, not on the header
        for data_row in rows[1:]:
            data_row.extend([""] * (1 + column % 2))
    elif kind == "drop":
        del rows[index]
    elif kind == "duplicate":
        rows.insert(index, list(cells))
    return rows


def _to_workbook(project: Path) -> None:
    """The damaged CSV tables as sheets of data.xlsx, figures as numbers, as Excel saves them."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for path in sorted(project.glob("*.csv")):
        sheet = workbook.create_sheet(path.stem)
        for row in _rows(path):  # openpyxl cannot write control characters; Excel has none
            sheet.append([_excel_cell(ILLEGAL_CHARACTERS_RE.sub("", text)) for text in row])
        path.unlink()
    workbook.save(project / "data.xlsx")


def _excel_cell(text: str) -> object:
    try:
        number = float(text)
    except ValueError:
        return text or None
    return int(number) if number.is_integer() else number


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    failure = "".join(traceback.format_exception(result.exception)) if result.exception else ""
    assert result.exit_code in (0, 65), f"{args}: exit {result.exit_code}\n{failure}"
    return result.exit_code, result.output


@settings(max_examples=40, deadline=None, database=None, print_blob=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(damages=st.lists(damage, min_size=1, max_size=4), as_workbook=st.booleans())
def test_damaged_tables_end_in_a_message_and_validate_agrees_with_build(
        tmp_path_factory: pytest.TempPathFactory, damages: list, as_workbook: bool) -> None:
    project = tmp_path_factory.mktemp("fuzz") / "project"
    shutil.copytree(SAMPLE, project)
    for kind, table, row, column, text in damages:
        _damage(project, kind, table, row, column, text)
    if as_workbook:
        _to_workbook(project)
    validated, report = _run("validate", str(project))
    built, log = _run("build", str(project), "-o", str(project / "out"), "--format", "html")
    assert validated == built, f"validate:\n{report}\nbuild:\n{log}"
