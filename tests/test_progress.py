"""Progress bars on a terminal, plain stage lines elsewhere (cron, pipes, JSON logs)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

BAR = "━"  # rich's bar


def reportgen(*args: str, terminal: bool) -> str:
    """Run the installed command with stderr on a pseudo-terminal or a pipe; its stderr."""
    command = [str(Path(sys.executable).with_name("reportgen")), *args]
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    if not terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stderr
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=300) == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_a_build_on_a_terminal_shows_bars_for_charts_and_layout(sample_copy: Path,
                                                                 tmp_path: Path) -> None:
    shown = reportgen("build", str(sample_copy), "-o", str(tmp_path / "out"), "--jobs", "2",
                      terminal=True)
    assert "drawing charts" in shown and "laying out pages" in shown
    counted = [int(n) for n in re.findall(r"drawing charts\S*\s+\S*\s*(?:\x1b\[[0-9;]*m)*\s*"
                                         r"\d+/(\d+)", shown)]
    assert BAR in shown and counted and set(counted) == {21}  # a bar counts the 21 charts
    assert "reportgen: layout" in shown  # the stage lines still print, above the bars
    assert re.search(r"built \d+ pages", shown)


def test_a_build_into_a_pipe_or_as_json_has_no_bars(sample_copy: Path, tmp_path: Path) -> None:
    for log in (["--log-format", "text"], ["--log-format", "json"]):
        logged = reportgen(*log, "build", str(sample_copy), "-o", str(tmp_path / log[1]),
                           terminal=False)
        assert "drawing charts" not in logged and BAR not in logged
        assert "layout" in logged
    quiet = reportgen("-q", "build", str(sample_copy), "-o", str(tmp_path / "quiet"),
                      terminal=True)
    assert BAR not in quiet and "drawing charts" not in quiet


def test_a_batch_on_a_terminal_counts_its_projects(sample_copy: Path, tmp_path: Path) -> None:
    shown = reportgen("batch", str(sample_copy), str(sample_copy), "-o", str(tmp_path / "out"),
                      terminal=True)
    assert "building packs" in shown and "/2" in shown
