"""The monthly commentary round: stale commentary named by validate."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import cli
from tests.helpers import rewrite_csv


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


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
