"""A chart's texts, measured → the figure's height and the axes' place, the title and legend
wrapped to fit: fixed rules in points instead of tight_layout (which costs an extra draw)."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend

# Ticks, legend and value label: 7.5 pt or more where the page shrinks the chart most (a
# half-width chart on Northshire's 174 mm column: 85 mm for 3.5 in, 0.96×).
TEXT_PT = 8.0
TITLE_PT = 9.0
EDGE_PT = 4.0  # kept clear at the figure's edges
TITLE_PAD_PT = 6.0
TICK_ROOM_PT = 7.0  # tick length and the gap to its label (matplotlib's 3.5 + 3.5)
LEGEND_GAP_PT = 5.0
MARKER_ROOM_PT = 4.0  # half the largest marker and its edge, with a point to spare
# Legend spacing in font sizes (matplotlib's defaults, the column gap a little tighter).
HANDLE_EM, HANDLE_PAD_EM, COLUMN_GAP_EM, ROW_GAP_EM = 2.0, 0.8, 1.5, 0.5


class Measure:
    """Width in points of one line of text in the current font, by matplotlib's own metrics
    (no drawing); remembered, as the same labels are measured chart after chart."""

    _known: dict[tuple[str, float, float, str], float] = {}
    KEEP = 20_000  # widths remembered at most (a batch of packs measures many labels)

    def __init__(self, renderer: RendererAgg, size: float) -> None:
        self.size = size
        self._renderer = renderer
        self._font = FontProperties(size=size)
        self._key = (self._font.get_family()[0], size, float(renderer.dpi))

    def __call__(self, line: str) -> float:
        key = (*self._key, line)
        if key not in self._known:
            if len(self._known) >= self.KEEP:
                self._known.clear()
            width = self._renderer.get_text_width_height_descent(line, self._font,
                                                                 ismath=False)[0]
            self._known[key] = float(width) * points_per_pixel(self._renderer)
        return self._known[key]


def wrap_to_width(text: str, width: float, measure: Measure) -> str:
    """The text in lines no wider than width (words kept whole where a word fits)."""
    whole = measure(text)
    if whole <= width:
        return text
    chars = int(len(text) * width / whole) + 3  # a little more than fits, on average widths
    while chars > 1:
        lines = textwrap.wrap(text, chars, break_on_hyphens=False)
        if max(map(measure, lines)) <= width:
            return "\n".join(lines)
        chars -= 1
    return "\n".join(textwrap.wrap(text, 1))


@dataclass(frozen=True)
class Geometry:
    """One chart's frame in points: the figure's size and the axes' place in it."""

    width: float
    plot_height: float
    left: float  # room for the y tick labels
    right: float  # room for half the last x tick label

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right


def geometry(width_in: float, plot_height_in: float, y_labels: Sequence[str],
             x_label: str, measure: Measure) -> Geometry:
    """Margins from the widest tick labels, so that no number is cut at the edge."""
    left = EDGE_PT + max(map(measure, y_labels), default=0.0) + TICK_ROOM_PT
    right = EDGE_PT + measure(x_label) / 2
    return Geometry(width_in * 72, plot_height_in * 72, left, right)


def month_padding(months: int, frame: Geometry, right_room: float) -> tuple[float, float]:
    """Months of room before the first month and after the last, at least half a month, so
    that markers there are whole (and a label over the last month, right_room points)."""
    span = max(months - 1, 1)
    before = after = 0.5
    for _ in range(3):  # room in points ↔ months: converges at once, the rooms being small
        per_month = frame.plot_width / (span + before + after)
        before = max(0.5, MARKER_ROOM_PT / per_month)
        after = max(0.5, max(MARKER_ROOM_PT, right_room) / per_month)
    return before, after


def tick_step(months: int, padding: tuple[float, float], frame: Geometry,
              label_width: float) -> int:
    """Every how many months a label fits, with a gap of half a label's width: a step that
    divides a year, so that the same months are labelled year after year."""
    per_month = frame.plot_width / (months - 1 + sum(padding))
    needed = math.ceil(label_width * 1.5 / per_month)
    return next((step for step in (1, 2, 3, 4, 6) if step >= needed),
                12 * math.ceil(needed / 12))


@dataclass(frozen=True)
class LegendPlan:
    columns: int
    labels: tuple[str, ...]  # wrapped to the column width


def legend_plan(labels: Sequence[str], width: float, measure: Measure) -> LegendPlan:
    """As many columns as fit across width, long labels wrapped: no label over two lines if
    it can be, then the fewest lines (the legend's height), a wrapped label counting half a
    line more (a short label broken in two reads worse than one more row)."""
    plans = []
    for columns in range(len(labels), 0, -1):
        wrapped = _fitted(labels, columns, width, measure)
        if wrapped is None:
            continue
        longest = max(w.count("\n") + 1 for w in wrapped)
        cost = (longest > 2, _lines(wrapped, columns) + sum("\n" in w for w in wrapped) / 2)
        plans.append((cost, -columns, LegendPlan(columns, wrapped)))
    return min(plans, key=lambda plan: plan[:2])[2]


def _fitted(labels: Sequence[str], columns: int, width: float,
            measure: Measure) -> tuple[str, ...] | None:
    """The labels as they are when their columns fit across width, else wrapped to equal
    columns; None when a column would be too narrow to read."""
    handle = (HANDLE_EM + HANDLE_PAD_EM) * measure.size
    gaps = (columns - 1) * COLUMN_GAP_EM * measure.size
    widths = [max(map(measure, chunk)) for chunk in _columns(labels, columns)]
    if sum(widths) + columns * handle + gaps <= width:
        return tuple(labels)
    text_width = (width - gaps) / columns - handle
    if text_width < 8 * measure.size and columns > 1:
        return None
    return tuple(wrap_to_width(label, text_width, measure) for label in labels)


def _columns(labels: Sequence[str], columns: int) -> list[Sequence[str]]:
    """The labels in columns as matplotlib fills them: down each column, the first ones
    a row longer when they do not divide evenly."""
    rows, longer = divmod(len(labels), columns)
    chunks, start = [], 0
    for column in range(columns):
        count = rows + (column < longer)
        chunks.append(labels[start:start + count])
        start += count
    return [chunk for chunk in chunks if chunk]


def _lines(labels: Sequence[str], columns: int) -> float:
    """The legend's height in lines: each row as tall as its tallest entry."""
    heights: list[int] = []
    for chunk in _columns(labels, columns):
        for row, label in enumerate(chunk):
            if row == len(heights):
                heights.append(0)
            heights[row] = max(heights[row], label.count("\n") + 1)
    return sum(heights) + ROW_GAP_EM * len(heights)


def points_per_pixel(renderer: RendererAgg) -> float:
    return 72 / float(renderer.dpi)


def height_pt(artist: Artist, renderer: RendererAgg) -> float:
    return float(artist.get_window_extent(renderer).height) * points_per_pixel(renderer)


def width_pt(artist: Artist, renderer: RendererAgg) -> float:
    return float(artist.get_window_extent(renderer).width) * points_per_pixel(renderer)


def place(figure: Figure, axes: Axes, legend: Legend, frame: Geometry, title_height: float,
          below_axis: float, legend_height: float) -> None:
    """Size the figure to hold every title line and legend row, and put the axes and legend
    in it; the plot's own height never changes."""
    top = EDGE_PT + title_height + TITLE_PAD_PT
    bottom = below_axis + LEGEND_GAP_PT + legend_height + EDGE_PT
    height = top + frame.plot_height + bottom
    figure.set_size_inches(frame.width / 72, height / 72)
    axes.set_position((frame.left / frame.width, bottom / height,
                       frame.plot_width / frame.width, frame.plot_height / height))
    legend.set_bbox_to_anchor((0.5, (bottom - below_axis - LEGEND_GAP_PT) / height),
                              transform=figure.transFigure)
