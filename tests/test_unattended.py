"""Cron-safe and batch runs: lock, atomic sets, bare environment, reproducible bytes, manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.publish.files import publish_set
from tests.conftest import NELC
from tests.helpers import rewrite_csv

PDF_NAME = "improvement-plan-report-2023-06.pdf"


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], capture_output=True,
                          text=True, env=env, timeout=300)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from reportgen.publish.lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def _hold_lock(folder: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(folder)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def _stop(holder: subprocess.Popen, how: signal.Signals) -> None:
    os.kill(holder.pid, how)
    holder.wait()
    assert holder.stdout is not None
    holder.stdout.close()


def test_second_run_exits_75_naming_the_holder(tmp_path: Path) -> None:
    holder = _hold_lock(tmp_path)
    try:
        start = time.monotonic()
        result = CliRunner().invoke(cli, ["build", str(NELC), "-o", str(tmp_path)])
        assert time.monotonic() - start < 30  # at once, not after waiting for the holder
    finally:
        _stop(holder, signal.SIGKILL)
    assert result.exit_code == 75
    assert (f"another run is building into {tmp_path} (lock {tmp_path / '.reportgen.lock'}; "
            f"held by pid {holder.pid} since ") in result.output
    assert not (tmp_path / PDF_NAME).exists()


def test_lock_of_a_killed_run_does_not_block(tmp_path: Path) -> None:
    holder = _hold_lock(tmp_path)
    _stop(holder, signal.SIGKILL)
    assert (tmp_path / ".reportgen.lock").exists()  # the file stays; the lock went with the pid
    result = CliRunner().invoke(cli, ["build", str(NELC), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_failure_mid_publish_leaves_the_previous_set(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    pdf, manifest = tmp_path / "pack.pdf", tmp_path / "manifest.json"
    publish_set({pdf: b"old pdf", manifest: b"old manifest"})
    real_replace = os.replace
    calls = []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(target))
        real_replace(source, target)

    monkeypatch.setattr("reportgen.publish.files.os.replace", replace_then_fail)
    with pytest.raises(Exception, match="No space left on device"):
        publish_set({pdf: b"new pdf", manifest: b"new manifest"})
    monkeypatch.undo()
    assert (pdf.read_bytes(), manifest.read_bytes()) == (b"old pdf", b"old manifest")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json", "pack.pdf"]


def test_bare_environment_gives_the_same_bytes_and_builds_reproduce(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(NELC, project)
    bare = {"PATH": "/usr/bin:/bin", "LANG": "C"}
    first = run_cli(["build", str(project), "-o", str(tmp_path / "bare")], env=bare)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr and "warning" not in first.stderr.lower()
    second = run_cli(["build", str(project), "-o", str(tmp_path / "interactive")])
    assert second.returncode == 0, second.stderr
    assert digest(tmp_path / "bare" / PDF_NAME) == digest(tmp_path / "interactive" / PDF_NAME)
    rewrite_csv(project / "values.csv", lambda rows: rows[3].__setitem__(2, "806"))
    third = run_cli(["build", str(project), "-o", str(tmp_path / "changed")])
    assert third.returncode == 0, third.stderr
    assert digest(tmp_path / "changed" / PDF_NAME) != digest(tmp_path / "bare" / PDF_NAME)


def test_manifest_says_what_was_built_from_what(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", str(NELC), "-o", str(tmp_path)])
    assert result.exit_code == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["period"] == "2023-06"
    assert manifest["build_time"] == "2023-07-17T00:00:00+00:00"  # from data_refreshed
    assert manifest["inputs"]["values.csv"] == digest(NELC / "values.csv")
    assert set(manifest["inputs"]) == {"report.toml", "measures.csv", "priorities.csv",
                                       "values.csv", "targets.csv", "commentary.csv",
                                       "comparators.csv"}
    output = manifest["outputs"][PDF_NAME]
    assert output["sha256"] == digest(tmp_path / PDF_NAME)
    assert output["pages"] == 8
    assert manifest["ratings"] == {"Amber": 2, "Green": 3, "Red": 3}


def test_log_lines_per_stage_as_json(tmp_path: Path) -> None:
    result = run_cli(["--log-format", "json", "build", str(NELC), "-o", str(tmp_path)])
    assert result.returncode == 0
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    stages = [e["stage"] for e in entries if "stage" in e]
    assert stages == ["load", "assess", "charts", "render", "layout", "write", "publish"]
    assert all(e["seconds"] >= 0 for e in entries if "stage" in e)


def test_quiet_prints_no_log(tmp_path: Path) -> None:
    result = run_cli(["-q", "build", str(NELC), "-o", str(tmp_path)])
    assert result.returncode == 0 and result.stderr == ""


def test_batch_goes_on_past_a_broken_project(tmp_path: Path) -> None:
    for name in ("north", "broken", "south"):
        shutil.copytree(NELC, tmp_path / name)
    rewrite_csv(tmp_path / "broken" / "values.csv", lambda rows: rows[2].__setitem__(2, "lots"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", *(str(tmp_path / n) for n in
                                                 ("north", "broken", "south")),
                                      "-o", str(out), "--jobs", "2"])
    assert result.exit_code == 65
    lines = result.output.splitlines()
    assert lines[0].split() == ["project", "result", "time", "outputs", "/", "problem"]
    assert lines[1].startswith("north ") and " ok " in lines[1] and PDF_NAME in lines[1]
    assert lines[2].startswith("broken") and "FAILED" in lines[2]
    assert "values.csv, row 3, column 'value': error: 'lots' is not a number" in lines[2]
    assert lines[3].startswith("south ") and " ok " in lines[3]
    assert "Error: 1 of 3 project(s) failed" in result.output
    assert (out / "north" / PDF_NAME).exists() and (out / "south" / PDF_NAME).exists()
    assert not (out / "broken").exists()


def test_batch_with_a_shared_configuration(tmp_path: Path) -> None:
    shared = tmp_path / "shared.toml"
    shared.write_text((NELC / "report.toml").read_text())
    for name in ("east", "west"):
        shutil.copytree(NELC, tmp_path / name)
        (tmp_path / name / "report.toml").write_text(f'organisation = "{name.title()} Council"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "east"), str(tmp_path / "west"),
                                      "--config", str(shared), "-o", str(out)])
    assert result.exit_code == 0, result.output
    from tests.conftest import pdf_text
    assert "West Council" in pdf_text(out / "west" / PDF_NAME)[0]
