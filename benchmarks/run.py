"""`make bench`: reportgen's real CLI against the straightforward pipeline, on synthetic packs.

Prints per-stage times, whole-run times and peak memory (medians of --repeat runs), the
commentary-only rebuild, batch throughput with --jobs 1 and 2, and `reportgen --help`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from synthetic import make_project

HERE = Path(__file__).resolve().parent
STAGES = ["load", "assess", "charts", "render", "layout", "write", "join", "publish"]


def run(command: list[str]) -> tuple[float, float, str, str]:
    """(seconds, peak memory in MB, stdout, stderr). Peak memory: the larger of the biggest
    single process (wait4's maximum resident set) and the most the process and its worker
    processes held at once (their proportional set sizes summed, sampled every 0.2 s: reading
    them costs the measured processes time, ~5 % at 50 ms)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        sampler = TreeMemory(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return seconds, max(usage.ru_maxrss / 1024, sampler.peak_mb), stdout, stderr


class TreeMemory(threading.Thread):
    """The most memory a process and its descendants held at once, from /proc (Linux)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.2):
            self.peak_mb = max(self.peak_mb, sum(map(_pss_mb, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        try:
            children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children").read_text()
        except OSError:
            children = ""
        pids += [int(child) for child in children.split()]
        index += 1
    return pids


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def ours(project: Path, output: Path) -> dict[str, float]:
    seconds, peak, _, stderr = run([sys.executable, "-m", "reportgen", "--log-format", "json",
                                    "build", str(project), "-o", str(output)])
    stages = {e["stage"]: e["seconds"] for e in map(json.loads, stderr.splitlines())
              if "stage" in e}
    manifest = json.loads((output / "manifest.json").read_text())
    pages = next(o["pages"] for o in manifest["outputs"].values() if o["pages"])
    return {**stages, "whole": seconds, "peak_mb": peak, "pages": pages}


def straightforward(project: Path, output: Path) -> dict[str, float]:
    output.mkdir(parents=True, exist_ok=True)
    seconds, peak, stdout, _ = run([sys.executable, str(HERE / "straightforward.py"),
                                    str(project), str(output / "pack.pdf")])
    return {**json.loads(stdout), "whole": seconds, "peak_mb": peak}


def median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: statistics.median(r.get(k, 0.0) for r in runs) for k in runs[0]}


def edit_commentary(project: Path) -> None:
    path = project / "commentary.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][2] = rows[1][2] + " Updated after the performance meeting."
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def pack_benchmark(work: Path, measures: int, repeat: int) -> dict[str, dict[str, float]]:
    project = make_project(work / f"p{measures}", measures)
    results: dict[str, list[dict[str, float]]] = {"straightforward": [], "reportgen cold": [],
                                                  "reportgen commentary-only": []}
    for i in range(repeat):
        results["straightforward"].append(straightforward(project, work / f"s{measures}-{i}"))
        out = work / f"o{measures}-{i}"
        results["reportgen cold"].append(ours(project, out))
        edit_commentary(project)
        results["reportgen commentary-only"].append(ours(project, out))
    return {name: median(runs) for name, runs in results.items()}


def batch_benchmark(work: Path, projects: int, measures: int) -> dict[str, float]:
    folders = [make_project(work / "batch" / f"la{i:03d}", measures, seed=i)
               for i in range(projects)]
    times = {}
    for jobs in (1, 2):
        out = work / f"batch-out-{jobs}"
        seconds, _, _, _ = run([sys.executable, "-m", "reportgen", "-q", "batch",
                                *map(str, folders), "-o", str(out), "--jobs", str(jobs)])
        times[f"jobs {jobs}"] = seconds
    return times


def help_time() -> float:
    return statistics.median(run([sys.executable, "-m", "reportgen", "--help"])[0]
                             for _ in range(5))


def print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    columns = ["imports", *STAGES, "whole", "peak_mb", "pages"]
    print(f"\n{title}")
    print(f"{'pipeline':<28}" + "".join(f"{c:>9}" for c in columns))
    for name, values in rows.items():
        print(f"{name:<28}" + "".join(f"{values.get(c, float('nan')):>9.2f}" for c in columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="40,160")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=15, help="projects in the batch; 0: none")
    parser.add_argument("--batch-measures", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    work = Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    try:
        summary = {}
        for size in map(int, args.sizes.split(",")):
            rows = pack_benchmark(work, size, args.repeat)
            print_table(f"{size} measures (medians of {args.repeat}; seconds, MB)", rows)
            base = rows["straightforward"]["whole"]
            cold = rows["reportgen cold"]["whole"]
            summary[size] = {"cold / straightforward": cold / base,
                             "commentary-only / cold": rows["reportgen commentary-only"]["whole"]
                             / cold,
                             "peak MB": rows["reportgen cold"]["peak_mb"]}
            print("  " + ", ".join(f"{k}: {v:.2f}" for k, v in summary[size].items()))
        if args.batch > 0:  # --batch 0 leaves the batch out
            batch = batch_benchmark(work, args.batch, args.batch_measures)
            print(f"\nbatch of {args.batch} projects × {args.batch_measures} measures: " +
                  ", ".join(f"{k}: {v:.1f} s" for k, v in batch.items()) +
                  f"; throughput jobs 2 / jobs 1: {batch['jobs 1'] / batch['jobs 2']:.2f}×")
        print(f"reportgen --help: {help_time():.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
