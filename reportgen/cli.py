"""The command line: parse options, call the pipeline, print results. Heavy imports stay inside."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from reportgen import __version__

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
def cli() -> None:
    """Build children's-services improvement-board packs from KPI tables.

    PROJECT is a report project folder (report.toml and the CSV tables, or data.xlsx);
    it defaults to sample_data/.

    Exit codes: 0 success; 1 unexpected failure; 2 usage error; 65 invalid input data or
    configuration; 73 output cannot be written; 75 output folder locked by another run.
    """


@cli.command()
@_project_argument
@click.option("-o", "--output", "output_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Folder to write the pack into.")
@_period_option
def build(project: Path, output_dir: Path, period: str | None) -> None:
    """Build the pack PDF for PROJECT into the output folder."""
    from reportgen.build import build as build_pack

    result = build_pack(project, output_dir, period)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    click.echo(f"Wrote {result.pdf}")


@cli.command()
@_project_argument
@_period_option
def validate(project: Path, period: str | None) -> None:
    """Check PROJECT as build would, list every problem, write nothing."""
    from reportgen.errors import InvalidInput
    from reportgen.project import check_project

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
    from reportgen.project import load_project
    from reportgen.summary import summary_rows, summary_table

    loaded = load_project(project, period)
    rows = summary_rows(assess(loaded.data, loaded.period, loaded.config.default_tolerance))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(summary_table(rows))


def main() -> None:
    # Tracebacks only for real bugs: click prints expected errors as one "Error: …" message.
    sys.exit(cli.main(standalone_mode=True))
