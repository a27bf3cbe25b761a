"""The pack laid out in parts on two cores and joined reads, links and tags as one document does."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from reportgen.layout import parts as parts_module
from reportgen.layout.parts import LAYOUT_RECORD, PARTS_FOLDER, _unsplittable_css
from reportgen.layout.pdf import PdfWriteFailed
from reportgen.pipeline import build_project as build
from reportgen.publish.cache import KeyedCache
from tests.conftest import SAMPLE, pdf_text, sample_pages
from tests.helpers import rewrite_csv

CACHE = ".reportgen-cache"


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory: pytest.TempPathFactory):
    """The sample pack built in parts (two processes) and as one document."""
    parts = build(SAMPLE, tmp_path_factory.mktemp("parts"), jobs=2)
    whole = build(SAMPLE, tmp_path_factory.mktemp("whole"), split=False)
    return parts, whole


def _outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, float]]:
    """(depth, title, page index, top of the target) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            destination = item.destination
            page = pdf.pages.index(pikepdf.Page(destination[0]))
            found.append((depth, item.title, page, round(float(destination[3]), 1)))
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 0)
    return found


def _links(pdf: pikepdf.Pdf) -> list[list[tuple[str, int]]]:
    """Per page: each internal link's destination name and the page that name leads to."""
    dests = pikepdf.NameTree(pdf.Root.Names.Dests)
    pages = []
    for page in pdf.pages:
        links = []
        for annotation in page.obj.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/Dest" in annotation:
                name = str(annotation.Dest)
                links.append((name, pdf.pages.index(pikepdf.Page(dests[name][0]))))
        pages.append(links)
    return pages


def _element_kinds(pdf: pikepdf.Pdf) -> Counter:
    kinds: Counter = Counter()

    def walk(element):
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                kinds[str(kid.S)] += 1
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return kinds


def _marked_content_owners(pdf: pikepdf.Pdf) -> list[tuple[int, int, str]]:
    """Every MCID in every page's content, with the structure element the parent tree gives
    for it and whether that element says it is on this page."""
    parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    owners = []
    for index, page in enumerate(pdf.pages):
        mcids = [int(operands[1].MCID) for operands, operator in
                 pikepdf.parse_content_stream(page, "BDC")
                 if isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]]
        marked = parent_tree[int(page.obj.StructParents)]
        for mcid in mcids:
            element = marked[mcid]
            assert element.Pg.objgen == page.objgen, (index, mcid)
            owners.append((index, mcid, str(element.S)))
    return owners


def test_parts_read_link_and_tag_as_one_document_does(both_ways) -> None:
    parts, whole = both_ways
    assert parts.pages == whole.pages == sample_pages()["total"]
    assert pdf_text(parts.pdf) == pdf_text(whole.pdf)  # page numbers, contents numbers, headers
    with pikepdf.open(parts.pdf) as joined, pikepdf.open(whole.pdf) as one:
        assert _outline(joined) == _outline(one)
        assert _links(joined) == _links(one)
        assert _element_kinds(joined) == _element_kinds(one)
        assert _marked_content_owners(joined) == _marked_content_owners(one)
        annotations = [a for page in joined.pages for a in page.obj.get("/Annots", [])]
        parent_tree = pikepdf.NumberTree(joined.Root.StructTreeRoot.ParentTree)
        assert all(parent_tree[int(a.StructParent)].S == "/Link" for a in annotations)
        ids = [str(e.ID) for e in _all_elements(joined) if "/ID" in e]
        assert len(ids) == len(set(ids)) > 0  # table header IDs stay unique across parts
        assert joined.docinfo["/Title"] == one.docinfo["/Title"]
        assert str(joined.Root.Lang) == "en-GB"
    assert "layout" in parts.timings and "join" in parts.timings
    assert "join" not in whole.timings


def test_a_long_priority_is_laid_out_in_runs_that_join_as_one_document_does(
        both_ways, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    # Runs of two measure pages: the sample's priorities become 12 parts (5,000 measures in
    # runs of 24 would, but take 10 minutes); the forked layout workers see the same setting.
    monkeypatch.setattr(parts_module, "MAX_PART_PAGES", 2)
    _, whole = both_ways
    runs = build(SAMPLE, tmp_path, jobs=2)
    assert runs.pages == whole.pages
    assert pdf_text(runs.pdf) == pdf_text(whole.pdf)
    with pikepdf.open(runs.pdf) as joined, pikepdf.open(whole.pdf) as one:
        assert _outline(joined) == _outline(one)  # measures' bookmarks under their priority
        assert _links(joined) == _links(one)
        assert _element_kinds(joined) == _element_kinds(one)  # one section per priority
        assert _marked_content_owners(joined) == _marked_content_owners(one)
    record = json.loads((tmp_path / CACHE / PARTS_FOLDER / LAYOUT_RECORD).read_text())
    assert len(record) - 1 > 4 + 4  # front, and more parts than priorities (and runs counted)
    first = runs.pdf.read_bytes()
    caplog.set_level("INFO", logger="reportgen")
    caplog.clear()
    again = build(SAMPLE, tmp_path, jobs=2)  # nothing changed: every part from the cache
    assert re.search(r"parts of the pack: 0 laid out in \d+ process(es)?, \d+ from the cache",
                     caplog.text), caplog.text
    assert again.pdf.read_bytes() == first


def test_the_joined_file_is_sound_and_published_whole(both_ways) -> None:
    parts, _ = both_ways
    with pikepdf.open(parts.pdf) as joined:
        assert joined.check_pdf_syntax() == []
        assert joined.trailer.ID[0] == joined.trailer.ID[1]
    manifest = json.loads((parts.pdf.parent / "manifest.json").read_text())
    digest = hashlib.sha256(parts.pdf.read_bytes()).hexdigest()
    assert manifest["outputs"][parts.pdf.name]["sha256"] == digest  # hashed as it was spooled
    # the joined file was spooled without a name: nothing is left beside the outputs
    assert sorted(p.name for p in parts.pdf.parent.iterdir()) == sorted(
        [CACHE, ".reportgen.lock", "manifest.json", parts.pdf.name])


def test_text_that_looks_like_pdf_syntax_is_joined_as_text(sample_copy: Path,
                                                           tmp_path: Path) -> None:
    """Objects are renumbered in their written form: a title holding what a reference looks
    like, a parenthesis or a backslash is carried over as it was typed."""
    title = r"Visits 12 0 R (see 3 0 R) \ <</K 5 0 R>> done"
    rewrite_csv(sample_copy / "measures.csv", lambda rows: [
        (row.__setitem__(1, title), row.__setitem__(10, title)) for row in rows
        if row[0] == "cin_number"])  # its title and its chart's (in the chart's alt text)
    config = sample_copy / "report.toml"  # the author: ASCII, so a literal string in the PDF
    config.write_text(config.read_text().replace(
        'organisation = "North East Lincolnshire Council"',
        f"organisation = '''Council {title}'''", 1))
    parts = build(sample_copy, tmp_path / "parts", jobs=2)
    whole = build(sample_copy, tmp_path / "whole", split=False)
    with pikepdf.open(parts.pdf) as joined, pikepdf.open(whole.pdf) as one:
        assert any(title in entry[1] for entry in _outline(joined))
        assert _outline(joined) == _outline(one)
        assert _alt_texts(joined) == _alt_texts(one)
        assert any(title in alt for alt in _alt_texts(joined))
        assert str(joined.docinfo["/Author"]) == str(one.docinfo["/Author"]) == f"Council {title}"
        assert joined.docinfo["/Author"].unparse().startswith(b"(")  # written as typed
    assert pdf_text(parts.pdf) == pdf_text(whole.pdf)


def _alt_texts(pdf: pikepdf.Pdf) -> list[str]:
    return [str(e.Alt) for e in _all_elements(pdf) if "/Alt" in e]


def test_a_part_lost_from_the_cache_before_the_join_lays_the_pack_out_whole(
        sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    joining = parts_module.join_parts

    def lose_a_part_first(pdfs, target) -> None:
        next((tmp_path / CACHE / PARTS_FOLDER).glob("*.pdf")).write_bytes(b"%PDF- damaged")
        joining(pdfs, target)

    monkeypatch.setattr(parts_module, "join_parts", lose_a_part_first)
    caplog.set_level("DEBUG", logger="reportgen")
    lost = build(sample_copy, tmp_path, jobs=2)
    assert "a part's cached PDF changed before it was joined" in caplog.text
    monkeypatch.undo()
    assert pdf_text(lost.pdf) == pdf_text(build(sample_copy, tmp_path / "cold", jobs=2).pdf)


def _all_elements(pdf: pikepdf.Pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid
                stack.append(kid)


def test_joined_pack_numbers_every_page_of_the_whole(both_ways) -> None:
    parts, _ = both_ways
    pages = pdf_text(parts.pdf)
    assert [re.search(r"Page (\d+) of (\d+)", text).groups() for text in pages] == \
        [(str(n), str(len(pages))) for n in range(1, len(pages) + 1)]
    contents = re.findall(r"^(Priority [A-D] – .*?) \.+ (\d+)$", pages[0], re.MULTILINE)
    assert len(contents) == 4
    for title, page in contents:  # each priority starts on the page the contents gives
        assert pages[int(page) - 1].startswith(title)
    header = re.compile(r"North East Lincolnshire Council · Improvement Plan Report")
    assert all(header.search(text) for text in pages[1:])  # the running header in every part


def _priority_c_page(project: Path) -> str:
    with (project / "measures.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    return next(row.get("group") or row["id"] for row in rows if row["priority"] == "C")


def test_one_process_makes_the_same_pdf(both_ways, tmp_path: Path, caplog) -> None:
    caplog.set_level("INFO", logger="reportgen")
    caplog.clear()
    single = build(SAMPLE, tmp_path, jobs=1)
    assert "parts of the pack: 5 laid out in 1 process, 0 from the cache" in caplog.text
    assert single.pdf.read_bytes() == both_ways[0].pdf.read_bytes()


def test_commentary_rebuild_lays_out_only_its_priority(sample_copy: Path, tmp_path: Path,
                                                       caplog) -> None:
    out = tmp_path / "out"
    build(sample_copy, out, jobs=2)
    page = _priority_c_page(sample_copy)
    rewrite_csv(sample_copy / "commentary.csv", lambda rows: [
        row.__setitem__(2, "Rebuilt after the panel meeting.") for row in rows if row[0] == page])
    caplog.set_level("INFO", logger="reportgen")
    caplog.clear()
    rebuilt = build(sample_copy, out, jobs=2)
    assert "parts of the pack: 1 laid out in 1 process, 4 from the cache" in caplog.text
    cold = build(sample_copy, tmp_path / "cold", jobs=2)
    assert rebuilt.pdf.read_bytes() == cold.pdf.read_bytes()
    assert "Rebuilt after the panel meeting." in "".join(pdf_text(rebuilt.pdf))


def test_with_short_runs_a_commentary_edit_lays_out_its_run_alone(
        sample_copy: Path, tmp_path: Path, caplog) -> None:
    """The preview's runs (authoring/serve.py): each priority's summary apart, its pages in
    runs of two; an edit to one page's commentary lays out that page's run and nothing else."""
    out = tmp_path / "out"
    build(sample_copy, out, jobs=2, part_pages=2)
    page = _priority_c_page(sample_copy)
    rewrite_csv(sample_copy / "commentary.csv", lambda rows: [
        row.__setitem__(2, "Rebuilt after the panel meeting.") for row in rows if row[0] == page])
    caplog.set_level("INFO", logger="reportgen")
    caplog.clear()
    rebuilt = build(sample_copy, out, jobs=2, part_pages=2)
    laid_out = re.search(r"parts of the pack: (\d+) laid out in 1 process, (\d+) from", caplog.text)
    assert laid_out is not None and laid_out.group(1) == "1", caplog.text
    assert int(laid_out.group(2)) > 8  # the front, four summaries and the other runs
    # each summary's stand-ins take one page however many pages the priority has, and a page
    # more for each table page's own (Priority B's placements, and the page after it)
    stand_in_pages = {}
    for facts in (out / CACHE / PARTS_FOLDER).glob("*.json"):
        found = json.loads(facts.read_text())
        if "pdf_pages" in found:
            [priority] = [a for a in found["anchors"] if re.fullmatch(r"priority-[A-D]", a)]
            stand_in_pages[priority] = found["pdf_pages"] - found["pages"]
    assert stand_in_pages == {"priority-A": 1, "priority-B": 3, "priority-C": 1,
                              "priority-D": 1}
    assert pdf_text(rebuilt.pdf) == pdf_text(build(sample_copy, tmp_path / "whole",
                                                   split=False).pdf)


def test_a_wrong_page_count_prediction_is_laid_out_again(sample_copy: Path, tmp_path: Path,
                                                         caplog) -> None:
    out = tmp_path / "out"
    cold = build(sample_copy, out, jobs=2).pdf.read_bytes()
    record_path = out / CACHE / PARTS_FOLDER / LAYOUT_RECORD
    record = json.loads(record_path.read_text())
    wrong = {key: 1 for key in record}  # every priority one page, as if a build had found it
    KeyedCache(record_path.parent, ".json").put("layout", json.dumps(wrong).encode())
    caplog.set_level("INFO", logger="reportgen")
    caplog.clear()
    again = build(sample_copy, out, jobs=2)
    assert caplog.text.count("parts of the pack: 5 laid out") == 2  # guessed, then as found
    assert again.pdf.read_bytes() == cold
    assert json.loads(record_path.read_text()) == record


def test_a_damaged_cached_part_is_laid_out_again(sample_copy: Path, tmp_path: Path) -> None:
    cold = build(sample_copy, tmp_path, jobs=2).pdf.read_bytes()
    parts = sorted((tmp_path / CACHE / PARTS_FOLDER).glob("*.pdf"))
    assert len(parts) == 5
    for part in parts:  # same length, wrong bytes: as a full disk or a crash might leave them
        part.write_bytes(b"%PDF-" + b"x" * (part.stat().st_size - 5))
    assert build(sample_copy, tmp_path, jobs=2).pdf.read_bytes() == cold


def test_marking_that_looks_like_a_page_counter_stays_text(sample_copy: Path,
                                                          tmp_path: Path) -> None:
    config = sample_copy / "report.toml"
    config.write_text('protective_marking = "OFFICIAL counter(pages)"\n' + config.read_text())
    result = build(sample_copy, tmp_path, jobs=2)
    pages = pdf_text(result.pdf)
    assert all("OFFICIAL counter(pages)" in text for text in pages)
    total = sample_pages()["total"]
    assert f"Page {total} of {total}" in pages[-1]


@pytest.mark.parametrize(("css", "reason"), [
    ("@page { @bottom-right { content: counter(page) ' of ' counter(pages) } }", ""),
    ("@page :first { @top-left { content: none } }", ""),
    ("@page :left { margin-left: 30mm }", "@page :left"),
    ("@media print { @page wide { size: A4 landscape } }", "@page wide"),
    ("@page :nth(2) { margin: 0 }", "@page :nth(2)"),
    ("table.wide { page: wide }", "names pages"),
    ("@page { @bottom-right { content: counter(pages, upper-roman) } }", "counts pages"),
    (".contents a::after { content: leader('.') target-counter(attr(href), page) }", ""),
    ("table.summary th a::after { content: ' (p. ' target-counter(attr(href), page) ')' }",
     "numbers the pages links lead to (table.summary th a::after)"),
    ("@media print { a::after { content: target-counters(attr(href), page, '.') } }",
     "numbers the pages links lead to (a::after)"),
])
def test_stylesheets_that_parts_cannot_copy(css: str, reason: str) -> None:
    found = _unsplittable_css(css)
    assert (reason in found) if reason else found == ""


def test_a_left_and_right_page_theme_is_laid_out_as_one_document(sample_copy: Path,
                                                                 tmp_path: Path,
                                                                 caplog) -> None:
    styles = sample_copy / "styles" / "default"
    styles.mkdir(parents=True)
    (styles / "pack.css").write_text("@page :left { margin-left: 25mm; }\n", encoding="utf-8")
    caplog.set_level("DEBUG", logger="reportgen")
    result = build(sample_copy, tmp_path, jobs=2)
    assert "laying the pack out as one document: the stylesheet has @page :left" in caplog.text
    assert "parts of the pack" not in caplog.text and result.pages == sample_pages()["total"]


def test_templates_without_priority_ids_are_laid_out_as_one_document(
        sample_copy: Path, tmp_path: Path, caplog) -> None:
    """Parts are measured by the priorities' ids: without them the pack is one document, and
    its broken contents links are reported as the template's error, not a traceback."""
    templates = sample_copy / "templates"
    templates.mkdir()
    (templates / "priorities.html.j2").write_text(
        '{% for priority in priorities %}<section class="priority">'
        '{% include "priority_summary.html.j2" %}'
        '{% for page in priority.pages %}{% include "table_page.html.j2" if page.kind == "table"'
        ' else "measure_page.html.j2" %}{% endfor %}'
        '</section>{% endfor %}\n', encoding="utf-8")
    caplog.set_level("DEBUG", logger="reportgen")
    with pytest.raises(PdfWriteFailed, match="No anchor #priority-A"):
        build(sample_copy, tmp_path, jobs=2)
    assert "as one document: the templates give a priority section no id" in caplog.text
