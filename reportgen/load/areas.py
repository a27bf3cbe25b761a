"""The areas table (code, name, level, region) and the neighbours table (area, neighbour) →
checked Areas and each local authority's statistical neighbours; every problem by file, row
and column."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportgen.load.tables import RawTable, read_extra_table
from reportgen.problems import Problems, shown

NATIONAL, REGIONAL, LOCAL = "National", "Regional", "Local authority"
LEVELS = (NATIONAL, REGIONAL, LOCAL)
AREA_COLUMNS = {"code": True, "name": True, "level": True, "region": False}
NEIGHBOUR_COLUMNS = ("area", "neighbour")


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str  # National, Regional or Local authority
    region: str  # a local authority's region's code ("" when none is given)
    row: int  # where the areas table (or the DfE file) first names it
    old_code: str = ""  # DfE's old_la_code (e.g. 340), also accepted by --areas

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def folder(self) -> str:
        return self.code


def read_areas(root: Path, problems: Problems) -> dict[str, Area] | None:
    """The areas table: areas.csv, or the sheet 'areas' of data.xlsx."""
    if not (root / "areas.csv").exists() and not (root / "data.xlsx").exists():
        problems.error("areas.csv", f"required table 'areas' is missing: no areas.csv in "
                                    f"{root}; [national] needs one (code, name, level, region)")
        return None
    name = "areas.csv" if (root / "areas.csv").exists() else "areas"
    table = read_extra_table(root, name, "areas", problems)
    if table is None:
        return None
    missing = [c for c, required in AREA_COLUMNS.items() if required and c not in table.columns]
    if missing:
        problems.error(table.source, f"missing required column {shown(missing[0])}; expected "
                                     f"columns {', '.join(AREA_COLUMNS)}")
        return None
    areas: dict[str, Area] = {}
    by_lower = {level.lower(): level for level in LEVELS}
    for row, cells in table.rows:
        code, name = cells.get("code", "").strip(), cells.get("name", "").strip()
        level = by_lower.get(cells.get("level", "").strip().lower())
        if not code:
            problems.error(table.source, "code is blank", row, "code")
        elif code in areas:
            problems.error(table.source, f"code {shown(code)} is also on row "
                                         f"{areas[code].row}", row, "code")
        if not name:
            problems.error(table.source, "name is blank", row, "name")
        if level is None:
            problems.error(table.source, f"{shown(cells.get('level', ''))} is not a level; "
                                         f"expected one of {', '.join(LEVELS)}", row, "level")
        if code and code not in areas and name and level:
            areas[code] = Area(code, name, level, cells.get("region", "").strip(), row)
    check_areas(areas, table.source, problems)
    return areas


def check_areas(areas: dict[str, Area], source: str, problems: Problems) -> None:
    """One national row; each local authority's region is a regional area."""
    national = [a for a in areas.values() if a.level == NATIONAL]
    if len(national) != 1:
        rows = ", ".join(str(a.row) for a in national)
        problems.error(source, f"expected one area of level {NATIONAL} (England), found "
                               f"{len(national)}{f' (rows {rows})' if rows else ''}")
    regions = {a.code for a in areas.values() if a.level == REGIONAL}
    for area in areas.values():
        if area.level == LOCAL and area.region and area.region not in regions:
            problems.error(source, f"region {shown(area.region)} is not the code of an area "
                                   f"of level {REGIONAL}{hint(area.region, regions)}",
                           area.row, "region")


def hint(text: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(text, sorted(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def read_neighbours(root: Path, areas: dict[str, Area], problems: Problems) -> dict[str, list[str]]:
    """Each local authority's statistical neighbours, in the table's order (optional table)."""
    exists = (root / "neighbours.csv").exists() or (root / "data.xlsx").exists()
    if not exists:
        return {}
    scratch = Problems()
    name = "neighbours.csv" if (root / "neighbours.csv").exists() else "neighbours"
    table = read_extra_table(root, name, "neighbours", scratch)
    if table is None:  # no such sheet in data.xlsx: the table is optional
        problems.items.extend(p for p in scratch.items if "no sheet" not in p.message)
        return {}
    problems.items.extend(scratch.items)
    missing = [c for c in NEIGHBOUR_COLUMNS if c not in table.columns]
    if missing:
        problems.error(table.source, f"missing required column {shown(missing[0])}; expected "
                                     f"columns {', '.join(NEIGHBOUR_COLUMNS)}")
        return {}
    result: dict[str, list[str]] = {}
    seen: dict[tuple[str, str], int] = {}
    locals_ = {c for c, a in areas.items() if a.level == LOCAL}
    for row, cells in table.rows:
        area, neighbour = cells.get("area", "").strip(), cells.get("neighbour", "").strip()
        ok = True
        for column, code in (("area", area), ("neighbour", neighbour)):
            if code not in locals_:
                what = "blank" if not code else (
                    f"{shown(code)} is a {areas[code].level.lower()} area, not a local "
                    f"authority" if code in areas else
                    f"{shown(code)} is not an area in the areas table{hint(code, locals_)}")
                problems.error(table.source, what, row, column)
                ok = False
        if ok and area == neighbour:
            problems.error(table.source, f"{shown(area)} is given as its own neighbour", row,
                           "neighbour")
        elif ok and (area, neighbour) in seen:
            problems.error(table.source, f"{area} and {neighbour} are also paired on row "
                                         f"{seen[(area, neighbour)]}", row, "neighbour")
        elif ok:
            seen[(area, neighbour)] = row
            result.setdefault(area, []).append(neighbour)
    return result


def check_value_areas(table: RawTable, areas: dict[str, Area], problems: Problems,
                       blank_ok: bool = False) -> None:
    """Each row's area is a code in the areas table; an unknown code is said once, on its
    first row, with how many more rows have it."""
    unknown: dict[str, list[int]] = {}
    for row, cells in table.rows:
        code = cells.get("area", "").strip()
        if not code and not blank_ok:
            problems.error(table.source, "area is blank; expected an area's code", row, "area")
        elif code and code not in areas:
            unknown.setdefault(code, []).append(row)
    for code, rows in unknown.items():
        more = f" (also on {len(rows) - 1:,} more row(s))" if len(rows) > 1 else ""
        problems.error(table.source, f"area {shown(code)} is not a code in the areas table"
                                     f"{hint(code, areas)}{more}", rows[0], "area")
