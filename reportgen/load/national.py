"""A national table (every area's figures, with England and the regions) → one checked Project
per local authority, its comparators taken from the same table: England, its region, and the
mean of its statistical neighbours."""

from __future__ import annotations

import difflib
import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportgen.builds import slugify
from reportgen.config.report import CONFIG_FILE, NationalConfig, ReportConfig, load_config
from reportgen.extensions import extension_sections
from reportgen.load.areas import (
    LOCAL,
    NATIONAL,
    Area,
    check_value_areas,
    read_areas,
    read_neighbours,
)
from reportgen.load.dataset import build_dataset
from reportgen.load.dfe import read_dfe
from reportgen.load.project import Project, Settings, check_settings, reporting_period
from reportgen.load.tables import TABLE_FILES, RawTable, read_tables
from reportgen.model import Comparator, Dataset
from reportgen.months import Month
from reportgen.problems import Problem, Problems, shown

ALL = "all"
# A count is not compared with England's or a region's: they count far more children. Rates
# and percentages are, as DfE's LAIT compares them.
COMPARABLE = ("rate", "percent")


@dataclass(frozen=True)
class AreaProject:
    """One local authority's pack, ready to build: its project, and the digests of the
    national tables it was read from (the manifest's inputs)."""

    area: Area
    project: Project
    digests: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class NationalCheck:
    """What validate reports of a national project."""

    areas: list[AreaProject]

    @property
    def period(self) -> str:
        months = sorted({a.project.period.iso for a in self.areas})
        span = months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"
        return f"{span}, {len(self.areas):,} area(s)"


@dataclass
class NationalTables:
    """The national project's tables as read, before they are split by area."""

    shared: dict[str, RawTable]  # priorities, measures, targets, commentary
    values: RawTable
    areas: dict[str, Area]
    neighbours: dict[str, list[str]]
    digests: dict[str, str]  # the manifest's "inputs": table file → sha256


def is_national(root: Path, base_config: Path | None = None) -> bool:
    """Whether report.toml (or the batch's shared one) has [national]; errors are left to the
    full check."""
    from reportgen.config.report import read_config

    raw = read_config(root, Problems(), base_config) if root.is_dir() else None
    return bool(raw) and isinstance(raw, dict) and "national" in raw


def check_national(root: Path, period: str | None = None, base_config: Path | None = None,
                   wanted: str = ALL) -> tuple[NationalCheck | None, Problems]:
    """Every area's project (or those `wanted`: 'all', or codes and names with commas), with
    every problem of the national tables; None when there are errors."""
    problems = Problems()
    config = load_config(root, problems, base_config, extension_sections())
    if config is None or config.national is None:
        return None, problems
    settings = check_settings(root, config, problems)
    tables = _read(root, config, config.national, problems)
    if tables is None or settings is None:
        return None, problems
    chosen = _chosen_areas(tables, wanted, problems)
    datasets = _area_datasets(tables, _needed(tables, chosen), problems)
    if problems.errors:
        return None, problems
    shared = problems.warnings
    projects = []
    for area in chosen:
        project = _area_project(settings, tables, datasets, area, period, shared, problems)
        if project is not None:
            projects.append(AreaProject(area, project, tuple(sorted(tables.digests.items()))))
    return (None if problems.errors else NationalCheck(projects)), problems


def _read(root: Path, config: ReportConfig, national: NationalConfig, problems: Problems
          ) -> NationalTables | None:
    """The tables (files, or [source]'s), the areas and the neighbours (files), checked against
    each other."""
    values: RawTable | None
    areas: dict[str, Area] | None
    if national.layout == "dfe":
        shared = read_tables(root, problems, required=("measures", "priorities"))
        measures = _measure_units(shared.get("measures"))
        read = read_dfe(root, national, measures, problems)
        if read is None:
            return None
        values, areas = read
        digests = _digests(root, [national.file, "neighbours.csv"])
    else:
        shared, queries = _tables(root, config, problems)
        values = shared.get("values")
        areas = read_areas(root, problems)
        if values is None or areas is None:
            return None
        if "area" not in values.columns:
            problems.error(values.source, "missing required column 'area' (the area each row "
                                          "is for: [national] in report.toml)")
            return None
        digests = {**_digests(root, ["areas.csv", "neighbours.csv", "data.xlsx"]), **queries}
    if config.source is None:
        digests.update(_digests(root, TABLE_FILES))
    if "comparators" in shared:
        problems.warning(shared["comparators"].source, "not read: a national project's "
                         "comparators are England, the region and the statistical neighbours, "
                         "from the values")
    neighbours = read_neighbours(root, areas, problems)
    check_value_areas(values, areas, problems)
    for name in ("targets", "commentary"):
        if name in shared and "area" in shared[name].columns:
            check_value_areas(shared[name], areas, problems, blank_ok=True)
    kept = {k: v for k, v in shared.items() if k in ("priorities", "measures", "targets",
                                                       "commentary")}
    return NationalTables(kept, values, areas, neighbours, digests)


def _tables(root: Path, config: ReportConfig, problems: Problems
            ) -> tuple[dict[str, RawTable], dict[str, str]]:
    """The project's tables from its files, or from [source] (with each query's digest)."""
    if config.source is None:
        return read_tables(root, problems), {}
    from reportgen.load.sql import query_label, read_source

    read = read_source(root, config.source, problems)
    if read is None:
        return {}, {}
    return read.tables, {query_label(name): digest for name, digest in read.digests.items()}


def _digests(root: Path, names: Iterable[str]) -> dict[str, str]:
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest()
            for name in names if (root / name).is_file()}


def _measure_units(table: RawTable | None) -> dict[str, str]:
    """measure id → unit, as far as the measures table says (it is checked elsewhere)."""
    if table is None:
        return {}
    return {cells.get("id", ""): cells.get("unit", "").strip().lower()
            for _, cells in table.rows + table.unreadable}


def _chosen_areas(tables: NationalTables, wanted: str, problems: Problems) -> list[Area]:
    """The local authorities asked for, in the areas table's order; each must have figures."""
    locals_ = [a for a in tables.areas.values() if a.level == LOCAL]
    if wanted.strip().lower() == ALL:
        chosen = locals_
    else:
        chosen = []
        for token in (t.strip() for t in wanted.split(",")):
            area = _find_area(token, tables.areas, problems)
            if area is not None and area not in chosen:
                chosen.append(area)
    with_rows = {cells.get("area", "").strip() for _, cells in tables.values.rows}
    for area in chosen:
        if area.code not in with_rows:
            problems.error(tables.values.source, f"area {area.code} ({area.name}) has no rows; "
                           f"give its figures, or leave it out of --areas")
    return chosen


def _find_area(token: str, areas: dict[str, Area], problems: Problems) -> Area | None:
    lower = token.lower()
    found = next((a for a in areas.values() if lower in (a.code.lower(), a.name.lower())
                  or (a.old_code and lower == a.old_code.lower())), None)
    if found is None:
        names = [a.name for a in areas.values() if a.level == LOCAL]
        close = difflib.get_close_matches(token, names + list(areas), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        problems.error("--areas", f"{shown(token)} is not an area's code or name{hint}")
    elif found.level != LOCAL:
        problems.error("--areas", f"{shown(token)} is {found.level.lower()}; packs are built "
                                  f"for local authorities, and compared with it")
        return None
    return found


def _needed(tables: NationalTables, chosen: Sequence[Area]) -> list[str]:
    """The areas whose figures the chosen packs show: theirs, England's, their regions' and
    their neighbours'; every area when all are built, so every row is checked."""
    codes = {a.code for a in chosen}
    codes |= {a.code for a in tables.areas.values() if a.level == NATIONAL}
    codes |= {a.region for a in chosen if a.region}
    codes |= {n for a in chosen for n in tables.neighbours.get(a.code, [])}
    return [c for c in tables.areas if c in codes]


def _area_datasets(tables: NationalTables, codes: list[str], problems: Problems
                   ) -> dict[str, Dataset]:
    """Each area's figures checked as one project's would be; a problem found in the shared
    tables (measures, say) is listed once, not once an area."""
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {c: [] for c in codes}
    for row, cells in tables.values.rows:
        rows.setdefault(cells.get("area", "").strip(), []).append((row, cells))
    seen: set[Problem] = set(problems.items)
    datasets = {}
    for code in codes:
        found = Problems()
        values = replace(tables.values, rows=rows[code], unreadable=[])
        area_tables = {**{k: _for_area(t, code) for k, t in tables.shared.items()},
                       "values": values}
        datasets[code] = build_dataset(area_tables, found)
        for problem in found.items:
            if problem not in seen:
                seen.add(problem)
                problems.items.append(problem)
    return datasets


def _for_area(table: RawTable, code: str) -> RawTable:
    """A shared table's rows for one area: all of them, or, with an area column, those for
    the area or for every area (blank)."""
    if "area" not in table.columns:
        return table
    return replace(table, rows=[(r, c) for r, c in table.rows
                                if c.get("area", "").strip() in ("", code)])


def _area_project(settings: Settings, tables: NationalTables, datasets: dict[str, Dataset],
                  area: Area, period: str | None, shared: list[Problem], problems: Problems
                  ) -> Project | None:
    config = area_config(settings.config, area)
    data = replace(datasets[area.code],
                   comparators=_comparators(tables, datasets, area, config))
    found = Problems()
    month = reporting_period(data, config, period, found)
    for problem in found.items:  # the same warning for every area is listed once
        shown_as = replace(problem, message=f"{area.label}: {problem.message}") \
            if problem.is_error else problem
        if shown_as not in problems.items:
            problems.items.append(shown_as)
    if month is None:
        return None
    return Project(Settings(settings.root, config, settings.theme), data, month,
                   _distinct([*shared, *found.warnings]))


def _distinct(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def area_config(config: ReportConfig, area: Area) -> ReportConfig:
    """The area's pack: its name as the organisation, and first in the file name."""
    prefix = re.sub(r"[^A-Za-z0-9._-]+", "-", slugify(area.name))
    return replace(config, organisation=area.name, output_name=f"{prefix}-{config.output_name}")


def _comparators(tables: NationalTables, datasets: dict[str, Dataset], area: Area,
                 config: ReportConfig) -> dict[str, tuple[Comparator, ...]]:
    """England's, the region's and the neighbours' mean, each a series by month, under the
    names the areas table gives them (the mean: [national] neighbours_name); for rates and
    percentages only."""
    national = next(a for a in tables.areas.values() if a.level == NATIONAL)
    neighbours = tables.neighbours.get(area.code, [])
    name = config.national.neighbours_name if config.national else ""
    result: dict[str, tuple[Comparator, ...]] = {}
    for measure in datasets[area.code].measures:
        if measure.unit not in COMPARABLE:
            continue
        lines = _series(national.name, datasets[national.code], measure.id)
        if area.region:
            lines += _series(tables.areas[area.region].name, datasets[area.region], measure.id)
        if neighbours:
            lines += _mean(name, [datasets[n] for n in neighbours], measure.id)
        result[measure.id] = tuple(lines)
    return result


def _series(name: str, data: Dataset, measure_id: str) -> list[Comparator]:
    return [Comparator(name, o.value, month)
            for month, o in sorted(data.values.get(measure_id, {}).items())
            if o.value is not None]


def _mean(name: str, neighbours: list[Dataset], measure_id: str) -> list[Comparator]:
    """For each month, the mean of the neighbours that have a figure for it (a suppressed or
    missing figure is left out of the mean, never counted as zero)."""
    by_month: dict[Month, list[float]] = {}
    for data in neighbours:
        for month, observation in data.values.get(measure_id, {}).items():
            if observation.value is not None:
                by_month.setdefault(month, []).append(observation.value)
    return [Comparator(name, math.fsum(values) / len(values), month)
            for month, values in sorted(by_month.items())]


def refuse_single_build(problems: Problems) -> None:
    """`build` of a national project: it has one pack per area, built by batch."""
    problems.error(CONFIG_FILE, "[national] makes one pack per area: build them with "
                                "'reportgen batch PROJECT --areas all' (or name the areas)")

