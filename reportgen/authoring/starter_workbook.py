"""The starter's tables → data.xlsx: headers, months as text, and Excel drop-downs and checks."""

from __future__ import annotations

import io

from reportgen.authoring.examples import Table
from reportgen.authoring.staleness import QUESTIONS
from reportgen.model import FREQUENCIES, KINDS, POLARITIES, RATINGS, UNITS

LAST_ROW = 1000  # drop-downs and checks reach this far down each sheet
TEXT = "@"  # Excel's Text format: a typed 2024-06 stays text instead of becoming a date


def _month_rule(cell: str, latest: bool) -> str:
    """A custom validation formula: YYYY-MM as text (and, for values, 'latest')."""
    month = (f'AND(LEN({cell})=7,MID({cell},5,1)="-",ISNUMBER(VALUE(LEFT({cell},4))),'
             f'ISNUMBER(VALUE(RIGHT({cell},2))))')
    return f'OR({cell}="latest",{month})' if latest else month


def _choices(values: tuple[str, ...]) -> str:
    return '"' + ",".join(values) + '"'


# column → (kind, formula or choices, input message). A message is at most 255 characters.
CHECKS: dict[str, tuple[str, str, str]] = {
    "unit": ("list", _choices(UNITS), "number, rate (per 10,000 children) or percent (0-100)."),
    "polarity": ("list", _choices(POLARITIES), ("up: bigger is better; down: smaller is "
                                                "better; range: good is inside tolerance_low "
                                                "to tolerance_high.")),
    "kind": ("list", _choices(KINDS), ("Blank or snapshot: the month-end figure; cumulative: "
                                       "financial year to date from April; annualised: a "
                                       "projected in-year rate; rolling: the last 12 months.")),
    "frequency": ("list", _choices(FREQUENCIES), ("Blank or Monthly; Quarterly or Annual: "
                                                  "figures only at quarter or year ends.")),
    "rag": ("list", _choices(RATINGS), ("Leave blank for the rule's rating, or choose Red, "
                                        "Amber or Green to set it yourself (and say why in "
                                        "rag_note).")),
    "priority": ("list", "priorities!$A$2:$A$200", "An id from the priorities sheet."),
    "measure_id": ("list", "measures!$A$2:$A$500", "An id from the measures sheet."),
    "value": ("", "", ("A number (1,234, or 90 for 90%), a blank cell, or a symbol: c "
                       "(suppressed), z (not applicable), x or : (not available).")),
}
MONTH_MESSAGE = "A month as text, YYYY-MM: e.g. 2024-06."


def workbook_bytes(tables: dict[str, Table]) -> bytes:
    """One sheet per table, named as the README names them, with checks on the columns."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, table in tables.items():
        _fill_sheet(workbook.create_sheet(name), name, table)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _fill_sheet(sheet, name: str, table: Table) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    header, *rows = table
    sheet.append(header)
    for row in rows:
        sheet.append([None if cell == "" else cell for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 18
        if str(column) in QUESTIONS:
            _as_long_text(sheet, letter)
        if column in ("period", "due"):
            _as_text(sheet, letter)
            _add_check(sheet, letter, "custom", _month_rule(f"{letter}2", name == "values"),
                       MONTH_MESSAGE + (" Or latest, for the refresh after the month end."
                                        if name == "values" else ""))
        elif str(column) in CHECKS:
            kind, formula, message = CHECKS[str(column)]
            _add_check(sheet, letter, kind, formula, message)


def _as_text(sheet, letter: str) -> None:
    sheet.column_dimensions[letter].number_format = TEXT
    for cell in sheet[letter][1:]:
        cell.number_format = TEXT


def _as_long_text(sheet, letter: str) -> None:
    """Commentary wraps in a wide column; new rows copy the style when collected."""
    from openpyxl.styles import Alignment

    sheet.column_dimensions[letter].width = 48
    for cell in sheet[letter][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _add_check(sheet, letter: str, kind: str, formula: str, message: str) -> None:
    """A drop-down or rule with its input message; a warning, so an author can still insist."""
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(type=kind or None, formula1=formula or None, allow_blank=True,
                          showInputMessage=True, prompt=message, showErrorMessage=bool(kind),
                          errorStyle="warning", error=message)
    sheet.add_data_validation(rule)
    rule.add(f"{letter}2:{letter}{LAST_ROW}")
