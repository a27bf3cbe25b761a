"""One measure's series, target, band and comparators → a matplotlib Figure, PNG bytes, alt text."""

from __future__ import annotations

import contextlib
import io
import textwrap
import warnings
from collections.abc import Iterator
from typing import Literal

from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Annotation, Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reportgen.charts import layout
from reportgen.charts.labels import CLEARANCE_PT, place_clear
from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.months import Month
from reportgen.render.formatting import format_band, format_number

# Comparator lines are told apart by dash and marker as well as colour.
COMPARATOR_STYLES = [("dotted", "s"), ("dashdot", "^"), ((0, (5, 2, 1, 2)), "v"),
                     ((0, (1, 3)), "D"), ((0, (4, 1, 1, 1, 1, 1)), "P")]

# Figure width and the plot's height, in inches, across the page or half of it: the figure's
# height follows from the title's and the legend's lines (layout.py).
FULL_WIDTH = (7.0, 1.75)
HALF_WIDTH = (3.5, 1.55)
Y_TICKS = {False: 6, True: 5}  # at most, by half_width
HEADROOM = 1.08  # the axis reaches this far above the highest level drawn
RENDERERS_KEPT = 8  # a figure's renderers by size, ~2 MB each

Handle = tuple[Artist, str]  # a legend entry: the artist and its label


@contextlib.contextmanager
def glyphs_unwarned() -> Iterator[None]:
    """matplotlib warns of a character its font lacks each time it draws it; the project's
    check names the table cell instead (glyphs.py), so the drawing itself stays quiet."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font",
                                category=UserWarning)
        yield


@contextlib.contextmanager
def drawing(font: str) -> Iterator[None]:
    """Text takes the theme's font when it is made; missing glyphs are not warned about."""
    with rc_context({"font.family": font}), glyphs_unwarned():
        yield


def build_chart(spec: ChartSpec, style: ChartStyle) -> Figure:
    """Draw the chart on a fresh Figure (no pyplot state), in the theme's font."""
    with drawing(style.font):  # text takes its font when it is made
        figure = _empty_figure(style)
        _draw(figure, spec, style)
        return figure


def chart_png(spec: ChartSpec, style: ChartStyle) -> bytes:
    """The chart as PNG, drawn on this process's template figure for its style: the figure,
    axes and tick artists are made once and the chart's own artists replaced, which saves a
    third of a chart's time (measured); the picture is the one build_chart draws."""
    if style not in _TEMPLATES:
        with drawing(style.font):
            _TEMPLATES[style] = _empty_figure(style)
    figure = _TEMPLATES[style]
    axes = figure.axes[0]
    for artist in [*axes.lines, *axes.patches, *axes.texts, *axes.collections]:
        artist.remove()
    legend = axes.get_legend()
    if legend is not None:
        legend.remove()
    with drawing(style.font):
        _draw(figure, spec, style)
        return figure_png(figure)


_TEMPLATES: dict[ChartStyle, Figure] = {}


class _Canvas(FigureCanvasAgg):
    """An Agg canvas that keeps a renderer for each figure size it has drawn at: charts'
    heights differ, and matplotlib caches text metrics per renderer (measured on the sample:
    a fifth or more of a chart's time)."""

    def __init__(self, figure: Figure) -> None:
        super().__init__(figure)
        self._renderers: dict[tuple[int, int, float], RendererAgg] = {}

    def get_renderer(self) -> RendererAgg:
        width, height = self.get_width_height(physical=True)
        key = (width, height, self.figure.dpi)
        if key not in self._renderers:
            if len(self._renderers) >= RENDERERS_KEPT:
                del self._renderers[next(iter(self._renderers))]  # the oldest
            self._renderers[key] = RendererAgg(width, height, self.figure.dpi)
        self.renderer = self._renderers[key]
        return self.renderer


def _empty_figure(style: ChartStyle) -> Figure:
    # Its size and the axes' place are set chart by chart (layout.place), never by
    # tight_layout, which costs an extra draw per chart (SPEC "Measured facts").
    figure = Figure(dpi=style.dpi, facecolor="#ffffff")
    _Canvas(figure)
    figure.add_subplot()
    return figure


def _draw(figure: Figure, spec: ChartSpec, style: ChartStyle) -> None:
    """The data first, then the axes, title and legend laid out around them in points, and
    last the value label, placed clear of the lines as they finally stand."""
    axes = figure.axes[0]
    # Texts are measured where they stand: the same start for every chart, so a template
    # figure measures (to the last bit) what a fresh one does.
    figure.set_size_inches(FULL_WIDTH[0], 3.0)
    axes.set_position((0.125, 0.11, 0.775, 0.77))
    months = spec.axis_months
    position = {m: i for i, m in enumerate(months)}
    handles = [*_draw_series(axes, spec, style, position), *_draw_target(axes, spec, style),
               *_draw_band(axes, spec, style), *_draw_milestones(axes, spec, style, position),
               *_draw_comparators(axes, spec, style, position, len(months))]
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # _empty_figure attaches an Agg canvas
    renderer = canvas.get_renderer()
    frame = _format_axes(axes, spec, style, months, renderer)
    title = _draw_title(axes, spec, style, frame, renderer)
    legend = _draw_legend(axes, handles, frame, renderer)
    below_axis = layout.TICK_ROOM_PT + max(
        layout.height_pt(t, renderer) for t in axes.get_xticklabels())
    layout.place(figure, axes, legend, frame, layout.height_pt(title, renderer), below_axis,
                 layout.height_pt(legend, renderer))
    for label in _value_labels(axes):
        place_clear(label, axes, renderer)


def _draw_title(axes: Axes, spec: ChartSpec, style: ChartStyle, frame: layout.Geometry,
                renderer: RendererAgg) -> Text:
    """The whole title, wrapped, level with the figure's left edge (the page's text)."""
    width = frame.width - 2 * layout.EDGE_PT
    title = layout.wrap_to_width(spec.title, width, layout.Measure(renderer, layout.TITLE_PT))
    x = -(frame.left - layout.EDGE_PT) / frame.plot_width
    # y given: matplotlib then skips measuring the axes for a title position (~30 ms a chart)
    return axes.set_title(title, fontsize=layout.TITLE_PT, loc="left", color=style.text,
                          parse_math=False, y=1.0, x=x, pad=layout.TITLE_PAD_PT)


def _draw_legend(axes: Axes, handles: list[Handle], frame: layout.Geometry,
                 renderer: RendererAgg) -> Legend:
    """Below the plot, in as many columns as fit across the figure, no label cut."""
    width = frame.width - 2 * layout.EDGE_PT
    plan = layout.legend_plan([label for _, label in handles], width,
                              layout.Measure(renderer, layout.TEXT_PT))
    for columns in range(plan.columns, 0, -1):  # the plan's estimate, checked by measuring
        legend = axes.legend([artist for artist, _ in handles], plan.labels, ncols=columns,
                             loc="upper center", fontsize=layout.TEXT_PT, frameon=False,
                             borderaxespad=0, borderpad=0,
                             columnspacing=layout.COLUMN_GAP_EM,
                             handlelength=layout.HANDLE_EM, handletextpad=layout.HANDLE_PAD_EM,
                             labelspacing=layout.ROW_GAP_EM)
        for text in legend.get_texts():
            text.set_parse_math(False)  # labels come from data: '$' is a dollar, not maths
        if layout.width_pt(legend, renderer) <= width:
            break
    return legend


def _draw_band(axes: Axes, spec: ChartSpec, style: ChartStyle) -> list[Handle]:
    if spec.band_low is None and spec.band_high is None:
        return []
    low = spec.band_low if spec.band_low is not None else spec.target
    high = spec.band_high if spec.band_high is not None else spec.target
    if low is None or high is None:
        return []
    label = f"Tolerance {format_band(spec.band_low, spec.band_high, spec.unit)}"
    band = axes.axhspan(low, high, facecolor=style.band, alpha=style.band_alpha,
                        edgecolor="none", label=label, zorder=0)
    return [(band, label)]


def _draw_target(axes: Axes, spec: ChartSpec, style: ChartStyle) -> list[Handle]:
    if spec.target is None:
        return []
    line = axes.axhline(spec.target, color=style.target, linestyle="--", linewidth=1.2,
                        label=spec.target_label, zorder=2)
    return [(line, spec.target_label)]


def _draw_comparators(axes: Axes, spec: ChartSpec, style: ChartStyle, position: dict,
                      count: int) -> list[Handle]:
    handles: list[Handle] = []
    taken = {position[m] for m, _ in spec.milestones if m in position} | {len(spec.months) - 1}
    for index, comparator in enumerate(spec.comparators):
        dash, marker = COMPARATOR_STYLES[index % len(COMPARATOR_STYLES)]
        colour = style.comparators[index % len(style.comparators)]
        label = f"{comparator.name} ({format_number(comparator.value, spec.unit)})"
        points = [(position[m], v) for m, v in comparator.points if m in position]
        xs, ys = zip(*points, strict=True) if points else (range(count), [comparator.value] * count)
        # A level runs across the months, its markers every third month, staggered so that
        # two never coincide, and never on a milestone's diamond or the reporting month.
        every = (list(range(len(xs))) if points else
                 [x for x in range(index % 3, count, 3) if x not in taken])
        [line] = axes.plot(xs, ys, linestyle=dash, marker=marker, markersize=3, color=colour,
                           linewidth=1.3, label=label, zorder=3, markevery=every, clip_on=False)
        handles.append((line, label))
    return handles


def _draw_series(axes: Axes, spec: ChartSpec, style: ChartStyle,
                 position: dict) -> list[Handle]:
    xs: list[float] = []
    ys: list[float] = []
    for run in spec.segments():  # a gap (NaN) between runs: the line is not joined there
        if xs:
            xs.append((xs[-1] + position[spec.months[run[0]]]) / 2)
            ys.append(float("nan"))
        xs += [position[spec.months[i]] for i in run]
        ys += [float("nan") if (v := spec.values[i]) is None else v for i in run]
    [line] = axes.plot(xs, ys, color=style.series, linewidth=2, marker="o", markersize=3.5,
                       label=spec.measure_title, zorder=4, clip_on=False)
    known = [(position[m], v) for m, v in zip(spec.months, spec.values, strict=True)
             if v is not None]
    if known:
        x, y = known[-1]
        axes.annotate(format_number(y, spec.unit), (x, y), textcoords="offset points",
                      xytext=(0, 5), ha="center", va="bottom", fontsize=layout.TEXT_PT,
                      color=style.series, fontweight="bold", annotation_clip=False)
    return [(line, spec.measure_title)]


def _draw_milestones(axes: Axes, spec: ChartSpec, style: ChartStyle,
                     position: dict) -> list[Handle]:
    points = [(position[m], v) for m, v in spec.milestones if m in position]
    if not points:
        return []
    xs, ys = zip(*points, strict=True)
    [line] = axes.plot(xs, ys, linestyle="none", marker="D", markersize=5,
                       color=style.milestone, label="Milestone targets", zorder=5,
                       clip_on=False)
    return [(line, "Milestone targets")]


def _label_room(axes: Axes, months: list[Month], renderer: RendererAgg) -> float:
    """Points the value label needs right of its point when that is the axis' last month."""
    for label in _value_labels(axes):
        if label.xy[0] == len(months) - 1:
            return layout.width_pt(label, renderer) / 2 + 2 * CLEARANCE_PT
    return 0.0


def _value_labels(axes: Axes) -> list[Annotation]:
    return [text for text in axes.texts if isinstance(text, Annotation)]


def _format_axes(axes: Axes, spec: ChartSpec, style: ChartStyle, months: list[Month],
                 renderer: RendererAgg) -> layout.Geometry:
    """Ticks on both axes, and the frame they leave the plot: margins as wide as the widest
    tick labels, months padded so that end markers and the value label are whole."""
    measure = layout.Measure(renderer, layout.TEXT_PT)
    ticks, top = _y_scale(spec)
    labels = [format_number(t, spec.unit) for t in ticks]
    widest = max((m.short for m in months), key=measure)
    frame = layout.geometry(*(HALF_WIDTH if spec.half_width else FULL_WIDTH), labels, widest,
                            measure)
    padding = layout.month_padding(len(months), frame, _label_room(axes, months, renderer))
    step = layout.tick_step(len(months), padding, frame, measure(widest))
    # Count back from the reporting month so that it always has a label (a quarterly chart's
    # months are its quarter ends: its place on the axis, not its count).
    period = months.index(spec.months[-1]) if spec.months[-1] in months else len(spec.months) - 1
    month_ticks = [i for i in range(len(months)) if (period - i) % step == 0]
    axes.set_xticks(month_ticks, [months[i].short for i in month_ticks],
                    fontsize=layout.TEXT_PT, rotation=0)
    axes.set_xlim(-padding[0], len(months) - 1 + padding[1])
    axes.set_yticks(ticks, labels, fontsize=layout.TEXT_PT)
    axes.set_ylim(0, top)
    _plain_frame(axes, style, "y")
    return frame


def _plain_frame(axes: Axes, style: ChartStyle, value_axis: Literal["x", "y"]) -> None:
    """Gridlines along the value axis behind the data, and no box: one look for every chart."""
    axes.grid(axis=value_axis, color=style.grid, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def _y_scale(spec: ChartSpec) -> tuple[list[float], float]:
    """Round ticks from 0 whose top one is at or over every level drawn (a percentage's at
    100 %), and the axis top with headroom for the markers."""
    levels = [v for v in spec.values if v is not None]
    levels += [v for v in (spec.target, spec.band_low, spec.band_high) if v is not None]
    levels += [c.value for c in spec.comparators] + [v for _, v in spec.milestones]
    levels += [v for c in spec.comparators for _, v in c.points]
    need = max(levels, default=0.0) * HEADROOM or 1.0
    locator = MaxNLocator(Y_TICKS[spec.half_width], steps=[1, 2, 2.5, 5, 10],
                          integer=spec.unit != "percent" or need > 5)
    ticks = [float(t) for t in locator.tick_values(0, need) if t >= 0]
    if spec.unit == "percent" and ticks[-1] > 100:
        return [t for t in ticks if t <= 100], max(need, 105.0)
    return ticks, ticks[-1]


def figure_png(figure: Figure) -> bytes:
    """The one place a figure is serialised: PNG, as WeasyPrint writes PNG fastest.

    RGB without the alpha channel (the chart is opaque): WeasyPrint re-encodes every PNG at
    write time and an alpha channel becomes a soft mask, ~20 % of the PDF write (measured)."""
    from PIL import Image

    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # build_chart attaches an Agg canvas
    with glyphs_unwarned():
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
    with drawing(style.font):
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
