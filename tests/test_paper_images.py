"""Images in a paper's Markdown, and papers with no KPI data: built for real and read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image

from reportgen.cli import cli
from reportgen.pipeline import build_project as build
from tests.conftest import REPO, pdf_text

PAPERS = REPO / "sample_papers"
HARBOURSIDE = PAPERS / "harbourside-board"
WESTMERE = PAPERS / "westmere-cabinet"


@pytest.fixture(scope="module")
def harbourside(tmp_path_factory: pytest.TempPathFactory):
    return build(HARBOURSIDE, tmp_path_factory.mktemp("harbourside"))


@pytest.fixture(scope="module")
def westmere(tmp_path_factory: pytest.TempPathFactory):
    return build(WESTMERE, tmp_path_factory.mktemp("westmere"))


def _words(path: Path) -> str:
    return " ".join(" ".join(pdf_text(path)).split())


def figures(path: Path) -> list[str]:
    """The alt text of every Figure in the PDF's structure tree."""
    found: list[str] = []

    def walk(node) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary):
                if kid.get("/S") == "/Figure":
                    found.append(str(kid.get("/Alt", "")))
                walk(kid)

    with pikepdf.open(path) as pdf:
        walk(pdf.Root.StructTreeRoot)
    return found


def test_an_image_is_a_figure_with_its_alt_text(harbourside) -> None:
    alts = figures(harbourside.pdf)
    assert ("The front door. A contact goes to the front door (MASH), then to an "
            "assessment, which leads to support as a child in need, a child protection plan, "
            "or early help.") in alts
    # the Markdown title is the figure's visible caption, printed under it (and tagged)
    assert "Figure 1: the front door" in _words(harbourside.pdf)
    with pikepdf.open(harbourside.pdf) as pdf:
        images = [name for page in pdf.pages for name in page.get_images()]
    assert images  # drawn as an image, not shown as typed
    assert "front-door.png" not in _words(harbourside.pdf)


def test_the_image_paper_s_figures_come_from_the_data(harbourside) -> None:
    text = _words(harbourside.pdf)
    assert ("There were 807 children in need at the end of June 2023, against 700 a year "
            "before.") in text
    assert ("321 children were on a child protection plan (262 in June 2022); the measure is "
            "rated Red") in text
    assert "Children on a child protection plan 262 321 Red" in text
    assert "Number of CP 262 321" in text  # Appendix 1, from the same data
    inputs = json.loads(harbourside.manifest.read_text())["inputs"]
    assert "front-door.png" in inputs


def test_a_paper_with_no_kpi_data_is_dated_by_its_meeting(westmere) -> None:
    assert westmere.pdf.name == "cabinet-report-2024-11-14.pdf"
    assert westmere.warnings == []
    pages = pdf_text(westmere.pdf)
    assert "14 November 2024" in pages[1]  # the running header's right
    text = " ".join(" ".join(pages).split())
    assert "Performance data" not in text
    assert "Front door 18 22%" in text  # its table appendix, from its own CSV
    with pikepdf.open(westmere.pdf) as pdf:
        assert str(pdf.docinfo["/Subject"]) == (
            "Cabinet: Children's Services improvement governance. Meeting of 14 November 2024.")
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20241114")
    assert any(alt.startswith("Governance of the improvement plan.")
               for alt in figures(westmere.pdf))  # the SVG image
    assert "Figure 1: governance of the improvement plan" in text


def test_the_no_data_paper_validates_and_builds_quietly(tmp_path: Path) -> None:
    outcome = CliRunner().invoke(cli, ["validate", str(WESTMERE)])
    assert outcome.exit_code == 0, outcome.output
    assert "no errors, 0 warning(s); reporting period none" in outcome.output


@pytest.fixture
def image_paper(tmp_path: Path) -> Path:
    paper = tmp_path / "paper"
    shutil.copytree(WESTMERE, paper)
    return paper


def test_bad_images_are_errors_naming_file_and_line(image_paper: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.png").write_bytes((image_paper / "governance.svg").read_bytes())
    Image.new("1", (6000, 5000)).save(image_paper / "huge.png")
    Image.new("RGB", (10, 10)).save(image_paper / "named-wrong.jpg", format="PNG")
    (image_paper / "big.png").write_bytes(b"\x89PNG" + b"\0" * 5_000_001)
    (image_paper / "anim.gif").write_bytes(b"GIF89a")
    (image_paper / "report.md").write_text(
        "# Images\n\n"
        "![](governance.svg)\n\n"  # line 3
        "![A diagram](missing.png)\n\n"  # 5
        "![A diagram](../outside.png) and\n![A diagram](/etc/hosts.png)\n\n"  # 7, 8
        "![A diagram](https://www.example.org/a.png)\n\n"  # 10
        "![A diagram](file:///etc/passwd)\n\n"  # 12
        "![A diagram](anim.gif)\n\n"  # 14
        "![A diagram](huge.png)\n\n"  # 16
        "![A diagram](named-wrong.jpg)\n\n"  # 18
        "| A | B |\n| --- | --- |\n| x | ![](big.png) |\n"  # 22
    )
    outcome = CliRunner().invoke(cli, ["validate", str(image_paper)])
    assert outcome.exit_code == 65
    expected = [
        ("report.md, line 3: error: the image 'governance.svg' has no alt text: say what it "
        "shows, as in ![What the diagram shows](governance.svg)"),
        "report.md, line 5: error: the image 'missing.png': no such file in the paper's folder",
        ("report.md, line 7: error: the image '../outside.png' is outside the paper's folder; "
        "put it in the folder"),
        ("report.md, line 8: error: the image '/etc/hosts.png' is outside the paper's folder; "
        "put it in the folder"),
        ("report.md, line 10: error: the image 'https://www.example.org/a.png' is not a file of "
        "the paper: only images in the paper's folder are shown, never an address on the "
        "network or elsewhere"),
        ("report.md, line 12: error: the image 'file:///etc/passwd' is not a file of the paper: "
        "only images in the paper's folder are shown, never an address on the network or "
        "elsewhere"),
        ("report.md, line 14: error: the image 'anim.gif' is not a PNG, JPEG or SVG file (.png, "
        ".jpg, .svg)"),
        ("report.md, line 16: error: the image 'huge.png' cannot be used: the image is "
        "6000×5000 pixels, over the limit of 25,000,000"),
        ("report.md, line 18: error: the image 'named-wrong.jpg' cannot be used: the file is a "
        "PNG image, not JPEG"),
        ("report.md, line 22: error: the image 'big.png' has no alt text: say what it shows, as "
        "in ![What the diagram shows](big.png)"),
    ]
    lines = [line.strip() for line in outcome.output.splitlines()[1:]]
    assert lines == expected
    built = CliRunner().invoke(cli, ["build", str(image_paper), "-o", str(tmp_path / "out")])
    assert built.exit_code == 65 and "Traceback" not in built.output
    assert expected[1] in built.output


def test_an_oversized_image_file_is_refused(image_paper: Path) -> None:
    (image_paper / "big.png").write_bytes(b"\x89PNG" + b"\0" * 5_000_001)
    (image_paper / "report.md").write_text("# One\n\n![A big picture](big.png)\n")
    outcome = CliRunner().invoke(cli, ["validate", str(image_paper)])
    assert outcome.exit_code == 65
    assert ("report.md, line 3: error: the image 'big.png' cannot be used: the file is over "
            "5,000,000 bytes") in outcome.output


def test_an_image_in_a_sentence_stays_in_its_numbered_paragraph(image_paper: Path,
                                                                tmp_path: Path) -> None:
    (image_paper / "report.md").write_text(
        "# One\n\nThe boards ![Three boards become one](governance.svg) meet monthly.\n\n"
        "A [relative link](other.md) is shown as its text.\n")
    result = build(image_paper, tmp_path)
    text = _words(result.pdf)
    assert "1.1 The boards" in text and "meet monthly." in text
    assert "1.2 A relative link is shown as its text." in text
    assert "Three boards become one" in figures(result.pdf)


def test_an_svg_that_refers_to_other_files_is_refused(image_paper: Path) -> None:
    (image_paper / "governance.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="20" height="20"><use xlink:href="#a"/>'
        '<image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>')
    outcome = CliRunner().invoke(cli, ["validate", str(image_paper)])
    assert outcome.exit_code == 65
    assert ("report.md, line 11: error: the image 'governance.svg' cannot be used: the SVG "
            "refers to 'file:///etc/hostname'; an image in a paper must be self-contained (no "
            "other files or addresses)") in outcome.output
