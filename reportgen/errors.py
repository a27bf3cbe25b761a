"""Expected failures, each with the exit code that scripts and cron jobs rely on."""

from __future__ import annotations

import click

from reportgen.problems import Problem, listed

EXIT_INVALID_INPUT = 65  # sysexits EX_DATAERR
EXIT_UNAVAILABLE = 69  # sysexits EX_UNAVAILABLE
EXIT_CANNOT_WRITE = 73  # sysexits EX_CANTCREAT
EXIT_LOCKED = 75  # sysexits EX_TEMPFAIL


class ReportgenError(click.ClickException):
    """An expected failure: one clear message, no traceback."""

    exit_code = 1


class InvalidInput(ReportgenError):
    """The report project has errors; every one is listed."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, problems: list[Problem], wrote_nothing: bool = True,
                 every: bool = False) -> None:
        """every: list each problem, not only the first 20 of a kind (`validate --all`)."""
        self.problems = problems
        errors = sum(p.is_error for p in problems)
        warnings = len(problems) - errors
        also = f" and {warnings:,} warning(s)" if warnings else ""
        outcome = "; nothing was written" if wrote_nothing else ""
        lines = [f"{errors:,} error(s){also} in the report project{outcome}:"]
        lines += [f"  {line}" for line in listed(problems, every)]
        super().__init__("\n".join(lines))


class DatabaseUnavailable(ReportgenError):
    """The database of report.toml's [source] cannot be reached (it is named, never its
    password); a later run may succeed."""

    exit_code = EXIT_UNAVAILABLE


class OutputNotWritable(ReportgenError):
    """The output folder or file cannot be written."""

    exit_code = EXIT_CANNOT_WRITE


class OutputLocked(ReportgenError):
    """Another run holds the output folder's lock."""

    exit_code = EXIT_LOCKED


class ProjectsFailed(ReportgenError):
    """Some projects of a batch failed on their input (each is listed in the batch table)."""

    exit_code = EXIT_INVALID_INPUT


def error_for_exit_code(code: int) -> type[ReportgenError]:
    """The error class whose exit code a batch should end with."""
    by_code = {EXIT_INVALID_INPUT: ProjectsFailed, EXIT_UNAVAILABLE: DatabaseUnavailable,
               EXIT_CANNOT_WRITE: OutputNotWritable, EXIT_LOCKED: OutputLocked}
    return by_code.get(code, ReportgenError)
