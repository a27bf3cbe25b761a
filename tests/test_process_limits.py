"""Worker processes die with their build, SIGTERM stops a build cleanly, and page layout cannot
run away: absurd sizes are refused before layout, and layout runs under a time and a memory
limit in a child process."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.errors import InvalidInput
from reportgen.layout.limits import DEFAULT_MEMORY_MB, DEFAULT_SECONDS, LayoutLimits, layout_limits
from reportgen.layout.sizes import absurd_sizes
from reportgen.resources import default_styles_dir
from tests.conftest import NELC, SAMPLE

REPORTGEN = Path(sys.executable).with_name("reportgen")  # .venv/bin/reportgen
HINT = ("check the project's stylesheets (styles/…) for sizes such as @page size or "
        "font-size")
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


# Absurd sizes: refused before layout, naming the stylesheet and the declaration.

def _with_stylesheet(tmp_path: Path, css: str, project: Path = NELC) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(project, copy)
    (copy / "styles" / "default").mkdir(parents=True)
    (copy / "styles" / "default" / "pack.css").write_text(css, encoding="utf-8")
    return copy


@pytest.mark.parametrize(("css", "message"), [
    ("@page { size: 100000cm }",
     ("styles/default/pack.css: error: '@page { size: 100000cm }' makes a page 1,000 m wide "
      "or high; a page may be at most 2 m")),
    ("@media print { html { font-size: 1e9px } }",
     ("styles/default/pack.css: error: 'font-size: 1e9px' is a font 750,000,000 pt high; "
      "text may be at most 500 pt")),
])
def test_absurd_sizes_in_a_project_stylesheet_are_refused(tmp_path: Path, css: str,
                                                          message: str) -> None:
    project = _with_stylesheet(tmp_path, css)
    result = CliRunner().invoke(cli, ["build", str(project), "-o", str(tmp_path / "out")])
    assert result.exit_code == 65, result.output
    assert result.output.endswith("Error: 1 error(s) in the report project; nothing was "
                                  f"written:\n  {message}\n")
    assert "layout" not in result.output  # refused before
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_absurd_sizes_are_found_wherever_the_rules_nest() -> None:
    css = ("@page { size: A4; @top-center { font: bold 900pt/2 serif } }\n"
           "@supports (display: grid) { p { font-size: 60em; & b { font-size: 1000pt } } }\n"
           "@page :first { size: 300cm 10cm }\n"
           "p { font: 12pt/1e9px serif; font-size: var(--big) }")
    assert [found for found, _ in absurd_sizes(css)] == [
        "font: bold 900pt/2 serif", "font-size: 60em", "font-size: 1000pt", "size: 300cm 10cm"]


def test_the_shipped_themes_have_no_absurd_size() -> None:
    for sheet in sorted(default_styles_dir().rglob("*.css")):
        assert absurd_sizes(sheet.read_text(encoding="utf-8")) == [], sheet


def test_a_size_weasyprint_fails_on_is_an_input_error(tmp_path: Path) -> None:
    """A size the check cannot see (through var()) makes WeasyPrint divide by zero."""
    project = _with_stylesheet(tmp_path, ":root { --big: 1e9px }\n"
                                         "html { font-size: var(--big) }\n")
    result = CliRunner().invoke(cli, ["build", str(project), "-o", str(tmp_path / "out")])
    assert result.exit_code == 65, result.output
    assert result.output.endswith(
        "Error: the PDF was not written: the page layout failed (ZeroDivisionError in "
        f"WeasyPrint), most likely on a size in the project's stylesheets; {HINT}\n")
    assert not list((tmp_path / "out").glob("*.pdf"))


# The layout's limits: a runaway layout is stopped, its process killed.

def _runaway(tmp_path: Path) -> Path:
    """`@page { size: 100000cm }` (layout grows past 8 GB in minutes) in a stylesheet the
    check does not read: one a project template links to."""
    project = tmp_path / "runaway"
    shutil.copytree(NELC, project)
    (project / "styles").mkdir()
    (project / "styles" / "big.css").write_text("@page { size: 100000cm }\n", encoding="utf-8")
    (project / "templates").mkdir()
    (project / "templates" / "title_page.html.j2").write_text(
        '<link rel="stylesheet" href="styles/big.css">'
        '{% include "default:title_page.html.j2" %}', encoding="utf-8")
    return project


@pytest.mark.parametrize(("variables", "message"), [
    ({"REPORTGEN_LAYOUT_SECONDS": "3"},
     "the page layout took more than 3 s (the limit; REPORTGEN_LAYOUT_SECONDS changes it)"),
    ({"REPORTGEN_LAYOUT_MEMORY_MB": "300"},
     ("the page layout needed more than 300 MB of memory (the limit; "
      "REPORTGEN_LAYOUT_MEMORY_MB changes it)")),
])
def test_a_runaway_layout_is_stopped_and_its_process_killed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variables: dict[str, str],
        message: str) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["build", str(_runaway(tmp_path)), "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 65, result.output
    assert result.output.endswith(f"Error: the PDF was not written: {message}; {HINT}\n")
    assert time.monotonic() - start < 120
    assert psutil.Process().children() == []  # the layout process was killed and reaped
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_parts_with_one_job_are_laid_out_under_the_limits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample is laid out in parts; with --jobs 1 too, in a child under the memory limit.
    A fresh process: one that has laid out pages before may have the memory mapped already,
    and its child would not need to ask for more."""
    env = {**os.environ, "REPORTGEN_LAYOUT_MEMORY_MB": "1"}
    result = subprocess.run([sys.executable, "-m", "reportgen", "build", str(SAMPLE), "-o",
                             str(tmp_path), "--jobs", "1"], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 65, result.stderr
    assert "Error: the PDF was not written: the page layout needed more than 1 MB" in \
        result.stderr
    assert psutil.Process().children() == []


def test_limits_come_from_arguments_else_the_environment_else_defaults(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTGEN_LAYOUT_SECONDS", raising=False)
    monkeypatch.delenv("REPORTGEN_LAYOUT_MEMORY_MB", raising=False)
    assert layout_limits() == LayoutLimits(DEFAULT_SECONDS, DEFAULT_MEMORY_MB)
    monkeypatch.setenv("REPORTGEN_LAYOUT_SECONDS", " 90.5 ")
    monkeypatch.setenv("REPORTGEN_LAYOUT_MEMORY_MB", "4096")
    assert layout_limits() == LayoutLimits(90.5, 4096)
    assert layout_limits(seconds=10, memory_mb=100) == LayoutLimits(10, 100)


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("REPORTGEN_LAYOUT_SECONDS", "ten", "a number of seconds"),
    ("REPORTGEN_LAYOUT_SECONDS", "-5", "a number of seconds"),
    ("REPORTGEN_LAYOUT_SECONDS", "nan", "a number of seconds"),
    ("REPORTGEN_LAYOUT_MEMORY_MB", "2.5", "a whole number of megabytes"),
    ("REPORTGEN_LAYOUT_MEMORY_MB", "0", "a whole number of megabytes"),
])
def test_a_bad_limit_is_an_input_error_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(InvalidInput) as error:
        layout_limits()
    assert str(error.value.problems[0]) == (
        f"{name}: error: the environment variable must be {expected} above 0, got {value!r}")


def test_a_killed_batch_leaves_no_worker(big_project: Path, tmp_path: Path) -> None:
    """A batch's own workers (and the pools their builds start) die with it, as a build's do."""
    batch = subprocess.Popen([str(REPORTGEN), "batch", str(big_project), str(NELC), "-o",
                              str(tmp_path / "out"), "--jobs", "2"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parent = psutil.Process(batch.pid)
    deadline = time.monotonic() + 60
    descendants: list[psutil.Process] = []
    while len(descendants) < 2 and time.monotonic() < deadline and batch.poll() is None:
        time.sleep(0.05)
        with contextlib.suppress(psutil.NoSuchProcess):
            descendants = parent.children(recursive=True)
    assert len(descendants) >= 2, "the batch's workers did not start"
    os.kill(batch.pid, signal.SIGKILL)
    assert batch.wait(timeout=10) == -signal.SIGKILL
    try:
        assert _survivors(descendants, within=5) == []
    finally:
        for process in filter(_alive, descendants):
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
