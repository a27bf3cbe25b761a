"""Synthetic report projects in the SPEC input format, for benchmarks: N measures, 24 months."""

from __future__ import annotations

import csv
import random
from pathlib import Path

SENTENCE = ("Performance is monitored weekly and managers review every case that is out of "
            "timescale with the team, agreeing actions and dates. ")


def make_project(folder: Path, measures: int, months: int = 24, seed: int = 1) -> Path:
    """Write a complete project: ~4 priorities, every fifth measure paired in a group."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    periods = [f"{2021 + (m + 6) // 12}-{(m + 6) % 12 + 1:02d}" for m in range(months)]
    priorities = [chr(ord("A") + i) for i in range(max(1, min(8, measures // 10)))]
    _write(folder / "priorities.csv", ["id", "title"],
           [[p, f"Priority {p} – synthetic area {p}"] for p in priorities])
    rows, values, targets, commentary = [], [], [], []
    for i in range(measures):
        ident = f"m{i:03d}"
        unit = ["number", "rate", "percent"][i % 3]
        polarity = ["up", "down", "range"][i % 3] if unit != "percent" else "up"
        group = f"g{i - 1:03d}" if i % 5 == 1 else (f"g{i:03d}" if i % 5 == 0 and
                                                     i + 1 < measures else "")
        base = {"number": 800, "rate": 240, "percent": 88}[unit]
        priority = priorities[i * len(priorities) // measures]
        if i % 5 == 1:  # keep a pair in its first measure's priority
            priority = rows[-1][2]
        rows.append([ident, f"Synthetic measure {i}", priority, group,
                     unit, polarity, base, base * 0.9, base * 1.1, "Monthly",
                     f"Synthetic measure {i} at month end"])
        level = base * rng.uniform(0.85, 1.05)
        for period in periods:
            level = min(100, level * rng.uniform(0.97, 1.03)) if unit == "percent" else \
                level * rng.uniform(0.97, 1.03)
            values.append([ident, period, round(level, 1 if unit == "percent" else 0)])
        targets += [[ident, "2023-09", base], [ident, "2024-03", base]]
        page = group or ident
        if not commentary or commentary[-1][0] != page:
            commentary.append([page, periods[-1], SENTENCE * 2, SENTENCE * 2, SENTENCE * 3])
    _write(folder / "measures.csv", ["id", "title", "priority", "group", "unit", "polarity",
                                     "target", "tolerance_low", "tolerance_high", "frequency",
                                     "chart_title"], rows)
    _write(folder / "values.csv", ["measure_id", "period", "value"], values)
    _write(folder / "targets.csv", ["measure_id", "due", "target"], targets)
    _write(folder / "commentary.csv", ["page", "period", "working_well", "worried_about",
                                       "doing_about_it"], commentary)
    _write(folder / "comparators.csv", ["measure_id", "name", "value"],
           [[r[0], "England", round(float(r[6]) * 1.1)] for r in rows[::3]])
    (folder / "report.toml").write_text(
        f'title = "Synthetic Pack {measures}"\norganisation = "Benchmark Council"\n'
        f'period = "{periods[-1]}"\ndata_refreshed = "2023-06-15"\n', encoding="utf-8")
    return folder


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
