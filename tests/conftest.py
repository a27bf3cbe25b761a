"""Shared fixtures: committed report projects, copied into temporary folders to change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample_data"
NELC = Path(__file__).resolve().parent / "fixtures" / "nelc-2023-06"


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of sample_data/."""
    target = tmp_path / "project"
    shutil.copytree(SAMPLE, target)
    return target


@pytest.fixture
def nelc_copy(tmp_path: Path) -> Path:
    target = tmp_path / "nelc"
    shutil.copytree(NELC, target)
    return target


@pytest.fixture(scope="session")
def sample_pack(tmp_path_factory: pytest.TempPathFactory):
    """The sample pack, built once for the whole run."""
    from reportgen.pipeline import build_project as build

    out = tmp_path_factory.mktemp("pack")
    return build(SAMPLE, out)


def pdf_text(path: Path) -> list[str]:
    """Text of each page, read back from the PDF."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def sample_pages() -> dict[str, int]:
    """The sample pack's pages by kind, from its tables and report.toml (each measure page,
    table page and the introduction take one page, as the sample's content does), and its
    charts: one a measure (each has figures), one a table page with a chart."""
    from reportgen.load.project import load_project

    project = load_project(SAMPLE)
    counts = {"title": 1, "introduction": 1 if project.config.introduction else 0,
              "summaries": len(project.data.priorities),
              "measure pages": len({m.page for m in project.data.measures}),
              "table pages": len(project.config.table_pages)}
    charts = {"measure charts": len(project.data.measures),
              "table charts": sum(1 for t in project.config.table_pages if t.chart)}
    return counts | {"total": sum(counts.values())} | charts
