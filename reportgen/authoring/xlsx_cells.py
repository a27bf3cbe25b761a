"""An .xlsx file and new text for some cells of one sheet → the same workbook with only those
cells changed; every other part of the file (other sheets, formulas and their saved results,
charts, styles) is copied byte for byte.

Saving through openpyxl would drop charts and images and the saved results of formulas (which
the loader then refuses), so the one sheet's XML is edited in place instead.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from copy import copy as clone
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_REF = re.compile(r"^([A-Z]+)(\d+)$")

Cells = dict[int, dict[int, str]]  # row → column (1 = A) → text ("" empties the cell)


class CannotEdit(Exception):
    """The workbook is not one this module can change safely; the message says why."""


@dataclass
class _Row:
    number: int
    attributes: str
    cells: dict[int, str]  # column → the cell's XML


def set_cells(path: Path, sheet_name: str, cells: Cells) -> bytes:
    """The workbook's bytes with the given cells of sheet_name set to text."""
    with zipfile.ZipFile(path) as archive:
        part = sheet_part(archive, sheet_name)
        xml = archive.read(part).decode("utf-8")
        changed = {part: _edit_sheet(xml, cells)}
        last_row = max(cells)
        for table in _table_parts(archive, part):
            changed[table] = _extend_ref(archive.read(table).decode("utf-8"), "table", last_row)
        return _rezip(archive, {name: text.encode("utf-8") for name, text in changed.items()})


def sheet_part(archive: zipfile.ZipFile, sheet_name: str) -> str:
    """The zip member holding the sheet named sheet_name (case and spaces aside)."""
    from defusedxml.ElementTree import fromstring

    wanted = sheet_name.strip().lower()
    book = fromstring(archive.read("xl/workbook.xml"))
    ids = [s.get(f"{{{RELATIONSHIP}}}id") for s in book.iter(f"{{{MAIN}}}sheet")
           if (s.get("name") or "").strip().lower() == wanted]
    targets = _relationships(archive, "xl/workbook.xml")
    if not ids or ids[0] not in targets:
        raise CannotEdit(f"no sheet '{sheet_name}' found inside the workbook")
    return targets[ids[0]]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id → the zip member it points to."""
    from defusedxml.ElementTree import fromstring

    folder, name = posixpath.split(part)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return {}
    found = {}
    for rel in fromstring(archive.read(rels)).iter(f"{{{PACKAGE}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External":
            found[rel.get("Id") or ""] = target.lstrip("/") if target.startswith("/") else \
                posixpath.normpath(posixpath.join(folder, target))
    return found


def _table_parts(archive: zipfile.ZipFile, sheet: str) -> list[str]:
    """The sheet's Excel tables ("Format as Table"), whose ranges must grow with new rows."""
    return [t for t in _relationships(archive, sheet).values()
            if posixpath.basename(posixpath.dirname(t)) == "tables"]


def _edit_sheet(xml: str, cells: Cells) -> str:
    match = re.search(r"<(?P<p>(?:\w+:)?)sheetData\b[^>]*?(?:/>|>(?P<body>.*?)</(?P=p)sheetData>)",
                      xml, re.S)
    if match is None:
        raise CannotEdit("the sheet has no cell data")
    prefix = match["p"]
    rows = _parse_rows(match["body"] or "", prefix)
    styles = _column_styles(rows)
    for number, texts in sorted(cells.items()):
        row = rows.setdefault(number, _Row(number, f' r="{number}"', {}))
        row.attributes = re.sub(r'\sspans="[^"]*"', "", row.attributes)  # a hint; now stale
        for column, text in texts.items():
            style = _style(row.cells.get(column)) or styles.get((number == 1, column), "")
            row.cells[column] = _cell_xml(prefix, column, number, text, style)
    body = "".join(_row_xml(prefix, rows[n]) for n in sorted(rows))
    edited = (f"{xml[:match.start()]}<{prefix}sheetData>{body}</{prefix}sheetData>"
              f"{xml[match.end():]}")
    return _extend_dimension(_extend_ref(edited, "autoFilter", max(cells)), rows)


def _parse_rows(body: str, prefix: str) -> dict[int, _Row]:
    rows: dict[int, _Row] = {}
    pattern = rf"<{prefix}row\b(?P<a>[^>]*?)(?:/>|>(?P<body>.*?)</{prefix}row>)"
    for match in re.finditer(pattern, body, re.S):
        number = re.search(r'\sr="(\d+)"', match["a"])
        if number is None:
            raise CannotEdit("a row has no number (r attribute)")
        row = _Row(int(number[1]), match["a"], {})
        cell_pattern = rf"<{prefix}c\b(?P<a>[^>]*?)(?:/>|>.*?</{prefix}c>)"
        for cell in re.finditer(cell_pattern, match["body"] or "", re.S):
            reference = re.search(r'\sr="([A-Z]+)\d+"', cell["a"])
            if reference is None:
                raise CannotEdit(f"a cell in row {row.number} has no reference (r attribute)")
            row.cells[_column_number(reference[1])] = cell[0]
        rows[row.number] = row
    return rows


def _column_styles(rows: dict[int, _Row]) -> dict[tuple[bool, int], str]:
    """(header?, column) → the style of that column's last cell, for new cells to match."""
    styles = {}
    for number in sorted(rows):
        for column, xml in rows[number].cells.items():
            if style := _style(xml):
                styles[(number == 1, column)] = style
    return styles


def _style(cell_xml: str | None) -> str:
    found = re.search(r'\ss="(\d+)"', cell_xml or "")
    return found[1] if found else ""


def _cell_xml(prefix: str, column: int, row: int, text: str, style: str) -> str:
    reference = f"{_column_letters(column)}{row}"
    styled = f' s="{style}"' if style else ""
    if not text:
        return f'<{prefix}c r="{reference}"{styled}/>'
    clean = escape(_NOT_XML.sub("", text), {'"': "&quot;"})
    return (f'<{prefix}c r="{reference}"{styled} t="inlineStr"><{prefix}is>'
            f'<{prefix}t xml:space="preserve">{clean}</{prefix}t></{prefix}is></{prefix}c>')


def _row_xml(prefix: str, row: _Row) -> str:
    cells = "".join(row.cells[c] for c in sorted(row.cells))
    return f"<{prefix}row{row.attributes}>{cells}</{prefix}row>" if cells else \
        f"<{prefix}row{row.attributes}/>"


def _extend_ref(xml: str, element: str, last_row: int) -> str:
    """Grow the range of a table or filter (`ref="A1:E5"`) down to last_row, if it is above."""
    def grow(match: re.Match[str]) -> str:
        end = _REF.match(match["end"])
        if end is None or int(end[2]) >= last_row:
            return match[0]
        return f'{match["head"]}{match["start"]}:{end[1]}{last_row}"'
    pattern = (rf'(?P<head><(?:\w+:)?{element}\b[^>]*?\sref=")'
               r'(?P<start>[A-Z]+\d+):(?P<end>[A-Z]+\d+)"')
    return re.sub(pattern, grow, xml)


def _extend_dimension(xml: str, rows: dict[int, _Row]) -> str:
    """The sheet's used range, which Excel reads as a hint, covers the new cells."""
    last_row = max(rows, default=1)
    last_column = max((c for r in rows.values() for c in r.cells), default=1)
    return re.sub(r'(<(?:\w+:)?dimension\b[^>]*?\sref=")[^"]*"',
                  lambda m: f'{m[1]}A1:{_column_letters(last_column)}{last_row}"', xml, count=1)


def _rezip(archive: zipfile.ZipFile, replaced: dict[str, bytes]) -> bytes:
    """Every member as it was (name, date, compression, order), but the replaced ones."""
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as copy:
        for info in archive.infolist():
            content = replaced.get(info.filename) or archive.read(info)
            copy.writestr(clone(info), content)  # writestr updates sizes on the info it gets
    return stream.getvalue()


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
