"""The committee paper's own files (Markdown, appendix tables, attached PDFs) → checked sources.

Read when the project is loaded, so `validate` reports every missing file or bad cell at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reportgen.config.report import CONFIG_FILE
from reportgen.load.figure_tables import MAX_MARKDOWN_BYTES as MAX_MARKDOWN_BYTES
from reportgen.load.figure_tables import FigureTable, figure_table
from reportgen.load.figure_tables import project_file as _project_file
from reportgen.load.figure_tables import read_markdown as _markdown
from reportgen.load.tables import RawTable, read_extra_table
from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.papers.config import AppendixConfig, PaperConfig
from reportgen.problems import Problems

MAX_ATTACHED_PAGES = 300
AppendixTable = FigureTable  # a table appendix's cells and bars: the pack's table machinery


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


def _table_folder(root: Path, data_root: Path, source: str) -> Path:
    """A CSV is the paper project's own; a sheet name is looked for in the data's workbook."""
    return root if source.lower().endswith(".csv") else data_root


def _appendix_table(raw: RawTable, appendix: AppendixConfig, key: str, problems: Problems
                    ) -> AppendixTable:
    return figure_table(raw, appendix.columns, appendix.chart, key, problems)


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
