"""The committee paper's own files (Markdown, appendix tables, attached PDFs) → checked sources.

Read when the project is loaded, so `validate` reports every missing file or bad cell at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config.report import CONFIG_FILE
from reportgen.load.numbers import FigureError, NotANumber, parse_number
from reportgen.load.tables import RawTable, read_extra_table
from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.papers.config import AppendixConfig, PaperConfig, TableColumn
from reportgen.problems import Problems, shown
from reportgen.render.formatting import format_number

MAX_MARKDOWN_BYTES = 1_000_000
MAX_ATTACHED_PAGES = 300



@dataclass(frozen=True)
class AppendixTable:
    """A table appendix's cells, formatted, and the figures of its bar chart."""

    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    bars: tuple[tuple[str, float], ...] = ()  # (label, value) in table order
    bar_format: str = "number"


@dataclass(frozen=True)
class Attachment:
    path: Path
    pages: int


@dataclass(frozen=True)
class PaperSources:
    """Everything the paper shows besides the pack, read and checked."""

    config: PaperConfig
    cover: tuple[str, ...]  # each of config.cover_sections' Markdown ("" for a written part)
    appendix_texts: dict[int, str] = field(default_factory=dict)  # appendix number → Markdown
    tables: dict[int, AppendixTable] = field(default_factory=dict)
    attachments: dict[int, Attachment] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # every file read, for the manifest
    images: dict[str, str] = field(default_factory=dict)  # Markdown image address → data: URI


def load_paper(root: Path, config: PaperConfig, data: Dataset | None, data_root: Path,
               problems: Problems) -> PaperSources:
    sources = PaperSources(config=config, cover=_cover_texts(root, config, problems))
    for number, appendix in enumerate(config.appendices, start=1):
        key = f"appendix[{number}]"
        if appendix.text:
            sources.appendix_texts[number] = _markdown(root, appendix.text, f"{key}.text",
                                                       problems)
        if appendix.kind == "table":
            raw = read_extra_table(_table_folder(root, data_root, appendix.source),
                                   appendix.source, f"{CONFIG_FILE}: {key}.source", problems)
            if raw is not None:
                sources.tables[number] = _appendix_table(raw, appendix, key, problems)
        elif appendix.kind == "pdf":
            attachment = _attachment(root, appendix.source, f"{key}.file", problems)
            if attachment is not None:
                sources.attachments[number] = attachment
        elif appendix.kind == "comparison" and data is not None:
            _check_comparison(appendix, data, key, problems)
    named = [*(section.file for section in config.cover_sections if section.file),
             *(a.text for a in config.appendices if a.text),
             *(a.source for a in config.appendices if a.kind == "pdf" or
               (a.kind == "table" and a.source.lower().endswith(".csv")))]
    sources.files.extend(dict.fromkeys(p for name in named if (p := root / name).is_file()))
    if sum(a.kind == "pack" for a in config.appendices) > 1:
        problems.error(CONFIG_FILE, "only one appendix can be the pack (kind = \"pack\")")
    return sources


def _cover_texts(root: Path, config: PaperConfig, problems: Problems) -> tuple[str, ...]:
    """Each cover section's Markdown: its file's, or the text written in report.toml."""
    return tuple(_markdown(root, section.file, section.key, problems) if section.file
                 else section.text for section in config.cover_sections)


def _project_file(root: Path, name: str, key: str, problems: Problems) -> Path | None:
    """A file named in report.toml: it must be inside the project folder."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        problems.error(CONFIG_FILE, f"'{key}' is {name!r}: expected a file inside the project "
                                    f"folder")
        return None
    if not path.is_file():
        problems.error(CONFIG_FILE, f"'{key}' is {name!r}: no such file in {root}")
        return None
    return path


def _markdown(root: Path, name: str, key: str, problems: Problems) -> str:
    path = _project_file(root, name, key, problems)
    if path is None:
        return ""
    if path.stat().st_size > MAX_MARKDOWN_BYTES:
        problems.error(name, f"is over {MAX_MARKDOWN_BYTES:,} bytes; a paper section is text")
        return ""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        problems.error(name, "the file is not UTF-8 text; save it as UTF-8")
        return ""


def _table_folder(root: Path, data_root: Path, source: str) -> Path:
    """A CSV is the paper project's own; a sheet name is looked for in the data's workbook."""
    return root if source.lower().endswith(".csv") else data_root


def _appendix_table(raw: RawTable, appendix: AppendixConfig, key: str, problems: Problems
                    ) -> AppendixTable:
    errors_before = len(problems.errors)
    # Without configured columns, every column as text; without a label, the column's name.
    columns = appendix.columns or tuple(TableColumn(c, "", "text") for c in raw.columns if c)
    columns = tuple(TableColumn(c.name.strip().lower(), c.label or _heading(c.name), c.format)
                    for c in columns)
    for column in columns:
        if column.name not in raw.columns:
            problems.error(raw.source, f"has no column '{column.name}' (named in {key}.columns); "
                                       f"columns found: {', '.join(raw.columns)}")
    chart = appendix.chart
    chart_columns = tuple(c.strip().lower() for c in chart) if chart else ()
    for name in chart_columns:
        if name not in raw.columns:
            problems.error(raw.source, f"has no column '{name}' (named in {key}.chart)")
    if len(problems.errors) > errors_before:
        return AppendixTable(columns, ())
    figures = {c.name: [_number(cells.get(c.name, ""), raw.source, row, c.name, problems)
                        for row, cells in raw.rows] for c in columns if c.format != "text"}
    # a column's figures all to the same decimals: 2.0% under 39.6%, not 2%
    decimals = {name: int(any(v is not None and not float(v).is_integer() for v in values))
                for name, values in figures.items()}
    rows = [tuple(cells.get(c.name, "") if c.format == "text" else
                  _shown(figures[c.name][index], c.format, decimals[c.name]) for c in columns)
            for index, (_, cells) in enumerate(raw.rows)]
    bars: list[tuple[str, float]] = []
    formats = {c.name: c.format for c in columns}
    if chart_columns:
        label, value = chart_columns
        # A figure the table shows was checked there: its problem is not reported twice.
        checked = value in {c.name for c in columns if c.format != "text"}
        for row, cells in raw.rows:
            figure = _number(cells.get(value, ""), raw.source, row, value,
                             Problems() if checked else problems)
            if figure is not None:
                bars.append((cells.get(label, ""), figure))
    bar_format = formats.get(chart_columns[1], "number") if chart_columns else "number"
    return AppendixTable(columns, tuple(rows), tuple(bars),
                         "number" if bar_format == "text" else bar_format)


def _heading(name: str) -> str:
    name = name.strip()
    return name[:1].upper() + name[1:]


def _number(text: str, source: str, row: int, column: str, problems: Problems) -> float | None:
    """A figure by the pack's own rules ('1,234', '90%'; finite and of sane size); blank is None."""
    if not text.strip():
        return None
    try:
        return parse_number(text).value
    except NotANumber:
        problems.error(source, f"expected a number, found {shown(text.strip())}", row, column)
    except FigureError as error:
        problems.error(source, str(error), row, column)
    return None


def _shown(value: float | None, fmt: str, decimals: int) -> str:
    return "" if value is None else format_number(value, fmt, decimals)


def _attachment(root: Path, name: str, key: str, problems: Problems) -> Attachment | None:
    import pikepdf

    path = _project_file(root, name, key, problems)
    if path is None:
        return None
    try:
        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
    except pikepdf.PasswordError:
        problems.error(name, "is password-protected; attach an unprotected copy")
        return None
    except pikepdf.PdfError as error:
        problems.error(name, f"cannot be read as a PDF: {error}")
        return None
    if not 0 < pages <= MAX_ATTACHED_PAGES:
        problems.error(name, f"has {pages} pages; expected 1 to {MAX_ATTACHED_PAGES}")
        return None
    return Attachment(path, pages)


def _check_comparison(appendix: AppendixConfig, data: Dataset, key: str,
                      problems: Problems) -> None:
    known = {m.id for m in data.measures}
    for measure in appendix.measures:
        if measure not in known:
            problems.error(CONFIG_FILE, f"'{key}.measures' names '{measure}', which is not a "
                                        f"measure id in measures")
    for index, column in enumerate(appendix.periods, start=1):
        if column.period not in ("latest", "refresh"):
            try:
                Month.parse(column.period)
            except ValueError:
                problems.error(CONFIG_FILE, f"'{key}.columns[{index}].period' is "
                                            f"{column.period!r}: expected YYYY-MM, 'latest' (the "
                                            f"reporting month) or 'refresh' (the values "
                                            f"refreshed after it)")
