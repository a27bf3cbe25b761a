"""Charts: assert on the axes (lines, bands, labels) and the alt text, not on pixels."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.patches import Polygon, Rectangle

from reportgen.charts.describe import describe_chart
from reportgen.charts.draw import build_chart, figure_png
from reportgen.charts.spec import ChartSpec, ComparatorLine
from reportgen.charts.style import ChartStyle
from reportgen.months import Month, month_range

WINDOW = tuple(month_range(Month(2022, 6), Month(2023, 6)))
CIN = ChartSpec(
    title="Number of CIN at month end", measure_title="Number of CiN", unit="number",
    months=WINDOW,
    values=(700, 712, 698, 705, 721, 716, 730, 741, 752, 744, 735, 788, 807),
    target=800, target_label="Target Sept-23 (800)", band_low=720, band_high=880,
    milestones=((Month(2023, 9), 800), (Month(2024, 3), 800)),
    comparators=(ComparatorLine("Statistical neighbours", 250),
                 ComparatorLine("England", 343)))


def _lines_by_label(figure):
    [axes] = figure.axes
    return {line.get_label(): line for line in axes.get_lines()}


def test_target_is_a_dashed_line_at_the_target_value() -> None:
    target = _lines_by_label(build_chart(CIN, ChartStyle()))["Target Sept-23 (800)"]
    assert set(target.get_ydata()) == {800}
    assert target.get_linestyle() == "--"


def test_tolerance_band_spans_the_tolerances() -> None:
    [axes] = build_chart(CIN, ChartStyle()).axes
    bands = [p for p in axes.patches + axes.collections
             if str(p.get_label()).startswith("Tolerance")]
    assert len(bands) == 1
    band = bands[0]
    if isinstance(band, Rectangle):
        ys = [band.get_y(), band.get_y() + band.get_height()]
    elif isinstance(band, Polygon):
        ys = band.get_xy()[:, 1]
    else:
        assert isinstance(band, PolyCollection)
        ys = np.concatenate([p.vertices[:, 1] for p in band.get_paths()])
    assert (min(ys), max(ys)) == (720, 880)
    assert band.get_label() == "Tolerance 720–880"


def test_one_line_per_comparator_with_its_value_in_the_label() -> None:
    lines = _lines_by_label(build_chart(CIN, ChartStyle()))
    assert set(lines["Statistical neighbours (250)"].get_ydata()) == {250}
    assert set(lines["England (343)"].get_ydata()) == {343}
    # told apart by dash and marker, not colour alone
    sn, en = lines["Statistical neighbours (250)"], lines["England (343)"]
    assert (sn.get_linestyle(), sn.get_marker()) != (en.get_linestyle(), en.get_marker())


def test_series_has_a_gap_for_symbols_never_a_zero() -> None:
    values = list(CIN.values)
    values[5] = None
    spec = ChartSpec(**{**CIN.__dict__, "values": tuple(values),
                        "symbols": (None,) * 5 + ("c",) + (None,) * 7})
    series = _lines_by_label(build_chart(spec, ChartStyle()))["Number of CiN"]
    ys = list(series.get_ydata())
    assert math.isnan(ys[5]) and 0 not in ys
    assert "No figure for November 2022 (suppressed to protect confidentiality" in \
        describe_chart(spec)


def test_milestones_are_marked_and_axis_reaches_them() -> None:
    figure = build_chart(CIN, ChartStyle())
    milestones = _lines_by_label(figure)["Milestone targets"]
    assert list(milestones.get_ydata()) == [800, 800]
    [axes] = figure.axes
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert labels[0] == "Jun-22" and "Jun-23" in labels
    assert axes.get_xlim()[1] > WINDOW.index(Month(2023, 6)) + 9  # Mar-24 is on the axis


def test_percent_axis_is_formatted_by_unit() -> None:
    spec = ChartSpec(title="% visits", measure_title="Visits", unit="percent", months=WINDOW,
                     values=(90,) * 13, target=90, target_label="Target (90%)")
    figure = build_chart(spec, ChartStyle())
    figure.canvas.draw()
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert "100%" in labels and "0%" in labels


def test_text_from_data_is_never_mathtext() -> None:
    spec = ChartSpec(title="$5k vs $10k", measure_title=r"$\frac{a}{b}$", unit="number",
                     months=WINDOW, values=(1,) * 13,
                     comparators=(ComparatorLine("$x$ group", 2),))
    figure = build_chart(spec, ChartStyle())
    png = figure_png(figure)  # drawing must not fail on unbalanced or real TeX
    assert png.startswith(b"\x89PNG")
    [axes] = figure.axes
    assert axes.get_title(loc="left") == "$5k vs $10k"
    texts = [t for t in axes.get_legend().get_texts()]
    assert [t.get_text() for t in texts] == [r"$\frac{a}{b}$", r"$x$ group (2)"]
    assert not any(t.get_parse_math() for t in texts)


def test_alt_text_names_trend_latest_target_band_and_comparators() -> None:
    alt = describe_chart(CIN)
    assert alt.startswith("Line chart of Number of CIN at month end, June 2022 to June 2023: "
                          "rose from 735 in April 2023 to 807 in June 2023")
    assert "above the target of 800 and inside the tolerance band 720–880" in alt
    assert "Comparators: Statistical neighbours 250, England 343" in alt
    assert "Milestone targets: 800 by September 2023, 800 by March 2024" in alt


def test_alt_text_for_a_fall_below_target() -> None:
    spec = ChartSpec(title="% ICPCs held in timescale", measure_title="ICPC", unit="percent",
                     months=WINDOW, values=(None,) * 10 + (89, 100, 64), target=95,
                     band_low=85.5)
    alt = describe_chart(spec)
    assert "fell from 89% in April 2023 to 64% in June 2023" in alt
    assert "below the target of 95% and outside the tolerance band lower 85.5%" in alt


def test_template_figure_draws_the_same_png_as_a_fresh_figure() -> None:
    """Charts are drawn on one reused figure per process: whatever was drawn before, each
    PNG is byte for byte the one a fresh figure gives (and so the cache keys stay true)."""
    from reportgen.assess import assess
    from reportgen.charts import draw as charts
    from reportgen.charts.spec import chart_specs
    from reportgen.load.project import load_project
    from tests.conftest import SAMPLE

    project = load_project(SAMPLE, None, None)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    specs = chart_specs(project.data, assessments, project.config)
    style = project.theme.chart_style()
    assert {spec.half_width for spec in specs} == {True, False}
    assert any(spec.comparators for spec in specs) and any(spec.milestones for spec in specs)
    for order in (specs, specs[::-1]):
        charts._TEMPLATES.clear()
        for spec in order:
            assert charts.chart_png(spec, style) == figure_png(build_chart(spec, style)), \
                spec.title


def test_a_change_to_the_drawing_code_changes_every_chart_key(tmp_path) -> None:
    """Cached charts are keyed by the drawing modules' source too, so a rebuild after an
    upgrade that draws differently never reuses an old picture under the same version."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import reportgen

    def key_with(package: Path) -> str:
        # the copy in package, not the editable install's finder, provides reportgen
        code = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if '__editable__' "
                "not in getattr(f, '__module__', '') + getattr(f, '__name__', '')]; "
                "from reportgen.charts.cache import chart_key; from reportgen.charts.style "
                "import ChartStyle; from tests.test_charts import CIN; "
                "print(chart_key(CIN, ChartStyle()))")
        return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                              text=True, cwd=package,
                              env={"PYTHONPATH": f"{package}:{Path(__file__).parents[1]}"}
                              ).stdout
    shutil.copytree(Path(reportgen.__file__).parent, tmp_path / "reportgen")
    before = key_with(tmp_path)
    with (tmp_path / "reportgen" / "charts" / "labels.py").open("a") as labels:
        labels.write("\nCLEARANCE_PT = 2.0\n")
    assert key_with(tmp_path) != before
