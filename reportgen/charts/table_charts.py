"""The pack's table pages → their bar charts (PNG for the PDF, inline SVG for the HTML edition),
with alt text from the figures."""

from __future__ import annotations

from reportgen.charts.describe import describe_bars
from reportgen.charts.style import ChartStyle
from reportgen.load.figure_tables import bar_chart_title
from reportgen.load.pack_pages import PackPages
from reportgen.model import Edition
from reportgen.render.context import Chart


def table_page_charts(pages: PackPages, style: ChartStyle, edition: Edition
                      ) -> dict[str, Chart]:
    """Table page id → its bar chart, for the pages that ask for one and have figures. A few
    bars each: drawn here, without the measure charts' workers and cache."""
    from reportgen.charts.draw import build_bar_chart, figure_png
    from reportgen.charts.svg import figure_svg
    from reportgen.resources import data_uri

    charts = {}
    for loaded in pages.tables:
        table, chart = loaded.table, loaded.config.chart
        if chart is None or not table.bars:
            continue
        title = bar_chart_title(table, chart)
        alt = describe_bars(title, table.bars, table.bar_format)
        figure = build_bar_chart(title, table.bars, table.bar_format, style)
        if edition == "html":
            svg = figure_svg(figure, f"chart-{loaded.config.id}", title, alt)
            charts[loaded.config.id] = Chart("", alt, title, svg)
        else:
            charts[loaded.config.id] = Chart(data_uri(figure_png(figure)), alt, title)
    return charts
