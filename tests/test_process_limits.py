"""Worker processes die with their build, and SIGTERM stops a build cleanly."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

REPORTGEN = Path(sys.executable).with_name("reportgen")  # .venv/bin/reportgen
PDF_NAME = "synthetic-pack-30-2023-06.pdf"


# Killed and stopped builds: real processes, real signals.

@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 measures: enough charts for the chart workers, enough pages for the parts."""
    from benchmarks.synthetic import make_project

    return make_project(tmp_path_factory.mktemp("big") / "project", measures=30)


@pytest.fixture
def running():
    """Start builds with running(project, output); whatever the test found, none of their
    processes outlives it."""
    builds: list[RunningBuild] = []

    def start(project: Path, output: Path) -> RunningBuild:
        builds.append(RunningBuild(project, output))
        return builds[-1]

    yield start
    for build in builds:
        build.kill_all()


class RunningBuild:
    """`reportgen build` in its own process, its log lines read as they come."""

    def __init__(self, project: Path, output: Path) -> None:
        self.process = subprocess.Popen(
            [str(REPORTGEN), "build", str(project), "-o", str(output), "--jobs", "2"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.workers: list[psutil.Process] = []
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.log: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:  # ends when no process holds the pipe any more
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, start: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while (line := self.lines.get(timeout=max(0.0, deadline - time.monotonic()))) is not None:
            self.log.append(line)
            if line.startswith(start):
                return
        pytest.fail(f"the build ended before {start!r}: {''.join(self.log)}")

    def wait_for_workers(self, timeout: float = 60) -> list[psutil.Process]:
        """The build's forked workers (same command line; not the helpers it runs)."""
        build = psutil.Process(self.process.pid)
        deadline = time.monotonic() + timeout
        while not self.workers and time.monotonic() < deadline:
            time.sleep(0.02)
            self.workers = self._forked(build)
        if not self.workers:
            pytest.fail(f"no worker process appeared: {''.join(self.log)}")
        time.sleep(0.3)  # a pool forks its workers one after the other: all of them
        self.workers = list({w.pid: w for w in self.workers + self._forked(build)}.values())
        return self.workers

    @staticmethod
    def _forked(build: psutil.Process) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):  # a child may end as it is read
            return [c for c in build.children() if c.cmdline() == build.cmdline()]
        return []

    def rest_of_log(self, timeout: float) -> str:
        """The log to its end: the pipe closes only when the build and every worker are gone."""
        self.reader.join(timeout)
        assert not self.reader.is_alive(), "a process still holds the build's stderr"
        while (line := self.lines.get_nowait()) is not None:
            self.log.append(line)
        return "".join(self.log)

    def kill_all(self) -> None:
        self.process.kill()  # Popen knows whether it has reaped the build: no stray pid
        self.process.wait()
        for worker in filter(_alive, self.workers):
            with contextlib.suppress(psutil.NoSuchProcess):
                worker.kill()
        self.reader.join(10)  # the pipe closes with the last of them
        if not self.reader.is_alive():  # else closing would wait for the reader's read
            assert self.process.stderr is not None
            self.process.stderr.close()


def _alive(process: psutil.Process) -> bool:
    """Running, as opposed to ended or a zombie nobody reaped yet (a container's init may
    not); is_running() also tells a reused pid from the worker."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _survivors(workers: list[psutil.Process], within: float) -> list[int]:
    deadline = time.monotonic() + within
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [w.pid for w in workers if _alive(w)]


def _previous_build(output: Path) -> dict[str, bytes]:
    """Stand-ins for the last complete build in the output folder."""
    output.mkdir()
    files = {PDF_NAME: b"%PDF-1.7 the previous pack", "manifest.json": b'{"previous": true}'}
    for name, content in files.items():
        (output / name).write_bytes(content)
    return files


# charts: the chart workers draw; layout: after the parts are rendered, their layout workers.
STAGES = {"charts": "reportgen: assess", "layout": "reportgen: render"}


@pytest.mark.parametrize("stage", STAGES)
def test_workers_die_with_a_killed_build(running, big_project: Path, tmp_path: Path,
                                        stage: str) -> None:
    build = running(big_project, tmp_path / "out")
    build.wait_for_line(STAGES[stage])
    workers = build.wait_for_workers()
    os.kill(build.process.pid, signal.SIGKILL)
    assert build.process.wait(timeout=10) == -signal.SIGKILL
    assert _survivors(workers, within=5) == []
    build.rest_of_log(timeout=5)  # `reportgen build | tee log` ends


@pytest.mark.parametrize("stage", STAGES)
def test_sigterm_stops_the_build_its_workers_and_leaves_the_last_build(
        running, big_project: Path, tmp_path: Path, stage: str) -> None:
    output = tmp_path / "out"
    previous = _previous_build(output)
    build = running(big_project, output)
    build.wait_for_line(STAGES[stage])
    workers = build.wait_for_workers()
    os.kill(build.process.pid, signal.SIGTERM)
    assert build.process.wait(timeout=10) == 143
    assert _survivors(workers, within=5) == []
    log = build.rest_of_log(timeout=5)
    assert "Error: stopped by SIGTERM; the output folder keeps its last complete build" in log
    assert "Traceback" not in log
    assert {name: (output / name).read_bytes() for name in previous} == previous
    assert {p.name for p in output.iterdir()} - set(previous) <= {".reportgen-cache",
                                                                  ".reportgen.lock"}
    assert not [p for p in output.rglob("*") if p.name.endswith(".tmp")]
