"""The charts' colours and font, from the theme: a light module, so loading a theme (and so
`validate`) never imports matplotlib."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartStyle:
    """Colours and font, from the theme manifest, so charts match the pages."""

    series: str = "#1d4f91"
    target: str = "#222222"
    band: str = "#f2c14e"
    milestone: str = "#6b2c91"
    comparators: tuple[str, ...] = ("#b3261e", "#2e7d32", "#5d4037", "#00838f")
    text: str = "#222222"
    grid: str = "#d0d0d0"
    font: str = "DejaVu Sans"
    band_alpha: float = 0.6  # the band stays a grey of its own in black-and-white print
    # ~200 pixels an inch on paper: crisp 8 pt text; 150 was soft, and 200 costs ~6 ms a chart
    # and a fifth more PDF, no measurable build time (benchmarks/README.md)
    dpi: int = 200
