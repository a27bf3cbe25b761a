"""The chart stage: assessed measures → drawn charts (PNG for the PDF from the cache or worker
processes, inline SVG for the HTML edition), each with its alt text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from reportgen.assess import Assessment
from reportgen.charts.cache import chart_key, chart_sources
from reportgen.charts.describe import describe_chart
from reportgen.charts.draw import build_chart
from reportgen.charts.spec import ChartSpec, chart_specs
from reportgen.charts.style import ChartStyle
from reportgen.charts.svg import figure_svg
from reportgen.config.report import ReportConfig
from reportgen.model import Dataset
from reportgen.publish.cache import KeyedCache
from reportgen.render.context import Chart, TableRow
from reportgen.render.formatting import format_number


def draw_charts(data: Dataset, assessments: list[Assessment], config: ReportConfig,
                style: ChartStyle, cache_dir: Path | None = None, jobs: int = 1,
                while_drawing: Callable[[], object] | None = None) -> dict[str, Chart]:
    """PNG charts for the PDF, keyed by measure id; a measure with no figures yet gets none."""
    specs = chart_specs(data, assessments, config)
    drawn = [spec for spec in specs if has_figures(spec)]
    sources = iter(chart_sources(drawn, style, cache_dir, jobs, while_drawing))
    return {a.measure.id: Chart(src=next(sources), alt=describe_chart(spec),
                                title=spec.title) if has_figures(spec) else no_figures(spec)
            for a, spec in zip(assessments, specs, strict=True)}


def has_figures(spec: ChartSpec) -> bool:
    return any(v is not None for v in spec.values) or any(spec.symbols)


def no_figures(spec: ChartSpec) -> Chart:
    """Where a measure has no figures yet: a short note, not an empty chart on a made-up axis."""
    return Chart(src="", alt="", title=spec.title, empty=True)


def draw_svg_charts(data: Dataset, assessments: list[Assessment], config: ReportConfig,
                    style: ChartStyle, cache_dir: Path | None = None) -> dict[str, Chart]:
    """Inline SVG charts for the HTML edition, each with its figures as a table; cached like
    the PNGs (`cache_dir`), so a rebuild after editing commentary draws nothing."""
    cache = KeyedCache(cache_dir, ".svg") if cache_dir is not None else None
    charts, keys = {}, []
    for index, (assessment, spec) in enumerate(zip(assessments, chart_specs(
            data, assessments, config), strict=True)):
        if not has_figures(spec):
            charts[assessment.measure.id] = no_figures(spec)
            continue
        alt = describe_chart(spec)
        keys.append(key := f"{chart_key(spec, style)}-{index}")  # ids are prefixed chart<index>
        svg = cache.load(key, _whole_svg) if cache is not None else None
        if svg is None:
            svg = figure_svg(build_chart(spec, style), f"chart{index}", spec.title, alt)
            if cache is not None:
                cache.put(key, svg.encode("utf-8"))
        charts[assessment.measure.id] = Chart(src="", alt=alt, title=spec.title,
                                              svg=Markup(svg), data=chart_table(spec))
    if cache is not None:
        cache.keep_only(keys)
    return charts


def _whole_svg(content: bytes) -> str:
    """The content, when it is a whole SVG element as figure_svg writes it."""
    text = content.decode("utf-8")
    if not (text.startswith("<svg") and text.rstrip().endswith("</svg>")):
        raise ValueError("not a whole SVG")
    return text


def chart_table(spec: ChartSpec) -> tuple[TableRow, ...]:
    """The plotted figures, month by month, for readers who cannot see the chart."""
    target = format_number(spec.target, spec.unit) if spec.target is not None else ""
    symbols = spec.symbols or (None,) * len(spec.months)
    return tuple(TableRow(month.short, (format_number(value, spec.unit) if value is not None
                                        else symbol or "", target))
                 for month, value, symbol in zip(spec.months, spec.values, symbols, strict=True))
