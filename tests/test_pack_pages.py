"""The pack's free pages: a Markdown introduction after the title page, and table pages (a CSV
or a workbook sheet, column formats, a bar chart, the three panels) among a priority's measure
pages — in the PDF (text, pages, tags, bookmarks) and the HTML edition, and checked by validate."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from reportgen.cli import cli
from reportgen.pipeline import build_project as build
from tests.conftest import pdf_text
from tests.helpers import csv_project_to_workbook

PANELS = ("What's working well?", "What are we worried about?", "What are we doing about it?")
TABLE_TITLE = "Placements of children in care by type"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _elements(root):
    kids = root.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _text_of(pdf: pikepdf.Pdf, element) -> str:
    return str(element.get("/T", ""))


def _outline(path: Path) -> list[str]:
    titles: list[str] = []
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        def walk(items):
            for item in items:
                titles.append(item.title)
                walk(item.children)
        walk(outline.root)
    return titles


def _table_page_config(**keys: str) -> str:
    lines = ["", "[[table_page]]"]
    for key, value in keys.items():
        lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def _validate(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(project)])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    return result.exit_code, result.output


# --- the sample pack -------------------------------------------------------------------------

def test_the_introduction_follows_the_title_page_and_is_in_the_contents(sample_pack) -> None:
    pages = [_flat(p) for p in pdf_text(sample_pack.pdf)]
    assert "Introduction" in pages[1] and "Our Children – Our Future" in pages[1]
    assert "Improving Outcomes for Children" in pages[1]
    assert re.search(r"Contents Introduction \.+ 2 Priority A", pages[0]), pages[0]
    assert "Priority A" in pages[2]  # the priorities begin on the next page
    outline = _outline(sample_pack.pdf)
    assert outline.index("Introduction") < outline.index(
        "Priority A – Planning and Safety (CiN and CP)")


def test_the_table_page_follows_its_measure_page_with_table_panels_and_chart(sample_pack) -> None:
    pages = [_flat(p) for p in pdf_text(sample_pack.pdf)]
    index = next(n for n, p in enumerate(pages) if TABLE_TITLE in p and "Placement type" in p)
    assert "Children in care: number and rate" in pages[index - 1]  # after = "cla"
    page = pages[index]
    assert "The 423 children in care at 30 June 2023, by placement type" in page
    assert "Foster care with other carers (in-house) 118 27.9%" in page
    assert all(heading in page for heading in PANELS)
    assert "Two in five children in care live with in-house foster carers" in page
    # the priority's summary lists it with its page number
    summary = next(p for p in pages if "Priority B –" in p and "Summary of measures" in p)
    assert re.search(rf"Tables in this section: {TABLE_TITLE} \.+ {index + 1}\b", summary)
    assert TABLE_TITLE in _outline(sample_pack.pdf)


def test_the_table_page_is_a_tagged_table_with_header_cells_and_caption(sample_pack) -> None:
    with pikepdf.open(sample_pack.pdf) as pdf:
        elements = list(_elements(pdf.Root.StructTreeRoot))
        tables = [e for e in elements if e.get("/S") == "/Table"]
        captions = []
        header_counts = []
        for table in tables:
            inside = list(_elements(table))
            captions.append(sum(1 for e in inside if e.get("/S") == "/Caption"))
            header_counts.append(sum(1 for e in inside if e.get("/S") == "/TH"))
        bars = [e for e in elements if e.get("/S") == "/Figure"
                and str(e.get("/Alt", "")).startswith("Bar chart: Children by placement type.")]
    # the placements table: 3 column headers and 8 row headers, with its caption
    assert any(c == 1 and h == 3 + 8 for c, h in zip(captions, header_counts, strict=True))
    assert len(bars) == 1
    alt = str(bars[0].Alt)
    assert "Foster care with other carers (in-house) 118" in alt


def test_the_html_edition_has_the_introduction_and_the_table_page(tmp_path: Path) -> None:
    from tests.conftest import SAMPLE

    html = build(SAMPLE, tmp_path, output_format="html").outputs["html"].read_text("utf-8")
    assert '<li><a href="#introduction">Introduction</a></li>' in html
    assert '<section class="introduction" id="introduction"' in html
    table = html[html.index('id="page-placements"'):]
    table = table[:table.index("</article>")]
    assert "<caption>The 423 children in care at 30 June 2023, by placement type</caption>" in table
    assert '<th scope="col">Placement type</th>' in table
    assert '<th scope="row">Placed with parents</th><td class="num">38</td>' in table
    assert 'role="img"' in table and "<desc id=\"chart-placements-desc\">Bar chart:" in table
    assert '<a href="#page-placements">' in html  # from Priority B's summary


# --- placing, sources, long tables -----------------------------------------------------------

def _many_rows(project: Path, rows: int = 70) -> None:
    lines = ["home,outcome,children"] + [f"Home number {n},Good,{n % 7 + 1}"
                                         for n in range(1, rows + 1)]
    (project / "homes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("split", [True, False], ids=["in parts", "one document"])
def test_a_long_table_runs_on_with_its_header_row_and_heading_continued(
        sample_copy: Path, tmp_path: Path, split: bool) -> None:
    _many_rows(sample_copy)
    with (sample_copy / "report.toml").open("a", encoding="utf-8") as config:
        config.write(_table_page_config(
            id='"homes"', priority='"D"',
            title='"Residential homes\' inspection outcomes across the region, by home"',
            source='"homes.csv"',
            columns='[{ name = "home", label = "Home" }, { name = "outcome", '
                    'label = "Ofsted judgement" }, { name = "children", format = "number" }]'))
    result = build(sample_copy, tmp_path, split=split)
    pages = [_flat(p) for p in pdf_text(result.pdf)]
    title = "Residential homes' inspection outcomes across the region, by home"
    first = next(n for n, p in enumerate(pages) if title in p and "Home number 1 " in p)
    assert first == len(pages) - 2 or first == len(pages) - 3  # at the end of Priority D
    run_on = pages[first + 1]
    assert f"{title} (continued)" in run_on
    assert "Home Ofsted judgement Children" in run_on  # the header row again
    assert "Home number 70 Good 1" in " ".join(pages[first:])
    # and every home is in the pack once
    assert sum(p.count("Home number 42 ") for p in pages) == 1


def test_a_summary_never_lists_a_table_page_on_a_page_a_run_on_moved(
        sample_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    """A long priority's summary is laid out apart, with a one-page stand-in for each of its
    pages: a table page that runs on before another table page would move that one's page
    number, so such a pack is laid out as one document instead (numbers as printed)."""
    from reportgen.layout import parts

    monkeypatch.setattr(parts, "MAX_PART_PAGES", 2)  # Priority B's pages in runs of two
    _many_rows(sample_copy)
    config_path = sample_copy / "report.toml"  # the placements table further on, after homes
    config_path.write_text(config_path.read_text().replace('after = "cla"\n',
                                                           'after = "cla_reviews"\n', 1))
    with config_path.open("a", encoding="utf-8") as config:
        config.write(_table_page_config(
            id='"homes"', priority='"B"', title='"Residential homes by outcome"',
            source='"homes.csv"', after='"cla"',
            columns='[{ name = "home", label = "Home" }, { name = "outcome", '
                    'label = "Ofsted judgement" }, { name = "children", format = "number" }]'))
    caplog.set_level("DEBUG", logger="reportgen")
    result = build(sample_copy, tmp_path / "parts", jobs=2)
    assert "runs on, so the summary's page number for it would be wrong" in caplog.text
    pages = [_flat(p) for p in pdf_text(result.pdf)]
    listed = re.search(r"Placements of children in care by type \.+ (\d+)", " ".join(pages))
    assert listed is not None
    placements = int(listed.group(1))
    assert pages[placements - 1].startswith("Placements of children in care by type")
    assert pages == [_flat(p) for p in pdf_text(build(sample_copy, tmp_path / "whole",
                                                      split=False).pdf)]


def test_table_pages_without_after_go_last_in_order_and_from_a_workbook_sheet(
        sample_copy: Path, tmp_path: Path) -> None:
    import openpyxl

    workbook_path = csv_project_to_workbook(sample_copy)
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook.create_sheet("Fostering checks")
    sheet.append(["Check", "Done in time"])
    sheet.append(["Annual review", 0.92])
    sheet.append(["DBS renewal", 0.88])
    for row in (2, 3):
        sheet.cell(row, 2).number_format = "0%"  # Excel's percentage cells: 0.92 shows 92%
    workbook.save(workbook_path)
    with (sample_copy / "report.toml").open("a", encoding="utf-8") as config:
        config.write(_table_page_config(
            id='"fostering"', priority='"B"', title='"Fostering checks"',
            source='"Fostering checks"', panels="false",
            columns='[{ name = "check" }, { name = "done in time", format = "percent" }]'))
        config.write(_table_page_config(id='"second"', priority='"B"', title='"Second table"',
                                        source='"Fostering checks"', after='"cla"'))
    result = build(sample_copy, tmp_path)
    pages = [_flat(p) for p in pdf_text(result.pdf)]
    order = [n for n, p in enumerate(pages) if "Placements of children in care by type" in p
             and "Placement type" in p]
    second = next(n for n, p in enumerate(pages) if "Second table" in p and "Check" in p)
    fostering = next(n for n, p in enumerate(pages) if "Fostering checks" in p and "Check" in p)
    assert second == order[0] + 1  # after "cla", after the table already placed there
    assert "Priority C –" in pages[fostering + 1]  # the last page of Priority B
    assert "Annual review 92%" in pages[fostering]
    assert not any(h in pages[fostering] for h in PANELS)  # panels = false
    assert "Annual review 92%" in pages[second]  # every column as text by default


def test_markdown_in_the_introduction_stays_text(sample_copy: Path, tmp_path: Path) -> None:
    (sample_copy / "introduction.md").write_text(
        "# Not a heading\n\n<script>alert(1)</script> [link](https://example.org) {{ 7*7 }}\n",
        encoding="utf-8")
    result = build(sample_copy, tmp_path, output_format="all")
    page = _flat(pdf_text(result.pdf)[1])
    assert "# Not a heading" in page
    assert "<script>alert(1)</script> [link](https://example.org) {{ 7*7 }}" in page
    html = result.outputs["html"].read_text("utf-8")
    assert "<script>alert" not in html


def test_table_page_commentary_is_read_and_missing_commentary_warned(sample_copy: Path) -> None:
    _no_commentary(sample_copy)
    code, output = _validate(sample_copy)
    assert code == 0
    assert "commentary: warning: table page 'placements' has no commentary for 2023-06" in output


# --- validate --------------------------------------------------------------------------------

@pytest.mark.parametrize(("edit", "expected"), [
    (lambda p: (p / "placements.csv").unlink(),
     ("report.toml: table_page[1].source: error: no file 'placements.csv' in the project "
     "folder")),
    (lambda p: (p / "placements.csv").write_text(
        "placement,children,share\nFoster care,71,16.8%\nAdoption,many,3%\n", encoding="utf-8"),
     "placements.csv, row 3, column 'children': error: expected a number, found 'many'"),
    (lambda p: (p / "placements.csv").write_text(
        "placement,kids,share\nFoster care,71,16.8%\n", encoding="utf-8"),
     ("placements.csv: error: has no column 'children' (named in table_page[1].columns); "
     "columns found: placement, kids, share")),
    (lambda p: (p / "placements.csv").write_text(
        "placement,children,share\nFoster care,71,1e5%\n", encoding="utf-8"),
     "placements.csv, row 2, column 'share': error: expected a number, found '1e5%'"),
    (lambda p: _edit_config(p, 'priority = "B"', 'priority = "E"'),
     ("report.toml: error: 'table_page[1].priority' is 'E': expected a priority id in "
     "priorities (A, B, C, D)")),
    (lambda p: _edit_config(p, 'after = "cla"', 'after = "cl"'),
     ("report.toml: error: 'table_page[1].after' is 'cl': expected a measure page (a group or "
     "measure id) of priority B: cla, cla_stability, cla_reviews, care_leavers_accom, "
     "cla_starts_ytd; did you mean 'cla'?")),
    (lambda p: (_edit_config(p, 'id = "placements"', 'id = "cla"'), _no_commentary(p)),
     ("report.toml: error: 'table_page[1].id' is 'cla', which is already a page's id; give the "
     "table page an id of its own")),
    (lambda p: (_edit_config(p, 'id = "placements"', 'id = "place ments"'), _no_commentary(p)),
     ("report.toml: error: 'table_page[1].id' is 'place ments': expected an id of letters, "
     "digits and _")),
    (lambda p: _edit_config(p, 'source = "placements.csv"\n', ''),
     "report.toml: error: 'table_page[1].source' is required"),
    (lambda p: _edit_config(p, 'introduction = "introduction.md"',
                            'introduction = "../outside.md"'),
     ("report.toml: error: 'pack.introduction' is '../outside.md': expected a file inside the "
     "project folder")),
    (lambda p: _edit_config(p, 'introduction = "introduction.md"', 'introduction = "intro.md"'),
     "report.toml: error: 'pack.introduction' is 'intro.md': no such file in"),
    (lambda p: _edit_config(p, 'columns = [', 'chart = { label = "placement", value = "kids" }'
                                              '\ncolumns = ['),
     None),  # a duplicate key: TOML itself refuses it
])
def test_validate_names_the_key_file_row_and_column(sample_copy: Path, edit,
                                                    expected: str | None) -> None:
    (sample_copy.parent / "outside.md").write_text("Outside the project.\n", encoding="utf-8")
    edit(sample_copy)
    code, output = _validate(sample_copy)
    assert code == 65, output
    if expected:
        assert expected in _flat(output), output
    build_result = CliRunner().invoke(cli, ["build", str(sample_copy), "-o",
                                            str(sample_copy / "out")])
    assert build_result.exit_code == 65 and "Traceback" not in build_result.output
    assert not list((sample_copy / "out").glob("*.pdf"))


def test_a_bar_chart_column_that_is_not_in_the_table_is_named(sample_copy: Path) -> None:
    _edit_config(sample_copy, 'chart = { label = "placement", value = "children" }',
                 'chart = { label = "placement", value = "kids" }')
    code, output = _validate(sample_copy)
    assert code == 65
    assert "placements.csv: error: has no column 'kids' (named in table_page[1].chart)" in output


def _no_commentary(project: Path) -> None:
    """Without the table page's commentary, whose page would be unknown after its id changed."""
    path = project / "commentary.csv"
    path.write_text("".join(line for line in path.read_text("utf-8").splitlines(keepends=True)
                            if not line.startswith("placements,")), encoding="utf-8")


def _edit_config(project: Path, old: str, new: str) -> None:
    path = project / "report.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
