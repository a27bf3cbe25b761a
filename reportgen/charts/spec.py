"""An assessed measure and its dataset → the ChartSpec its chart draws (no drawing here)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reportgen.assess import Assessment, Band
from reportgen.config.report import ReportConfig
from reportgen.model import Comparator, Dataset, Observation
from reportgen.months import Month, month_range
from reportgen.render.formatting import format_number


@dataclass(frozen=True)
class ComparatorLine:
    name: str
    value: float  # the value shown in the label: the newest in the window
    points: tuple[tuple[Month, float], ...] = ()  # a series over time; empty → a level line


@dataclass(frozen=True)
class ChartSpec:
    """Everything one chart shows, already decided by the assess stage."""

    title: str
    measure_title: str
    unit: str
    months: tuple[Month, ...]  # the window, oldest first
    values: tuple[float | None, ...]  # None leaves a gap: missing or a symbol
    symbols: tuple[str | None, ...] = ()
    target: float | None = None
    target_label: str = ""
    band_low: float | None = None
    band_high: float | None = None
    milestones: tuple[tuple[Month, float], ...] = ()
    comparators: tuple[ComparatorLine, ...] = field(default_factory=tuple)
    half_width: bool = False  # two charts side by side on a grouped page
    resets_each_april: bool = False  # a cumulative (year-to-date) count: the line is not
    #                                   joined across a financial year's end

    def segments(self) -> list[list[int]]:
        """The indexes of `months` each run of the line joins: one run, or for a count that
        starts again each April one run per financial year (March is never joined to April)."""
        runs: list[list[int]] = []
        for index, month in enumerate(self.months):
            if not runs or (self.resets_each_april and
                            month.financial_year != self.months[index - 1].financial_year):
                runs.append([])
            runs[-1].append(index)
        return runs

    @property
    def axis_months(self) -> list[Month]:
        """The window, stretched to show the milestones that follow it."""
        last = max([self.months[-1], *[m for m, _ in self.milestones]])
        return [self.months[0].shift(i) for i in range(last.months_since(self.months[0]) + 1)]


def chart_window(period: Month, months: int) -> list[Month]:
    return month_range(period.shift(-(months - 1)), period)


def target_label(assessment: Assessment) -> str:
    target = assessment.target
    if target is None:
        return ""
    value = format_number(target.value, assessment.measure.unit)
    due = f" {target.milestone.due.short}" if target.milestone else ""
    return f"Target{due} ({value})"


def chart_spec(data: Dataset, assessment: Assessment, window_months: int,
               milestone_months: int, half_width: bool = False,
               draw_default_band: bool = False) -> ChartSpec:
    measure = assessment.measure
    series = data.values.get(measure.id, {})
    window = _with_figures(chart_window(assessment.period, window_months), series)
    if measure.frequency != "Monthly":  # points only at reported periods, a line joining them
        window = [m for m in window if (o := series.get(m)) and (o.is_number or o.symbol)] \
            or window[-1:]
    observations = [series.get(m) for m in window]
    horizon = assessment.period.shift(milestone_months)
    milestones = tuple((m.due, m.target) for m in data.milestones.get(measure.id, [])
                       if window[0] <= m.due <= horizon)
    band = shown_band(assessment, draw_default_band)
    return ChartSpec(
        title=measure.chart_title, measure_title=measure.title, unit=measure.unit,
        months=tuple(window),
        values=tuple(o.value if o else None for o in observations),
        symbols=tuple(o.symbol if o else None for o in observations),
        target=assessment.target.value if assessment.target else None,
        target_label=target_label(assessment),
        band_low=band.low if band else None, band_high=band.high if band else None,
        milestones=milestones,
        comparators=_comparator_lines(data.comparators.get(measure.id, []), window),
        half_width=half_width, resets_each_april=measure.kind == "cumulative")


def _with_figures(window: list[Month], series: Mapping[Month, Observation]) -> list[Month]:
    """The window from the measure's first month with a figure (or symbol): three months of
    data are three months on the axis, not three points on a year and a half."""
    first = next((m for m in window if (o := series.get(m)) and (o.is_number or o.symbol)),
                 window[-1])
    return window[window.index(first):]


def shown_band(assessment: Assessment, draw_default_band: bool) -> Band | None:
    """The band a chart draws: the council's own; the default tolerance's only when report.toml
    asks for it, rounded as the target is shown."""
    measure = assessment.measure
    if assessment.band_given:
        return Band(measure.tolerance_low, measure.tolerance_high)
    if not draw_default_band or assessment.band is None or assessment.target is None:
        return None
    places = 0 if float(assessment.target.value).is_integer() else 1
    low, high = assessment.band.low, assessment.band.high
    return Band(None if low is None else round(low, places),
                None if high is None else round(high, places))


def _comparator_lines(comparators: Sequence[Comparator], window: list[Month]
                      ) -> tuple[ComparatorLine, ...]:
    names = list(dict.fromkeys(c.name for c in comparators))
    lines = []
    for name in names:
        entries = [c for c in comparators if c.name == name]
        dated = sorted((c.period, c.value) for c in entries
                       if c.period is not None and window[0] <= c.period <= window[-1])
        level = next((c.value for c in entries if c.period is None), None)
        if dated:
            lines.append(ComparatorLine(name, dated[-1][1], tuple(dated)))
        elif level is not None:
            lines.append(ComparatorLine(name, level))
    return tuple(lines)


def chart_specs(data: Dataset, assessments: list[Assessment], config: ReportConfig
                ) -> list[ChartSpec]:
    """One spec per measure; a page of two measures has half-width charts."""
    per_page = Counter(a.measure.page for a in assessments)
    return [chart_spec(data, a, config.window_months, config.milestone_months,
                       per_page[a.measure.page] == 2, config.draw_default_band)
            for a in assessments]
