"""A loaded project → one commentary form per page: an .xlsx workbook with the page's figures,
last month's answers for reference, and the three answer cells, protected except those."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.assess import Assessment, assess
from reportgen.authoring.staleness import QUESTIONS, answers, previous_commentary
from reportgen.errors import OutputNotWritable
from reportgen.load.project import Project
from reportgen.model import Commentary
from reportgen.months import Month
from reportgen.publish.files import publish_set
from reportgen.render.context import latest_applies
from reportgen.render.formatting import format_number, format_observation

FORM_SHEET = "Commentary"
KEY_SHEET = "reportgen"  # very hidden: which page and month the form is for, where its cells are
FORM_MARK = "reportgen commentary form"
MONTHS_SHOWN = 6
LAST_COLUMN = "I"  # answers and notes are merged across B to here
ANSWER_FILL = "FFF2CC"  # the cells to fill in: pale yellow, as Excel's own input style


@dataclass(frozen=True)
class Form:
    """One page's form: what it is for and the workbook's bytes."""

    page: str
    file_name: str
    content: bytes


def page_forms(project: Project) -> list[Form]:
    """A form for every page, in report order."""
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    pages = list(dict.fromkeys(a.measure.page for a in assessments))
    names: set[str] = set()
    forms = []
    for page in pages:
        mine = [a for a in assessments if a.measure.page == page]
        name = form_file_name(page, project.period, names)
        forms.append(Form(page, name, form_workbook(project, page, mine)))
    return forms


def form_file_name(page: str, period: Month, taken: set[str]) -> str:
    """`commentary-2024-06-cin.xlsx`: safe on any file system, unique among the forms."""
    stem = f"commentary-{period.iso}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", page).strip("-")
                                          or "page")
    name, number = f"{stem}.xlsx", 1
    while name.lower() in taken:
        number += 1
        name = f"{stem}-{number}.xlsx"
    taken.add(name.lower())
    return name


def write_forms(forms: list[Form], folder: Path) -> list[Path]:
    """Write the forms into folder, all or none, never over an existing file."""
    targets = {folder / form.file_name: form.content for form in forms}
    existing = [path.name for path in targets if path.exists() or path.is_symlink()]
    if existing:
        raise OutputNotWritable(f"{folder} already has {', '.join(existing)}; forms are never "
                                f"written over: move them, or choose another folder")
    publish_set(targets)
    return list(targets)


def form_workbook(project: Project, page: str, assessments: list[Assessment]) -> bytes:
    """The form: a title, the figures, last month's answers and this month's, and a key."""
    import openpyxl
    from openpyxl.workbook.protection import WorkbookProtection

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = FORM_SHEET
    writer = _Writer(sheet)
    _heading(writer, project, page, assessments)
    figures = _figures(writer, project, assessments)
    _previous(writer, project, page)
    answer_cells = _answers(writer, project.data.commentary.get((page, project.period)))
    _key_sheet(workbook.create_sheet(KEY_SHEET), page, project.period, answer_cells, figures)
    _protect(sheet)
    workbook.security = WorkbookProtection(lockStructure=True)  # the key sheet stays hidden
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


class _Writer:
    """Writes the form a row at a time."""

    def __init__(self, sheet) -> None:
        self.sheet = sheet
        self.row = 1

    def line(self, *cells: str, bold: bool = False, size: float | None = None) -> None:
        from openpyxl.styles import Font

        for column, text in enumerate(cells, start=1):
            cell = self.sheet.cell(self.row, column, text)
            cell.font = Font(bold=bold, size=size)
        self.row += 1

    def note(self, label: str, text: str, fill: str | None = None, height: float = 0) -> str:
        """A label in A and text across B to the last column; the text cell's reference."""
        from openpyxl.styles import Alignment, Font, PatternFill

        self.sheet.cell(self.row, 1, label).font = Font(bold=True)
        self.sheet.cell(self.row, 1).alignment = Alignment(vertical="top", wrap_text=True)
        cell = self.sheet.cell(self.row, 2, text)
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        if fill:
            cell.fill = PatternFill("solid", start_color=fill)
        self.sheet.merge_cells(f"B{self.row}:{LAST_COLUMN}{self.row}")
        if height:
            self.sheet.row_dimensions[self.row].height = height
        self.row += 1
        return cell.coordinate


def _heading(writer: _Writer, project: Project, page: str,
             assessments: list[Assessment]) -> None:
    titles = " and ".join(a.measure.title for a in assessments)
    writer.line(f"Commentary for {project.period.long}: {titles}", bold=True, size=14)
    writer.line(f"{project.config.title}, {project.config.organisation} (page '{page}')")
    writer.line("Please write your answers in the three yellow cells at the bottom, then save "
                "and return this workbook. Everything else is locked and is not read back.")
    writer.row += 1


def _figures(writer: _Writer, project: Project, assessments: list[Assessment]
             ) -> dict[str, str]:
    """The figures table; cell reference → the text written, to spot edits on return."""
    months = [project.period.shift(i - MONTHS_SHOWN + 1) for i in range(MONTHS_SHOWN)]
    has_latest = latest_applies(project.data, project.period) and \
        any(a.measure.id in project.data.latest for a in assessments)
    writer.line("Measure", *(m.short for m in months), *(["Latest"] if has_latest else []),
                "Target", "Rating", bold=True)
    written: dict[str, str] = {}
    for a in assessments:
        series = project.data.values.get(a.measure.id, {})
        found = [series.get(m) for m in months]
        if has_latest:
            found.append(project.data.latest.get(a.measure.id))
        cells = [format_observation(o, a.measure.unit) if o else "" for o in found]
        target = format_number(a.target.value, a.measure.unit) if a.target else ""
        for column, text in enumerate([*cells, target, a.rating], start=2):
            written[writer.sheet.cell(writer.row, column).coordinate] = text
        writer.line(a.measure.title, *cells, target, a.rating)
    writer.row += 1
    return written


def _previous(writer: _Writer, project: Project, page: str) -> None:
    previous = previous_commentary(project.data, page, project.period)
    if previous is None:
        writer.line("There is no earlier commentary for this page.", bold=True)
    else:
        month, commentary = previous
        writer.line(f"For reference: the commentary for {month.long}", bold=True)
        for column, text in answers(commentary).items():
            writer.note(QUESTIONS[column], text, height=_height(text))
    writer.row += 1


def _answers(writer: _Writer, current: Commentary | None) -> dict[str, str]:
    """The three cells to fill in (with this month's answers so far, if any): column → cell."""
    from openpyxl.styles import Protection
    from openpyxl.worksheet.datavalidation import DataValidation

    writer.line("Your commentary for this month", bold=True)
    drafts = answers(current) if current else dict.fromkeys(QUESTIONS, "")
    cells = {}
    for column, question in QUESTIONS.items():
        row = writer.row
        cells[column] = writer.note(question, drafts[column], ANSWER_FILL, height=120)
        for cell in writer.sheet[f"B{row}:{LAST_COLUMN}{row}"][0]:
            cell.protection = Protection(locked=False)
        prompt = DataValidation(showInputMessage=True, promptTitle=question[:32],
                                prompt="Type your answer here. Simple Markdown works: a line "
                                       "starting with - is a bullet point.")
        writer.sheet.add_data_validation(prompt)
        prompt.add(cells[column])
    return cells


def _height(text: str) -> float:
    """Room for the text: about 110 characters a line across the merged cells."""
    lines = sum(len(line) // 110 + 1 for line in text.splitlines() or [""])
    return min(15 * lines + 6, 400)


def _key_sheet(sheet, page: str, period: Month, answer_cells: dict[str, str],
               figures: dict[str, str]) -> None:
    """What collect reads first: the form's page, month and cells. Hidden from authors."""
    sheet.append(["form", FORM_MARK])
    sheet.append(["page", page])
    sheet.append(["period", period.iso])
    for column, cell in answer_cells.items():
        sheet.append(["answer", column, cell])
    for cell, text in figures.items():
        sheet.append(["figure", cell, text])
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


def _protect(sheet) -> None:
    """Locked except the answer cells; rows and columns may be resized to read long answers."""
    sheet.column_dimensions["A"].width = 34
    for column in "BCDEFGHIJ":  # up to Rating, after six months, Latest and Target
        sheet.column_dimensions[column].width = 12
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False
