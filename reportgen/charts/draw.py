"""One measure's series, target, band and comparators → a matplotlib Figure, PNG bytes, alt text."""

from __future__ import annotations

import io
import textwrap

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.months import Month
from reportgen.render.formatting import format_band, format_number

# Comparator lines are told apart by dash and marker as well as colour.
COMPARATOR_STYLES = [("dotted", "s"), ("dashdot", "^"), ((0, (5, 2, 1, 2)), "v"),
                     ((0, (1, 3)), "D")]

# (figure size in inches, fixed margins) for a chart across the page or half of it.
FULL_WIDTH = ((7.0, 2.9), {"left": 0.085, "right": 0.985, "top": 0.9, "bottom": 0.34})
HALF_WIDTH = ((3.5, 3.3), {"left": 0.15, "right": 0.97, "top": 0.86, "bottom": 0.42})


def build_chart(spec: ChartSpec, style: ChartStyle) -> Figure:
    """Draw the chart on a fresh Figure (no pyplot state), in the theme's font."""
    with rc_context({"font.family": style.font}):  # text takes its font when it is made
        return _build_chart(spec, style)


def chart_png(spec: ChartSpec, style: ChartStyle) -> bytes:
    """The chart as PNG, drawn on this process's template figure for its size and style: the
    figure, axes and tick artists are made once and the chart's own artists replaced, which
    saves a third of a chart's time (measured); the picture is the one build_chart draws."""
    key = (spec.half_width, style)
    if key not in _TEMPLATES:
        with rc_context({"font.family": style.font}):
            _TEMPLATES[key] = _empty_figure(spec.half_width, style)
    figure = _TEMPLATES[key]
    axes = figure.axes[0]
    for artist in [*axes.lines, *axes.patches, *axes.texts, *axes.collections]:
        artist.remove()
    legend = axes.get_legend()
    if legend is not None:
        legend.remove()
    with rc_context({"font.family": style.font}):
        _draw(axes, spec, style)
        return figure_png(figure)


_TEMPLATES: dict[tuple[bool, ChartStyle], Figure] = {}


def _empty_figure(half_width: bool, style: ChartStyle) -> Figure:
    size, margins = HALF_WIDTH if half_width else FULL_WIDTH
    figure = Figure(figsize=size, dpi=style.dpi, facecolor="#ffffff")
    FigureCanvasAgg(figure)
    # Fixed margins: tight_layout costs an extra draw per chart (SPEC "Measured facts").
    figure.subplots_adjust(**margins)
    figure.add_subplot()
    return figure


def _build_chart(spec: ChartSpec, style: ChartStyle) -> Figure:
    figure = _empty_figure(spec.half_width, style)
    _draw(figure.axes[0], spec, style)
    return figure


def _draw(axes, spec: ChartSpec, style: ChartStyle) -> None:
    months = spec.axis_months
    position = {m: i for i, m in enumerate(months)}
    _draw_band(axes, spec, style, len(months))
    _draw_target(axes, spec, style)
    _draw_comparators(axes, spec, style, position)
    _draw_series(axes, spec, style, position)
    _draw_milestones(axes, spec, style, position)
    _format_axes(axes, spec, style, months)
    legend = axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=7,
                         ncol=2 if spec.half_width else 3, frameon=False)
    for text in legend.get_texts():
        text.set_parse_math(False)  # labels come from data: '$' is a dollar, not maths
    title = "\n".join(textwrap.wrap(spec.title, 48 if spec.half_width else 100)[:2])
    # y given: matplotlib then skips measuring the axes for a title position (~30 ms a chart)
    axes.set_title(title, fontsize=8.5, loc="left", color=style.text, parse_math=False, y=1.0)


def _draw_band(axes, spec: ChartSpec, style: ChartStyle, count: int) -> None:
    if spec.band_low is None and spec.band_high is None:
        return
    low = spec.band_low if spec.band_low is not None else spec.target
    high = spec.band_high if spec.band_high is not None else spec.target
    if low is None or high is None:
        return
    label = f"Tolerance {format_band(spec.band_low, spec.band_high, spec.unit)}"
    axes.axhspan(low, high, facecolor=style.band, alpha=0.35, edgecolor="none", label=label,
                 zorder=0)


def _draw_target(axes, spec: ChartSpec, style: ChartStyle) -> None:
    if spec.target is None:
        return
    axes.axhline(spec.target, color=style.target, linestyle="--", linewidth=1.2,
                 label=spec.target_label, zorder=2)


def _draw_comparators(axes, spec: ChartSpec, style: ChartStyle, position: dict) -> None:
    for index, comparator in enumerate(spec.comparators):
        dash, marker = COMPARATOR_STYLES[index % len(COMPARATOR_STYLES)]
        colour = style.comparators[index % len(style.comparators)]
        label = f"{comparator.name} ({format_number(comparator.value, spec.unit)})"
        points = [(position[m], v) for m, v in comparator.points if m in position]
        if points:
            xs, ys = zip(*points, strict=True)
            axes.plot(xs, ys, linestyle=dash, marker=marker, markersize=3, color=colour,
                      linewidth=1.3, label=label, zorder=3)
        else:
            axes.axhline(comparator.value, linestyle=dash, color=colour, linewidth=1.3,
                         marker=marker, markersize=3, label=label, zorder=3)


def _draw_series(axes, spec: ChartSpec, style: ChartStyle, position: dict) -> None:
    xs = [position[m] for m in spec.months]
    ys = [float("nan") if v is None else v for v in spec.values]
    axes.plot(xs, ys, color=style.series, linewidth=2, marker="o", markersize=3.5,
              label=spec.measure_title, zorder=4)
    known = [(x, y) for x, y in zip(xs, spec.values, strict=True) if y is not None]
    if known:
        x, y = known[-1]
        axes.annotate(format_number(y, spec.unit), (x, y), textcoords="offset points",
                      xytext=(0, 6), ha="center", fontsize=7, color=style.series,
                      fontweight="bold", annotation_clip=False)


def _draw_milestones(axes, spec: ChartSpec, style: ChartStyle, position: dict) -> None:
    points = [(position[m], v) for m, v in spec.milestones if m in position]
    if points:
        xs, ys = zip(*points, strict=True)
        axes.plot(xs, ys, linestyle="none", marker="D", markersize=5, color=style.milestone,
                  label="Milestone targets", zorder=5)


def _format_axes(axes, spec: ChartSpec, style: ChartStyle, months: list[Month]) -> None:
    step = max(1, -(-len(months) // (7 if spec.half_width else 14)))
    # Count back from the reporting month so that it always has a label.
    period = len(spec.months) - 1
    ticks = [i for i in range(len(months)) if (period - i) % step == 0]
    axes.set_xticks(ticks, [months[i].short for i in ticks], fontsize=7, rotation=0)
    axes.set_xlim(-0.5, len(months) - 0.5)
    axes.tick_params(axis="y", labelsize=7)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, spec.unit)))
    axes.set_ylim(0, _axis_top(spec))
    _plain_frame(axes, style, "y")


def _plain_frame(axes, style: ChartStyle, value_axis: str) -> None:
    """Gridlines along the value axis behind the data, and no box: one look for every chart."""
    axes.grid(axis=value_axis, color=style.grid, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _axis_top(spec: ChartSpec) -> float:
    levels = [v for v in spec.values if v is not None]
    levels += [v for v in (spec.target, spec.band_low, spec.band_high) if v is not None]
    levels += [c.value for c in spec.comparators] + [v for _, v in spec.milestones]
    levels += [v for c in spec.comparators for _, v in c.points]
    top = max(levels, default=1.0) * 1.15 or 1.0
    return min(top, 105.0) if spec.unit == "percent" else top


def figure_png(figure: Figure) -> bytes:
    """The one place a figure is serialised: PNG, as WeasyPrint writes PNG fastest.

    RGB without the alpha channel (the chart is opaque): WeasyPrint re-encodes every PNG at
    write time and an alpha channel becomes a soft mask, ~20 % of the PDF write (measured)."""
    from PIL import Image

    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # build_chart attaches an Agg canvas
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0,
                             1).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=3)
    return buffer.getvalue()


def build_bar_chart(title: str, bars: tuple[tuple[str, float], ...], unit: str,
                    style: ChartStyle) -> Figure:
    """A horizontal bar chart of a table appendix's figures, each bar labelled with its value
    so that the figures can be read without colour or gridlines."""
    with rc_context({"font.family": style.font}):
        return _build_bar_chart(title, bars, unit, style)


def _build_bar_chart(title: str, bars: tuple[tuple[str, float], ...], unit: str,
                     style: ChartStyle) -> Figure:
    height = 0.9 + 0.28 * len(bars)
    figure = Figure(figsize=(7.0, height), dpi=style.dpi, facecolor="#ffffff")
    FigureCanvasAgg(figure)
    figure.subplots_adjust(left=0.36, right=0.9, top=1 - 0.45 / height, bottom=0.35 / height)
    axes = figure.add_subplot()
    labels = ["\n".join(textwrap.wrap(label, 42)[:2]) for label, _ in bars]
    positions = list(range(len(bars)))[::-1]  # first row at the top, as in the table
    values = [value for _, value in bars]
    drawn = axes.barh(positions, values, color=style.series, height=0.6)
    axes.bar_label(drawn, labels=[format_number(v, unit) for v in values], padding=3,
                   fontsize=7, color=style.text)
    axes.set_yticks(positions, labels, fontsize=7)
    for label in axes.get_yticklabels():
        label.set_parse_math(False)
    axes.tick_params(axis="x", labelsize=7)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v, unit)))
    axes.set_xlim(0, max(values, default=1.0) * 1.15 or 1.0)
    _plain_frame(axes, style, "x")
    axes.set_title("\n".join(textwrap.wrap(title, 100)[:2]), fontsize=8.5, loc="left",
                   color=style.text, parse_math=False)
    return figure
