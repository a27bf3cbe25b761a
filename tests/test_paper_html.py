"""A committee paper's HTML edition: the paper itself (not the pack), self-contained and
accessible, checked in a real browser with axe-core like the pack's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.pipeline import build_project as build
from tests.conftest import REPO
from tests.test_html_edition import ARTIFACTS, AXE, _browser_or_skip, _tags

PAPERS = REPO / "sample_papers"


@pytest.fixture(scope="module")
def web_papers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Each sample paper's HTML edition: name → role → file."""
    built = {}
    for name in sorted(p.name for p in PAPERS.iterdir() if (p / "report.toml").is_file()):
        result = build(PAPERS / name, tmp_path_factory.mktemp(name), output_format="html")
        built[name] = {role: path for role, path in result.outputs.items() if role != "manifest"}
    return built


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _words(path: Path) -> str:
    """The page's text, tags and styles left out, spaces made one."""
    body = re.sub(r"(?s)<style>.*?</style>|<svg.*?</svg>", " ", _text(path))
    return " ".join(re.sub(r"<[^>]+>", " ", body).replace("&#39;", "'").split())


def test_the_html_edition_is_the_paper_not_the_pack(web_papers) -> None:
    page = web_papers["nelc-scrutiny"]["html"]
    assert page.name == "scrutiny-paper-2023-06.html"
    text = _words(page)
    assert "CHILDREN'S SERVICES IMPROVEMENT JOURNEY" in text.upper()
    assert "1. BACKGROUND AND ISSUES" in text
    assert "Children on a child protection plan 262 321" in text  # a live figure
    assert "Appendix 1 Performance exceptions and highlights" in text
    assert "Appendix 3 Improvement Plan Report, June 2023" in text  # the pack, as an appendix
    assert _text(page).count('<svg') >= 20  # the pack's charts, inline as in its own edition
    assert "Foster care" in text  # the table appendix


def test_separate_documents_are_one_page_each(web_papers) -> None:
    pages = web_papers["northshire-cabinet"]
    assert sorted(pages) == ["html", "html-appendix-1", "html-appendix-2", "html-appendix-3",
                             "html-appendix-4"]
    assert pages["html"].name == "cabinet-2023-06-cover.html"
    assert '<section class="appendix' not in _text(pages["html"])  # the cover alone
    assert _text(pages["html-appendix-2"]).count('<section class="appendix') == 1
    assert "Appendix 2 Caseloads by service area" in _words(pages["html-appendix-2"])
    letter = _words(pages["html-appendix-4"])
    assert "This appendix is a document of 2 pages" in letter


def test_every_paper_page_is_self_contained(web_papers) -> None:
    for pages in web_papers.values():
        for page in pages.values():
            tags = _tags(page)
            external = [a for _, attrs in tags for k, a in attrs.items()
                        if k in ("src", "href") and a and not a.startswith(("#", "data:"))]
            assert external == [], page
            assert "file:" not in _text(page)
            names = [t for t, _ in tags]
            assert "main" in names
            assert next(attrs for t, attrs in tags if t == "a") == {"class": "skip-link",
                                                                    "href": "#main"}


def test_images_are_embedded_with_their_alt_text(web_papers) -> None:
    images = {name: [attrs for tag, attrs in _tags(page["html"]) if tag == "img"
                     and "paper-image" in (attrs.get("class") or "")]
              for name, page in web_papers.items() if name in ("harbourside-board",
                                                               "westmere-cabinet")}
    png, = images["harbourside-board"]
    assert (png["src"] or "").startswith("data:image/png;base64,")
    assert (png["alt"] or "").startswith("The front door.") and "title" not in png
    assert "<figcaption>Figure 1: the front door</figcaption>" in \
        web_papers["harbourside-board"]["html"].read_text(encoding="utf-8")
    svg, = images["westmere-cabinet"]
    assert (svg["src"] or "").startswith("data:image/svg+xml;base64,")
    text = _words(web_papers["harbourside-board"]["html"])
    assert "There were 807 children in need at the end of June 2023" in text


def test_axe_finds_no_serious_or_critical_violations_in_papers(web_papers) -> None:
    chromium = _browser_or_skip()
    from playwright.sync_api import sync_playwright

    flags = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    checked = [(name, role, path) for name, pages in web_papers.items()
               for role, path in pages.items()]
    serious, sideways = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=flags)
        try:
            for name, role, path in checked:
                for screen, width in (("phone", 390), ("desktop", 1280)):
                    page = browser.new_page(viewport={"width": width, "height": 844})
                    page.goto(path.as_uri())
                    page.add_script_tag(path=str(AXE))
                    found = page.evaluate(
                        "axe.run(document, {resultTypes: ['violations']})")["violations"]
                    serious += [(name, role, screen, v["id"], v["help"]) for v in found
                                if v["impact"] in ("serious", "critical")]
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / f"paper-{name}-{role}-{screen}.png"))
                    if not page.evaluate(
                            "document.documentElement.scrollWidth <= window.innerWidth"):
                        sideways.append((name, role, width))
                    page.close()
        finally:
            browser.close()
    assert serious == []
    assert sideways == []


def test_appendix_mode_writes_that_appendix_s_page(tmp_path: Path) -> None:
    result = build(PAPERS / "nelc-scrutiny", tmp_path, output_format="html", appendix=2)
    page = result.outputs["html-appendix-2"]
    assert page.name == "scrutiny-paper-2023-06-appendix-2.html"
    text = _words(page)
    assert "Appendix 2 Children in care by placement type" in text
    assert "BACKGROUND AND ISSUES" not in text
