"""Accessible by construction: PDF/UA-1 structure, alt text, contrast, and a checker's verdict."""

from __future__ import annotations

import tomllib
from itertools import combinations
from pathlib import Path

import pikepdf
import pytest

from reportgen.charts.style import ChartStyle
from reportgen.layout.pdf import PdfWriteFailed
from reportgen.pipeline import build_project as build
from reportgen.resources import default_styles_dir
from tests.conftest import sample_pages


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
    counts = sample_pages()
    assert len(figures) == counts["measure charts"] + counts["table charts"]
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
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


THEMES = [p.name for p in default_styles_dir().iterdir() if (p / "theme.toml").exists()]


def _colours(theme: str) -> dict[str, str]:
    return tomllib.loads((default_styles_dir() / theme / "theme.toml").read_text())["colours"]


@pytest.mark.parametrize("theme", THEMES)
def test_theme_contrast(theme: str) -> None:
    colours = _colours(theme)
    # RAG text on its fill (the CSS sets white on red, black on green, amber and grey)
    assert contrast("#ffffff", colours["rag_red"]) >= 4.5
    assert contrast("#000000", colours["rag_green"]) >= 4.5
    assert contrast("#000000", colours["rag_amber"]) >= 4.5
    assert contrast("#000000", colours["rag_none"]) >= 4.5
    assert contrast(colours["text"], "#ffffff") >= 4.5
    assert contrast(colours["accent"], colours["accent_light"]) >= 4.5  # panel headings
    # chart lines and markers against the white chart background
    for name in ("series", "target", "milestone", *[k for k in colours if k.startswith(
            "comparator")]):
        assert contrast(colours[name], "#ffffff") >= 3, name


def _over_white(colour: str, alpha: float) -> str:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return "#" + "".join(f"{round((alpha * c + 1 - alpha) * 255):02x}" for c in channels)


@pytest.mark.parametrize("theme", THEMES)
def test_ratings_and_band_hold_up_in_greyscale(theme: str) -> None:
    """Printed in black and white, the four rating fills are four greys, the tolerance band
    is a grey of its own against the white page, and every line stays readable over it."""
    colours = _colours(theme)
    fills = {name: _luminance(colours[name])
             for name in ("rag_red", "rag_amber", "rag_green", "rag_none")}
    for (a, lum_a), (b, lum_b) in combinations(fills.items(), 2):
        assert abs(lum_a - lum_b) >= 0.15, (a, b)
    band = _over_white(colours["band"], ChartStyle().band_alpha)
    assert _luminance("#ffffff") - _luminance(band) >= 0.2
    for name in ("series", "target", "milestone",
                 *[k for k in colours if k.startswith("comparator")]):
        assert contrast(colours[name], band) >= 3, name


def test_rating_marks_are_shapes_no_reader_takes_for_a_direction() -> None:
    """Amber's mark sat beside the direction column's '▲ Up': a mark is never an arrow, the
    three ratings have three different shapes, and the bundled fonts have each glyph."""
    from fontTools.ttLib import TTFont

    from reportgen.render.formatting import DIRECTION_ARROWS, RATING_MARKS
    from reportgen.theme import bundled_fonts_dir

    marks = [RATING_MARKS[rating] for rating in ("Red", "Amber", "Green")]
    assert len(set(marks)) == 3
    assert not set(marks) & (set(DIRECTION_ARROWS.values()) | set("▲▼▶◀△▽▷◁↑↓→←"))
    for font in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        glyphs = TTFont(bundled_fonts_dir() / font).getBestCmap()
        assert all(ord(mark) in glyphs for mark in RATING_MARKS.values()), font
    for font in ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"):  # Northshire's text
        assert ord(RATING_MARKS["Amber"]) in TTFont(bundled_fonts_dir() / font).getBestCmap()


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
