"""The command line: parse options, call the pipeline, print results. Heavy imports stay inside."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from reportgen import __version__
from reportgen.errors import ReportgenError

LOGGER = logging.getLogger("reportgen")

PERIOD_HELP = "Reporting month YYYY-MM, or 'latest' (default: report.toml's period)."


def _period_option(function):
    return click.option("--period", metavar="YYYY-MM|latest", help=PERIOD_HELP,
                        callback=_check_period)(function)


def _check_period(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from reportgen.months import Month

    if value is None or value == "latest":
        return value
    try:
        Month.parse(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a month; expected YYYY-MM or 'latest'"
                                 ) from None
    return value


def _project_argument(function):
    return click.argument("project", type=click.Path(path_type=Path, file_okay=False,
                                                     exists=True),
                          required=False, callback=_default_project)(function)


def _default_project(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """No PROJECT: the current folder, when it is a report project."""
    from reportgen.config.report import CONFIG_FILE

    if value is not None:
        return value
    here = Path.cwd()
    if not (here / CONFIG_FILE).is_file():
        raise click.UsageError(f"no PROJECT given, and the current folder {here} has no "
                               f"{CONFIG_FILE}; name a report project folder, or start one "
                               f"with 'reportgen new FOLDER'", ctx)
    return here


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="Print more detail.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the log lines on stderr.")
def cli(quiet: bool, verbose: int, log_format: str) -> None:
    """Build children's-services improvement-board packs from KPI tables.

    PROJECT is a report project folder (report.toml and the CSV tables, or data.xlsx);
    it defaults to the current folder when that has a report.toml. 'reportgen new FOLDER'
    starts one.

    Exit codes: 0 success; 1 unexpected failure; 2 usage error; 65 invalid input data or
    configuration; 69 a database or Dask scheduler cannot be reached; 73 output cannot be
    written; 75 output folder locked by another run;
    143 build stopped by SIGTERM.
    """
    from reportgen.log import configure_logging

    configure_logging(-1 if quiet else verbose, log_format)
    # Progress bars for long builds and batches, on a terminal only (progress.py)
    click.get_current_context().obj = {"bars": not quiet and log_format == "text"}


def _progress_bars() -> contextlib.AbstractContextManager[None]:
    from reportgen.progress import show_on_terminal

    return show_on_terminal(click.get_current_context().find_root().obj["bars"])


@cli.command()
@_project_argument
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Folder to write the pack into.")
@_period_option
@click.option("--format", "output_format", type=click.Choice(["pdf", "html", "all"]),
              help="pdf, html (one self-contained accessible web page) or all "
                   "(default: report.toml's format, else pdf).")
@click.option("--appendix", metavar="N|REF",
              help="Build only one appendix of the committee paper, by its place in the list "
                   "(2) or its reference (C), as its own PDF labelled for an agenda pack "
                   "(pages C.1, C.2 …).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes drawing charts and laying out pages (default: the cores, "
                   "up to 2). The PDF is the same whatever N.")
def build(project: Path, output_dir: Path, period: str | None, output_format: str | None,
          appendix: str | None, jobs: int | None) -> None:
    """Build the pack, or the committee paper when report.toml has [paper], for PROJECT into
    the output folder."""
    from reportgen.builds import BuildOptions
    from reportgen.pipeline import build as build_documents

    with _stopped_by_sigterm(), _progress_bars():
        result = build_documents(BuildOptions(project, output_dir, period, jobs=jobs,
                                              output_format=output_format,
                                              appendix=_place_or_reference(appendix)))
    for warning in result.warnings:
        LOGGER.warning("%s", warning)
    LOGGER.info("built %s pages in %.1f s", result.pages, sum(result.timings.values()))
    for kind, path in result.outputs.items():
        if kind != "manifest":
            click.echo(f"Wrote {path}")


def _place_or_reference(value: str | None) -> int | str | None:
    """--appendix 2 (a place in the list) or --appendix C (a reference), as the paper gives."""
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else value


@cli.command()
@_project_argument
@_period_option
@click.option("--all", "every", is_flag=True,
              help="List every problem; by default, after 20 of one kind in one column the "
                   "rest are counted.")
def validate(project: Path, period: str | None, every: bool) -> None:
    """Check PROJECT as build would, list every problem, write nothing."""
    from reportgen.errors import InvalidInput
    from reportgen.pipeline import check
    from reportgen.problems import listed

    loaded, problems = check(project, period)
    if loaded is None or problems.errors:
        raise InvalidInput(problems.items, wrote_nothing=False, every=every)
    for line in listed(problems.items, every):
        click.echo(line, err=True)
    click.echo(f"{project}: no errors, {len(problems.warnings)} warning(s); "
               f"reporting period {loaded.period or 'none: the paper shows no data'}")


@cli.command()
@_project_argument
@_period_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object a measure.")
def summary(project: Path, period: str | None, as_json: bool) -> None:
    """Print the ratings the pack would show."""
    from reportgen.assess import assess
    from reportgen.load.project import load_project
    from reportgen.summary import summary_rows, summary_table

    loaded = load_project(project, period)
    rows = summary_rows(assess(loaded.data, loaded.period, loaded.config.default_tolerance))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(summary_table(rows))


def _check_scheduler(ctx: click.Context, param: click.Parameter, value: str | None
                     ) -> str | None:
    from reportgen.cluster import check_scheduler

    complaint = check_scheduler(value) if value is not None else None
    if complaint:
        raise click.BadParameter(f"{value!r}: {complaint}")
    return value


@cli.command()
@click.argument("projects", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True,
              help="Each project's pack goes into a folder of its name under this one (an "
                   "area's: of its code).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")
@click.option("--config", "base_config", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="A shared report.toml; a project's own report.toml overrides it key by key.")
@click.option("--areas", metavar="all|CODE,…",
              help="For a national project ([national] in report.toml): one pack for each "
                   "local authority ('all'), or for those named by code or name, with commas.")
@click.option("--scheduler", metavar="tcp://HOST:8786|local:N", callback=_check_scheduler,
              help="Run each project or area as a task on this Dask scheduler, or on a local "
                   "cluster of N worker processes; the outputs are published here.")
@_period_option
@click.pass_context
def batch(ctx: click.Context, projects: tuple[Path, ...], output_dir: Path, jobs: int,
          base_config: Path | None, areas: str | None, scheduler: str | None,
          period: str | None) -> None:
    """Build many report projects, or every area of a national table; one failing does not
    stop the others."""
    from reportgen.batch import BatchItem, Item, outcome_table, run_batch
    from reportgen.errors import error_for_exit_code

    items: list[Item]
    if areas is not None or _any_national(projects, base_config):
        items = list(_national_items(ctx, projects, output_dir, base_config, areas, period))
    else:
        items = [BatchItem(p, output_dir / p.resolve().name, period, base_config)
                 for p in projects]
    with _stopped_by_sigterm(), _progress_bars():
        if scheduler is not None:
            from reportgen.cluster import run_on_dask

            outcomes = run_on_dask(items, scheduler, LOGGER.isEnabledFor(logging.DEBUG))
        else:
            outcomes = run_batch(items, jobs)
    click.echo(outcome_table(outcomes))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        # A bug (1) outranks bad input (65): the worst failure decides the exit code.
        worst = 1 if any(o.exit_code == 1 for o in failed) else max(o.exit_code for o in failed)
        raise error_for_exit_code(worst)(f"{len(failed)} of {len(outcomes)} project(s) failed")


def _any_national(projects: tuple[Path, ...], base_config: Path | None) -> bool:
    from reportgen.load.national import is_national

    return any(is_national(p, base_config) for p in projects)


def _national_items(ctx: click.Context, projects: tuple[Path, ...], output_dir: Path,
                    base_config: Path | None, areas: str | None, period: str | None):
    """A national project's areas, every one checked before any is built."""
    from reportgen.batch import area_items
    from reportgen.errors import InvalidInput
    from reportgen.load.national import check_national, is_national

    if len(projects) != 1 or not is_national(projects[0], base_config):
        raise click.UsageError("--areas needs one national project: a folder whose report.toml "
                               "has [national]", ctx)
    if areas is None:
        raise click.UsageError(f"{projects[0]} is a national project: name the areas to build "
                               f"with --areas all, or --areas CODE,CODE…", ctx)
    checked, problems = check_national(projects[0], period, base_config, areas)
    if checked is None:
        raise InvalidInput(problems.items)
    LOGGER.info("%s: %d area(s) to build", projects[0], len(checked.areas))
    return area_items(checked.areas, output_dir)


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--csv", "as_csv", is_flag=True,
              help="The tables as CSV files instead of one workbook, data.xlsx.")
@click.option("--paper", is_flag=True,
              help="A committee paper's folder (report.toml with [paper], Markdown) instead.")
def new(folder: Path, as_csv: bool, paper: bool) -> None:
    """Start a report project in FOLDER (a new or empty folder): example tables with drop-downs
    to fill in and a commented report.toml, which build at once."""
    from reportgen.authoring.starter import new_project

    if as_csv and paper:
        raise click.UsageError("--csv and --paper cannot be used together: a paper has no "
                               "tables of its own")
    for path in new_project(folder, "paper" if paper else "csv" if as_csv else "xlsx"):
        click.echo(f"Wrote {path}")
    click.echo(f"Next: replace the examples with your own, then run 'reportgen validate "
               f"{folder}' and 'reportgen build {folder}'.")


@cli.command("import")
@_project_argument
@click.option("--to", "target", required=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="The SQLite file to make (never written over).")
def import_tables(project: Path, target: Path) -> None:
    """Write PROJECT's tables into a new SQLite file with typed columns, for report.toml's
    [source] url = "sqlite:///FILE"."""
    from reportgen.errors import InvalidInput
    from reportgen.load.project import read_project_tables
    from reportgen.problems import Problems
    from reportgen.publish.database import write_sqlite

    problems = Problems()
    read = read_project_tables(project, problems)
    if read is None:
        raise InvalidInput(problems.items)
    imported = write_sqlite(read[1], target)
    counts = ", ".join(f"{name} {rows:,}" for name, rows in imported.rows.items())
    click.echo(f"Wrote {imported.path} (rows: {counts})")
    inside = target.resolve().is_relative_to(project.resolve())
    name = target.resolve().relative_to(project.resolve()).as_posix() if inside else target.name
    move = "" if inside else f"move it into {project} and "
    click.echo(f"Next: {move}add [source] url = \"sqlite:///{name}\" to report.toml: the pack "
               f"is then read from it.")


@cli.command("commentary-forms")
@_project_argument
@click.option("-o", "--output", "output_dir", required=True,
              type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write the forms into (made if need be; no form is written over).")
@_period_option
def commentary_forms(project: Path, output_dir: Path, period: str | None) -> None:
    """Write one commentary form (.xlsx) per page of PROJECT for managers to fill in."""
    from reportgen.authoring.forms import page_forms, write_forms
    from reportgen.load.project import load_project

    loaded = load_project(project, period)
    for path in write_forms(page_forms(loaded), output_dir):
        click.echo(f"Wrote {path}")
    click.echo(f"Send them out; when they come back, put them in one folder and run "
               f"'reportgen commentary-collect FOLDER --project {project}'.")


@cli.command("commentary-collect")
@click.argument("forms_dir", metavar="FOLDER",
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--project", type=click.Path(path_type=Path, file_okay=False, exists=True),
              callback=_default_project,
              help="The report project to merge into (default: the current folder).")
def commentary_collect(forms_dir: Path, project: Path) -> None:
    """Merge the returned forms in FOLDER into PROJECT's commentary table, keeping a backup."""
    from reportgen.authoring.collect import collect_commentary

    collected = collect_commentary(forms_dir, project)
    for warning in collected.warnings:
        click.echo(str(warning), err=True)
    if collected.written is None:
        click.echo(f"Nothing to merge for {collected.period.long}: no form had answers.")
        return
    click.echo(f"Merged the commentary of {len(collected.pages)} page(s) for "
               f"{collected.period.long} into {collected.written.table}")
    if collected.written.backup:
        click.echo(f"The previous version is kept as {collected.written.backup}")


@cli.command()
@_project_argument
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the preview's builds and caches (default: PROJECT/"
                   ".reportgen-preview; never the published output).")
@_period_option
def serve(project: Path, port: int, output_dir: Path | None, period: str | None) -> None:
    """Preview PROJECT in the browser, rebuilt on every save: the HTML edition at once, then
    the PDF (a committee paper: its PDF). Problems in the input are shown in the page."""
    import threading

    from reportgen.authoring.serve import HOST, Preview
    from reportgen.errors import ReportgenError

    try:
        preview = Preview(project, output_dir, port, period)
    except OSError as error:
        raise ReportgenError(f"cannot listen on {HOST}:{port}: {error.strerror}; choose "
                             f"another port with --port") from None
    with preview:
        click.echo(f"Previewing {project} at {preview.url} (Ctrl-C to stop)")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            click.echo("Stopping the preview")


class BuildStopped(ReportgenError):
    """The build was stopped by SIGTERM; exit 143, as a shell reports a process it ended."""

    exit_code = 128 + signal.SIGTERM


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (`timeout`, systemd, a cancelled CI job) ends a build as an error does: the
    worker processes are killed at once (workers.stop_workers_now), and on the way out the
    temporary files are removed and the lock released; publishing is all or nothing, so the
    output folder keeps its last complete build.

    The exception the signal raises may surface as another (it can interrupt the standard
    library anywhere) or as none (where Python ignores it, in an at-fork hook or a __del__):
    whatever ends a build that was asked to stop is reported as the stop."""
    from reportgen.workers import forget_stop, stop_requested

    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread (click's test runner may use another)
        return
    previous, report = signal.signal(signal.SIGTERM, _stop), sys.unraisablehook
    sys.unraisablehook = functools.partial(_unless_stopped, report)
    try:
        yield
    except BaseException:
        if not stop_requested():
            raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        sys.unraisablehook = report
    if stop_requested():
        forget_stop()
        raise BuildStopped("stopped by SIGTERM; the output folder keeps its last complete "
                           "build")


def _stop(signum: int, frame: object) -> None:
    from reportgen.workers import Stopped, stop_requested, stop_workers_now

    if stop_requested():  # `timeout` signals the build, then its process group: once is
        return            # enough, and a second raise would break off the cleaning up
    stop_workers_now()
    raise Stopped


def _unless_stopped(report: Callable[[Any], object], unraisable: Any) -> None:
    """Python's notice of an exception it ignored, unless it is the stop (handled)."""
    from reportgen.workers import Stopped

    if not isinstance(unraisable.exc_value, Stopped):
        report(unraisable)


def _prepare_environment() -> None:
    """Cron gives no HOME: point matplotlib's and fontconfig's caches at a private folder so
    nothing warns, and a bare run behaves like an interactive one."""
    home = os.environ.get("HOME", "")
    if not home or not os.access(home, os.W_OK):
        cache = Path(tempfile.gettempdir()) / f"reportgen-cache-{os.getuid()}"
        cache.mkdir(mode=0o700, exist_ok=True)
        os.environ.setdefault("MPLCONFIGDIR", str(cache / "matplotlib"))
        os.environ.setdefault("XDG_CACHE_HOME", str(cache))


def main() -> None:
    _prepare_environment()
    # Tracebacks only for real bugs: click prints expected errors as one "Error: …" message.
    sys.exit(cli.main(standalone_mode=True))

