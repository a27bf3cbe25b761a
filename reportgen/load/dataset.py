"""Raw text tables → a typed Dataset of measures, values, milestones, commentary, comparators."""

from __future__ import annotations

import difflib
import re
from typing import cast

from reportgen.load.numbers import SYMBOLS as SYMBOLS  # where the pages look them up
from reportgen.load.numbers import parse_value
from reportgen.load.tables import RawTable
from reportgen.model import (
    FREQUENCIES,
    KINDS,
    LATEST,
    POLARITIES,
    RATINGS,
    UNITS,
    AuthorRating,
    Commentary,
    Comparator,
    Dataset,
    Frequency,
    Kind,
    Measure,
    Milestone,
    Observation,
    Polarity,
    Priority,
    Unit,
)
from reportgen.months import Month
from reportgen.problems import Problems, cut, shown

_ID = re.compile(r"^[A-Za-z0-9_]+$")
MAX_COLUMNS_SHOWN = 20  # of a header's names in a message

# table → {column: required}; listed order is the order in messages.
COLUMNS: dict[str, dict[str, bool]] = {
    "measures": {"id": True, "title": True, "priority": True, "group": False, "unit": True,
                 "polarity": True, "target": False, "tolerance_low": False,
                 "tolerance_high": False, "frequency": False, "chart_title": False,
                 "kind": False, "label": False, "group_title": False},
    "priorities": {"id": True, "title": True},
    "values": {"measure_id": True, "period": True, "value": True, "rag": False,
               "rag_note": False},
    "targets": {"measure_id": True, "due": True, "target": True},
    "commentary": {"page": True, "period": True, "working_well": False, "worried_about": False,
                   "doing_about_it": False},
    "comparators": {"measure_id": True, "name": True, "value": True, "period": False},
}


def build_dataset(tables: dict[str, RawTable], problems: Problems,
                  other_pages: frozenset[str] | None = frozenset()) -> Dataset:
    """Check every table against its columns and each other; collect every problem.

    One mistake is one message: a table whose header lacks a column is not read, but the ids
    its rows declare still count, so references to them are not reported again."""
    readable = {name: t for name, t in tables.items() if _has_columns(t, problems)}
    priorities = _priorities(readable.get("priorities"), problems)
    measures = _measures(readable.get("measures"), _declared(tables.get("priorities")),
                         {p.id for p in priorities}, problems)
    group_titles = _group_titles(readable.get("measures"), problems)
    by_id = {m.id: m for m in measures}
    declared = _declared(tables.get("measures"))
    declared_pages = _declared(tables.get("measures"), pages=True)
    source = tables["values"].source if "values" in tables else "values.csv"
    values, latest = _values(readable.get("values"), by_id, declared, problems)
    _warn_about_fractions(measures, values, source, problems)
    return Dataset(
        priorities=tuple(priorities), measures=tuple(measures), values=values, latest=latest,
        milestones={k: tuple(v) for k, v in
                    _milestones(readable.get("targets"), by_id, declared, problems).items()},
        commentary=_commentary(readable.get("commentary"), by_id, declared_pages, problems,
                               other_pages),
        comparators={k: tuple(v) for k, v in
                     _comparators(readable.get("comparators"), by_id, declared, problems).items()},
        group_titles=group_titles, values_source=source)


def _warn_about_fractions(measures: list[Measure], values: dict[str, dict[Month, Observation]],
                          source: str, problems: Problems) -> None:
    """0.9 for 90% is a valid percentage, so only the whole series gives the mistake away."""
    for measure in measures:
        numbers = [o.value for o in values[measure.id].values() if o.value is not None]
        if measure.unit == "percent" and numbers and 0 < max(numbers) <= 1:
            problems.warning(source, f"measure '{measure.id}': every value is 1% or "
                                                 f"less; were percentages given as fractions "
                                                 f"(0.9 for 90%)?", column="value")


def _has_columns(table: RawTable, problems: Problems) -> bool:
    expected = COLUMNS[table.name]
    missing = [c for c, required in expected.items() if required and c not in table.columns]
    for column in missing:
        found = [c for c in table.columns if c]
        close = difflib.get_close_matches(column, [c for c in found if c not in expected], n=1)
        hint = f"; did you mean {shown(close[0])}?" if close else ""
        problems.error(table.source, f"missing required column '{column}'; expected columns "
                                     f"{', '.join(expected)}; found {_names(found)}{hint}")
    return not missing


def _names(names: list[str]) -> str:
    """A header's names for a message: each cut, and at most 20 of them."""
    text = ", ".join(cut(name) for name in names[:MAX_COLUMNS_SHOWN])
    more = len(names) - MAX_COLUMNS_SHOWN
    return f"{text} and {more:,} more" if more > 0 else text


def _declared(table: RawTable | None, pages: bool = False) -> set[str] | None:
    """Every id the table's rows declare (with pages=True, the measures' pages), rows with
    errors included: their references are not reported again. A malformed id ('cin number',
    'B.') also counts in the form references use ('cin_number', 'B'). None when the ids cannot
    be known (no table, or no id column): references to it are not checked."""
    if table is None or "id" not in table.columns:
        return None
    ids = set()
    for _, cells in table.rows + table.unreadable:
        ident = (cells.get("group") if pages else "") or cells.get("id", "")
        ids.add(ident)
        if not _ID.match(ident):
            ids.add(re.sub(r"[^A-Za-z0-9_]+", "_", ident).strip("_"))
    return ids


def _unique_id(table: RawTable, row: int, cells: dict[str, str], seen: dict[str, int],
               problems: Problems) -> str | None:
    ident = cells.get("id", "")
    if not _ID.match(ident):
        problems.error(table.source, f"id {shown(ident)} must be letters, digits or underscores",
                       row, "id")
        return None
    if ident in seen:
        problems.error(table.source, f"id {shown(ident)} is also on row {seen[ident]}", row, "id")
        return None
    seen[ident] = row
    return ident


def _priorities(table: RawTable | None, problems: Problems) -> list[Priority]:
    if table is None:
        return []
    seen: dict[str, int] = {}
    result = []
    for row, cells in table.rows:
        ident = _unique_id(table, row, cells, seen, problems)
        if ident and not cells.get("title"):
            problems.error(table.source, "title is blank", row, "title")
        elif ident:
            result.append(Priority(ident, cells["title"]))
    return result


def _choice(table: RawTable, row: int, cells: dict[str, str], column: str,
            choices: tuple[str, ...], problems: Problems) -> str | None:
    value = cells.get(column, "").strip().lower()
    if value in choices:
        return value
    problems.error(table.source, f"{shown(cells.get(column, ''))} is not a valid {column}; "
                                 f"expected one of {', '.join(choices)}", row, column)
    return None


def _optional_choice(table: RawTable, row: int, cells: dict[str, str], column: str,
                     choices: tuple[str, ...], problems: Problems) -> str | None:
    """A blank cell is the first choice; any case is fine ('quarterly' is Quarterly)."""
    text = cells.get(column, "").strip()
    by_lower = {c.lower(): c for c in choices}
    if not text or text.lower() in by_lower:
        return by_lower.get(text.lower(), choices[0])
    problems.error(table.source, f"{shown(text)} is not a valid {column}; expected one of "
                                 f"{', '.join(choices)}", row, column)
    return None


def _number(table: RawTable, row: int, cells: dict[str, str], column: str, unit: str | None,
            problems: Problems) -> float | None:
    number, symbol, error = parse_value(cells.get(column, ""), unit)
    if error or symbol:
        problems.error(table.source, error or f"'{symbol}' is not allowed here; expected a "
                                              f"number or a blank cell", row, column)
    return number


def _measures(table: RawTable | None, priority_ids: set[str] | None, built: set[str],
              problems: Problems) -> list[Measure]:
    if table is None:
        return []
    seen: dict[str, int] = {}
    result = []
    for row, cells in table.rows:
        ident = _unique_id(table, row, cells, seen, problems)
        unit = _choice(table, row, cells, "unit", UNITS, problems)
        polarity = _choice(table, row, cells, "polarity", POLARITIES, problems)
        kind = _optional_choice(table, row, cells, "kind", KINDS, problems)
        frequency = _optional_choice(table, row, cells, "frequency", FREQUENCIES, problems)
        priority = cells.get("priority", "")
        if priority_ids is not None and priority not in priority_ids:
            problems.error(table.source, f"priority {shown(priority)} is not an id in "
                                         f"priorities; known: {', '.join(sorted(built))}",
                           row, "priority")
        if not cells.get("title"):
            problems.error(table.source, "title is blank", row, "title")
        numbers = {c: _number(table, row, cells, c, unit, problems)
                   for c in ("target", "tolerance_low", "tolerance_high")}
        if polarity == "range" and None in (numbers["tolerance_low"], numbers["tolerance_high"]) \
                and numbers["target"] is None:
            problems.error(table.source, "a 'range' measure needs tolerance_low and "
                                         "tolerance_high, or a target", row, "polarity")
        if ident and unit and polarity and kind and frequency and priority in built \
                and cells.get("title"):
            result.append(Measure(
                id=ident, title=cells["title"], priority=priority, group=cells.get("group", ""),
                unit=cast(Unit, unit), polarity=cast(Polarity, polarity),
                frequency=cast(Frequency, frequency), kind=cast(Kind, kind),
                label=cells.get("label", ""),
                chart_title=cells.get("chart_title") or cells["title"], **numbers))
    _check_groups(table, result, problems)
    return result


def _group_titles(table: RawTable | None, problems: Problems) -> dict[str, str]:
    """Each group's page heading: the group_title given on any of its measures' rows (once is
    enough); two different titles for one group, or a title without a group, are errors."""
    titles: dict[str, tuple[str, int]] = {}
    for row, cells in table.rows if table else []:
        title, group = cells.get("group_title", ""), cells.get("group", "")
        if not title:
            continue
        if not group:
            problems.error(table.source if table else "", "group_title is given but group is "
                           "blank; group_title is the heading of a group's page", row,
                           "group_title")
        elif group in titles and titles[group][0] != title:
            problems.error(table.source if table else "", f"group {shown(group)} is titled "
                           f"{shown(titles[group][0])} on row {titles[group][1]} and "
                           f"{shown(title)} here; give one title (or write it once)", row,
                           "group_title")
        else:
            titles.setdefault(group, (title, row))
    return {group: title for group, (title, _) in titles.items()}


def _check_groups(table: RawTable, measures: list[Measure], problems: Problems) -> None:
    """A page belongs to one priority, and its recent values are one set of periods, so a
    group's measures must share their priority and their frequency."""
    same_frequency = "the same frequency (the page's recent values are one set of periods)"
    for column, plural, why in (("priority", "priorities", "the same priority"),
                                ("frequency", "frequencies", same_frequency)):
        found: dict[str, list[str]] = {}
        for measure in measures:
            if measure.group:
                values = found.setdefault(measure.group, [])
                if getattr(measure, column) not in values:
                    values.append(getattr(measure, column))
        for group, values in found.items():
            if len(values) > 1:
                problems.error(table.source, f"group {shown(group)} has measures in "
                                             f"{plural} {' and '.join(values)}; the measures of "
                                             f"a group share one page, so they need {why}",
                               column="group")


def _month(table: RawTable, row: int, cells: dict[str, str], column: str, problems: Problems,
           allow_latest: bool = False) -> Month | str | None:
    text = cells.get(column, "")
    if allow_latest and text.lower() == LATEST:
        return LATEST
    try:
        return Month.parse(text)
    except ValueError:
        also = " or 'latest'" if allow_latest else ""
        problems.error(table.source, f"{shown(text)} is not a month; expected YYYY-MM "
                                     f"(e.g. 2023-06){also}", row, column)
        return None


def _known_measure(table: RawTable, row: int, cells: dict[str, str],
                   measures: dict[str, Measure], declared: set[str] | None,
                   problems: Problems) -> Measure | None:
    ident = cells.get("measure_id", "")
    if declared is None or ident in measures or ident in declared:
        return measures.get(ident)
    close = difflib.get_close_matches(ident, list(measures), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    problems.error(table.source, f"measure_id {shown(ident)} is not an id in measures{hint}",
                   row, "measure_id")
    return None


def _values(table: RawTable | None, measures: dict[str, Measure],
            declared: set[str] | None, problems: Problems
            ) -> tuple[dict[str, dict[Month, Observation]], dict[str, Observation]]:
    """Each measure's figures by month, and the latest refresh's figure (period 'latest')."""
    result: dict[str, dict[Month, Observation]] = {m: {} for m in measures}
    latest: dict[str, Observation] = {}
    if table is None:
        return result, latest
    rows_seen: dict[tuple[str, Month | str], int] = {}
    for row, cells in table.rows:
        measure = _known_measure(table, row, cells, measures, declared, problems)
        period = _month(table, row, cells, "period", problems, allow_latest=True)
        number, symbol, error = parse_value(cells.get("value", ""),
                                            measure.unit if measure else None)
        if error:
            problems.error(table.source, error, row, "value")
        rating = cells.get("rag", "").strip()
        if rating and rating.capitalize() not in RATINGS:
            problems.error(table.source, f"rag {shown(rating)} is not a rating; expected Red, "
                                         f"Amber or Green, or a blank cell", row, "rag")
        if measure is None or period is None or error:
            continue
        key = (measure.id, period)
        if key in rows_seen:
            problems.error(table.source, f"{measure.id} {period} is given twice: rows "
                                         f"{rows_seen[key]} and {row}", row, "period")
            continue
        rows_seen[key] = row
        observation = Observation(number, symbol,
                                  cast(AuthorRating, rating.capitalize()) if rating else None,
                                  cells.get("rag_note", ""))
        if isinstance(period, Month):
            result[measure.id][period] = observation
        else:
            latest[measure.id] = observation
    return result, latest


def _milestones(table: RawTable | None, measures: dict[str, Measure],
                declared: set[str] | None, problems: Problems
                ) -> dict[str, list[Milestone]]:
    result: dict[str, list[Milestone]] = {m: [] for m in measures}
    if table is None:
        return result
    for row, cells in table.rows:
        measure = _known_measure(table, row, cells, measures, declared, problems)
        due = _month(table, row, cells, "due", problems)
        target = _number(table, row, cells, "target",
                         measure.unit if measure else None, problems)
        if target is None and cells.get("target", "") == "":
            problems.error(table.source, "target is blank", row, "target")
        if measure and isinstance(due, Month) and target is not None:
            result[measure.id].append(Milestone(due, target))
    for milestones in result.values():
        milestones.sort(key=lambda m: m.due)
    return result


def _commentary(table: RawTable | None, measures: dict[str, Measure],
                declared_pages: set[str] | None, problems: Problems,
                other_pages: frozenset[str] | None = frozenset()
                ) -> dict[tuple[str, Month], Commentary]:
    """other_pages: report.toml's table pages, which have commentary too; None when
    report.toml could not be read (a page it may name is then not reported as unknown)."""
    result: dict[tuple[str, Month], Commentary] = {}
    pages = {m.page for m in measures.values()} | (other_pages or frozenset())
    if table is None:
        return result
    for row, cells in table.rows:
        page = cells.get("page", "")
        if declared_pages is not None and other_pages is not None and page not in pages and \
                page not in declared_pages:
            close = difflib.get_close_matches(page, sorted(pages), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            if page in measures:
                hint = (f"; {shown(page)} is reported in group "
                        f"{shown(measures[page].group)}: use the group")
            problems.error(table.source, f"page {shown(page)} is not a measure group or id"
                                         f"{hint}", row, "page")
        period = _month(table, row, cells, "period", problems)
        if page in pages and isinstance(period, Month):
            result[(page, period)] = Commentary(
                cells.get("working_well", ""), cells.get("worried_about", ""),
                cells.get("doing_about_it", ""))
    return result


def _comparators(table: RawTable | None, measures: dict[str, Measure],
                 declared: set[str] | None, problems: Problems
                 ) -> dict[str, list[Comparator]]:
    result: dict[str, list[Comparator]] = {m: [] for m in measures}
    if table is None:
        return result
    for row, cells in table.rows:
        measure = _known_measure(table, row, cells, measures, declared, problems)
        value = _number(table, row, cells, "value",
                        measure.unit if measure else None, problems)
        period = None
        if cells.get("period"):
            period = _month(table, row, cells, "period", problems)
        if not cells.get("name"):
            problems.error(table.source, "name is blank", row, "name")
        if measure and value is not None and cells.get("name"):
            result[measure.id].append(Comparator(cells["name"], value,
                                                 period if isinstance(period, Month) else None))
    return result
