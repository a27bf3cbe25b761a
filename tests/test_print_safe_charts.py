"""Charts hold up on awkward data, printed: every text inside the figure and whole, value labels
clear of the lines, markers inside the axes, a labelled top tick, print-size text.

Asserts on the drawn artists' window extents (after `canvas.draw()`), not on pixels."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from reportgen.charts.draw import build_chart, chart_png, figure_png
from reportgen.charts.spec import ChartSpec, ComparatorLine
from reportgen.charts.style import ChartStyle
from reportgen.months import Month, month_range
from reportgen.render.formatting import format_band, format_number

# The narrowest text column of a shipped theme is ~6.7 in (A4 less Northshire's margins); a
# half-width chart takes 49 % of it (pack.css). Text must be ≥ 7.5 pt there.
PRINT_WIDTH_IN = {False: 6.7, True: 6.7 * 0.49}
SMALLEST_PRINTED_PT = 7.5

WINDOW = tuple(month_range(Month(2022, 6), Month(2023, 6)))
LONG_WINDOW = tuple(month_range(Month(2021, 7), Month(2023, 6)))
LONG_TITLE = ("Percentage of children who became the subject of a child protection plan for a "
              "second or subsequent time within two years (rolling 12 months)")
LONG_NAMES = ["Statistical neighbours (average of the ten closest authorities)",
              "England average for all local authorities with social care duties",
              "Yorkshire and the Humber region, published annual figure 2022",
              "Our own outturn for the same month in the previous financial year",
              "Regional improvement alliance benchmark (children's services)"]


def _spec(**fields) -> ChartSpec:
    base = dict(title="Number of CIN at month end", measure_title="Number of CiN",
                unit="number", months=WINDOW,
                values=(700, 712, 698, 705, 721, 716, 730, 741, 752, 744, 735, 788, 807))
    return ChartSpec(**{**base, **fields})


def _levels(names: list[str], values: list[float]) -> tuple[ComparatorLine, ...]:
    return tuple(ComparatorLine(n, v) for n, v in zip(names, values, strict=True))


STRESS = {
    "long title, five long comparators, latest on the target": _spec(
        title=LONG_TITLE, measure_title="Children subject to a second or subsequent plan",
        target=807, target_label="Target Sept-23 (807)", band_low=720, band_high=880,
        milestones=((Month(2023, 9), 800), (Month(2024, 3), 780)),
        comparators=_levels(LONG_NAMES, [250, 343, 512, 905, 620])),
    "percent at both axis edges, milestones beyond the window": _spec(
        title="% ICPCs held in timescale", measure_title="ICPC held within timescales",
        unit="percent", values=(0, 80, 67, 75, 83, 88, 79, 91, 85, 93, 89, 100, 100),
        target=95, target_label="Target Sept-23 (95%)", band_low=85.5,
        milestones=((Month(2023, 9), 95), (Month(2024, 6), 100))),
    "a sharp fall to a point on the target, lines just above and below": _spec(
        title="% ICPCs held in timescale", measure_title="ICPC held within timescales",
        unit="percent", values=(71, 80, 67, 75, 83, 88, 79, 91, 85, 93, 89, 100, 64),
        target=64, target_label="Target Sept-23 (64%)", band_low=57.6,
        comparators=_levels(["Statistical neighbours", "England"], [68, 60])),
    "a comparator far above the data, one long name": _spec(
        comparators=_levels([LONG_NAMES[1]], [2150])),
    "dated comparator series crossing the latest point": _spec(
        target=800, target_label="Target (800)",
        comparators=(ComparatorLine("Statistical neighbours", 805, tuple(
            (m, 900 - 8 * i) for i, m in enumerate(WINDOW))),
                     ComparatorLine("England", 790, tuple(
            (m, 650 + 11 * i) for i, m in enumerate(WINDOW))))),
    "a rate with gaps and the newest month missing": _spec(
        title="Rate of referrals per 10,000 children (rolling 12 months)",
        measure_title="Rate of referrals", unit="rate",
        values=(512, None, 498, 505, None, 516, 530, 541, 552, 544, None, 588, None),
        symbols=(None, "c", None, None, "x", None, None, None, None, None, "z", None, None),
        band_low=480, band_high=560, target=520, target_label="Target (520)",
        comparators=_levels(["England"], [534])),
    "a long window, milestones a year on": _spec(
        months=LONG_WINDOW, values=tuple(30 + (i % 5) for i in range(24)),
        target=25, target_label="Target Mar-24 (25)", band_high=28,
        milestones=((Month(2023, 12), 27), (Month(2024, 6), 25))),
    "all zero": _spec(values=(0,) * 13, target=0, target_label="Target (0)"),
    "one value": _spec(values=(None,) * 12 + (3,), comparators=_levels(["England"], [4])),
}

CASES = [pytest.param(spec, half, id=f"{name}, {'half' if half else 'full'} width")
         for name, spec in STRESS.items() for half in (False, True)]


def _drawn(spec: ChartSpec, half_width: bool) -> tuple[Figure, ChartSpec]:
    spec = replace(spec, half_width=half_width)
    figure = build_chart(spec, ChartStyle())
    figure.canvas.draw()
    return figure, spec


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _extent(artist, figure: Figure) -> Bbox:
    return artist.get_window_extent(figure.canvas.get_renderer())


def _inside(inner: Bbox, outer: Bbox, slack: float = 0.5) -> bool:
    return (inner.x0 >= outer.x0 - slack and inner.y0 >= outer.y0 - slack
            and inner.x1 <= outer.x1 + slack and inner.y1 <= outer.y1 + slack)


def _expected_legend(spec: ChartSpec) -> set[str]:
    labels = {spec.measure_title}
    labels |= {f"{c.name} ({format_number(c.value, spec.unit)})" for c in spec.comparators}
    if spec.target is not None:
        labels.add(spec.target_label)
    if spec.band_low is not None or spec.band_high is not None:
        labels.add(f"Tolerance {format_band(spec.band_low, spec.band_high, spec.unit)}")
    if spec.milestones:
        labels.add("Milestone targets")
    return labels


def _pieces(line: Line2D) -> list[Path]:
    """The line as drawn, in display coordinates: a path for each run between gaps."""
    if line.get_linestyle() in ("None", "", " "):
        return []
    points = line.get_transform().transform(line.get_xydata())
    runs, run = [], []
    for point in points:
        if np.isfinite(point).all():
            run.append(point)
        else:
            runs.append(run)
            run = []
    return [Path(np.array(r)) for r in [*runs, run] if len(r) > 1]


def _marker_boxes(line: Line2D, figure: Figure) -> list[Bbox]:
    if line.get_marker() in (None, "None", "", " "):
        return []
    points = line.get_xydata()
    points = points[np.isfinite(points).all(axis=1)]
    half = (line.get_markersize() + line.get_markeredgewidth()) / 2 * figure.dpi / 72
    return [Bbox.from_extents(x - half, y - half, x + half, y + half)
            for x, y in line.get_transform().transform(points)]


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_every_text_is_inside_the_figure(spec: ChartSpec, half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    whole = figure.bbox
    for text in _texts(figure):
        assert _inside(_extent(text, figure), whole), repr(text.get_text())
    [axes] = figure.axes
    assert axes.get_title(loc="left").replace("\n", " ") == spec.title  # all of it


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_legend_entries_are_whole_and_apart(spec: ChartSpec, half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    texts = figure.axes[0].get_legend().get_texts()
    assert {t.get_text().replace("\n", " ") for t in texts} == _expected_legend(spec)
    boxes = [_extent(t, figure) for t in texts]
    for i, a in enumerate(boxes):
        assert _inside(a, figure.bbox)
        assert not any(a.overlaps(b) for b in boxes[i + 1:])
    # the legend sits below the x tick labels, not over them
    ticks = [_extent(t, figure) for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert max(b.y0 for b in ticks) > max(b.y1 for b in boxes)


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_value_label_is_clear_of_every_line_and_marker(spec: ChartSpec,
                                                       half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    [axes] = figure.axes
    labels = [t for t in axes.texts if t.get_text()]
    assert len(labels) == 1
    [label] = labels
    box = _extent(label, figure)
    assert _inside(box, axes.bbox)
    for line in axes.get_lines():
        for piece in _pieces(line):
            assert not piece.intersects_bbox(box, filled=False), line.get_label()
        for marker in _marker_boxes(line, figure):
            assert not box.overlaps(marker), line.get_label()


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_markers_are_whole_inside_the_axes(spec: ChartSpec, half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    [axes] = figure.axes
    frame = axes.bbox
    for line in axes.get_lines():
        for marker in _marker_boxes(line, figure):
            assert frame.x0 <= marker.x0 and marker.x1 <= frame.x1, line.get_label()
            assert marker.y1 <= frame.y1, line.get_label()
            if marker.y0 < frame.y0:  # a value of 0 sits on the axis, drawn whole
                assert not line.get_clip_on(), line.get_label()


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_top_tick_is_labelled_and_above_every_level(spec: ChartSpec, half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    [axes] = figure.axes
    bottom, top = axes.get_ylim()
    ticks = [(t, label) for t, label in zip(axes.get_yticks(), axes.get_yticklabels(),
                                             strict=True) if bottom <= t <= top]
    highest, label = ticks[-1]
    assert label.get_text() == format_number(highest, spec.unit)
    levels = [v for v in spec.values if v is not None] + [
        v for v in (spec.target, spec.band_low, spec.band_high) if v is not None]
    levels += [c.value for c in spec.comparators] + [v for _, v in spec.milestones]
    assert highest >= max(levels) or (spec.unit == "percent" and highest == 100)
    assert top > max(levels)  # headroom: nothing sits on the frame's top edge


@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_text_is_print_size_and_ticks_apart(spec: ChartSpec, half_width: bool) -> None:
    figure, spec = _drawn(spec, half_width)
    scale = PRINT_WIDTH_IN[half_width] / figure.get_figwidth()
    for text in _texts(figure):
        assert text.get_fontsize() * scale >= SMALLEST_PRINTED_PT, repr(text.get_text())
    ticks = [_extent(t, figure) for t in figure.axes[0].get_xticklabels() if t.get_text()]
    assert all(a.x1 < b.x0 for a, b in zip(ticks, ticks[1:], strict=False))


@pytest.mark.parametrize("name", list(STRESS))
def test_template_figure_matches_a_fresh_one_whatever_came_before(name: str) -> None:
    """The per-process template figure changes size chart by chart; each PNG is still the
    one a fresh figure gives."""
    style = ChartStyle()
    for half_width in (False, True):
        spec = replace(STRESS[name], half_width=half_width)
        chart_png(replace(STRESS["long title, five long comparators, latest on the target"],
                          half_width=half_width), style)
        assert chart_png(spec, style) == figure_png(build_chart(spec, style))


def test_charts_are_sharp_on_the_widest_column() -> None:
    """The default theme's 182 mm column is the widest a chart is printed at: ~200 pixels an
    inch there keeps 8 pt text and 0.6 pt gridlines crisp (150 dpi gave 146 and soft text;
    the cost, measured, is in benchmarks/README.md)."""
    from io import BytesIO

    from PIL import Image

    widest_column_in = 182 / 25.4
    for half_width, share in ((False, 1.0), (True, 0.49)):
        spec = replace(STRESS["one value"], half_width=half_width)
        with Image.open(BytesIO(chart_png(spec, ChartStyle()))) as png:
            assert png.width / (widest_column_in * share) >= 190


@pytest.mark.parametrize("font", ["DejaVu Sans", "DejaVu Serif"])
@pytest.mark.parametrize(("spec", "half_width"), CASES)
def test_month_labels_fall_on_the_same_months_each_year(spec: ChartSpec, half_width: bool,
                                                        font: str) -> None:
    """Every first, second, third, fourth, sixth or twelfth month, counted back from the
    reporting month (which is always labelled): never every fifth, which wanders."""
    spec = replace(spec, half_width=half_width)
    [axes] = build_chart(spec, ChartStyle(font=font)).axes
    ticks = [int(t) for t in axes.get_xticks()]
    assert len(spec.months) - 1 in ticks
    steps = {b - a for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) <= 1 and steps <= {1, 2, 3, 4, 6, 12, 24}
