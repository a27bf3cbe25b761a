"""A reporting month → the starter project's example tables, report.toml and paper Markdown."""

from __future__ import annotations

from reportgen.load.dataset import COLUMNS
from reportgen.months import Month

Table = list[list[object]]  # a header row, then data rows

MONTHS_OF_VALUES = 6
# Two measures that show the two common shapes: a percentage where bigger is better, and a
# count where smaller is better, each with a tolerance band and two milestones.
VISITS = "visits_timely"
CP_PLANS = "cp_plans"
VISITS_VALUES = (84, 86, 88, 87, 89, 91)
CP_VALUES = (262, 270, 281, 290, 284, 296)


def example_tables(period: Month) -> dict[str, Table]:
    """Every table the README lists, with every column, in report order."""
    months = [period.shift(i - MONTHS_OF_VALUES + 1) for i in range(MONTHS_OF_VALUES)]
    rows: dict[str, list[dict[str, object]]] = {
        "priorities": [{"id": "A", "title": "Priority A – Planning and Safety (example)"}],
        "measures": [
            {"id": VISITS, "title": "Child in need visits in timescale", "priority": "A",
             "unit": "percent", "polarity": "up", "tolerance_low": 85, "frequency": "Monthly",
             "chart_title": "% of child in need visits in timescale at month end"},
            {"id": CP_PLANS, "title": "Children on a child protection plan", "priority": "A",
             "unit": "number", "polarity": "down", "tolerance_low": 250,
             "tolerance_high": 300, "frequency": "Monthly",
             "chart_title": "Number of children on a child protection plan at month end"},
        ],
        "values": [{"measure_id": m, "period": month.iso, "value": v}
                   for m, values in ((VISITS, VISITS_VALUES), (CP_PLANS, CP_VALUES))
                   for month, v in zip(months, values, strict=True)],
        "targets": [{"measure_id": m, "due": period.shift(ahead).iso, "target": target}
                    for m, targets in ((VISITS, (90, 92)), (CP_PLANS, (275, 260)))
                    for ahead, target in zip((3, 9), targets, strict=True)],
        "commentary": [_commentary(VISITS, period, VISITS_COMMENTARY),
                       _commentary(CP_PLANS, period, CP_COMMENTARY)],
        "comparators": [{"measure_id": VISITS, "name": "Statistical neighbours", "value": 88},
                        {"measure_id": VISITS, "name": "England", "value": 86}],
    }
    return {name: [list(COLUMNS[name]), *([r.get(c, "") for c in COLUMNS[name]] for r in table)]
            for name, table in rows.items()}


VISITS_COMMENTARY = (
    "Visits in timescale have risen in each of the last two months and are above target.",
    "Timeliness is not the same as quality: a few visits are still short and not purposeful.",
    ("- Weekly performance meetings check every late visit\n"
     "- Managers dip-sample visit records each month"),
)
CP_COMMENTARY = (
    "Plans are reviewed at 9 and 12 months, and more children step down to child in need.",
    "Numbers have risen over the last quarter and are near the top of the tolerance band.",
    "We are reviewing every plan open for more than a year with the child protection chairs.",
)


def _commentary(page: str, period: Month, answers: tuple[str, str, str]) -> dict[str, object]:
    well, worried, doing = answers
    return {"page": page, "period": period.iso, "working_well": well, "worried_about": worried,
            "doing_about_it": doing}


def report_toml(tables_are: str) -> str:
    """The pack's report.toml, commented for someone who has not read the README."""
    return f"""\
# What reportgen builds from this folder. Lines starting with # are comments; every key is
# described in reportgen's README ("The report project (input)" → "report.toml").
# {tables_are}

# The title page: the pack's title and your council's name.
title = "Improvement Plan Report"
organisation = "Example Council"
subtitle = "Children's Services Improvement Plan – monthly performance report"

# The month to report: "latest" is the newest month that has values, or give one: "2024-06".
period = "latest"

# The day the figures were last refreshed, shown on the title page (YYYY-MM-DD).
# data_refreshed = "2024-07-17"

# A note on the title page. Delete it once your own figures replace the examples.
notice = "Example measures, figures and commentary written by reportgen new: replace them."

# protective_marking = "OFFICIAL"   # printed at the top and bottom of every page
# theme = "default"                 # or "northshire", or your own folder under styles/
# format = "pdf"                    # what build writes: pdf, html or all

[rag]
# The tolerance used when a measure has no band of its own, as a fraction of its target.
default_tolerance = 0.10

[charts]
# Months shown in each chart and in "Data covers".
window_months = 13
"""


PAPER_TOML = """\
# A committee paper: a cover report built from the Markdown files beside this one, with its
# appendices. Every key is described in reportgen's README ("Committee papers").
title = "Children's Services Improvement"
organisation = "Example Council"
# The PDF's name (without .pdf): change it for each meeting.
output_name = "{slug}"
# protective_marking = "OFFICIAL"

# To show the monthly pack or its figures, point `data` at the pack's folder (its report.toml
# supplies title, organisation and period; keys here override them) and add an appendix:
#   data = "../monthly-pack"
#   [[appendix]]
#   kind = "pack"
#   title = "Improvement Plan Report"

[paper]
committee = "Children and Young People Scrutiny Panel"
subject = "Children's Services Improvement Journey"
documents = "one"            # "one" PDF, or "separate": the cover, then each appendix
summary = ["summary.md"]     # Markdown before the numbered sections (not numbered)
sections = ["report.md"]     # Markdown numbered 1., 1.1, 1.2 … across the files
recommendations = ["Panel members note the progress made on the improvement plan."]
contact = ["Director of Children's Services, Example Council"]
signature = ["DIRECTOR OF CHILDREN'S SERVICES"]
# The front sheet: your labels, in your order.
fields = [
  { label = "DATE", value = "Date of the meeting" },
  { label = "REPORT OF", value = "Director of Children's Services" },
  { label = "SUBJECT", value = "Children's Services Improvement Journey" },
  { label = "STATUS", value = "Open" },
]

# Appendices, in order (Appendix 1, 2 …). Kinds: pack, table, comparison, pdf, markdown.
[[appendix]]
kind = "markdown"
title = "Improvement plan milestones"
text = "appendix.md"
"""

SUMMARY_MD = """\
# CONTRIBUTION TO OUR AIMS

Say here how the report contributes to the council plan. This part is not numbered.

# EXECUTIVE SUMMARY

A short summary of the report for the committee.
"""

REPORT_MD = """\
# BACKGROUND AND ISSUES

Each paragraph under a heading is numbered in the committee style (1.1, 1.2 …).

Lists, tables, **bold** and *italics* work:

- a first point
- a second point

# FINANCIAL CONSIDERATIONS

There are no direct financial implications arising from this report.
"""

APPENDIX_MD = """\
The improvement plan's milestones for the year.

| Milestone | Due |
| --- | --- |
| Child in need visits in timescale at 90% | September |
| Children on a plan for over two years reviewed | March |
"""
