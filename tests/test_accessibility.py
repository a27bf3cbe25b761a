"""Accessible by construction: PDF/UA-1 structure, alt text, contrast, and a checker's verdict."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pikepdf
import pytest

from reportgen.layout.pdf import PdfWriteFailed
from reportgen.pipeline import build_project as build
from reportgen.resources import default_styles_dir


def _elements(node):
    kids = node.get("/K")
    for kid in [] if kids is None else kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from _elements(kid)


def test_pdf_ua_structure(sample_pack) -> None:
    with pikepdf.open(sample_pack.pdf) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en-GB"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"].startswith("Improvement Plan Report")
            assert xmp["pdfuaid:part"] == "1"
        elements = list(_elements(root.StructTreeRoot))
    kinds = [str(e.get("/S")) for e in elements]
    figures = [e for e in elements if e.get("/S") == "/Figure"]
    assert len(figures) == 21 and all(str(f.get("/Alt", "")).strip() for f in figures)
    assert kinds.count("/Table") == kinds.count("/THead")  # every data table has a header row
    assert "/TH" in kinds and "/L" in kinds and "/LI" in kinds  # header cells, lists as lists
    levels = [int(k[2:]) for k in kinds if k in ("/H1", "/H2", "/H3", "/H4", "/H5", "/H6")]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped level


def test_sample_pack_passes_a_pdf_ua_checker(sample_pack) -> None:
    import page

    report = page.validate_pdf(str(sample_pack.pdf), profile="ua1")
    failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
    assert report.is_compliant, failures


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", [p.name for p in default_styles_dir().iterdir()
                                   if (p / "theme.toml").exists()])
def test_theme_contrast(theme: str) -> None:
    colours = tomllib.loads((default_styles_dir() / theme / "theme.toml").read_text())["colours"]
    # RAG text on its fill (the CSS sets white on red and green, black on amber and grey)
    assert contrast("#ffffff", colours["rag_red"]) >= 4.5
    assert contrast("#ffffff", colours["rag_green"]) >= 4.5
    assert contrast("#000000", colours["rag_amber"]) >= 4.5
    assert contrast("#000000", colours["rag_none"]) >= 4.5
    assert contrast(colours["text"], "#ffffff") >= 4.5
    assert contrast(colours["accent"], colours["accent_light"]) >= 4.5  # panel headings
    # chart lines and markers against the white chart background
    for name in ("series", "target", "milestone", *[k for k in colours if k.startswith(
            "comparator")]):
        assert contrast(colours[name], "#ffffff") >= 3, name


def _override(project: Path, name: str, text: str) -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / name).write_text(text)


def test_chart_without_alt_text_fails_the_build(sample_copy: Path, tmp_path: Path) -> None:
    shipped = (Path(default_styles_dir()).parent / "templates" / "measure_page.html.j2")
    text = shipped.read_text().replace('alt="{{ chart.alt }}"', "")
    _override(sample_copy, "measure_page.html.j2", text)
    with pytest.raises(PdfWriteFailed, match="has no required alt description"):
        build(sample_copy, tmp_path)
    assert not list(tmp_path.glob("*.pdf"))


def test_document_without_language_or_title_fails(sample_copy: Path, tmp_path: Path) -> None:
    shipped = (Path(default_styles_dir()).parent / "templates" / "pack.html.j2").read_text()
    _override(sample_copy, "pack.html.j2", shipped.replace(' lang="{{ language }}"', ""))
    with pytest.raises(PdfWriteFailed, match='Missing required "lang" attribute'):
        build(sample_copy, tmp_path)
    _override(sample_copy, "pack.html.j2", shipped.replace(
        "<title>{{ title }} – {{ organisation }} – {{ month }}</title>", ""))
    with pytest.raises(PdfWriteFailed, match="the document has no title"):
        build(sample_copy, tmp_path)
