"""Numbers → the text a pack shows, by unit: `90%`, `1,966`, rates as whole numbers."""

from __future__ import annotations

from reportgen.model import Observation

DIRECTION_ARROWS = {"up": "▲", "down": "▼", "same": "▶", "n/a": "–"}
DIRECTION_WORDS = {"up": "Up", "down": "Down", "same": "Same", "n/a": "n/a"}
# Shapes unlike each other and unlike the direction arrows beside them (▲ ▼ ▶), which a
# reader would otherwise take for a trend; every one is in the bundled DejaVu Sans.
RATING_MARKS = {"Red": "✖", "Amber": "◆", "Green": "✔", "Not rated": "○", "No data": "○"}
POLARITY_WORDS = {"up": "Good = bigger is better", "down": "Good = smaller is better",
                  "range": "Good = within target range"}


def format_number(value: float, unit: str, decimals: int | None = None) -> str:
    """decimals: the same for every figure of a table's column (2.0% beside 39.6%); by default
    one where the figure has a fraction."""
    if unit == "rate":
        return f"{round(value):,}"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    return f"{text}%" if unit == "percent" else text


def format_observation(observation: Observation, unit: str) -> str:
    if observation.value is not None:
        return format_number(observation.value, unit)
    return observation.symbol or ""


def format_band(low: float | None, high: float | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{format_number(low, unit)}–{format_number(high, unit)}"
    if low is not None:
        return f"lower {format_number(low, unit)}"
    if high is not None:
        return f"upper {format_number(high, unit)}"
    return ""
