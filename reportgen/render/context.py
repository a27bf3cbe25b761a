"""Assessments, charts and commentary → the template context: the documented contract of the pack.

Templates may use only the fields of these dataclasses (tests/test_templates.py checks this).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from reportgen import __version__
from reportgen.assess import Assessment
from reportgen.config.report import ReportConfig
from reportgen.load.numbers import SYMBOLS
from reportgen.model import Dataset, Edition, Measure
from reportgen.months import Month, long_date
from reportgen.render.formatting import (
    DIRECTION_ARROWS,
    DIRECTION_WORDS,
    POLARITY_WORDS,
    RATING_MARKS,
    format_band,
    format_number,
    format_observation,
)
from reportgen.render.markdown import render_commentary

if TYPE_CHECKING:  # the free pages' context (render/pack_pages.py) builds on this module's
    from reportgen.render.pack_pages import Introduction, TablePage

LATEST_LABEL = "Latest"
ALL_MEASURES = "All measures"  # the one milestone row of a group whose milestones are equal


@dataclass(frozen=True)
class Rating:
    """A RAG rating as the pack shows it: a word, a mark and a CSS class — never colour alone."""

    word: str  # Red, Amber, Green, Not rated, No data
    mark: str  # a shape that differs per rating
    css_class: str  # rag-red, rag-amber, …
    set_by_author: bool
    rule_word: str  # the rule's rating, shown when the author's differs
    note: str  # the author's reason


@dataclass(frozen=True)
class KeyRow:
    """A row of the title page's key to the ratings: the rating as the pack shows it."""

    rating: Rating
    meaning: Markup  # ours, never user text


@dataclass(frozen=True)
class Direction:
    arrow: str
    word: str  # Up, Down, Same, n/a
    trend: str  # improving, declining, no change, n/a
    basis: str = ""  # what it compares with, when not the month before: "vs Jun-22 (same
    #                  month last year)", "vs Mar-23 (previous quarter)"


@dataclass(frozen=True)
class SummaryRow:
    """One row of a priority's summary table."""

    title: str
    actual: str
    rating: Rating
    direction: Direction
    page_anchor: str


@dataclass(frozen=True)
class TargetBox:
    """One measure's target, frequency and tolerance, as in the source pack's target box."""

    title: str
    target: str  # "800", or "" when there is none
    frequency: str
    tolerance: str  # the council's band: "720–880", "lower 85%", or "not set"
    rule: str  # with no band of its own, the rule in words: "Rated Amber down to 10% below target"
    good: str  # "Good = smaller is better"
    kind: str = ""  # what the figure counts, unless a month-end snapshot: "Financial year to
    #                 date (from April)", "Annualised (projected in-year rate)", "Rolling 12 months"


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Chart:
    src: str  # a data: URI of the PNG, made by us ("" in the HTML edition)
    alt: str
    title: str
    svg: Markup = Markup("")  # inline SVG with <title>/<desc>, HTML edition only
    data: tuple[TableRow, ...] = ()  # the plotted figures: month → value, target
    empty: bool = False  # no figures at all yet: a short note stands in for the chart


@dataclass(frozen=True)
class Panels:
    """The three commentary panels, as safe HTML from the Markdown renderer."""

    working_well: Markup
    worried_about: Markup
    doing_about_it: Markup


@dataclass(frozen=True)
class MeasurePage:
    """A page of the pack: one measure, or a group reported together."""

    anchor: str
    heading: str
    targets: tuple[TargetBox, ...]
    recent_columns: tuple[str, ...]  # "Apr-23", "May-23", "Jun-23", "Latest"
    recent_rows: tuple[TableRow, ...]
    milestone_columns: tuple[str, ...]  # "Sept-23", "Mar-24"
    milestone_rows: tuple[TableRow, ...]
    commentary: Panels | None
    charts: tuple[Chart, ...]
    author_notes: tuple[str, ...]
    kind: str = "measure"  # a priority's pages are measure pages and table pages ("table")


@dataclass(frozen=True)
class PrioritySection:
    anchor: str
    title: str
    rows: tuple[SummaryRow, ...]
    pages: tuple[MeasurePage | TablePage, ...]  # in report order


@dataclass(frozen=True)
class Footnote:
    symbol: str
    meaning: str


@dataclass(frozen=True)
class PackContext:
    """Everything the pack template shows."""

    title: str
    subtitle: str
    organisation: str
    month: str  # "June 2023"
    data_covers: str  # "June 2022 – June 2023"
    data_refreshed: str  # "17 July 2023", or ""
    notice: str
    language: str
    generator: str
    build_time: str  # ISO 8601: SOURCE_DATE_EPOCH, else derived from the data
    edition: Edition
    theme_css: Markup  # our own stylesheet, never user text
    priorities: tuple[PrioritySection, ...]
    footnotes: tuple[Footnote, ...]
    marking: str = ""  # protective marking, e.g. OFFICIAL
    rating_key: tuple[KeyRow, ...] = ()  # the title page's key to the ratings
    logo_src: str = ""  # the theme's logo as a data: URI, or ""
    logo_alt: str = ""
    introduction: Introduction | None = None  # [pack] introduction, after the title page


RATING_MEANINGS = {
    "Green": Markup("On or better than target"),
    "Amber": Markup("Missing target but within tolerance"),
    "Red": Markup("Outside tolerance"),
    "Not rated": Markup("No target set; or <em>No data</em> for the month"),
}


def rating_shown(word: str, set_by_author: bool = False, rule_word: str = "", note: str = ""
                 ) -> Rating:
    """A rating as every page shows it: the word, its mark and its class (one place for all)."""
    return Rating(word, RATING_MARKS[word], "rag-" + word.lower().replace(" ", "-"),
                  set_by_author, rule_word or word, note)


def rating_of(assessment: Assessment) -> Rating:
    word = assessment.rating
    note = assessment.observation.rating_note
    return rating_shown(word, assessment.rating_set_by == "author", assessment.rule_rating, note)


KIND_WORDS = {"snapshot": "", "cumulative": "Financial year to date (from April)",
              "annualised": "Annualised (projected in-year rate)",
              "rolling": "Rolling 12 months"}
PREVIOUS_WORDS = {"Monthly": "previous month", "Quarterly": "previous quarter",
                  "Annual": "previous year"}


def direction_of(assessment: Assessment) -> Direction:
    return Direction(DIRECTION_ARROWS[assessment.direction], DIRECTION_WORDS[assessment.direction],
                     assessment.trend, _basis(assessment))


def _basis(assessment: Assessment) -> str:
    """Said beside a direction that does not compare with the month before."""
    measure = assessment.measure
    against = assessment.compared_with.short
    if measure.kind == "cumulative":
        return f"vs {against} (same month last year)"
    if measure.frequency != "Monthly":
        return f"vs {against} ({PREVIOUS_WORDS[measure.frequency]})"
    return ""


def _target_box(assessment: Assessment, default_tolerance: float) -> TargetBox:
    """The council's target and band as given: a band it did not give is never shown as if it
    had; the rule that stands in is said in words."""
    measure = assessment.measure
    target = format_number(assessment.target.value, measure.unit) if assessment.target else ""
    tolerance = format_band(measure.tolerance_low, measure.tolerance_high, measure.unit)
    rule = default_rule(measure.polarity, default_tolerance) \
        if not tolerance and assessment.target else ""
    return TargetBox(measure.title, target, measure.frequency, tolerance or "not set", rule,
                     POLARITY_WORDS[measure.polarity], KIND_WORDS[measure.kind])


def _target_boxes(assessments: list[Assessment], heading: str, default_tolerance: float
                  ) -> tuple[TargetBox, ...]:
    """One box per measure, or one for the page when every measure's box says the same (the
    same target, band, unit, polarity, frequency and kind)."""
    boxes = [_target_box(a, default_tolerance) for a in assessments]
    if len(boxes) > 1 and len({dataclasses.replace(b, title="") for b in boxes}) == 1:
        return (dataclasses.replace(boxes[0], title=heading),)
    return tuple(boxes)


def default_rule(polarity: str, tolerance: float) -> str:
    share = f"{tolerance:.0%}"
    return {"up": f"Rated Amber down to {share} below target",
            "down": f"Rated Amber up to {share} above target",
            "range": f"Rated Green within {share} of target"}[polarity]


def latest_applies(data: Dataset, period: Month) -> bool:
    """The 'latest' refresh follows the newest month with figures: a pack for an earlier month
    shows neither its values nor its date."""
    months = data.months_with_values()
    return bool(months) and period == months[-1]


def recent_months(data: Dataset, measures: list[Measure], period: Month) -> list[Month]:
    """The recent-values columns: the three months to the period, or for quarterly or annual
    measures (a page's measures share a frequency) the last three periods with figures."""
    if all(m.frequency == "Monthly" for m in measures):
        return [period.shift(-2), period.shift(-1), period]
    reported = {month for m in measures for month, o in data.values.get(m.id, {}).items()
                if month <= period and (o.is_number or o.symbol)}
    return sorted(reported)[-3:]


def _recent(data: Dataset, measures: list[Measure], period: Month
            ) -> tuple[tuple[str, ...], tuple[TableRow, ...]]:
    months = recent_months(data, measures, period)
    has_latest = latest_applies(data, period) and any(m.id in data.latest for m in measures)
    columns = tuple(m.short for m in months) + ((LATEST_LABEL,) if has_latest else ())
    rows = []
    for measure in measures:
        series = data.values.get(measure.id, {})
        found = [series.get(month) for month in months]
        if has_latest:
            found.append(data.latest.get(measure.id))
        cells = tuple(format_observation(o, measure.unit) if o else "" for o in found)
        rows.append(TableRow(measure.row_label, cells))
    return columns, tuple(rows)


def _milestones(data: Dataset, measures: list[Measure], period: Month
                ) -> tuple[tuple[str, ...], tuple[TableRow, ...]]:
    dues = sorted({m.due for measure in measures for m in data.milestones.get(measure.id, [])
                   if m.due >= period})
    rows = []
    for measure in measures:
        by_due = {m.due: m.target for m in data.milestones.get(measure.id, [])}
        cells = tuple(format_number(by_due[d], measure.unit) if d in by_due else "" for d in dues)
        rows.append(TableRow(measure.row_label, cells))
    if len(rows) > 1 and len({row.cells for row in rows}) == 1:  # the same for every measure
        rows = [TableRow(ALL_MEASURES, rows[0].cells)]
    return tuple(d.short for d in dues), (tuple(rows) if dues else ())


def panels(data: Dataset, page: str, period: Month) -> Panels | None:
    """A page's commentary for the month, as the three panels; None when it has none."""
    commentary = data.commentary.get((page, period))
    if commentary is None:
        return None
    return Panels(render_commentary(commentary.working_well),
                  render_commentary(commentary.worried_about),
                  render_commentary(commentary.doing_about_it))


def _author_note(assessment: Assessment, show_rule: bool) -> str:
    note = assessment.observation.rating_note
    text = f"{assessment.measure.title}: rating set by the report author"
    if note:
        text += f" – {note}"
    if show_rule and assessment.rule_rating != assessment.rating:
        text += f" (the rule gives {assessment.rule_rating})"
    return text


def measure_page(data: Dataset, page: str, assessments: list[Assessment],
                 charts: dict[str, Chart], config: ReportConfig) -> MeasurePage:
    measures = [a.measure for a in assessments]
    period = assessments[0].period
    recent_columns, recent_rows = _recent(data, measures, period)
    milestone_columns, milestone_rows = _milestones(data, measures, period)
    notes = tuple(_author_note(a, config.show_rule_rating) for a in assessments
                  if a.rating_set_by == "author")
    heading = data.group_titles.get(page) or " and ".join(m.title for m in measures)
    return MeasurePage(
        anchor=f"page-{page}", heading=heading,
        targets=_target_boxes(assessments, heading, config.default_tolerance),
        recent_columns=recent_columns, recent_rows=recent_rows,
        milestone_columns=milestone_columns, milestone_rows=milestone_rows,
        commentary=panels(data, page, period),
        charts=tuple(charts[m.id] for m in measures), author_notes=notes)


def _actual(assessment: Assessment) -> str:
    """The figure shown, with its month when it is an earlier quarter's or year's."""
    text = format_observation(assessment.observation, assessment.measure.unit)
    if text and assessment.reported != assessment.period:
        text += f" ({assessment.reported.short})"
    return text


def priority_section(data: Dataset, priority_id: str, title: str,
                     assessments: list[Assessment], charts: dict[str, Chart],
                     config: ReportConfig) -> PrioritySection:
    mine = [a for a in assessments if a.measure.priority == priority_id]
    rows = tuple(SummaryRow(a.measure.title, _actual(a), rating_of(a), direction_of(a),
                            f"page-{a.measure.page}")
                 for a in mine)
    pages = list(dict.fromkeys(a.measure.page for a in mine))
    return PrioritySection(
        anchor=f"priority-{priority_id}", title=title, rows=rows,
        pages=tuple(measure_page(data, page, [a for a in mine if a.measure.page == page], charts,
                                 config) for page in pages))


def document_context(config: ReportConfig, period: Month | None, data: Dataset | None,
                     theme_css: str, build_time: str, edition: Edition = "pdf",
                     logo: tuple[str, str] = ("", "")) -> PackContext:
    """The front matter and furniture every document shows, with no priorities (a committee
    paper's cover, say). logo: the theme's (data: URI, alt text)."""
    used = sorted({o.symbol for o in data.observations() if o.symbol}) if data else []
    first = shown_from(data, period, config.window_months) if data and period else None
    refreshed = config.data_refreshed if data is None or period is None or \
        latest_applies(data, period) else None
    return PackContext(
        title=config.title, subtitle=config.subtitle, organisation=config.organisation,
        month=period.long if period else "",
        data_covers=(f"{first.long} – {period.long}" if first != period else period.long)
        if first and period else "",
        data_refreshed=long_date(refreshed) if refreshed else "",
        notice=config.notice, language=config.language, generator=f"reportgen {__version__}",
        build_time=build_time, edition=edition, theme_css=Markup(theme_css), priorities=(),
        footnotes=tuple(Footnote(s, SYMBOLS[s]) for s in used),
        marking=config.protective_marking, logo_src=logo[0], logo_alt=logo[1],
        rating_key=tuple(KeyRow(rating_shown(word), meaning)
                         for word, meaning in RATING_MEANINGS.items()))


def shown_from(data: Dataset, period: Month, window_months: int) -> Month:
    """The first month the pack's charts show: the window's start, or the first month with
    figures when the data begins later (three months of data say so)."""
    start = period.shift(-(window_months - 1))
    months = [m for m in data.months_with_values() if m <= period]
    return max(start, months[0]) if months else period


def pack_context(config: ReportConfig, data: Dataset, assessments: list[Assessment],
                 charts: dict[str, Chart], theme_css: str, build_time: str,
                 edition: Edition = "pdf", logo: tuple[str, str] = ("", "")) -> PackContext:
    """The whole pack: the front matter, then each priority's summary and measure pages."""
    period = assessments[0].period if assessments else None
    front = document_context(config, period, data, theme_css, build_time, edition, logo)
    return dataclasses.replace(front, priorities=tuple(
        priority_section(data, p.id, p.title, assessments, charts, config)
        for p in data.priorities))
