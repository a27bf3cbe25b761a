"""A CSV in DfE's published statistics layout (explore-education-statistics open data: one row
per area and time period, one column per indicator) → the national values table and its areas.

Each row's area comes from its geographic_level: National → country_code and country_name,
Regional → region_code and region_name, Local authority → new_la_code and la_name (with
region_code, and old_la_code, which --areas also takes). Other levels are skipped. The month
of a figure comes from time_period and time_identifier (TIME_IDENTIFIERS)."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from reportgen.config.report import CONFIG_FILE, NationalConfig
from reportgen.load.areas import Area, check_areas
from reportgen.load.numbers import parse_value
from reportgen.load.tables import RawTable, _read_csv, normalise_column
from reportgen.problems import Problems, shown

# time_identifier → (the month a figure is for, whether time_period is two years, 202223).
# A financial or reporting year ends in March (children's social care's year to 31 March), an
# academic year in August; a month's name is the month of that year (e.g. "March", at 31 March).
YEAR_ENDS = {"financial year": (3, True), "reporting year": (3, False),
             "academic year": (8, True), "calendar year": (12, False)}
QUARTERS = {"financial year q1": (6, 0), "financial year q2": (9, 0),
            "financial year q3": (12, 0), "financial year q4": (3, 1)}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
TIME_IDENTIFIERS = (*(k.capitalize() for k in YEAR_ENDS), "Financial year Q1 to Q4",
                    "a month's name (e.g. March)")
LEVEL_COLUMNS = {"National": ("country_code", "country_name"),
                 "Regional": ("region_code", "region_name"),
                 "Local authority": ("new_la_code", "la_name")}
REQUIRED = ("time_period", "time_identifier", "geographic_level")


def read_dfe(root: Path, national: NationalConfig, units: dict[str, str], problems: Problems
             ) -> tuple[RawTable, dict[str, Area]] | None:
    """(values: area, measure_id, period, value rows, each on its file row; the areas by
    code), or None with the problems recorded. units: measure id → unit, to check figures."""
    if not national.file:
        problems.error(CONFIG_FILE, "[national] layout 'dfe' needs 'file': the CSV file in "
                                    "DfE's layout, e.g. file = \"la_children_in_need.csv\"")
        return None
    path = root / national.file
    if not path.resolve().is_relative_to(root.resolve()) or not path.is_file():
        problems.error(CONFIG_FILE, f"'national.file' is {national.file!r}: no such file in "
                                    f"the project folder {root}")
        return None
    table = _read_csv(path, "values", problems)
    if table is None or not _has_columns(table, national, units, problems):
        return None
    values = RawTable("values", table.source, ["area", "measure_id", "period", "value"])
    areas: dict[str, Area] = {}
    for row, cells in table.rows:
        level = _level(cells.get("geographic_level", ""))
        if level is None:
            continue  # another geography (a district, a constituency): not a pack or comparator
        code_column, name_column = LEVEL_COLUMNS[level]
        code, name = cells.get(code_column, "").strip(), cells.get(name_column, "").strip()
        if not code:
            problems.error(table.source, f"{code_column} is blank on a row of level {level}",
                           row, code_column)
            continue
        if code not in areas:
            region = cells.get("region_code", "").strip() if level == "Local authority" else ""
            areas[code] = Area(code, name or code, level, region, row,
                               cells.get("old_la_code", "").strip())
        month = _month(cells, table.source, row, problems)
        for measure_id, column in national.measures:
            text = cells.get(normalise_column(column), "")
            _, _, error = parse_value(text, units.get(measure_id))
            if error:
                problems.error(table.source, error, row, normalise_column(column))
            elif month is not None:
                values.rows.append((row, {"area": code, "measure_id": measure_id,
                                          "period": month, "value": text}))
    check_areas(areas, table.source, problems)
    return values, areas


def _level(text: str) -> str | None:
    return {level.lower(): level for level in LEVEL_COLUMNS}.get(text.strip().lower())


def _has_columns(table: RawTable, national: NationalConfig, units: dict[str, str],
                 problems: Problems) -> bool:
    ok = True
    needed = [*REQUIRED, *(c for pair in LEVEL_COLUMNS.values() for c in pair)]
    for column in needed:
        if column not in table.columns:
            problems.error(table.source, f"missing required column '{column}' of DfE's layout; "
                                         f"expected {', '.join(needed)} and the indicators")
            ok = False
    if not national.measures:
        problems.error(CONFIG_FILE, "[national.measures] is empty: map each measure to its "
                                    "indicator column, e.g. cla_rate = \"rate_per_10000\"")
        ok = False
    for measure_id, column in national.measures:
        key = f"'national.measures.{measure_id}'"
        if normalise_column(column) not in table.columns:
            close = difflib.get_close_matches(normalise_column(column), table.columns, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.error(CONFIG_FILE, f"{key} is {column!r}: {table.source} has no such "
                                        f"column{hint}")
            ok = False
        if units and measure_id not in units:
            problems.error(CONFIG_FILE, f"{key}: {measure_id!r} is not an id in measures")
            ok = False
    return ok


def _month(cells: dict[str, str], source: str, row: int, problems: Problems) -> str | None:
    """The YYYY-MM a row's figures are for, from time_period and time_identifier."""
    period, identifier = cells.get("time_period", "").strip(), \
        cells.get("time_identifier", "").strip()
    key = identifier.lower()
    two_years = YEAR_ENDS.get(key, (0, False))[1] or key in QUARTERS
    if not re.fullmatch(r"\d{6}" if two_years else r"\d{4}", period) or \
            (two_years and int(period[4:]) != (int(period[2:4]) + 1) % 100):
        expected = "two years as in 202223" if two_years else "a year as in 2023"
        if key in YEAR_ENDS or key in QUARTERS or key in MONTHS:
            problems.error(source, f"{shown(period)} is not a time_period for "
                                   f"{shown(identifier)}; expected {expected}", row,
                           "time_period")
            return None
    year = int(period[:4]) if period[:4].isdigit() else 0
    if key in YEAR_ENDS:
        month, _ = YEAR_ENDS[key]
        return f"{year + 1 if two_years else year:04d}-{month:02d}"
    if key in QUARTERS:
        month, later = QUARTERS[key]
        return f"{year + later:04d}-{month:02d}"
    if key in MONTHS:
        return f"{year:04d}-{MONTHS.index(key) + 1:02d}"
    problems.error(source, f"{shown(identifier)} is not a time_identifier reportgen can place "
                           f"in a month; expected one of {', '.join(TIME_IDENTIFIERS)}", row,
                   "time_identifier")
    return None
