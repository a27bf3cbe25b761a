"""Truthful pages: never a number the council did not give shown as if it had — no invented
tolerance band, no date range the data does not cover, no empty chart on a made-up axis."""

from __future__ import annotations

import re
from pathlib import Path

from reportgen.assess import assess, rag_rating
from reportgen.charts.spec import chart_specs
from reportgen.load.project import load_project
from reportgen.pipeline import build_project as build
from tests.conftest import pdf_text
from tests.helpers import rewrite_csv
from tests.test_assess import measure


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_a_range_measure_with_no_target_is_not_rated() -> None:
    contacts = measure("range", None, 800, 1200)
    assert rag_rating(contacts, 1000, None, 0.15) == "Not rated"
    assert rag_rating(contacts, 1000, 1000, 0.15) == "Green"


def test_no_band_given_means_no_band_shown_but_the_rule_in_words(nelc_copy: Path,
                                                                 tmp_path: Path) -> None:
    """cp_reviews (up, target 96, no tolerance): the rating still uses 10 %, the page says so in
    words, and no band is drawn unless report.toml asks for one."""
    project = load_project(nelc_copy)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    specs = {a.measure.id: s for a, s in
             zip(assessments, chart_specs(project.data, assessments, project.config), strict=True)}
    assert (specs["cp_reviews"].band_low, specs["cp_reviews"].band_high) == (None, None)
    assert (specs["cin_number"].band_low, specs["cin_number"].band_high) == (720, 880)

    text = _flat(" ".join(pdf_text(build(nelc_copy, tmp_path / "a").pdf)))
    assert "Tolerance not set Rated Amber down to 10% below target" in text
    assert "(default" not in text and "Tolerance lower 86.4" not in text

    config = nelc_copy / "report.toml"
    config.write_text(config.read_text().replace("[rag]\n", "[rag]\ndraw_default_band = true\n"))
    project = load_project(nelc_copy)
    specs = {a.measure.id: s for a, s in zip(assessments, chart_specs(
        project.data, assessments, project.config), strict=True)}
    assert (specs["cp_reviews"].band_low, specs["cp_reviews"].band_high) == (86, None)


def test_three_months_of_data_say_so(nelc_copy: Path, tmp_path: Path) -> None:
    project = load_project(nelc_copy)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    for spec in chart_specs(project.data, assessments, project.config):
        assert [m.short for m in spec.months] == ["Apr-23", "May-23", "Jun-23"]
    first = _flat(pdf_text(build(nelc_copy, tmp_path).pdf)[0])
    assert "Data covers April 2023 – June 2023" in first
    assert "June 2022" not in first


def test_a_measure_with_no_figures_gets_a_note_not_a_chart(nelc_copy: Path,
                                                           tmp_path: Path) -> None:
    rewrite_csv(nelc_copy / "values.csv",
                lambda rows: rows.__setitem__(slice(None), [r for r in rows
                                                            if r[0] != "cp_reviews"]))
    result = build(nelc_copy, tmp_path)
    pages = [_flat(page) for page in pdf_text(result.pdf)]
    page = next(p for p in pages if "No figures for" in p)
    assert "No figures for % CP reviews held in timescale - rolling in year rate yet." in page
    assert any(a.rating == "No data" for a in result.assessments
               if a.measure.id == "cp_reviews")


def test_a_character_the_fonts_cannot_print_is_named(nelc_copy: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli

    rewrite_csv(nelc_copy / "commentary.csv",
                lambda rows: rows[1].__setitem__(2, rows[1][2] + " 儿童服务"))
    result = CliRunner().invoke(cli, ["validate", str(nelc_copy)])
    assert result.exit_code == 0, result.output
    assert ("commentary: warning: page 'cin' 2023-06, column 'working_well': '儿' (U+513F), "
            "'童' (U+7AE5), '服' (U+670D), '务' (U+52A1) cannot be printed in the font DejaVu "
            "Sans and would show as a blank box") in result.output


def test_a_title_with_a_character_the_fonts_lack_builds_with_a_warning(nelc_copy: Path,
                                                                      tmp_path: Path) -> None:
    """Found by the fuzz test: matplotlib's own glyph warning ended the HTML build."""
    from click.testing import CliRunner

    from reportgen.cli import cli

    # U+058B is unassigned (the fuzz test's case: no crash), 儿 a character DejaVu lacks
    rewrite_csv(nelc_copy / "measures.csv", lambda rows: rows[1].__setitem__(1, "\u058b 儿"))
    for edition in ("html", "pdf"):
        result = CliRunner().invoke(cli, ["build", str(nelc_copy), "-o", str(tmp_path / edition),
                                          "--format", edition])
        assert result.exit_code == 0, result.output
        assert "measure 'cin_number', column 'title': '儿' (U+513F) cannot be printed" \
            in result.output
