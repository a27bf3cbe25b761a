"""A cell as an author types it ('1,234', '90%', 'c', blank) → a finite figure of sane size."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportgen.problems import shown

# ASCII digits with optional thousands commas and decimals; no exponent, 'inf' or 'nan',
# which float() would take and a chart cannot draw.
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$", re.ASCII)
MAX_DIGITS = 17  # what a float's repr can have (880.0000000000001 from a script); more is noise
MAX_SIZE = 1e12  # a million million: beyond any count, rate or percentage a council reports
SYMBOLS = {
    "c": "suppressed to protect confidentiality (small number)",
    "z": "not applicable",
    "x": "not available",
    ":": "not available",
    "low": "rounds to 0, but is not 0",  # DfE's published statistics
}


class FigureError(ValueError):
    """Why a cell's text is not a figure we accept; str() is the message for the author."""


class NotANumber(FigureError):
    """Text that is no number at all; the caller says what it expected instead."""


@dataclass(frozen=True)
class Figure:
    value: float
    percent: bool  # typed with a % sign


def parse_number(text: str) -> Figure:
    """The figure in text, or FigureError: not a number, too many digits, or too large."""
    text = text.strip()
    percent = text.endswith("%")
    number = text[:-1].strip() if percent else text
    if not _NUMBER.match(number):
        raise NotANumber(f"{shown(text)} is not a number")
    digits = len(re.sub(r"\D", "", number).lstrip("0"))
    if digits > MAX_DIGITS:
        raise FigureError(f"{shown(text)} has {digits:,} digits; expected a figure of at most "
                          f"{MAX_DIGITS} digits")
    value = float(number.replace(",", ""))
    if abs(value) > MAX_SIZE:
        raise FigureError(f"{shown(text)} is too large; expected a figure of at most "
                          f"{MAX_SIZE:,.0f}")
    return Figure(value, percent)


def parse_value(text: str, unit: str | None) -> tuple[float | None, str | None, str | None]:
    """A cell → (number, symbol, error). Blank is (None, None, None). With no unit (the
    measure's row has errors of its own), only whether it is a figure is checked."""
    text = text.strip()
    if not text:
        return None, None, None
    if text.lower() in SYMBOLS:
        return None, text.lower(), None
    try:
        figure = parse_number(text)
    except NotANumber:
        return None, None, (f"{shown(text)} is not a number; expected e.g. 1,234 or 90%, a "
                            f"blank cell, or one of the symbols c, z, x, :")
    except FigureError as error:
        return None, None, str(error)
    number = figure.value
    if unit is None:
        return number, None, None
    if figure.percent and unit != "percent":
        return None, None, f"{shown(text)} has a % sign but the measure's unit is {unit}"
    if unit == "percent" and not 0 <= number <= 100:
        return None, None, f"{shown(text)} is outside 0–100 for a percentage"
    if unit in ("number", "rate") and number < 0:
        return None, None, f"{shown(text)} is negative; a {unit} cannot be below 0"
    return number, None, None
