"""A folder of returned commentary forms and the project → the month's answers merged into the
commentary table, with every form not returned, answer copied from last month, and edited
figure named."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportgen.authoring.commentary_table import Written, merge_commentary
from reportgen.authoring.forms import FORM_MARK, FORM_SHEET, KEY_SHEET, form_file_name
from reportgen.authoring.staleness import QUESTIONS, previous_commentary, stale_columns
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.load.project import Project, load_project
from reportgen.load.tables import open_workbook
from reportgen.months import Month
from reportgen.problems import Problem, Problems

# What a form saved in another format looks like: worth a word, not silence.
OTHER_FORMATS = (".xls", ".xlsm", ".xlsb", ".ods", ".csv")


@dataclass(frozen=True)
class ReturnedForm:
    file: str
    page: str
    period: Month
    answers: dict[str, str]  # column → text
    cells: dict[str, str]  # column → the answer cell's reference, to name it

    @property
    def is_blank(self) -> bool:
        return not any(self.answers.values())


@dataclass(frozen=True)
class Collected:
    period: Month
    pages: list[str]  # the pages whose answers were merged
    written: Written | None  # None when nothing was merged
    warnings: list[Problem]


def collect_commentary(forms_dir: Path, root: Path) -> Collected:
    """Read every form, check them all, then merge (or raise InvalidInput, writing nothing)."""
    problems = Problems()
    forms = read_forms(forms_dir, problems)
    period = _one_period(forms, forms_dir, problems)
    if period is None or problems.errors:
        raise InvalidInput(problems.items)
    project = load_project(root, period.iso)
    if project.config.source is not None:
        # The commentary table is the database's: a CSV written beside would never be read.
        problems.error(CONFIG_FILE, "the tables come from the database [source] names; "
                                    "merge the forms' answers into its commentary table there")
        raise InvalidInput(problems.items)
    taken = _check_pages(forms, project, forms_dir, problems)
    if problems.errors:
        raise InvalidInput(problems.items)
    _warn_about_stale_answers(taken, project, problems)
    updates = {form.page: form.answers for form in taken}
    written = merge_commentary(project.data_root, period, updates) if updates else None
    return Collected(period, list(updates), written, problems.warnings)


def read_forms(folder: Path, problems: Problems) -> list[ReturnedForm]:
    """Every form in the folder (not its subfolders); Excel's ~$ lock files are passed over."""
    forms = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(("~$", ".")) or not path.is_file():
            continue
        suffix = path.suffix.lower()
        if suffix == ".xlsx":
            form = read_form(path, problems)
            if form is not None:
                forms.append(form)
        elif suffix in OTHER_FORMATS:
            problems.warning(path.name, "was saved as another kind of file; save it as an Excel "
                                        "Workbook (.xlsx) and collect again; skipped")
    return forms


def read_form(path: Path, problems: Problems) -> ReturnedForm | None:
    """One returned form, read with the loader's safety checks; None when it is not a form."""
    with open_workbook(path, problems, path.name) as books:
        if books is None:
            return None
        values, _ = books
        if KEY_SHEET not in values.sheetnames or FORM_SHEET not in values.sheetnames:
            problems.warning(path.name, "is not a commentary form made by 'reportgen "
                                        "commentary-forms'; skipped")
            return None
        try:  # a read-only sheet is parsed only now
            key = [tuple(row) for row in values[KEY_SHEET].iter_rows(
                min_row=1, min_col=1, max_col=3, values_only=True)]
            cells = _sheet_cells(values[FORM_SHEET])
        except Exception as error:  # openpyxl raises many kinds for a damaged sheet
            problems.error(path.name, f"cannot be read as an Excel workbook: a sheet is "
                                      f"damaged ({str(error) or type(error).__name__})")
            return None
    return _form_from_key(path.name, key, cells, problems)


def _sheet_cells(sheet) -> dict[str, object]:
    """Cell reference → value, for every cell that holds one."""
    from openpyxl.utils import get_column_letter

    found = {}
    for row, values in enumerate(sheet.iter_rows(min_row=1, min_col=1, values_only=True), 1):
        for column, value in enumerate(values, 1):
            if value is not None:
                found[f"{get_column_letter(column)}{row}"] = value
    return found


def _form_from_key(file: str, key: list[tuple], cells: dict[str, object], problems: Problems
                   ) -> ReturnedForm | None:
    """The page, month and answers the hidden key names; each edited figure is a warning."""
    fields = {str(k[0]): str(k[1]) for k in key if k[0] in ("form", "page", "period")}
    answer_cells = {str(k[1]): str(k[2]) for k in key if k[0] == "answer"}
    try:
        period = Month.parse(fields.get("period", ""))
    except ValueError:
        period = None
    if fields.get("form") != FORM_MARK or not fields.get("page") or period is None or \
            set(answer_cells) != set(QUESTIONS):
        problems.error(file, "the form's hidden key is damaged; make the form again with "
                             "'reportgen commentary-forms' and copy the answers into it")
        return None
    for kind, cell, written in key:
        found = _text(cells.get(str(cell)))
        if kind == "figure" and found != _text(written):
            row, column = _where(str(cell))
            problems.warning(file, f"the figure was changed from '{_text(written)}' to "
                                   f"'{found}'; figures come from the data, not the forms: "
                                   f"ignored", row, column)
    answers = {column: _text(cells.get(cell)) for column, cell in answer_cells.items()}
    return ReturnedForm(file, fields["page"], period, answers, answer_cells)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _where(cell: str) -> tuple[int, str]:
    """`B20` → (20, "B"): a cell as a row and a column, as every problem names them."""
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters):]), letters


def _one_period(forms: list[ReturnedForm], folder: Path, problems: Problems) -> Month | None:
    """The month every form is for: one round at a time."""
    if not forms:
        problems.error(str(folder), "has no commentary forms (.xlsx workbooks written by "
                                    "'reportgen commentary-forms')")
        return None
    periods = sorted({form.period for form in forms})
    if len(periods) > 1:
        listed = "; ".join(f"{p}: " + ", ".join(f.file for f in forms if f.period == p)
                           for p in periods)
        problems.error(str(folder), f"holds forms for more than one month ({listed}); "
                                    f"collect one month at a time")
        return None
    return periods[0]


def _check_pages(forms: list[ReturnedForm], project: Project, folder: Path,
                 problems: Problems) -> list[ReturnedForm]:
    """The forms to take: known pages, one form each, not blank. Missing pages are named."""
    pages = list(dict.fromkeys(m.page for m in project.data.measures))
    by_page: dict[str, ReturnedForm] = {}
    for form in forms:
        if form.page not in pages:
            problems.error(form.file, f"is for page '{form.page}', which is not a measure "
                                      f"group or id in {project.root}; is it another project's?")
        elif form.page in by_page:
            problems.error(form.file, f"is a second form for page '{form.page}' (the first is "
                                      f"{by_page[form.page].file}); keep one and collect again")
        else:
            by_page[form.page] = form
    names: set[str] = set()
    for page in pages:
        name = form_file_name(page, project.period, names)
        if page not in by_page:
            problems.warning(str(folder), f"no form returned for page '{page}' ({name}); its "
                                          f"commentary is unchanged")
        elif by_page[page].is_blank:
            problems.warning(by_page[page].file, f"came back with no answers; nothing taken for "
                                                 f"page '{page}'")
    return [by_page[p] for p in pages if p in by_page and not by_page[p].is_blank]


def _warn_about_stale_answers(forms: list[ReturnedForm], project: Project,
                              problems: Problems) -> None:
    """An answer copied from the month before is taken, but named: is it still true?"""
    for form in forms:
        previous = previous_commentary(project.data, form.page, form.period)
        if previous is None:
            continue
        month, before = previous
        for column in stale_columns(form.answers, before):
            row, letter = _where(form.cells[column])
            problems.warning(form.file, f"'{QUESTIONS[column]}' is word for word the "
                                        f"commentary for {month.long}; taken, but is it still "
                                        f"true?", row, letter)
