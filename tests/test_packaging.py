"""The wheel carries every module, template and style, and an installed reportgen finds its
templates and styles inside the package (resources.py), not beside a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_the_wheel_holds_the_package_templates_and_styles(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("reportgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {str(p.relative_to(REPO)) for p in (REPO / "reportgen").rglob("*.py")}
    templates = {f"reportgen/templates/{p.name}" for p in (REPO / "templates").glob("*.j2")}
    styles = {f"reportgen/styles/{p.relative_to(REPO / 'styles')}"
              for p in (REPO / "styles").rglob("*") if p.suffix in (".css", ".toml", ".svg")}
    assert modules - names == set()
    assert templates - names == set() and styles - names == set()

    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    found = subprocess.run(
        [sys.executable, "-c", ("from reportgen.resources import default_templates_dir as t, "
                                "default_styles_dir as s; print(t()); print(s())")],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
        check=True, capture_output=True, text=True).stdout.split()
    assert found == [str(target / "reportgen" / "templates"), str(target / "reportgen" / "styles")]
    assert (Path(found[0]) / "pack.html.j2").is_file()
    assert (Path(found[1]) / "default" / "theme.toml").is_file()
