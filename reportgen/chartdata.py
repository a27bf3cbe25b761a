"""An assessed measure and its dataset → the ChartSpec its chart draws."""

from __future__ import annotations

import base64
from collections import Counter
from pathlib import Path

from reportgen.assess import Assessment
from reportgen.chartcache import chart_pngs
from reportgen.charts import ChartSpec, ChartStyle, ComparatorLine
from reportgen.config import ReportConfig
from reportgen.context import Chart
from reportgen.dataset import Comparator, Dataset
from reportgen.describe import describe_chart
from reportgen.formatting import format_number
from reportgen.months import Month, month_range


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


def draw_charts(data: Dataset, assessments: list[Assessment], config: ReportConfig,
                style: ChartStyle, cache_dir: Path | None = None, jobs: int = 1
                ) -> dict[str, Chart]:
    """One chart per measure, keyed by measure id; a page of two measures has half-width charts."""
    per_page = Counter(a.measure.page for a in assessments)
    specs = [chart_spec(data, a, config.window_months, config.milestone_months,
                        half_width=per_page[a.measure.page] == 2) for a in assessments]
    pngs = chart_pngs(specs, style, cache_dir, jobs)
    return {a.measure.id: Chart(src=_data_uri(png), alt=describe_chart(spec), title=spec.title)
            for a, spec, png in zip(assessments, specs, pngs, strict=True)}


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
