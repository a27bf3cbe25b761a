"""Live figures in a paper's Markdown: the data's values, built for real and read back."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.pipeline import build_project as build
from tests.conftest import REPO, pdf_text

NELC = REPO / "sample_papers" / "nelc-scrutiny"


@pytest.fixture
def paper_copy(tmp_path: Path) -> Path:
    """The scrutiny paper and the sample data beside it, as ../../sample_data finds it."""
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    target = tmp_path / "papers" / "nelc"
    shutil.copytree(NELC, target)
    return target


def _words(path: Path) -> str:
    return " ".join(" ".join(pdf_text(path)).split())


def test_the_body_and_its_appendix_agree(tmp_path: Path) -> None:
    text = _words(build(NELC, tmp_path).pdf)
    body = re.search(r"Children on a child protection plan (\S+) (\S+)", text)
    appendix = re.search(r"Number of CP (\S+) (\S+) (\S+)", text)
    assert body is not None and appendix is not None
    assert body[1] == appendix[1] == "262"  # June 2022: the typed table said 250
    assert body[2] == appendix[3] == "321"  # the reporting month, June 2023
    assert "Children in need 700 807" in text
    assert "plan is rated Red this month" in text
    assert "[=" not in text


def _write_body(paper: Path, body: str) -> None:
    (paper / "report.md").write_text(body, encoding="utf-8")


def test_every_form_of_figure(paper_copy: Path, tmp_path: Path) -> None:
    _write_body(paper_copy, "# Figures\n\nCP then [=cp_number 2022-06], now [=cp_number latest]"
                            " ([=cp_number rating]); visits [=cp_visits latest]; CiN rate "
                            "[=cin_rate 2023-06]. Typed: \\[=cp_number latest].\n")
    text = _words(build(paper_copy, tmp_path).pdf)
    assert ("CP then 262, now 321 (Red); visits 91%; CiN rate 244. "
            "Typed: [=cp_number latest].") in text


def test_latest_is_the_reporting_month_not_the_refresh_row(paper_copy: Path, tmp_path: Path
                                                           ) -> None:
    _write_body(paper_copy, "# Figures\n\nNow [=cp_number latest]; turnover "
                            "[=sw_turnover latest].\n")
    result = build(paper_copy, tmp_path, period="2023-05")
    # May 2023's value (the refresh row says 306); a quarterly measure's is its last quarter's
    assert "Now 291; turnover 15.4%." in _words(result.pdf)


def test_unknown_measures_months_and_bad_figures_name_file_and_line(paper_copy: Path) -> None:
    _write_body(paper_copy, "# Figures\n\nOne [=cp_nmber latest].\n\n"
                            "Two [=cp_number 2019-01] and [=cp_number June].\n\n"
                            "Three [=cp_number {{ 7*7 }}] [=cp_number 2023-13]\n")
    outcome = CliRunner().invoke(cli, ["validate", str(paper_copy)])
    assert outcome.exit_code == 65
    for expected in (
        "report.md, line 3: error: 'cp_nmber' is not a measure id in measures",
        "report.md, line 5: error: cp_number has no figure for January 2019 (2019-01) in values",
        ("report.md, line 5: error: '[=cp_number June]' is not a live figure; expected "
         "[=MEASURE YYYY-MM], [=MEASURE latest] or [=MEASURE rating]"),
        "report.md, line 7: error: '[=cp_number {{ 7*7 }}]' is not a live figure",
        "report.md, line 7: error: '2023-13' is not a month; expected YYYY-MM",
    ):
        assert expected in outcome.output, outcome.output
    assert "Traceback" not in outcome.output
    built = CliRunner().invoke(cli, ["build", str(paper_copy), "-o", str(paper_copy / "out")])
    assert built.exit_code == 65
    assert "report.md, line 3: error: 'cp_nmber' is not a measure id" in built.output
    assert not (paper_copy / "out").exists() or not list((paper_copy / "out").glob("*.pdf"))


def test_a_figure_in_a_paper_without_data_says_what_is_needed(tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "report.toml").write_text('title = "A paper"\norganisation = "Council"\n\n'
                                       '[paper]\ncommittee = "Cabinet"\nsubject = "S"\n'
                                       'sections = ["body.md"]\n')
    (paper / "body.md").write_text("# One\n\nWe have [=cp_number latest] children.\n\n"
                                   "And [=cla_number latest] in care, [=cp_rate latest] a rate.\n")
    outcome = CliRunner().invoke(cli, ["validate", str(paper)])
    assert outcome.exit_code == 65
    assert outcome.output.splitlines()[1:] == [
        ("  body.md, line 3: error: a live figure needs the KPI data: set `data` in "
         "report.toml to the data project's folder")]  # one mistake, one message: not three


def test_only_warnings_about_what_the_paper_shows_are_listed(tmp_path: Path) -> None:
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    paper = tmp_path / "papers" / "harbourside"
    shutil.copytree(REPO / "sample_papers" / "harbourside-board", paper)
    quiet = CliRunner().invoke(cli, ["validate", str(paper)])
    assert "no errors, 0 warning(s)" in quiet.output  # the data warns of measures not shown
    with (paper / "report.md").open("a", encoding="utf-8") as body:
        body.write("\nCare leavers in suitable homes: [=care_leavers_accom latest].\n")
    shown = CliRunner().invoke(cli, ["validate", str(paper)])
    assert shown.exit_code == 0
    assert ("values.csv: warning: care_leavers_accom 2023-06: the author's rating Green differs "
            "from the rule's Amber") in shown.output
    assert "cla_starts_ytd" not in shown.output
    assert "no errors, 1 warning(s)" in shown.output


def test_front_sheet_values_and_recommendations_take_figures_too(paper_copy: Path,
                                                                tmp_path: Path) -> None:
    config = paper_copy / "report.toml"
    text = config.read_text().replace(
        "[paper]\n", '[paper]\nrecommendations_lead_in = "With [=cp_number latest] children on '
                     'a plan, it is recommended that the panel:"\n')
    text = text.replace('{ label = "STATUS", value = "Open" }',
                        '{ label = "STATUS", value = "Open: CP rate [=cp_rate latest]" }')
    text = re.sub(r"recommendations = \[", 'recommendations = ["Notes the visits rate of '
                  '[=cp_visits latest] (rated [=cp_visits rating]).", ', text, count=1)
    config.write_text(text)
    words = _words(build(paper_copy, tmp_path / "out").pdf)
    assert "With 321 children on a plan, it is recommended that the panel:" in words
    assert "Notes the visits rate of 91% (rated Green)." in words  # plain text: no backslash
    assert "Open: CP rate" in words and "[=" not in words
    config.write_text(text.replace("[=cp_visits rating]", "[=cp_vists rating]"))
    result = CliRunner().invoke(cli, ["validate", str(paper_copy)])
    assert result.exit_code == 65
    assert ("report.toml paper.recommendations[1], line 1: error: 'cp_vists' is not a measure "
            "id") in result.output
