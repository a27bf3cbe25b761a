"""A page's commentary and the one before it → the panels copied word for word (stale)."""

from __future__ import annotations

from reportgen.model import Commentary, Dataset
from reportgen.months import Month
from reportgen.problems import Problems

# The three panels: the commentary table's column → the question the pack heads it with.
QUESTIONS = {
    "working_well": "What's working well?",
    "worried_about": "What are we worried about?",
    "doing_about_it": "What are we doing about it?",
}


def answers(commentary: Commentary) -> dict[str, str]:
    """The panels by column."""
    return {column: getattr(commentary, column) for column in QUESTIONS}


def previous_commentary(data: Dataset, page: str, period: Month
                        ) -> tuple[Month, Commentary] | None:
    """The page's newest commentary before period (last month's, unless a month was skipped)."""
    earlier = [month for (p, month) in data.commentary if p == page and month < period]
    if not earlier:
        return None
    month = max(earlier)
    return month, data.commentary[(page, month)]


def same_words(one: str, other: str) -> bool:
    """Word for word: the same text once spacing and line breaks are set aside."""
    return bool(one.strip()) and one.split() == other.split()


def stale_columns(now: dict[str, str], before: Commentary) -> list[str]:
    """The panels that repeat the earlier commentary word for word (a blank one never does)."""
    earlier = answers(before)
    return [column for column, text in now.items() if same_words(text, earlier[column])]


def warn_about_stale_commentary(data: Dataset, period: Month, problems: Problems) -> None:
    """A panel copied from the month before is probably out of date: say which."""
    for page, month in sorted(key for key in data.commentary if key[1] == period):
        previous = previous_commentary(data, page, period)
        if previous is None:
            continue
        earlier, before = previous
        for column in stale_columns(answers(data.commentary[(page, month)]), before):
            problems.warning("commentary", f"page '{page}': '{QUESTIONS[column]}' for {period} "
                                           f"is word for word the commentary for {earlier}; is "
                                           f"it still true?", column=column)
