"""report.toml → a validated ReportConfig, with every problem named by key."""

from __future__ import annotations

import datetime as dt
import re
import string
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.config.options import Option, Reader, Table, one_of
from reportgen.config.pack_pages import PACK, TABLE_PAGES, TablePageConfig, table_pages
from reportgen.months import Month
from reportgen.problems import Problems

CONFIG_FILE = "report.toml"
FORMATS = ("pdf", "html", "all")
_SAFE_NAME = re.compile(r"[A-Za-z0-9 ._-]*")


def _period(value: str) -> str | None:
    if value == "latest":
        return None
    try:
        Month.parse(value)
    except ValueError:
        return "expected a month as YYYY-MM, or 'latest'"
    return None


def _fraction(value: float) -> str | None:
    return None if 0 <= value < 1 else "expected a fraction from 0 to below 1, e.g. 0.10"


def _window(value: int) -> str | None:
    return None if 2 <= value <= 60 else "expected a number of months from 2 to 60"


def _output_name(value: str) -> str | None:
    """Only {slug} and {period}, as plain fields, in a name that is safe on any file system."""
    expected = ("expected a file name of letters, digits, spaces, '.', '-' and '_', using only "
                "{slug} and {period}, e.g. '{slug}-{period}'")
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError:
        return expected
    fields_ok = all(name in (None, "slug", "period") and not spec and not conversion
                    for _, name, spec, conversion in parts)
    literal = "".join(text for text, *_ in parts)
    if not fields_ok or not _SAFE_NAME.fullmatch(literal) or len(literal) > 100:
        return expected
    if not any(name for _, name, *_ in parts) and not literal.strip(" .-_"):
        return expected
    return None if not value.startswith(".") else expected + " (not starting with '.')"


def _theme_name(value: str) -> str | None:
    return None if re.fullmatch(r"[A-Za-z0-9_-]+", value) else \
        "expected a theme folder name (letters, digits, - and _)"


def _one_line(value: str) -> str | None:
    return None if len(value) <= 60 and "\n" not in value else "expected one short line"


def _relative_folder(value: str) -> str | None:
    return None if value and not Path(value).is_absolute() else \
        "expected a folder relative to the project, e.g. '../monthly-data'"


def _database_url(value: str) -> str | None:
    """A URL such as 'sqlite:///kpi.sqlite', or 'env:NAME' naming the variable that holds it;
    never a password, which would be in the project's files, the log and every copy."""
    if value.startswith("env:"):
        return None if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value[4:]) else \
            "expected 'env:' and an environment variable's name, e.g. 'env:REPORTGEN_DB_URL'"
    match = re.fullmatch(r"([a-z0-9]+)(\+[a-z0-9_]+)?://([^/@]*@)?.*", value)
    if match is None:
        return ("expected a database URL, e.g. 'sqlite:///kpi.sqlite' or "
                "'postgresql://reports@dbhost/kpi', or 'env:REPORTGEN_DB_URL'")
    if match[3] and ":" in match[3]:
        return ("a password does not belong in report.toml: put the URL in an environment "
                "variable and write url = 'env:REPORTGEN_DB_URL', or use a .pgpass file")
    return None


def _timeout(value: float) -> str | None:
    return None if 0 < value <= 3600 else "expected a number of seconds from 1 to 3600"


SOURCE_TABLES = ("priorities", "measures", "values", "targets", "commentary", "comparators")
SOURCE = Table({
    "url": Option(str, None, "the database: 'sqlite:///kpi.sqlite' (relative to the project), "
                  "'postgresql://user@host/db', or 'env:NAME'", _database_url, required=True,
                  secret=True),
    "timeout_seconds": Option((float, int), 30.0, "longest a query may run", _timeout),
    **{name: Option(str, name, f"the {name} table: a table or view name, or one SELECT")
       for name in SOURCE_TABLES},
})


NEIGHBOURS_NAME = "Statistical neighbours' average"
NATIONAL = Table({
    "layout": Option(str, "areas", "'areas': a values table with an area column, and an areas "
                     "table; 'dfe': a CSV file in DfE's published statistics layout",
                     one_of("areas", "dfe")),
    "file": Option(str, "", "with layout 'dfe': the CSV file, in the project folder"),
    "neighbours_name": Option(str, NEIGHBOURS_NAME, "the name of the statistical neighbours' "
                              "mean in the charts", _one_line),
    "measures": Option(Table({}, extra=Option(str, None, "the file's column for this measure"),
                             extra_keys=r"[A-Za-z0-9_]+"), {},
                       "with layout 'dfe': measure id = the indicator column it is read from"),
})


# The schema: key → Option, sections as tables. The README's report.toml table mirrors it.
SCHEMA = Table({
        "title": Option(str, None, "report title on the title page", required=True),
        "organisation": Option(str, None, "council name", required=True),
        "period": Option(str, "latest", "reporting month YYYY-MM, or 'latest'", _period),
        "data_refreshed": Option(dt.date, None,
                                 "date the 'Latest' values were refreshed, YYYY-MM-DD"),
        "subtitle": Option(str, "", "line under the title"),
        "notice": Option(str, "", "a note shown on the title page, e.g. that data is illustrative"),
        "language": Option(str, "en-GB", "document language"),
        "output_name": Option(str, "{slug}-{period}", "file name without .pdf/.html",
                              _output_name),
        "format": Option(str, "pdf", "what build writes: pdf, html or all", one_of(*FORMATS)),
        "theme": Option(str, "default", "theme folder under styles/ (the project's, then ours)",
                        _theme_name),
        "protective_marking": Option(str, "", "e.g. OFFICIAL: at the top and bottom of every "
                                     "page and on the first page", _one_line),
        "data": Option(str, "", "folder holding the tables (and a base report.toml), relative "
                       "to the project; default: the project itself", _relative_folder),
        "rag": Option(Table({
            "default_tolerance": Option((float, int), 0.10,
                                        "tolerance when a measure has no band (fraction)",
                                        _fraction),
            "draw_default_band": Option(bool, False, "draw the default tolerance as a band on "
                                        "charts of measures that have none of their own"),
            "show_rule_rating": Option(bool, False, "show the rule's rating beside an author's "
                                       "on the page"),
        }), {}),
        "charts": Option(Table({
            "window_months": Option(int, 13, "months shown in each chart", _window),
            "milestone_months": Option(int, 12, "show milestones due up to this many months "
                                       "ahead", lambda v: None if 0 <= v <= 36 else
                                       "expected 0 to 36"),
        }), {}),
        "source": Option(SOURCE, None, "the tables from a database instead of files"),
        "national": Option(NATIONAL, None, "one pack per area of a national table "
                           "(reportgen batch PROJECT --areas …)"),
        "pack": Option(PACK, {}),
        "table_page": Option(TABLE_PAGES, [], "tables between a priority's measure pages"),
})


@dataclass(frozen=True)
class SourceConfig:
    """[source]: where the tables come from when they are in a database."""

    url: str
    timeout_seconds: float
    queries: tuple[tuple[str, str], ...]  # (table, a table or view name or one SELECT)


@dataclass(frozen=True)
class NationalConfig:
    """[national]: one pack per area of a national table (load/national.py)."""

    layout: str  # "areas" or "dfe"
    file: str  # the DfE-layout CSV
    neighbours_name: str
    measures: tuple[tuple[str, str], ...]  # (measure id, the DfE file's indicator column)


@dataclass(frozen=True)
class ReportConfig:
    """What to build: the validated contents of report.toml."""

    title: str
    organisation: str
    period: str
    data_refreshed: dt.date | None
    subtitle: str
    notice: str
    language: str
    output_name: str
    format: str
    default_tolerance: float
    draw_default_band: bool
    show_rule_rating: bool
    window_months: int
    milestone_months: int
    theme: str
    protective_marking: str
    data: str
    source: SourceConfig | None = None
    national: NationalConfig | None = None
    introduction: str = ""  # [pack]: a Markdown file, after the title page
    introduction_title: str = "Introduction"
    table_pages: tuple[TablePageConfig, ...] = ()


def load_config(project: Path, problems: Problems, base: Path | None = None,
                owned_elsewhere: tuple[str, ...] = ()) -> ReportConfig | None:
    """Read and check report.toml; None when it has errors (they are in problems).

    With a base (a shared configuration for a batch), the project's own report.toml, if any,
    overrides it key by key. owned_elsewhere: top-level keys an extension reads and checks.
    """
    raw = read_config(project, problems, base)
    return None if raw is None else check_config(raw, problems, owned_elsewhere)


def read_config(project: Path, problems: Problems, base: Path | None = None
                ) -> dict[str, Any] | None:
    """report.toml as TOML (over the `data` folder's and a batch's base), not yet checked."""
    path = project / CONFIG_FILE
    raw: dict[str, Any] = {}
    if base is not None:
        raw = _read_toml(base, base.name, problems) or {}
        if not path.exists():
            return raw
    elif not path.exists():
        problems.error(CONFIG_FILE, f"no {CONFIG_FILE} in {project}")
        return None
    own = _read_toml(path, CONFIG_FILE, problems)
    if own is None:
        return None
    data = own.get("data")
    if isinstance(data, str) and data and (project / data / CONFIG_FILE).is_file():
        # A paper project borrows the monthly data project's settings, then overrides them.
        shared = _read_toml(project / data / CONFIG_FILE, f"{data}/{CONFIG_FILE}", problems)
        raw = _merge(raw, {k: v for k, v in (shared or {}).items() if k != "data"})
    return _merge(raw, own)


def _read_toml(path: Path, label: str, problems: Problems) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        problems.error(label, f"cannot be read: {error.strerror}")
    except UnicodeDecodeError:
        problems.error(label, "the file is not UTF-8 text")
    except tomllib.TOMLDecodeError as error:
        problems.error(label, f"not valid TOML: {error}")
    return None


def _merge(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in own.items():
        both_tables = isinstance(value, dict) and isinstance(base.get(key), dict)
        merged[key] = {**base[key], **value} if both_tables else value
    return merged


def check_config(raw: dict[str, Any], problems: Problems, owned_elsewhere: tuple[str, ...] = ()
                 ) -> ReportConfig | None:
    """The checked settings; None when any is wrong (every problem is in problems)."""
    errors_before = len(problems.errors)
    core = {key: value for key, value in raw.items() if key not in owned_elsewhere}
    values = Reader(CONFIG_FILE, problems).table(core, SCHEMA)
    if len(problems.errors) > errors_before:
        return None
    sections = {key: values.pop(key) for key in ("rag", "charts")}
    source = values.pop("source")
    national = values.pop("national")
    pack, tables = values.pop("pack"), values.pop("table_page")
    return ReportConfig(**values, **sections["rag"], **sections["charts"],
                        source=_source(source) if source else None,
                        national=_national(national) if national is not None else None,
                        **pack, table_pages=table_pages(tables))


def _national(values: dict[str, Any]) -> NationalConfig:
    return NationalConfig(values["layout"], values["file"], values["neighbours_name"],
                          tuple(values["measures"].items()))


def _source(values: dict[str, Any]) -> SourceConfig:
    return SourceConfig(values["url"], values["timeout_seconds"],
                        tuple((name, values[name]) for name in SOURCE_TABLES))
