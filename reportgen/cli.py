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

DEFAULT_PROJECT = Path("sample_data")
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
        raise click.BadParameter("expected a month as YYYY-MM, or 'latest'") from None
    return value


def _project_argument(function):
    return click.argument("project", type=click.Path(path_type=Path, file_okay=False),
                          default=DEFAULT_PROJECT, required=False)(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reportgen")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", count=True, help="Print more detail.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Format of the log lines on stderr.")
def cli(quiet: bool, verbose: int, log_format: str) -> None:
    """Build children's-services improvement-board packs from KPI tables.

    PROJECT is a report project folder (report.toml and the CSV tables, or data.xlsx);
    it defaults to sample_data/.

    Exit codes: 0 success; 1 unexpected failure; 2 usage error; 65 invalid input data or
    configuration; 73 output cannot be written; 75 output folder locked by another run;
    143 build stopped by SIGTERM.
    """
    from reportgen.log import configure_logging

    configure_logging(-1 if quiet else verbose, log_format)


@cli.command()
@_project_argument
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Folder to write the pack into.")
@_period_option
@click.option("--format", "output_format", type=click.Choice(["pdf", "html", "all"]),
              help="pdf, html (one self-contained accessible web page) or all "
                   "(default: report.toml's format, else pdf).")
@click.option("--appendix", type=click.IntRange(min=1), metavar="N",
              help="Build only appendix N of the committee paper, as its own PDF labelled "
                   "for an agenda pack (pages N.1, N.2 …).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes drawing charts and laying out pages (default: the cores, "
                   "up to 2). The PDF is the same whatever N.")
def build(project: Path, output_dir: Path, period: str | None, output_format: str | None,
          appendix: int | None, jobs: int | None) -> None:
    """Build the pack, or the committee paper when report.toml has [paper], for PROJECT into
    the output folder."""
    from reportgen.pipeline import build as build_pack

    with _stopped_by_sigterm():
        result = build_pack(project, output_dir, period, output_format=output_format,
                            appendix=appendix, jobs=jobs)
    for warning in result.warnings:
        LOGGER.warning("%s", warning)
    LOGGER.info("built %s pages in %.1f s", result.pages, sum(result.timings.values()))
    for kind, path in result.outputs.items():
        if kind != "manifest":
            click.echo(f"Wrote {path}")


@cli.command()
@_project_argument
@_period_option
def validate(project: Path, period: str | None) -> None:
    """Check PROJECT as build would, list every problem, write nothing."""
    from reportgen.errors import InvalidInput
    from reportgen.load.project import check_project

    loaded, problems = check_project(project, period)
    if loaded is None or problems.errors:
        raise InvalidInput(problems.items, wrote_nothing=False)
    for problem in problems.items:
        click.echo(str(problem), err=True)
    click.echo(f"{project}: no errors, {len(problems.warnings)} warning(s); "
               f"reporting period {loaded.period}")


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


@cli.command()
@click.argument("projects", nargs=-1, required=True,
                type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True,
              help="Each project's pack goes into a folder of its name under this one.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")
@click.option("--config", "base_config", type=click.Path(path_type=Path, dir_okay=False,
                                                         exists=True),
              help="A shared report.toml; a project's own report.toml overrides it key by key.")
@_period_option
def batch(projects: tuple[Path, ...], output_dir: Path, jobs: int, base_config: Path | None,
          period: str | None) -> None:
    """Build many report projects; one failing does not stop the others."""
    from reportgen.batch import BatchItem, outcome_table, run_batch
    from reportgen.errors import error_for_exit_code

    items = [BatchItem(p, output_dir / p.resolve().name, period, base_config) for p in projects]
    outcomes = run_batch(items, jobs)
    click.echo(outcome_table(outcomes))
    failed = [o for o in outcomes if not o.ok]
    if failed:
        # A bug (1) outranks bad input (65): the worst failure decides the exit code.
        worst = 1 if any(o.exit_code == 1 for o in failed) else max(o.exit_code for o in failed)
        raise error_for_exit_code(worst)(f"{len(failed)} of {len(outcomes)} project(s) failed")


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
