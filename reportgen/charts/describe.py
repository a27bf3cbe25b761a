"""A ChartSpec → alt text that says in words what a sighted reader sees in the chart."""

from __future__ import annotations

from reportgen.charts.spec import ChartSpec
from reportgen.load.numbers import SYMBOLS
from reportgen.months import Month
from reportgen.render.formatting import format_band, format_number


def describe_chart(spec: ChartSpec) -> str:
    known = [(m, v) for m, v in zip(spec.months, spec.values, strict=True) if v is not None]
    window = f"{spec.months[0].long} to {spec.months[-1].long}"
    opening = f"Line chart of {spec.title}, {window}"
    if not known:
        return f"{opening}: no figures in this period."
    fmt = _formatter(spec.unit)
    movement = _recent_movement(known, fmt)
    against = _against_target(spec, known[-1][1], fmt)
    parts = [f"{movement}, {against}" if against else movement]
    if len(known) > 3:
        low = min(known, key=lambda p: p[1])
        high = max(known, key=lambda p: p[1])
        span = spec.months[-1].months_since(spec.months[0]) + 1  # quarterly: not every month
        parts.append(f"over the {span} months it ranged from {fmt(low[1])} "
                     f"({low[0].long}) to {fmt(high[1])} ({high[0].long})")
    text = f"{opening}: " + "; ".join(parts)
    extras = [_year_end(spec), _comparators(spec, fmt), _milestones(spec, fmt), _gaps(spec)]
    return text + "".join(f". {e}" for e in extras if e) + "."


def _formatter(unit: str):
    return lambda value: format_number(value, unit)


def _recent_movement(known: list[tuple[Month, float]], fmt) -> str:
    last_month, last = known[-1]
    recent = [p for p in known if last_month.months_since(p[0]) <= 2]
    first_month, first = recent[0]
    if first_month == last_month:
        return f"{fmt(last)} in {last_month.long}"
    if fmt(first) == fmt(last):
        verb = "was unchanged at"
        return f"{verb} {fmt(last)} from {first_month.long} to {last_month.long}"
    verb = "rose" if last > first else "fell"
    return f"{verb} from {fmt(first)} in {first_month.long} to {fmt(last)} in {last_month.long}"


def _against_target(spec: ChartSpec, latest: float, fmt) -> str:
    phrases = []
    if spec.target is not None:
        relation = "above" if latest > spec.target else "below" if latest < spec.target else "on"
        phrases.append(f"{relation} the target of {fmt(spec.target)}")
    if spec.band_low is not None or spec.band_high is not None:
        low = spec.band_low if spec.band_low is not None else float("-inf")
        high = spec.band_high if spec.band_high is not None else float("inf")
        inside = "inside" if low <= latest <= high else "outside"
        band = format_band(spec.band_low, spec.band_high, spec.unit)
        phrases.append(f"{inside} the tolerance band {band}")
    return " and ".join(phrases)


def _year_end(spec: ChartSpec) -> str:
    if len(spec.segments()) < 2:
        return ""
    return ("The figures are financial year to date: the count starts again each April, and "
            "the line is not joined from March to April")


def _comparators(spec: ChartSpec, fmt) -> str:
    if not spec.comparators:
        return ""
    return "Comparators: " + ", ".join(f"{c.name} {fmt(c.value)}" for c in spec.comparators)


def _milestones(spec: ChartSpec, fmt) -> str:
    if not spec.milestones:
        return ""
    return "Milestone targets: " + ", ".join(f"{fmt(v)} by {m.long}" for m, v in spec.milestones)


def _gaps(spec: ChartSpec) -> str:
    gaps = [(m, s) for m, v, s in zip(spec.months, spec.values, spec.symbols or
                                       (None,) * len(spec.months), strict=True) if v is None]
    if not gaps:
        return ""
    described = ", ".join(f"{m.long} ({SYMBOLS[s]})" if s else m.long for m, s in gaps)
    return f"No figure for {described}"


def describe_bars(title: str, bars: tuple[tuple[str, float], ...], unit: str) -> str:
    """Alt text for a table appendix's bar chart: every bar's figure, largest first named."""
    if not bars:
        return f"Bar chart: {title}. There are no figures to show."
    largest = max(bars, key=lambda bar: bar[1])
    figures = "; ".join(f"{label} {format_number(value, unit)}" for label, value in bars)
    return (f"Bar chart: {title}. {len(bars)} bars; the largest is {largest[0]} "
            f"({format_number(largest[1], unit)}). Figures: {figures}.")
