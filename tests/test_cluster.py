"""batch --scheduler: projects and areas as Dask tasks on a real LocalCluster of two worker
processes, with no folder shared; the outputs published by the client are the process pool's,
byte for byte."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import rewrite_csv
from tests.test_national import NATIONAL

NELC = Path(__file__).resolve().parent / "fixtures" / "nelc-2023-06"
EPOCH = "1700000000"


def reportgen(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """The command as a scheduled job runs it, in a process of its own (the cluster's client
    has threads and child processes of its own, which a test process should not keep)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    return subprocess.run([sys.executable, "-m", "reportgen", "-q", *args], env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _rows(table: str) -> list[tuple[str, ...]]:
    """The outcome table without its times."""
    rows = []
    for line in table.splitlines()[1:]:
        cells = line.split()
        time_at = next(i for i, c in enumerate(cells) if c == "s") - 1
        rows.append((*cells[:time_at], *cells[time_at + 2:]))
    return rows


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.parts[-2:])}


def test_areas_on_a_local_cluster_equal_the_process_pool_byte_for_byte(tmp_path: Path) -> None:
    project = tmp_path / "national"
    shutil.copytree(NATIONAL, project)
    pool = reportgen("batch", str(project), "--areas", "all", "-o", str(tmp_path / "pool"),
                     "--jobs", "2")
    cluster = reportgen("batch", str(project), "--areas", "all", "-o", str(tmp_path / "dask"),
                        "--scheduler", "local:2")
    assert pool.returncode == 0, pool.stderr
    assert cluster.returncode == 0, cluster.stderr
    assert "Traceback" not in cluster.stderr
    assert _rows(cluster.stdout) == _rows(pool.stdout)
    from_pool, from_cluster = _files(tmp_path / "pool"), _files(tmp_path / "dask")
    assert sorted(from_cluster) == sorted(from_pool)
    assert sum(name.endswith(".pdf") for name in from_cluster) == 4
    for name, content in from_pool.items():
        assert from_cluster[name] == content, name  # PDFs and manifests alike
    leftovers = [p for p in (tmp_path / "dask").rglob("*") if ".tmp" in p.name
                 or p.name.startswith(".manifest")]
    assert leftovers == []


def test_a_failing_project_on_the_cluster_is_reported_like_a_local_one(tmp_path: Path) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    shutil.copytree(NELC, good)
    shutil.copytree(NELC, bad)
    rewrite_csv(bad / "values.csv", lambda rows: rows[1].__setitem__(2, "twelve"))
    out = tmp_path / "out"
    result = reportgen("batch", str(good), str(bad), "-o", str(out), "--scheduler", "local:2")
    assert result.returncode == 65, result.stderr
    rows = _rows(result.stdout)
    assert rows[0][:2] == ("good", "ok")
    assert rows[1][:2] == ("bad", "FAILED")
    assert "values.csv, row 2, column 'value': error: 'twelve' is not a number" in result.stdout
    assert "Error: 1 of 2 project(s) failed" in result.stderr
    assert sorted(p.name for p in (out / "good").iterdir() if not p.name.startswith(".")) == \
        ["improvement-plan-report-2023-06.pdf", "manifest.json"]
    assert not (out / "bad").exists()


def test_a_scheduler_that_cannot_be_reached_exits_69(tmp_path: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    out = tmp_path / "out"
    result = reportgen("batch", str(NELC), "-o", str(out), "--scheduler",
                       f"tcp://127.0.0.1:{port}")
    assert result.returncode == 69, result.stderr
    assert f"Error: cannot reach the Dask scheduler tcp://127.0.0.1:{port}:" in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("value", ["local:0", "local:two", "just-a-name"])
def test_a_malformed_scheduler_is_a_usage_error(value: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli

    result = CliRunner().invoke(cli, ["batch", str(NELC), "-o", str(tmp_path / "out"),
                                      "--scheduler", value])
    assert result.exit_code == 2
    assert "Invalid value for '--scheduler'" in result.output


def _laying_out(process) -> bool:
    """A layout child: the only process of ours with an address-space limit (limits.py)."""
    import psutil

    try:
        soft, _ = process.rlimit(psutil.RLIMIT_AS)
    except (psutil.Error, OSError):
        return False
    return soft != psutil.RLIM_INFINITY


def test_a_lost_workers_task_runs_again_and_the_packs_are_the_same(tmp_path: Path) -> None:
    """A worker killed while it lays out a pack (SIGKILL: as a machine that is switched off):
    the scheduler runs its task again on a worker that lives, and every pack is published."""
    import signal
    import time

    import psutil

    project = tmp_path / "national"
    shutil.copytree(NATIONAL, project)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    batch = subprocess.Popen([sys.executable, "-m", "reportgen", "-q", "batch", str(project),
                              "--areas", "all", "-o", str(tmp_path / "dask"), "--scheduler",
                              "local:2"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and batch.poll() is None and time.monotonic() < deadline:
        # the worker processes are the client's children; one whose child runs under the
        # layout's memory limit (an address-space limit) is laying out a pack
        for worker in psutil.Process(batch.pid).children():
            if any(_laying_out(child) for child in worker.children()):
                killed = worker.pid
                os.kill(worker.pid, signal.SIGKILL)
                break
        time.sleep(0.05)
    stdout, stderr = batch.communicate(timeout=300)
    assert killed is not None, "no worker was seen building"
    assert batch.returncode == 0, stdout + stderr
    pool = reportgen("batch", str(project), "--areas", "all", "-o", str(tmp_path / "pool"),
                     "--jobs", "2")
    assert pool.returncode == 0
    assert _files(tmp_path / "dask") == _files(tmp_path / "pool")


def test_sigterm_stops_a_batch_on_a_local_cluster_and_leaves_no_process(tmp_path: Path
                                                                        ) -> None:
    import signal
    import time

    import psutil

    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    batch = subprocess.Popen([sys.executable, "-m", "reportgen", "-q", "batch", str(NATIONAL),
                              "--areas", "all", "-o", str(tmp_path / "out"), "--scheduler",
                              "local:2"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    family: list[psutil.Process] = []
    deadline = time.monotonic() + 120
    while batch.poll() is None and time.monotonic() < deadline:
        family = psutil.Process(batch.pid).children(recursive=True)
        if any(worker.children() for worker in psutil.Process(batch.pid).children()):
            break  # a worker is laying out a pack
        time.sleep(0.05)
    batch.send_signal(signal.SIGTERM)
    _, stderr = batch.communicate(timeout=60)
    assert batch.returncode == 143, stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    _, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []
    leftovers = [p for p in (tmp_path / "out").rglob("*") if p.is_file()
                 and not p.name.endswith((".pdf", ".json", ".lock"))]
    assert leftovers == []
