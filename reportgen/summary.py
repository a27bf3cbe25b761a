"""Assessments → the rows of `reportgen summary`, as JSON-ready dicts or a text table."""

from __future__ import annotations

from typing import Any

from reportgen.assess import Assessment
from reportgen.render.formatting import format_number


def summary_rows(assessments: list[Assessment]) -> list[dict[str, Any]]:
    """One object per measure in report order, with the keys SPEC fixes."""
    return [{
        "measure_id": a.measure.id,
        "title": a.measure.title,
        "priority": a.measure.priority,
        "period": a.reported.iso,  # the figure's month: a quarterly one's may be earlier
        "value": a.observation.value if a.observation.value is not None
        else a.observation.symbol,
        "target": a.target.value if a.target else None,
        "rating": a.rating,
        "rating_set_by": a.rating_set_by,
        "direction": a.direction,
        "trend": a.trend,
        "unit": a.measure.unit,
        "rag_note": a.observation.rating_note,
    } for a in assessments]


def summary_table(rows: list[dict[str, Any]]) -> str:
    headers = ["measure", "period", "value", "target", "rating", "set by", "DoT", "trend"]
    table = [[r["measure_id"], r["period"], _text(r["value"], r["unit"]),
              _text(r["target"], r["unit"]), r["rating"], r["rating_set_by"], r["direction"],
              r["trend"]] for r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *table, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
              for row in table]
    return "\n".join(line.rstrip() for line in lines)


def _text(value: Any, unit: str) -> str:
    """As the pack shows it (90%, 1,966), or the symbol as written."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return format_number(value, unit)
    return str(value)
