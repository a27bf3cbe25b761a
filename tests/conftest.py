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
