"""The text a pack shows → the characters its bundled fonts cannot draw, named with their cell.

Pages and charts use only the bundled DejaVu fonts (theme.py), so an emoji or a character of a
script they lack would print as an empty box: better a warning naming it than a silent gap.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import cache

from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.problems import Problems
from reportgen.theme import BUNDLED_FONTS, Theme, bundled_fonts_dir

MAX_WARNINGS = 20  # of this kind: one pasted emoji row should not flood the build log


@cache
def _drawable(family: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    # In every face of the family: a character only the bold face has is missing in the text.
    faces = []
    for name in BUNDLED_FONTS[family].values():
        with TTFont(bundled_fonts_dir() / name, lazy=True) as font:
            faces.append(set(font.getBestCmap()))
    return frozenset(set.intersection(*faces))


def missing_glyphs(text: str, family: str) -> list[str]:
    """The characters of text the family cannot draw (spaces and controls aside), in order."""
    drawable = _drawable(family)
    return list(dict.fromkeys(c for c in text if ord(c) not in drawable and not c.isspace()
                              and unicodedata.category(c)[0] != "C"))


def warn_about_glyphs(data: Dataset, period: Month, theme: Theme, problems: Problems) -> None:
    """A warning per cell (up to MAX_WARNINGS) whose text has a character the fonts lack."""
    found = 0
    for where, text in _shown_texts(data, period):
        missing = missing_glyphs(text, theme.font)
        if missing and found < MAX_WARNINGS:
            characters = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
            problems.warning(where[0], f"{where[1]}: {characters} cannot be printed in the "
                                       f"font {theme.font} and would show as a blank box")
        found += bool(missing)


def _shown_texts(data: Dataset, period: Month) -> Iterator[tuple[tuple[str, str], str]]:
    for priority in data.priorities:
        yield ("priorities", f"priority '{priority.id}', column 'title'"), priority.title
    for measure in data.measures:
        for column in ("title", "chart_title"):
            yield ("measures", f"measure '{measure.id}', column '{column}'"), \
                getattr(measure, column)
    for (page, month), commentary in data.commentary.items():
        if month == period:
            for column in ("working_well", "worried_about", "doing_about_it"):
                yield ("commentary", f"page '{page}' {month}, column '{column}'"), \
                    getattr(commentary, column)
