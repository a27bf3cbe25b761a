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
from reportgen.papers.config import AppendixConfig
from reportgen.papers.cover import Heading, render_section
from reportgen.papers.frontsheet import CoverBlock, FieldRow, cover_blocks, front_fields
from reportgen.papers.governance import exempt_marking, exemption_statement
from reportgen.papers.sources import AppendixTable, PaperSources
from reportgen.render.context import Chart, TableRow
from reportgen.render.formatting import format_observation
from reportgen.resources import data_uri


@dataclass(frozen=True)
class PaperDocument:
    """One PDF of the paper: what it holds and how its pages are labelled."""

    suffix: str  # added to the output name: "", "-cover", "-appendix-2", "-appendix-C-exempt"
    cover: bool
    appendices: tuple[int, ...]  # appendix numbers (their places in the list), 1-based
    page_prefix: str  # "2." for pages 2.1, 2.2 …; "" for plain numbers
    exempt_paragraph: int | None = None  # a Part II document: never published

    @property
    def publication(self) -> str:
        return "public" if self.exempt_paragraph is None else "exempt"


def paper_documents(sources: PaperSources, only_appendix: int | None = None
                    ) -> list[PaperDocument]:
    """The public documents, then a Part II document for each exempt appendix: an exempt
    appendix is never in a public document."""
    config = sources.config
    appendices = dict(enumerate(config.appendices, start=1))

    def alone(number: int) -> PaperDocument:
        appendix = appendices[number]
        exempt = "-exempt" if appendix.exempt else ""
        return PaperDocument(f"-appendix-{appendix.reference}{exempt}", False, (number,),
                             config.page_prefix.format(number=appendix.reference),
                             appendix.exempt_paragraph)

    if only_appendix is not None:
        return [alone(only_appendix)]
    public = tuple(n for n, a in appendices.items() if not a.exempt)
    part_two = [alone(n) for n, a in appendices.items() if a.exempt]
    if config.documents == "one":
        return [PaperDocument("", True, public, ""), *part_two]
    return [PaperDocument("-cover", True, (), ""), *(alone(n) for n in public), *part_two]


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
    marking: str  # the protective marking; a Part II document's exempt marking
    exemption: str  # a Part II document's statement of why it is exempt; "" for a public one
    fields: tuple[FieldRow, ...]
    period_line: tuple[str, str] | None  # the words before and after the month, or None
    cover: bool
    blocks: tuple[CoverBlock, ...]  # the cover's sections, in order
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
    blocks = cover_blocks(sources, contents) if document.cover else ()
    parts = tuple(_appendix(sources, n, data, period, style) for n in document.appendices)
    contents += [Heading(p.anchor, f"{p.label}: {p.title}") for p in parts]
    exemption = ""
    if document.exempt_paragraph is not None:
        marking = exempt_marking(config.exempt_marking, document.exempt_paragraph)
        exemption = exemption_statement(document.exempt_paragraph)
    return PaperContext(
        committee=config.committee, subject=config.subject, marking=marking,
        exemption=exemption, fields=front_fields(config),
        period_line=_period_line(config.period_line), cover=document.cover, blocks=blocks,
        contents=tuple(contents) if document.cover and config.headings["contents"] else (),
        headings=config.headings, appendices=parts,
        single_appendix=not document.cover and len(parts) == 1,
        page_prefix=document.page_prefix)


def _period_line(template: str) -> tuple[str, str] | None:
    """'Performance data for {month}' → ('Performance data for ', ''); '' → None."""
    if not template:
        return None
    before, _, after = template.partition("{month}")
    return before.format(month=""), after.format(month="")


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
        note = "– means there is no figure for that month." \
            if any(cell == "–" for row in rows for cell in row.cells) else ""
    attached = sources.attachments.get(number)
    pages = tuple(f"attached-{number}-{i}" for i in range(1, attached.pages + 1)) \
        if attached else ()
    return AppendixPart(number, f"Appendix {appendix.reference}", appendix.title, appendix.kind,
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
