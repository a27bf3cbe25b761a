"""An assessed measure and its dataset → the ChartSpec its chart draws."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from reportgen.assess import Assessment
from reportgen.charts.cache import chart_pngs
from reportgen.charts.describe import describe_chart
from reportgen.charts.draw import ChartSpec, ChartStyle, ComparatorLine, build_chart
from reportgen.charts.svg import figure_svg
from reportgen.config.report import ReportConfig
from reportgen.load.dataset import Comparator, Dataset
from reportgen.months import Month, month_range
from reportgen.render.context import Chart, TableRow
from reportgen.render.formatting import format_number


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
               milestone_months: int, half_width: bool = False) -> ChartSpec:
    measure = assessment.measure
    window = chart_window(assessment.period, window_months)
    series = data.values.get(measure.id, {})
    observations = [series.get(m) for m in window]
    horizon = assessment.period.shift(milestone_months)
    milestones = tuple((m.due, m.target) for m in data.milestones.get(measure.id, [])
                       if window[0] <= m.due <= horizon)
    band = assessment.band
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
        half_width=half_width)


def _comparator_lines(comparators: list[Comparator], window: list[Month]
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
                       half_width=per_page[a.measure.page] == 2) for a in assessments]


def draw_charts(data: Dataset, assessments: list[Assessment], config: ReportConfig,
                style: ChartStyle, cache_dir: Path | None = None, jobs: int = 1,
                while_drawing: Callable[[], object] | None = None) -> dict[str, Chart]:
    """PNG charts for the PDF, keyed by measure id."""
    specs = chart_specs(data, assessments, config)
    pngs = chart_pngs(specs, style, cache_dir, jobs, while_drawing)
    return {a.measure.id: Chart(src=_data_uri(png), alt=describe_chart(spec), title=spec.title)
            for a, spec, png in zip(assessments, specs, pngs, strict=True)}


def draw_svg_charts(data: Dataset, assessments: list[Assessment], config: ReportConfig,
                    style: ChartStyle) -> dict[str, Chart]:
    """Inline SVG charts for the HTML edition, each with its figures as a table."""
    charts = {}
    for index, (assessment, spec) in enumerate(zip(assessments, chart_specs(
            data, assessments, config), strict=True)):
        alt = describe_chart(spec)
        svg = figure_svg(build_chart(spec, style), f"chart{index}", spec.title, alt)
        charts[assessment.measure.id] = Chart(src="", alt=alt, title=spec.title, svg=svg,
                                              data=chart_table(spec))
    return charts


def chart_table(spec: ChartSpec) -> tuple[TableRow, ...]:
    """The plotted figures, month by month, for readers who cannot see the chart."""
    target = format_number(spec.target, spec.unit) if spec.target is not None else ""
    symbols = spec.symbols or (None,) * len(spec.months)
    return tuple(TableRow(month.short, (format_number(value, spec.unit) if value is not None
                                        else symbol or "", target))
                 for month, value, symbol in zip(spec.months, spec.values, symbols, strict=True))


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
