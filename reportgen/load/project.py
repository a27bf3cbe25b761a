"""A report project folder → its checked config, dataset and reporting period, or every problem."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from reportgen.assess import assess_measure, resolve_period, target_for
from reportgen.authoring.contradictions import warn_about_contradictions
from reportgen.authoring.staleness import warn_about_stale_commentary
from reportgen.config.report import CONFIG_FILE, ReportConfig, SourceConfig, load_config
from reportgen.errors import InvalidInput
from reportgen.extensions import extension_sections
from reportgen.glyphs import warn_about_glyphs
from reportgen.load.dataset import build_dataset
from reportgen.load.pack_pages import PackPages, load_pack_pages, table_page_ids
from reportgen.load.tables import TABLE_FILES, RawTable, read_tables
from reportgen.model import Dataset
from reportgen.months import Month
from reportgen.problems import Problem, Problems
from reportgen.theme import Theme, load_theme


@dataclass(frozen=True)
class Settings:
    """A project's checked report.toml and theme: all a build needs besides the tables."""

    root: Path
    config: ReportConfig
    theme: Theme

    @property
    def data_root(self) -> Path:
        """Where the tables are: report.toml's `data` folder, else the project itself."""
        return data_root(self.root, self.config)


@dataclass(frozen=True)
class Project:
    """A loaded report project, ready to assess."""

    settings: Settings
    data: Dataset
    period: Month
    warnings: list[Problem]
    pages: PackPages = PackPages()  # the introduction and table pages

    @property
    def root(self) -> Path:
        return self.settings.root

    @property
    def config(self) -> ReportConfig:
        return self.settings.config

    @property
    def theme(self) -> Theme:
        return self.settings.theme

    @property
    def data_root(self) -> Path:
        return self.settings.data_root


def check_settings(root: Path, config: ReportConfig, problems: Problems) -> Settings | None:
    """The checked report.toml with its theme; None when the theme has errors (in problems)."""
    theme = _theme(config, root, problems)
    return None if theme is None else Settings(root, config, theme)


def check_tables(root: Path, config: ReportConfig | None, problems: Problems
                 ) -> Dataset | None:
    """The tables of the data folder (the project's, when report.toml could not be read), or
    of the database report.toml's [source] names."""
    if config is not None and config.source is not None:
        return _check_source_tables(data_root(root, config), config.source, problems,
                                    table_page_ids(config))
    tables_root = data_root(root, config) if config else root
    if not tables_root.is_dir():
        problems.error(CONFIG_FILE, f"'data' is {config.data if config else ''!r}: no such folder")
        return None
    return build_dataset(read_tables(tables_root, problems), problems, table_page_ids(config))


def read_project_tables(root: Path, problems: Problems
                        ) -> tuple[ReportConfig, dict[str, RawTable]] | None:
    """report.toml and the raw tables it points to (files or [source]), checked; None when
    either has errors (they are in problems)."""
    config = load_config(root, problems, None, extension_sections())
    if config is None:
        return None
    if config.source is not None:
        from reportgen.load.sql import read_source

        read = read_source(data_root(root, config), config.source, problems)
        tables = read.tables if read is not None else {}
    else:
        tables = read_tables(data_root(root, config), problems)
    build_dataset(tables, problems, table_page_ids(config))
    return None if problems.errors else (config, tables)


def _check_source_tables(folder: Path, source: SourceConfig, problems: Problems,
                         table_pages: frozenset[str] | None) -> Dataset | None:
    from reportgen.load.sql import name_rows, read_source  # SQLAlchemy only when needed

    read = read_source(folder, source, problems)
    if read is None:
        return None
    ignored = [p.name for p in sorted(folder.glob("*")) if p.name in TABLE_FILES]
    if ignored:
        problems.warning(CONFIG_FILE, f"{', '.join(ignored)} not read: [source] names a "
                                      f"database, which holds the tables")
    start = len(problems.items)
    data = build_dataset(read.tables, problems, table_pages)
    name_rows(problems, start, read.tables)
    return replace(data, query_digests=read.digests)


def reporting_period(data: Dataset, config: ReportConfig, period: str | None,
                     problems: Problems) -> Month | None:
    """The month to report (`period` overrides report.toml's), with the warnings about it."""
    month = resolve_period(period or config.period, data, problems)
    if month is not None:
        _warn_about_content(data, month, problems)
        _warn_about_author_ratings(data, month, config.default_tolerance, problems)
        warn_about_contradictions(data, month, config.default_tolerance, problems)
    return month


def check_project(root: Path, period: str | None = None, base_config: Path | None = None
                  ) -> tuple[Project | None, Problems]:
    """Everything `build` checks, without raising: the project (if usable) and all problems."""
    problems = Problems()
    if not root.is_dir():
        problems.error(str(root), "is not a folder; expected a report project folder")
        return None, problems
    config = load_config(root, problems, base_config, extension_sections())
    if config is not None and config.national is not None:
        from reportgen.load.national import refuse_single_build

        refuse_single_build(problems)
        return None, problems
    data = check_tables(root, config, problems)
    if config is None or data is None:
        return None, problems
    tables_read = not problems.errors
    settings = check_settings(root, config, problems)
    # the free pages' files are checked even when a table has errors (every problem in one
    # run); their places only against tables read without error (one mistake, one message)
    pages = load_pack_pages(data_root(root, config), config, data, problems, tables_read)
    if settings is None or problems.errors:
        return None, problems
    month = reporting_period(data, config, period, problems)
    if month is None or problems.errors:
        return None, problems
    _warn_about_table_pages(data, pages, month, problems)
    warn_about_glyphs(data, month, settings.theme, problems)
    return Project(settings, data, month, problems.warnings, pages), problems


def _theme(config: ReportConfig, root: Path, problems: Problems) -> Theme | None:
    try:
        theme = load_theme(config.theme, root)
    except InvalidInput as error:
        problems.items.extend(error.problems)
        return None
    problems.items.extend(theme.warnings)
    return theme


def data_root(root: Path, config: ReportConfig) -> Path:
    return root / config.data if config.data else root


def load_project(root: Path, period: str | None = None, base_config: Path | None = None
                 ) -> Project:
    """The project, or InvalidInput listing every problem."""
    project, problems = check_project(root, period, base_config)
    if project is None:
        raise InvalidInput(problems.items)
    return project


def _warn_about_content(data: Dataset, period: Month, problems: Problems) -> None:
    """Things worth a look that do not stop the build."""
    commentary_file = "commentary"
    pages = list(dict.fromkeys(m.page for m in data.measures))
    for page in pages:
        if (page, period) not in data.commentary:
            problems.warning(commentary_file, f"page '{page}' has no commentary for {period}")
    newest = data.months_with_values()[-1]
    for page, month in sorted(data.commentary, key=lambda k: (k[1], k[0])):
        # Earlier months' commentary is history, and a later month's belongs to a later pack;
        # only commentary for a month with no figures at all is likely a typing slip.
        if month > newest:
            problems.warning(commentary_file, f"commentary for page '{page}' is for {month}, "
                                              f"after the newest month with figures ({newest}); "
                                              f"not shown")
    for measure in data.measures:
        if target_for(measure, data.milestones.get(measure.id, []), period) is None:
            problems.warning("measures", f"measure '{measure.id}' has no target and no "
                                         f"milestone due from {period}; it is 'Not rated'")
    warn_about_stale_commentary(data, period, problems)


def _warn_about_table_pages(data: Dataset, pages: PackPages, period: Month,
                            problems: Problems) -> None:
    for page in pages.tables:
        if page.config.panels and (page.config.id, period) not in data.commentary:
            problems.warning("commentary", f"table page '{page.config.id}' has no commentary "
                                           f"for {period}")


def _warn_about_author_ratings(data: Dataset, period: Month, tolerance: float,
                               problems: Problems) -> None:
    """Every month up to the one built where an author's rating differs from the rule's, with
    both: a later month's belongs to a later pack."""
    for measure in data.measures:
        for month, observation in sorted(
                (k, o) for k, o in data.values.get(measure.id, {}).items()
                if isinstance(k, Month) and k <= period and o.author_rating):
            rule = assess_measure(data, measure, month, tolerance).rule_rating
            if rule != observation.author_rating:
                problems.warning(data.values_source, f"{measure.id} {month}: the author's rating "
                                 f"{observation.author_rating} differs from the rule's {rule}")
