"""A new folder's name → a starter report project (data.xlsx, CSV files, or a committee paper)
that builds and validates at once, for a council to fill in."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from reportgen.authoring.examples import (
    APPENDIX_MD,
    PAPER_TOML,
    REPORT_MD,
    SUMMARY_MD,
    Table,
    example_tables,
    report_toml,
)
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import OutputNotWritable
from reportgen.load.tables import WORKBOOK
from reportgen.months import Month

KINDS = ("xlsx", "csv", "paper")


def new_project(folder: Path, kind: str = "xlsx", today: dt.date | None = None) -> list[Path]:
    """Write the starter into folder (which must be new, or empty); the files written."""
    period = starter_period(today or dt.date.today())
    return write_new_folder(folder, starter_files(kind, period))


def starter_period(today: dt.date) -> Month:
    """The last whole month: the one a council is reporting on now."""
    return Month.of(today).shift(-1)


def starter_files(kind: str, period: Month) -> dict[str, bytes]:
    """File name → content, for a pack in data.xlsx or CSV files, or for a paper."""
    if kind == "paper":
        texts = {CONFIG_FILE: PAPER_TOML, "summary.md": SUMMARY_MD, "report.md": REPORT_MD,
                 "appendix.md": APPENDIX_MD}
        return {name: text.encode("utf-8") for name, text in texts.items()}
    tables = example_tables(period)
    if kind == "csv":
        where = ("The tables are the CSV files beside this one (UTF-8: in Excel, save them as "
                 "'CSV UTF-8').")
        files = {f"{name}.csv": csv_bytes(table) for name, table in tables.items()}
    else:
        from reportgen.authoring.starter_workbook import workbook_bytes

        where = f"The tables are the sheets of {WORKBOOK} beside this one."
        files = {WORKBOOK: workbook_bytes(tables)}
    return {CONFIG_FILE: report_toml(where).encode("utf-8"), **files}


def csv_bytes(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel shows "–" and "£" as they are."""
    stream = io.StringIO()
    csv.writer(stream).writerows(table)
    return stream.getvalue().encode("utf-8-sig")


def write_new_folder(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write files into a new or empty folder, never over a file; on failure remove only what
    this wrote."""
    created = _claim_folder(folder)
    written: list[Path] = []
    try:
        for name, content in files.items():
            with (folder / name).open("xb") as stream:  # "x": never over an existing file
                written.append(folder / name)
                stream.write(content)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        if created:
            folder.rmdir()
        raise OutputNotWritable(f"cannot write {error.filename or folder}: {error.strerror}; "
                                f"nothing was left behind") from None
    return written


def _claim_folder(folder: Path) -> bool:
    """Make sure folder is ours to fill: True when this made it."""
    refuse = f"will not start a project in {folder}"
    if folder.is_symlink():
        raise OutputNotWritable(f"{refuse}: it is a symbolic link; give a new folder name")
    if folder.exists() and not folder.is_dir():
        raise OutputNotWritable(f"{refuse}: it is a file; give a new folder name")
    if folder.is_dir():
        found = sorted(p.name for p in folder.iterdir())
        if found:
            shown = ", ".join(found[:3]) + (" …" if len(found) > 3 else "")
            raise OutputNotWritable(f"{refuse}: the folder exists and is not empty (it holds "
                                    f"{shown}); give a new folder name. Nothing was written")
        return False
    if not folder.parent.is_dir():
        raise OutputNotWritable(f"{refuse}: the folder {folder.parent} that would hold it does "
                                f"not exist")
    try:
        folder.mkdir()
    except OSError as error:
        raise OutputNotWritable(f"cannot make the folder {folder}: {error.strerror}") from None
    return True
