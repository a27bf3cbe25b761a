"""The paper's own date (`[paper] date`, the meeting) → its file name, build date and header.

A paper with no data is dated by its meeting; one with data too, when the date is given (the
data's month stays in the "Performance data for …" line and the appendices).
"""

from __future__ import annotations

import datetime as dt
import os

from reportgen.builds import build_time
from reportgen.layout.furniture import css_string
from reportgen.months import Month, long_date
from reportgen.papers.project import PaperProject


def paper_label(paper: PaperProject) -> str:
    """What names the paper's files and its manifest: the meeting's date, else the data's
    month, else report.toml's period ('' when it is 'latest')."""
    date = paper.paper.config.date
    if date is not None:
        return date.isoformat()
    if paper.period is not None:
        return paper.period.iso
    return "" if paper.settings.config.period == "latest" else paper.settings.config.period


def paper_build_time(paper: PaperProject) -> dt.datetime:
    """The build's one date: as a pack's (SOURCE_DATE_EPOCH, the refresh date, the month after
    the data), and for a paper without data or refresh date, its meeting's date."""
    date = paper.paper.config.date
    if paper.period is None and date is not None and not paper.settings.config.data_refreshed \
            and not os.environ.get("SOURCE_DATE_EPOCH", "").strip().isdigit():
        return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    return build_time(paper.settings.config, paper.period or _given_month(paper))


def _given_month(paper: PaperProject) -> Month | None:
    """A paper without data or date is dated by report.toml's `period` when it is a month
    (the day after it, as a pack is), never 1980."""
    try:
        return Month.parse(paper.settings.config.period)
    except ValueError:
        return None


def meeting_date(paper: PaperProject) -> str:
    """The meeting's date as the paper prints it, '14 September 2023'; '' when not given."""
    date = paper.paper.config.date
    return long_date(date) if date is not None else ""


def header_date_css(paper: PaperProject) -> str:
    """The running header's right: the meeting's date, when given, in place of the month."""
    date = meeting_date(paper)
    return f"@page {{ @top-right {{ content: {css_string(date)}; }} }}\n" if date else ""
