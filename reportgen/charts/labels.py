"""The latest value's label and the drawn lines → a place beside its point that no line or
marker crosses (above, below, then to the sides), so the figure is never struck through."""

from __future__ import annotations

from typing import Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from reportgen.charts.layout import points_per_pixel

Place = tuple[tuple[int, int], Literal["left", "center", "right"],
              Literal["bottom", "center", "top"]]

# (dx, dy) in points from the point, and the alignment that puts the label on that side;
# in the order a reader looks for it: above, below, then beside.
PLACES: list[Place] = [((0, 5), "center", "bottom"), ((0, -5), "center", "top"),
          ((5, 4), "left", "bottom"), ((5, -4), "left", "top"),
          ((-5, 4), "right", "bottom"), ((-5, -4), "right", "top"),
          ((7, 0), "left", "center"), ((-7, 0), "right", "center"),
          ((0, 13), "center", "bottom"), ((0, -13), "center", "top")]
CLEARANCE_PT = 1.5  # between the label and the nearest line


def place_clear(label: Annotation, axes: Axes, renderer: RendererAgg) -> None:
    """Move the label to the first place clear of every line and marker and inside the axes;
    where none is clear, the least crowded one, on a white ground so it stays legible."""
    obstacles = [o for line in axes.get_lines() for o in _obstacles(line, renderer)]
    frame = axes.bbox
    scores = []
    for index, place in enumerate(PLACES):
        _move(label, place)
        box = label.get_window_extent(renderer).padded(CLEARANCE_PT / points_per_pixel(renderer))
        hits = sum(_hits(box, o) for o in obstacles) + 100 * (not _inside(box, frame))
        if hits == 0:
            return
        scores.append((hits, index))
    _move(label, PLACES[min(scores)[1]])
    label.set_bbox({"boxstyle": "round,pad=0.15", "facecolor": "#ffffff", "alpha": 0.85,
                    "edgecolor": "none"})


def _move(label: Annotation, place: Place) -> None:
    offset, across, up = place
    label.xyann = offset
    label.set_horizontalalignment(across)
    label.set_verticalalignment(up)


def _obstacles(line: Line2D, renderer: RendererAgg) -> list[Path | Bbox]:
    """A line's drawn pieces in display coordinates: its runs between gaps, its markers."""
    points = line.get_transform().transform(line.get_xydata())
    finite = np.isfinite(points).all(axis=1)
    pieces: list[Path | Bbox] = []
    if line.get_linestyle() not in ("None", "", " "):
        pieces += [Path(run) for run in _runs(points, finite) if len(run) > 1]
    if line.get_marker() not in (None, "None", "", " "):
        size = float(line.get_markersize()) + float(line.get_markeredgewidth())
        half = size / 2 / points_per_pixel(renderer)
        pieces += [Bbox.from_extents(x - half, y - half, x + half, y + half)
                   for x, y in points[finite]]
    return pieces


def _runs(points: np.ndarray, finite: np.ndarray) -> list[np.ndarray]:
    """Consecutive finite points: a gap (a missing month) draws nothing."""
    breaks = np.flatnonzero(~finite)
    return [run[np.isfinite(run).all(axis=1)] for run in np.split(points, breaks)]


def _hits(box: Bbox, obstacle: Path | Bbox) -> bool:
    if isinstance(obstacle, Bbox):
        return bool(box.overlaps(obstacle))
    return bool(obstacle.intersects_bbox(box, filled=False))


def _inside(box: Bbox, frame: Bbox) -> bool:
    return bool(frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
                and box.y1 <= frame.y1)
