"""The national batch timed: a synthetic table of 153 authorities (20 measures each), some or all
of them built with `--jobs 2` and on a two-worker local Dask cluster, and the parts that do not
spread over machines measured on their own: the client's loading and splitting, its publishing,
and the scheduler's overhead per task.

    python -m benchmarks.national_batch [--areas 20] [--tasks 200]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.national import make_national

CORES = os.cpu_count() or 1


def _batch(project: Path, areas: str, out: Path, *extra: str) -> tuple[float, list[float]]:
    """Wall time of the command, and each pack's time from its outcome table."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "reportgen", "-q", "batch", str(project),
                           "--areas", areas, "-o", str(out), *extra], capture_output=True,
                          text=True, check=False, env={**os.environ,
                                                       "SOURCE_DATE_EPOCH": "1700000000"})
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    packs = [float(m[1]) for m in re.finditer(r"\sok\s+([\d.]+) s", done.stdout)]
    return wall, packs


def _client_parts(project: Path, out: Path) -> dict[str, float]:
    """What the client does alone: check and split all 153 areas; publish one pack's files."""
    from reportgen.batch import area_items
    from reportgen.cluster import bundle_for, publish_outputs
    from reportgen.load.national import check_national

    start = time.perf_counter()
    checked, problems = check_national(project)
    load = time.perf_counter() - start
    assert checked is not None, problems.items
    items = area_items(checked.areas, out)
    start = time.perf_counter()
    task_bytes = [len(pickle.dumps((item, bundle_for(item)))) for item in items]
    pickling = (time.perf_counter() - start) / len(items)
    pack = next((out / "jobs2").iterdir())
    files = tuple((p.name, p.read_bytes()) for p in pack.iterdir() if p.is_file()
                  and not p.name.startswith("."))
    start = time.perf_counter()
    rounds = 20
    for index in range(rounds):
        publish_outputs(out / "publish" / str(index), files)
    publish = (time.perf_counter() - start) / rounds
    return {"areas checked": len(items), "load and split all (s)": load,
            "task input, median (kB)": sorted(task_bytes)[len(task_bytes) // 2] / 1000,
            "bundle and pickle a task (ms)": pickling * 1000,
            "pack output (kB)": sum(len(c) for _, c in files) / 1000,
            "publish a pack (ms)": publish * 1000}


def _nothing(index: int) -> int:
    return index


def _scheduler_overhead(tasks: int) -> dict[str, float]:
    """Round trip per task of a task that does nothing, on a two-worker local cluster, after
    the cluster has started (its start-up is timed on its own)."""
    from distributed import Client, LocalCluster, wait

    start = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        startup = time.perf_counter() - start
        client.submit(_nothing, -1, pure=False).result()  # warm
        start = time.perf_counter()
        wait([client.submit(_nothing, i, pure=False) for i in range(tasks)])
        batch = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(min(tasks, 50)):
            client.submit(_nothing, i, pure=False).result()
        serial = (time.perf_counter() - start) / min(tasks, 50)
    return {"cluster start-up (s)": startup,
            f"{tasks} no-op tasks submitted at once (ms a task)": batch / tasks * 1000,
            "one no-op task at a time, round trip (ms)": serial * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, default=20, help="how many of the 153 to build")
    parser.add_argument("--tasks", type=int, default=200, help="no-op tasks for the overhead")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-national-bench-") as folder:
        root = Path(folder)
        project = make_national(root / "national", areas=153, measures=20, months=24)
        codes = [line.split(",")[0] for line in
                 (project / "areas.csv").read_text().splitlines()[11:11 + arguments.areas]]
        chosen = ",".join(codes)
        results: dict[str, object] = {"machine": f"{platform.machine()}, {CORES} cores, "
                                                 f"Python {platform.python_version()}",
                                      "load average before": os.getloadavg()}
        for name, extra in (("jobs2", ("--jobs", "2")), ("local2", ("--scheduler", "local:2"))):
            wall, packs = _batch(project, chosen, root / name, *extra)
            results[name] = {"packs": len(packs), "wall (s)": round(wall, 1),
                             "per pack, wall (s)": round(wall / len(packs), 2),
                             "per pack, core time (s)": round(wall * 2 / len(packs), 2),
                             "each pack's own time, median (s)":
                                 round(sorted(packs)[len(packs) // 2], 2)}
            print(name, json.dumps(results[name]), flush=True)
        results["client"] = {k: round(v, 3) for k, v in _client_parts(project, root).items()}
        print("client", json.dumps(results["client"]), flush=True)
        results["scheduler"] = {k: round(v, 3) for k, v in
                                _scheduler_overhead(arguments.tasks).items()}
        results["load average after"] = os.getloadavg()
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
