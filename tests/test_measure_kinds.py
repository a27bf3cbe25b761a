"""Groups as real packs lay them out, measure kinds (cumulative, annualised, rolling) and
frequencies (quarterly, annual): what the tables say, what assess compares, what pages show."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.assess import assess, assess_measure
from reportgen.charts.spec import chart_spec
from reportgen.cli import cli
from reportgen.load.project import load_project
from reportgen.model import Dataset, Measure, Observation, Priority
from reportgen.months import Month, month_range
from reportgen.render.context import ALL_MEASURES, Chart, PrioritySection, priority_section
from tests.helpers import rewrite_csv

GROUP = [("sup_cass", "% CASS"), ("sup_cin", "% Children in Need"), ("sup_cp", "% CP"),
         ("sup_cic", "% Children in Care"), ("sup_cl", "% Care Leavers")]
JUNE = Month(2023, 6)


def add_rows(project: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Append rows to a table by column name, adding columns the header lacks."""
    def edit(existing: list[list[str]]) -> None:
        header = existing[0]
        for row in rows:
            for column in row:
                if column not in header:
                    header.append(column)
                    for other in existing[1:]:
                        other.append("")
            existing.append([row.get(column, "") for column in header])
    rewrite_csv(project / f"{table}.csv", edit)


def add_supervision_group(project: Path, targets: list[str] | None = None,
                          milestones: list[str] | None = None) -> None:
    """Five measures of one group, titled once, as the real pack's supervision page."""
    targets = targets or ["90"] * 5
    milestones = milestones or ["95"] * 5
    add_rows(project, "measures", [
        {"id": ident, "title": f"Supervisions in timescale: {label[2:]}", "priority": "D",
         "group": "supervision_timeliness", "unit": "percent", "polarity": "up",
         "target": target, "tolerance_low": "85", "frequency": "Monthly", "label": label,
         "group_title": "% Timeliness of supervisions" if n == 0 else ""}
        for n, ((ident, label), target) in enumerate(zip(GROUP, targets, strict=True))])
    add_rows(project, "values", [
        {"measure_id": ident, "period": month.iso, "value": str(80 + n + month.month)}
        for n, (ident, _) in enumerate(GROUP) for month in month_range(Month(2023, 4), JUNE)])
    add_rows(project, "targets", [
        {"measure_id": ident, "due": "2024-03", "target": milestone}
        for (ident, _), milestone in zip(GROUP, milestones, strict=True)])


def section(project: Path, priority: str) -> PrioritySection:
    loaded = load_project(project)
    assessments = assess(loaded.data, loaded.period, loaded.config.default_tolerance)
    charts = {m.id: Chart("", m.title, m.chart_title) for m in loaded.data.measures}
    title = next(p.title for p in loaded.data.priorities if p.id == priority)
    return priority_section(loaded.data, priority, title, assessments, charts, loaded.config)


def validate(project: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["validate", str(project)])
    assert result.exit_code in (0, 65), result.output + repr(result.exception)
    return result.exit_code, [line.strip() for line in result.output.splitlines()
                              if line.startswith("  ")]


# --- groups ------------------------------------------------------------------------------------

def test_a_five_measure_group_is_one_heading_one_box_and_one_milestone_row(
        sample_copy: Path) -> None:
    add_supervision_group(sample_copy)
    page = next(p for p in section(sample_copy, "D").pages
                if p.anchor == "page-supervision_timeliness")
    assert page.heading == "% Timeliness of supervisions"
    assert len(page.targets) == 1
    box = page.targets[0]
    assert (box.title, box.target, box.tolerance, box.frequency) == \
        ("% Timeliness of supervisions", "90%", "lower 85%", "Monthly")
    assert [r.label for r in page.recent_rows] == [label for _, label in GROUP]
    assert page.recent_rows[0].cells == ("84%", "85%", "86%")
    assert page.milestone_columns == ("Mar-24",)
    assert [(r.label, r.cells) for r in page.milestone_rows] == [(ALL_MEASURES, ("95%",))]
    assert len(page.charts) == 5


def test_a_group_whose_targets_or_milestones_differ_keeps_a_box_and_row_each(
        sample_copy: Path) -> None:
    add_supervision_group(sample_copy, targets=["90", "90", "95", "90", "90"],
                          milestones=["95", "95", "95", "95", "97"])
    page = next(p for p in section(sample_copy, "D").pages
                if p.anchor == "page-supervision_timeliness")
    assert [b.target for b in page.targets] == ["90%", "90%", "95%", "90%", "90%"]
    assert page.targets[2].title == "Supervisions in timescale: CP"
    assert [(r.label, r.cells) for r in page.milestone_rows][-1] == ("% Care Leavers", ("97%",))


def test_the_summary_keeps_full_titles_and_a_group_without_title_joins_them(
        sample_copy: Path) -> None:
    add_supervision_group(sample_copy)
    summary = section(sample_copy, "D")
    assert "Supervisions in timescale: CASS" in [r.title for r in summary.rows]
    cin = section(sample_copy, "A").pages[0]
    assert cin.heading == "Number of CiN and Rate of CiN"
    assert [r.label for r in cin.recent_rows] == ["Number of CiN", "Rate of CiN"]


def test_group_title_conflicts_and_strays_are_errors(sample_copy: Path) -> None:
    add_supervision_group(sample_copy)
    def edit(rows: list[list[str]]) -> None:
        header = rows[0]
        rows[-1][header.index("group_title")] = "Supervisions"  # sup_cl, row 27
        rows[6][header.index("group_title")] = "ICPCs"  # icpc_timely has no group
    rewrite_csv(sample_copy / "measures.csv", edit)
    code, problems = validate(sample_copy)
    assert code == 65
    assert problems == [
        ("measures.csv, row 7, column 'group_title': error: group_title is given but group is "
        "blank; group_title is the heading of a group's page"),
        ("measures.csv, row 27, column 'group_title': error: group 'supervision_timeliness' is "
        "titled '% Timeliness of supervisions' on row 23 and 'Supervisions' here; give one "
        "title (or write it once)")]


# --- checked columns ---------------------------------------------------------------------------

def test_kind_and_frequency_are_checked_case_insensitively(sample_copy: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[0].append("kind")
        for row in rows[1:]:
            row.append("")
        kind, frequency = rows[0].index("kind"), rows[0].index("frequency")
        rows[2][kind], rows[3][frequency] = "Cumulative", "quarterly"  # fine
        rows[4][kind], rows[5][frequency] = "YTD", "Weekly"
    rewrite_csv(sample_copy / "measures.csv", edit)
    code, problems = validate(sample_copy)
    assert code == 65
    assert problems == [
        ("measures.csv, row 5, column 'kind': error: 'YTD' is not a valid kind; expected one of "
        "snapshot, cumulative, annualised, rolling"),
        ("measures.csv, row 6, column 'frequency': error: 'Weekly' is not a valid frequency; "
        "expected one of Monthly, Quarterly, Annual")]


def test_a_groups_measures_need_one_frequency(sample_copy: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[2][rows[0].index("frequency")] = "Quarterly"  # cin_rate; cin_number is Monthly
    rewrite_csv(sample_copy / "measures.csv", edit)
    code, problems = validate(sample_copy)
    assert code == 65
    assert problems == [
        ("measures.csv, column 'group': error: group 'cin' has measures in frequencies Monthly "
        "and Quarterly; the measures of a group share one page, so they need the same "
        "frequency (the page's recent values are one set of periods)")]


# --- direction of travel by kind and frequency -------------------------------------------------

def dataset(measure: Measure, figures: dict[str, float]) -> Dataset:
    return Dataset(priorities=(Priority("A", "A"),), measures=(measure,),
                   values={measure.id: {Month.parse(p): Observation(v)
                                        for p, v in figures.items()}})


def measure(kind: str = "snapshot", frequency: str = "Monthly", polarity: str = "down"
            ) -> Measure:
    return Measure("m", "M", "A", "", "number", polarity, None, None, None, frequency, "M",
                   kind)  # type: ignore[arg-type]


CUMULATIVE = {"2022-05": 60, "2022-06": 95, "2023-04": 30, "2023-05": 70, "2023-06": 90}


@pytest.mark.parametrize(("kind", "compared", "direction", "trend"), [
    # a year-to-date count rose from May (70 → 90) but is below last June's 95
    ("cumulative", "2022-06", "down", "improving"),
    ("snapshot", "2023-05", "up", "declining"),
    ("annualised", "2023-05", "up", "declining"),
    ("rolling", "2023-05", "up", "declining"),
])
def test_direction_by_kind(kind: str, compared: str, direction: str, trend: str) -> None:
    m = measure(kind)
    result = assess_measure(dataset(m, CUMULATIVE), m, JUNE, 0.1)
    assert (result.compared_with.iso, result.direction, result.trend) == \
        (compared, direction, trend)


QUARTERLY = {"2022-09": 40, "2022-12": 44, "2023-03": 50, "2023-06": 47}


def test_a_quarterly_measure_compares_with_the_previous_quarter() -> None:
    m = measure(frequency="Quarterly")
    result = assess_measure(dataset(m, QUARTERLY), m, JUNE, 0.1)
    assert (result.reported, result.compared_with, result.direction, result.trend) == \
        (JUNE, Month(2023, 3), "down", "improving")


def test_a_quarterly_measure_in_a_mid_quarter_pack_shows_the_last_quarter() -> None:
    m = measure(frequency="Quarterly")
    result = assess_measure(dataset(m, QUARTERLY), m, Month(2023, 5), 0.1)
    assert (result.reported, result.observation.value, result.compared_with) == \
        (Month(2023, 3), 50, Month(2022, 12))


def test_a_missing_quarter_gives_no_direction() -> None:
    m = measure(frequency="Quarterly")
    figures = {k: v for k, v in QUARTERLY.items() if k != "2023-03"}
    result = assess_measure(dataset(m, figures), m, JUNE, 0.1)
    assert (result.direction, result.trend) == ("n/a", "n/a")


def test_a_quarterly_chart_has_points_only_at_quarter_ends() -> None:
    m = measure(frequency="Quarterly")
    data = dataset(m, QUARTERLY)
    spec = chart_spec(data, assess_measure(data, m, JUNE, 0.1), 13, 12)
    assert [month.iso for month in spec.months] == list(QUARTERLY)
    assert spec.values == (40, 44, 50, 47)
    assert spec.axis_months[0] == Month(2022, 9) and len(spec.axis_months) == 10


def _joined_spans(spec, kind_line) -> set[tuple[str, str]]:
    """The pairs of months the drawn series line joins, read from its data: consecutive
    points with no gap (NaN) between them."""
    axis = spec.axis_months
    points = kind_line.get_xydata()
    joined = set()
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y0 == y0 and y1 == y1 and x0 == x0 and x1 == x1:  # neither is NaN
            joined.add((axis[int(x0)].short, axis[int(x1)].short))
    return joined


YEAR_TO_DATE = {f"2022-{n:02d}": 10 * (n - 3) for n in range(6, 13)} | {
    "2023-01": 100, "2023-02": 110, "2023-03": 120, "2023-04": 8, "2023-05": 20, "2023-06": 31}


@pytest.mark.parametrize("frequency", ["Monthly", "Quarterly"])
def test_a_cumulative_line_is_not_joined_across_the_year_end(frequency: str) -> None:
    """The count starts again each April: March's point and April's are not joined (for a
    quarterly count, March's and June's); every other neighbour is."""
    from reportgen.charts.draw import build_chart
    from reportgen.charts.style import ChartStyle

    m = measure("cumulative", frequency)
    figures = YEAR_TO_DATE if frequency == "Monthly" else \
        {k: v for k, v in YEAR_TO_DATE.items() if k[5:] in ("06", "09", "12", "03")}
    data = dataset(m, figures)
    spec = chart_spec(data, assess_measure(data, m, JUNE, 0.1), 13, 12)
    figure = build_chart(spec, ChartStyle())
    [line] = [line for line in figure.axes[0].lines if line.get_label() == "M"]
    joined = _joined_spans(spec, line)
    months = [month.short for month in spec.months]
    year_end = months.index("Mar-23")
    assert (months[year_end], months[year_end + 1]) not in joined
    assert joined == {pair for pair in zip(months, months[1:], strict=False)
                      if pair[0] != "Mar-23"}
    # every figure is still a point on the line, and the same chart as a snapshot is one line
    assert sum(1 for _, y in line.get_xydata() if y == y) == len(figures)
    snapshot = measure("snapshot", frequency)
    snapshot_spec = chart_spec(dataset(snapshot, figures),
                               assess_measure(dataset(snapshot, figures), snapshot, JUNE, 0.1),
                               13, 12)
    [whole] = [line for line in build_chart(snapshot_spec, ChartStyle()).axes[0].lines
               if line.get_label() == "M"]
    assert ("Mar-23", months[year_end + 1]) in _joined_spans(snapshot_spec, whole)


# --- the pages --------------------------------------------------------------------------------

def test_quarterly_and_cumulative_pages_and_summary_say_what_they_compare(
        sample_copy: Path) -> None:
    add_rows(sample_copy, "measures", [
        {"id": "q", "title": "Quarterly measure", "priority": "D", "unit": "number",
         "polarity": "down", "frequency": "QUARTERLY"},
        {"id": "ytd", "title": "Cumulative measure", "priority": "D", "unit": "number",
         "polarity": "down", "kind": "cumulative"}])
    add_rows(sample_copy, "values", [
        *({"measure_id": "q", "period": p, "value": str(v)} for p, v in QUARTERLY.items()),
        *({"measure_id": "ytd", "period": p, "value": str(v)} for p, v in CUMULATIVE.items())])
    result = section(sample_copy, "D")
    rows = {r.title: r for r in result.rows}
    assert rows["Quarterly measure"].direction.basis == "vs Mar-23 (previous quarter)"
    assert rows["Cumulative measure"].direction.basis == "vs Jun-22 (same month last year)"
    assert rows["Cumulative measure"].direction.word == "Down"
    pages = {p.anchor: p for p in result.pages}
    assert pages["page-q"].recent_columns == ("Dec-22", "Mar-23", "Jun-23")
    assert pages["page-q"].recent_rows[0].cells == ("44", "50", "47")
    assert pages["page-q"].targets[0].frequency == "Quarterly"
    assert pages["page-ytd"].targets[0].kind == "Financial year to date (from April)"


@pytest.mark.parametrize("split", [True, False], ids=["in parts", "one document"])
def test_a_group_whose_charts_run_on_carries_its_title_continued(
        sample_copy: Path, tmp_path: Path, split: bool) -> None:
    """Five charts do not fit under the panels: the pages they run onto are headed with the
    group's title and "(continued)"; its first page, and every other page, are not."""
    from reportgen.pipeline import build_project
    from tests.conftest import pdf_text

    add_supervision_group(sample_copy)
    result = build_project(sample_copy, tmp_path / "out", split=split)
    pages = pdf_text(result.outputs["pdf"])
    first = next(n for n, text in enumerate(pages)
                 if "% Timeliness of supervisions\n" in text + "\n" and "Recent values" in text)
    run_on = [n for n, text in enumerate(pages) if "(continued)" in text]
    assert run_on == list(range(first + 1, len(pages)))
    assert len(run_on) >= 1
    for n in run_on:
        assert "% Timeliness of supervisions (continued)" in pages[n]
        assert "Recent values" not in pages[n]


def test_a_cumulative_charts_alt_text_says_the_count_starts_again() -> None:
    from reportgen.charts.describe import describe_chart

    m = measure("cumulative")
    data = dataset(m, YEAR_TO_DATE)
    text = describe_chart(chart_spec(data, assess_measure(data, m, JUNE, 0.1), 13, 12))
    assert "the count starts again each April, and the line is not joined from March to April." \
        in text
