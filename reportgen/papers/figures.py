"""Live figures in the paper's Markdown (`[=cp_number 2022-06]`) → the data's formatted values.

Our own small syntax, read by a regular expression: never Jinja, never evaluated. A figure is
`[=MEASURE WHEN]`, where WHEN is a month `YYYY-MM`, `latest` (the paper's reporting month, as
`--period latest` chooses it, or for a quarterly measure the quarter end the pack shows; never
the `latest` refresh row of values.csv) or `rating` (the reporting month's Red/Amber/Green
rating, as the pack shows it). `\\[=` is shown as typed.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from reportgen.assess import Assessment
from reportgen.config.report import CONFIG_FILE
from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.papers.config import PaperConfig
from reportgen.papers.sources import PaperSources
from reportgen.problems import Problem, Problems, shown
from reportgen.render.formatting import format_observation

# Anything written `[=…]` is meant as a figure: a malformed one is an error, not text.
WRITTEN = re.compile(r"(?<!\\)\[=([^\]\n]*)\]")
FIGURE = re.compile(r"(?P<measure>[A-Za-z0-9_.-]+)\s+(?P<when>\d{4}-\d{2}|latest|rating)")
SYNTAX = "[=MEASURE YYYY-MM], [=MEASURE latest] or [=MEASURE rating]"
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def uses_live_figures(root: Path, config: PaperConfig) -> bool:
    """Whether any of the paper's Markdown files writes a figure (so the data is needed)."""
    if any("[=" in text for text in (*(s.text for s in config.cover_sections),
                                      *(f.value for f in config.fields),
                                      *config.recommendations, config.recommendations_lead_in)):
        return True
    for name in markdown_files(config):
        path = (root / name).resolve()
        if path.is_relative_to(root.resolve()) and path.is_file():
            try:
                if "[=" in path.read_text(encoding="utf-8-sig", errors="replace"):
                    return True
            except OSError:
                continue
    return False


def markdown_files(config: PaperConfig) -> list[str]:
    return [*(section.file for section in config.cover_sections if section.file),
            *(a.text for a in config.appendices if a.text)]


def figure_measures(sources: PaperSources) -> set[str]:
    """The measure ids the paper's live figures name."""
    config = sources.config
    texts = [*sources.cover, *sources.appendix_texts.values(), *(f.value for f in config.fields),
             *config.recommendations, config.recommendations_lead_in]
    return {figure["measure"] for text in texts for match in WRITTEN.finditer(text)
            if (figure := FIGURE.fullmatch(match[1].strip()))}


def fill_figures(sources: PaperSources, data: Dataset | None, period: Month | None,
                 assessments: list[Assessment], problems: Problems) -> PaperSources:
    """The sources with every live figure replaced by its value; each unknown measure, month or
    malformed figure is an error naming the file and line."""
    values = FigureValues(data, period, assessments)
    config = sources.config

    def filled(text: str, name: str) -> str:
        return _fill(text, name, values, problems)

    texts = {number: filled(text, config.appendices[number - 1].text)
             for number, text in sources.appendix_texts.items()}
    # The front sheet's values (Markdown) and the recommendations (plain text) take them too
    fields = tuple(dataclasses.replace(f, value=filled(f.value, f"{CONFIG_FILE} paper.fields[{n}]"))
                   for n, f in enumerate(config.fields, start=1))
    recommendations = tuple(
        _fill(text, f"{CONFIG_FILE} paper.recommendations[{n}]", values, problems, markdown=False)
        for n, text in enumerate(config.recommendations, start=1))
    lead_in = _fill(config.recommendations_lead_in, f"{CONFIG_FILE} paper.recommendations_lead_in",
                    values, problems, markdown=False)
    return dataclasses.replace(
        sources, config=dataclasses.replace(config, fields=fields, recommendations=recommendations,
                                            recommendations_lead_in=lead_in),
        cover=tuple(filled(text, section.source_name) for text, section
                    in zip(sources.cover, config.cover_sections, strict=True)),
        appendix_texts=texts)


class FigureValues:
    """The value text of `[=MEASURE WHEN]`, or why there is none."""

    def __init__(self, data: Dataset | None, period: Month | None,
                 assessments: list[Assessment]) -> None:
        self.data = data
        self.period = period
        self.measures = {m.id: m for m in data.measures} if data else {}
        self.ratings = {a.measure.id: a.rating for a in assessments}
        # The month of the figure the pack shows: a quarterly measure's latest quarter end.
        self.reported = {a.measure.id: a.reported for a in assessments}
        self._told: set[str] = set()

    def told(self, message: str) -> bool:
        """Whether the message was given already (and, from now on, that it was)."""
        before = message in self._told
        self._told.add(message)
        return before

    def value(self, measure_id: str, when: str) -> str:
        """Raises FigureError with the reason when the figure cannot be given."""
        if self.data is None or self.period is None:
            raise FigureError("a live figure needs the KPI data: set `data` in report.toml "
                              "to the data project's folder", once=True)
        measure = self.measures.get(measure_id)
        if measure is None:
            raise FigureError(f"{shown(measure_id)} is not a measure id in measures")
        if when == "rating":
            return self.ratings.get(measure_id, "No data")
        month = self.reported.get(measure_id, self.period) if when == "latest" \
            else self._month(when)
        observation = self.data.values.get(measure_id, {}).get(month)
        if observation is None or (observation.value is None and not observation.symbol):
            raise FigureError(f"{measure_id} has no figure for {month.long} ({month.iso}) in "
                              f"values")
        return format_observation(observation, measure.unit)

    @staticmethod
    def _month(text: str) -> Month:
        try:
            return Month.parse(text)
        except ValueError:
            raise FigureError(f"{shown(text)} is not a month; expected YYYY-MM") from None


class FigureError(Exception):
    """Why a live figure cannot be given; `once`: the same for every figure, so said once."""

    def __init__(self, message: str, once: bool = False) -> None:
        super().__init__(message)
        self.once = once


def _fill(text: str, name: str, values: FigureValues, problems: Problems,
          markdown: bool = True) -> str:
    def replace(match: re.Match[str]) -> str:
        written = match[1].strip()
        figure = FIGURE.fullmatch(written)
        try:
            if figure is None:
                raise FigureError(f"{shown('[=' + match[1] + ']')} is not a live figure; "
                                  f"expected {SYNTAX}")
            value = values.value(figure["measure"], figure["when"])
        except FigureError as error:
            if error.once and values.told(str(error)):
                return match[0]  # one missing `data` is one message, not one per figure
            problems.items.append(Problem(name, str(error), line=_line(text, match.start())))
            return match[0]
        # the value stays text in Markdown; in a plain-text value it is text already
        return MARKDOWN_PUNCTUATION.sub(r"\\\1", value) if markdown else value

    return WRITTEN.sub(replace, text)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
