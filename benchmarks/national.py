"""A synthetic national table (England, the nine regions, N local authorities with statistical
neighbours) as a national report project: `python -m benchmarks.national FOLDER [--areas N]`."""

from __future__ import annotations

import argparse
import csv
import math
import random
from pathlib import Path

REGIONS = [("E12000001", "North East"), ("E12000002", "North West"),
           ("E12000003", "Yorkshire and The Humber"), ("E12000004", "East Midlands"),
           ("E12000005", "West Midlands"), ("E12000006", "East of England"),
           ("E12000007", "London"), ("E12000008", "South East"), ("E12000009", "South West")]
ENGLAND = ("E92000001", "England")
UNITS = ["number", "rate", "percent"]


def make_national(folder: Path, areas: int = 153, measures: int = 20, months: int = 24,
                  neighbours: int = 10, seed: int = 1) -> Path:
    """Write a national project: priorities, measures, targets, values (with an area
    column, England's and the regions' rows too), areas, neighbours and report.toml."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    periods = [f"{2021 + (m + 6) // 12}-{(m + 6) % 12 + 1:02d}" for m in range(months)]
    local = [(f"E0{6 + i % 3}{i:06d}", f"Synthetic Borough {i + 1}", REGIONS[i % 9][0])
             for i in range(areas)]
    priorities = [chr(ord("A") + i) for i in range(max(1, min(4, measures // 5)))]
    _write(folder / "priorities.csv", ["id", "title"],
           [[p, f"Priority {p} – synthetic priority {p}"] for p in priorities])
    rows, targets = [], []
    for i in range(measures):
        unit = UNITS[i % 3]
        base = {"number": 800, "rate": 240, "percent": 88}[unit]
        rows.append([f"m{i:03d}", f"Synthetic measure {i}", priorities[i * len(priorities)
                                                                       // measures],
                     unit, "up" if unit == "percent" else "down", base, round(base * 0.9),
                     round(base * 1.1), "Monthly"])
        targets.append([f"m{i:03d}", periods[-1][:4] + "-09" if periods[-1][5:] < "09"
                        else f"{int(periods[-1][:4]) + 1}-03", base])
    _write(folder / "measures.csv", ["id", "title", "priority", "unit", "polarity", "target",
                                     "tolerance_low", "tolerance_high", "frequency"], rows)
    _write(folder / "targets.csv", ["measure_id", "due", "target"], targets)
    everyone = [ENGLAND[0], *(code for code, _ in REGIONS), *(code for code, _, _ in local)]
    values = []
    for code in everyone:
        for i, row in enumerate(rows):
            level = float(row[5]) * rng.uniform(0.85, 1.1)
            for period in periods:
                level *= rng.uniform(0.97, 1.03)
                shown: object = round(min(level, 100) if row[3] == "percent" else level,
                                      1 if row[3] != "number" else 0)
                if code not in everyone[:10] and rng.random() < 0.01:
                    shown = "c"  # a suppressed figure now and then, as published tables have
                values.append([code, f"m{i:03d}", period, shown])
    _write(folder / "values.csv", ["area", "measure_id", "period", "value"], values)
    _write(folder / "areas.csv", ["code", "name", "level", "region"],
           [[*ENGLAND, "National", ""], *[[c, n, "Regional", ""] for c, n in REGIONS],
            *[[c, n, "Local authority", r] for c, n, r in local]])
    pairs = []
    for index, (code, _, _) in enumerate(local):
        others = sorted(range(len(local)), key=lambda j: (math.sin(index * 7 + j * 3), j))
        pairs += [[code, local[j][0]] for j in others if j != index][:min(neighbours,
                                                                          areas - 1)]
    _write(folder / "neighbours.csv", ["area", "neighbour"], pairs)
    (folder / "report.toml").write_text(
        'title = "Children\'s Services Performance"\norganisation = "England"\n'
        f'period = "{periods[-1]}"\n\n[national]\nlayout = "areas"\n', encoding="utf-8")
    return folder


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--areas", type=int, default=153)
    parser.add_argument("--measures", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    arguments = parser.parse_args()
    make_national(arguments.folder, arguments.areas, arguments.measures, arguments.months)
    print(f"Wrote {arguments.folder}: {arguments.areas} areas, {arguments.measures} measures")


if __name__ == "__main__":
    main()
