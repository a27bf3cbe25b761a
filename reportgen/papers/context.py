"""The paper's sources, the pack and its charts → the template context of one paper document.

A paper is built as one document (the cover report, then every appendix) or as separate
documents: the cover, and each appendix on its own with page labels for an agenda pack.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from reportgen.charts.describe import describe_bars
from reportgen.charts.draw import build_bar_chart, figure_png
from reportgen.charts.style import ChartStyle
from reportgen.model import LATEST, Dataset
from reportgen.months import Month
from reportgen.papers.config import AppendixConfig, FrontSheetField
from reportgen.papers.cover import Heading, Numbering, render_section
from reportgen.papers.sources import AppendixTable, PaperSources
from reportgen.render.context import Chart, TableRow
from reportgen.render.formatting import format_observation
from reportgen.resources import data_uri


@dataclass(frozen=True)
class PaperDocument:
    """One PDF of the paper: what it holds and how its pages are labelled."""

    suffix: str  # added to the output name: "", "-cover", "-appendix-2"
    cover: bool
    appendices: tuple[int, ...]  # appendix numbers, 1-based
    page_prefix: str  # "2." for pages 2.1, 2.2 …; "" for plain numbers


def paper_documents(sources: PaperSources, only_appendix: int | None = None
                    ) -> list[PaperDocument]:
    config = sources.config
    numbers = tuple(range(1, len(config.appendices) + 1))

    def alone(number: int) -> PaperDocument:
        return PaperDocument(f"-appendix-{number}", False, (number,),
                             config.page_prefix.format(number=number))

    if only_appendix is not None:
        return [alone(only_appendix)]
    if config.documents == "one":
        return [PaperDocument("", True, numbers, "")]
    return [PaperDocument("-cover", True, (), ""), *(alone(n) for n in numbers)]


@dataclass(frozen=True)
class ListedSection:
    """A section the paper writes itself (the appendices, the contact officer), numbered on
    from the Markdown body."""

    anchor: str
    number: str
    heading: str
    items: tuple[tuple[str, str], ...]  # (paragraph number, text)


@dataclass(frozen=True)
class AppendixPart:
    number: int
    label: str  # "Appendix 2"
    title: str
    kind: str  # pack, table, comparison, pdf, markdown
    anchor: str
    intro: Markup  # the appendix's Markdown, rendered
    caption: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]  # right-aligned columns
    rows: tuple[TableRow, ...]
    chart: Chart | None
    attached_pages: tuple[str, ...]  # anchors of the pages an attached PDF is laid onto
    note: str


@dataclass(frozen=True)
class PaperContext:
    """Everything a paper document shows besides the pack (the pack's fields sit beside it)."""

    committee: str
    subject: str
    marking: str
    fields: tuple[FrontSheetField, ...]
    cover: bool
    summary: Markup
    recommendations: tuple[str, ...]
    body: Markup
    listed: tuple[ListedSection, ...]
    signature: tuple[str, ...]
    contents: tuple[Heading, ...]
    headings: dict[str, str]
    appendices: tuple[AppendixPart, ...]  # the ones in this document
    single_appendix: bool  # an appendix on its own, for an agenda pack
    page_prefix: str
    date: str = ""  # the meeting's, "14 September 2023" ([paper] date); "" when not given


def paper_context(sources: PaperSources, document: PaperDocument, data: Dataset | None,
                  marking: str, style: ChartStyle, period: Month | None = None
                  ) -> PaperContext:
    """period: the reporting month, which comparison columns named 'latest' show."""
    config = sources.config
    contents: list[Heading] = []
    numbering = Numbering()
    summary = Markup("").join(render_section(t, None, "summary", contents,
                                             sources.images)
                              for t in sources.summary)
    if config.recommendations:
        contents.append(Heading("recommendations", config.headings["recommendations"]))
    body = Markup("").join(render_section(t, numbering, "section", contents,
                                          sources.images)
                           for t in sources.sections)
    listed = _listed_sections(sources, numbering if sources.sections else None)
    contents += [Heading(s.anchor, f"{s.number} {s.heading}".strip()) for s in listed]
    parts = tuple(_appendix(sources, n, data, period, style) for n in document.appendices)
    contents += [Heading(p.anchor, f"{p.label}: {p.title}") for p in parts]
    return PaperContext(
        committee=config.committee, subject=config.subject, marking=marking,
        fields=config.fields,
        cover=document.cover, summary=summary, recommendations=config.recommendations,
        body=body, listed=listed, signature=config.signature,
        contents=tuple(contents) if document.cover else (), headings=config.headings,
        appendices=parts, single_appendix=not document.cover and len(parts) == 1,
        page_prefix=document.page_prefix)


def _listed_sections(sources: PaperSources, numbering: Numbering | None
                     ) -> tuple[ListedSection, ...]:
    config = sources.config
    wanted = [("appendices", [f"Appendix {n}: {a.title}"
                              for n, a in enumerate(config.appendices, start=1)]),
              ("contact", list(config.contact))]
    sections = []
    for key, lines in wanted:
        if not lines:
            continue
        number = numbering.heading(1) if numbering else ""
        items = tuple(((numbering.paragraph() if numbering else ""), line) for line in lines)
        sections.append(ListedSection(f"listed-{key}", number, config.headings[key], items))
    return tuple(sections)


def _appendix(sources: PaperSources, number: int, data: Dataset | None, period: Month | None,
              style: ChartStyle
              ) -> AppendixPart:
    appendix = sources.config.appendices[number - 1]
    intro = render_section(sources.appendix_texts[number], None,
                           images=sources.images) \
        if number in sources.appendix_texts else Markup("")
    columns: tuple[str, ...] = ()
    numeric: tuple[bool, ...] = ()
    rows: tuple[TableRow, ...] = ()
    chart = None
    note = ""
    if appendix.kind == "table" and number in sources.tables:
        table = sources.tables[number]
        columns = tuple(c.label for c in table.columns[1:])
        numeric = tuple(c.format != "text" for c in table.columns[1:])
        rows = tuple(TableRow(cells[0], cells[1:]) for cells in table.rows)
        if table.bars and appendix.chart:
            title = _bar_chart_title(table, appendix.chart)
            png = figure_png(build_bar_chart(title, table.bars, table.bar_format, style))
            chart = Chart(data_uri(png),
                          describe_bars(title, table.bars, table.bar_format), title)
        columns = (table.columns[0].label, *columns)
    elif appendix.kind == "comparison" and data is not None:
        columns, rows = _comparison(appendix, data, period)
        numeric = (True,) * (len(columns) - 1)
        note = "– means there is no figure for that month."
    attached = sources.attachments.get(number)
    pages = tuple(f"attached-{number}-{i}" for i in range(1, attached.pages + 1)) \
        if attached else ()
    return AppendixPart(number, f"Appendix {number}", appendix.title, appendix.kind,
                        f"appendix-{number}", intro, appendix.caption, columns, numeric, rows,
                        chart, pages, note)


def _bar_chart_title(table: AppendixTable, chart: tuple[str, str]) -> str:
    """What the bars show, by what: 'Average caseload by service', not the table's caption."""
    labels = {c.name: c.label for c in table.columns}
    label, value = (name.strip().lower() for name in chart)
    return f"{labels.get(value, value)} by {labels.get(label, label).lower()}"


def _column_month(text: str, period: Month | None) -> Month | None:
    """A comparison column's month: 'latest' is the reporting month (as `--period latest` is),
    'refresh' the values refreshed after it (None), else the month given."""
    if text == "refresh":
        return None
    return period if text == LATEST and period is not None else Month.parse(text)


def _comparison(appendix: AppendixConfig, data: Dataset, period: Month | None
                ) -> tuple[tuple[str, ...], tuple[TableRow, ...]]:
    """'Where we were / where we are now': chosen measures at chosen months, from the data."""
    measures = {m.id: m for m in data.measures}
    keys = [_column_month(c.period, period) for c in appendix.periods]
    rows = []
    for measure_id in appendix.measures:
        measure = measures[measure_id]
        series = data.values.get(measure_id, {})
        found = [data.latest.get(measure_id) if k is None else series.get(k) for k in keys]
        cells = tuple(format_observation(o, measure.unit) if o else "–" for o in found)
        rows.append(TableRow(measure.title, cells))
    return ("Measure", *(c.label for c in appendix.periods)), tuple(rows)
