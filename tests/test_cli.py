"""The command line, in-process with click's CliRunner: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from reportgen import __version__
from reportgen.cli import cli
from tests.conftest import NELC
from tests.helpers import rewrite_csv

SUMMARY_KEYS = ["measure_id", "title", "priority", "period", "value", "target", "rating",
                "rating_set_by", "direction", "trend", "unit", "rag_note"]


def test_summary_json_gives_the_worked_checks() -> None:
    result = CliRunner().invoke(cli, ["summary", str(NELC), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [list(r) for r in rows] == [SUMMARY_KEYS] * 8
    ratings = {r["measure_id"]: r["rating"] for r in rows}
    assert ratings == {"cin_number": "Amber", "cin_rate": "Amber", "cin_visits": "Green",
                       "cp_number": "Red", "cp_rate": "Red", "icpc_timely": "Red",
                       "cp_visits": "Green", "cp_reviews": "Green"}
    cin = rows[0]
    assert cin == {"measure_id": "cin_number", "title": "Number of CiN", "priority": "A",
                   "period": "2023-06", "value": 807, "target": 800, "rating": "Amber",
                   "rating_set_by": "rule", "direction": "up", "trend": "declining",
                   "unit": "number", "rag_note": ""}


def test_summary_table_is_readable() -> None:
    result = CliRunner().invoke(cli, ["summary", str(NELC)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["measure", "period", "value", "target", "rating", "set", "by",
                                "DoT", "trend"]
    assert lines[4].split() == ["cp_number", "2023-06", "321", "275", "Red", "rule", "up",
                                "declining"]


def test_build_writes_the_pack(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(NELC), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {tmp_path / 'improvement-plan-report-2023-06.pdf'}" in result.output


def test_invalid_data_exits_65_listing_every_problem(nelc_copy: Path, tmp_path: Path) -> None:
    rewrite_csv(nelc_copy / "values.csv", lambda rows: (rows[2].__setitem__(2, "twelve"),
                                                        rows[5].__setitem__(0, "cin_numbr")))
    result = CliRunner().invoke(cli, ["build", str(nelc_copy), "-o", str(tmp_path / "out")])
    assert result.exit_code == 65
    assert "Error: 2 error(s) in the report project; nothing was written:" in result.output
    assert "values.csv, row 3, column 'value': error: 'twelve' is not a number" in result.output
    assert ("values.csv, row 6, column 'measure_id': error: measure_id 'cin_numbr' is not an id "
            "in measures; did you mean 'cin_number'?") in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_validate_writes_nothing_and_reports_ok(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(NELC)])
    assert result.exit_code == 0
    assert "no errors, 0 warning(s); reporting period 2023-06" in result.output


def test_bad_period_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["summary", str(NELC), "--period", "June 23"])
    assert result.exit_code == 2
    assert "'June 23' is not a month; expected YYYY-MM or 'latest'" in result.output


def test_unwritable_output_exits_73(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["build", str(NELC), "-o", str(blocker / "out")])
    assert result.exit_code == 73
    assert f"cannot write to the output folder {blocker / 'out'}" in result.output


def test_version_and_help() -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.strip() == f"reportgen, version {__version__}"
    for command in ([], ["build"], ["validate"], ["summary"]):
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output
