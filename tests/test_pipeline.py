"""The pipeline's shape: the build date belongs to one build, papers sit on the core (never the
other way round), and a paper can be built with no KPI tables."""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from reportgen.cli import cli
from tests.conftest import NELC, REPO, pdf_text

PACKAGE = REPO / "reportgen"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found


def test_no_core_module_imports_the_papers_package() -> None:
    offenders = {str(path.relative_to(PACKAGE)): sorted(m for m in _imports(path)
                                                        if m.startswith("reportgen.papers"))
                 for path in PACKAGE.rglob("*.py") if "papers" not in path.parts}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_a_batch_in_one_process_gives_each_project_its_own_build_date(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for name, refreshed in (("early", "2023-07-03"), ("late", "2023-07-28")):
        shutil.copytree(NELC, tmp_path / name)
        config = tmp_path / name / "report.toml"
        text = config.read_text(encoding="utf-8")
        text = "\n".join(line for line in text.splitlines()
                         if not line.startswith("data_refreshed"))
        config.write_text(f'data_refreshed = "{refreshed}"\n{text}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["batch", str(tmp_path / "early"), str(tmp_path / "late"),
                                      "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    times = {name: json.loads((out / name / "manifest.json").read_text())["build_time"]
             for name in ("early", "late")}
    assert times == {"early": "2023-07-03T00:00:00+00:00", "late": "2023-07-28T00:00:00+00:00"}
    assert "SOURCE_DATE_EPOCH" not in os.environ  # put back as it was


def test_a_paper_with_no_kpi_tables_builds(tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "report.toml").write_text(
        'title = "Fostering Service Annual Report"\n'
        'organisation = "Northshire Council"\n'
        'period = "2024-03"\n'
        '[paper]\n'
        'committee = "Corporate Parenting Board"\n'
        'subject = "Fostering Service Annual Report 2023/24"\n'
        'sections = ["report.md"]\n'
        'recommendations = ["The Board notes the report."]\n'
        '[[appendix]]\n'
        'kind = "markdown"\n'
        'title = "Recruitment activity"\n'
        'text = "recruitment.md"\n', encoding="utf-8")
    (paper / "report.md").write_text("# Background\n\nThe service approved 14 new households.\n",
                                     encoding="utf-8")
    (paper / "recruitment.md").write_text("Information evenings were held monthly.\n",
                                          encoding="utf-8")
    checked = CliRunner().invoke(cli, ["validate", str(paper)])
    assert checked.exit_code == 0, checked.output
    built = CliRunner().invoke(cli, ["build", str(paper), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    text = "\n".join(pdf_text(tmp_path / "out" / "fostering-service-annual-report-2024-03.pdf"))
    assert "1. Background" in text.replace("BACKGROUND", "Background")
    assert "The service approved 14 new households." in text
    assert "Performance data for" not in text  # no data, no month claimed
    assert "Appendix 1" in text and "Information evenings were held monthly." in text
    assert "required table" not in built.output


def test_a_paper_with_no_month_is_named_without_a_dangling_separator(tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "report.toml").write_text(
        'title = "Annual Report"\norganisation = "Northshire Council"\n'
        '[paper]\ncommittee = "Board"\nsubject = "Annual report"\n', encoding="utf-8")
    built = CliRunner().invoke(cli, ["build", str(paper), "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    assert sorted(p.name for p in (tmp_path / "out").glob("*.pdf")) == ["annual-report.pdf"]
