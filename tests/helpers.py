"""Test helpers: turn a CSV project into data.xlsx, edit CSV tables."""

from __future__ import annotations

import base64
import csv
import datetime as dt
from pathlib import Path

from reportgen.load.tables import TABLE_NAMES


def csv_project_to_workbook(project: Path, month_cells_as_dates: bool = False) -> Path:
    """Write the project's CSV tables as sheets of data.xlsx and remove the CSV files."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name in TABLE_NAMES:
        path = project / f"{name}.csv"
        if not path.exists():
            continue
        sheet = workbook.create_sheet(name)
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.reader(stream))
        sheet.append(rows[0])
        for row in rows[1:]:
            sheet.append([_cell(rows[0][i], text, month_cells_as_dates)
                          for i, text in enumerate(row)])
        path.unlink()
    target = project / "data.xlsx"
    workbook.save(target)
    return target


def _cell(column: str, text: str, month_cells_as_dates: bool) -> object:
    if month_cells_as_dates and column in ("period", "due") and len(text) == 7:
        return dt.datetime(int(text[:4]), int(text[5:]), 1)
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text or None
    return int(number) if number.is_integer() else number


def rewrite_csv(path: Path, edit) -> None:
    """Apply edit(rows) to a CSV file's rows (header included) and save it."""
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    edit(rows)
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def chart_pngs(specs: list, style, cache_dir: Path | None, jobs: int) -> list[bytes]:
    """The charts' PNGs as the PDF writer gets them: from the cache the sources point at, or
    decoded from a data: URI."""
    from reportgen.charts.cache import chart_sources
    from reportgen.publish.cache import KeyedCache
    from reportgen.resources import CHART_SCHEME, CHART_SUFFIX

    pngs = []
    for source in chart_sources(specs, style, cache_dir, jobs):
        if source.startswith(CHART_SCHEME + ":"):
            assert cache_dir is not None
            png = KeyedCache(cache_dir, CHART_SUFFIX).get(source.split(":", 1)[1])
            assert png is not None
            pngs.append(png)
        else:
            pngs.append(base64.b64decode(source.split(",", 1)[1]))
    return pngs
