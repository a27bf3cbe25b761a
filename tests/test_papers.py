"""Committee papers for two differently configured councils, built for real and read back."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from reportgen.cli import cli
from reportgen.pipeline import build_project as build
from reportgen.theme import load_theme
from tests.conftest import REPO
from tests.conftest import pdf_text as raw_pdf_text

PAPERS = REPO / "sample_papers"
NELC = PAPERS / "nelc-scrutiny"
NORTHSHIRE = PAPERS / "northshire-cabinet"
CONTENTS_LINE = re.compile(r"^(?P<entry>.+?)\s*\.{4,}\s*(?P<page>\d+)$")


@pytest.fixture(scope="module")
def nelc_paper(tmp_path_factory: pytest.TempPathFactory):
    return build(NELC, tmp_path_factory.mktemp("nelc"))


@pytest.fixture(scope="module")
def northshire_papers(tmp_path_factory: pytest.TempPathFactory):
    return build(NORTHSHIRE, tmp_path_factory.mktemp("northshire"))


def pdf_text(path: Path) -> list[str]:
    """Each page's text with runs of spaces made one (numbers are set in a column)."""
    return [re.sub(r"[ \t]+", " ", text) for text in raw_pdf_text(path)]


def _config(project: Path) -> dict:
    return tomllib.loads((project / "report.toml").read_text())


def _in_order(text: str, items: list[str]) -> bool:
    """Each item is found after the one before it."""
    position = 0
    for item in items:
        position = text.find(item, position)
        if position < 0:
            return False
        position += len(item)
    return True


def test_front_sheet_fields_are_the_configured_labels_in_order(nelc_paper, northshire_papers
                                                               ) -> None:
    for project, result in ((NELC, nelc_paper), (NORTHSHIRE, northshire_papers)):
        fields = _config(project)["paper"]["fields"]
        first = pdf_text(result.pdf)[0]
        assert _in_order(first, [f["label"] for f in fields]), project.name
        assert all(f["value"] in first for f in fields)
    nelc_first = pdf_text(nelc_paper.pdf)[0]
    assert "Lead Strategic Director" not in nelc_first  # nothing of the other council's layout
    assert "CHILDREN AND LIFELONG LEARNING SCRUTINY PANEL" in nelc_first  # the theme's capitals


def test_sections_and_paragraphs_are_numbered_in_committee_style(nelc_paper) -> None:
    text = "\n".join(pdf_text(nelc_paper.pdf)[:3])
    assert _in_order(text, ["1. BACKGROUND AND ISSUES", "1.1", "1.2", "2. RISKS AND OPPORTUNITIES",
                            "2.1", "4.1 Children's Social Care performance update", "4.1.1",
                            "5. WARD IMPLICATIONS", "6. APPENDICES",
                            "6.1 Appendix 1: Performance exceptions and highlights",
                            "6.3 Appendix 3: Improvement Plan Report, June 2023",
                            "7. CONTACT OFFICER(S)"])
    # unnumbered front matter and the recommendations as a numbered list
    assert _in_order(text, ["CONTRIBUTION TO OUR AIMS", "EXECUTIVE SUMMARY", "RECOMMENDATIONS",
                            "1. Scrutiny panel members note", "2. Scrutiny panel members"])
    assert "Children on a child protection plan" in text  # a Markdown table


def test_contents_entries_point_at_their_pages(nelc_paper) -> None:
    pages = pdf_text(nelc_paper.pdf)
    entries = [m.groupdict() for line in pages[0].splitlines()
               if (m := CONTENTS_LINE.match(line.strip()))]
    names = [e["entry"] for e in entries]
    assert "Appendix 3: Improvement Plan Report, June 2023" in names
    assert "6. APPENDICES" in names
    for entry in entries:
        heading = entry["entry"].split(": ")[-1] if entry["entry"].startswith("Appendix") \
            else entry["entry"]
        assert heading in pages[int(entry["page"]) - 1], entry
    # the pack's own contents, inside appendix 3, count the whole document's pages
    pack_start = next(i for i, p in enumerate(pages) if "How to read this pack" in p)
    priority = next(m for line in pages[pack_start].splitlines()
                    if (m := CONTENTS_LINE.match(line.strip())))
    assert priority["entry"] in pages[int(priority["page"]) - 1]


def test_every_page_has_page_x_of_y_and_the_marking(nelc_paper, northshire_papers) -> None:
    documents = [(nelc_paper.pdf, "OFFICIAL", "")]
    documents += [(path, "OFFICIAL-SENSITIVE", "") for kind, path in
                  northshire_papers.outputs.items() if kind == "pdf"]
    for path, marking, _ in documents:
        pages = pdf_text(path)
        for number, text in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in text, (path.name, number)
            assert text.count(marking) >= 2, (path.name, number)  # top and bottom
        # the first page: as text in its box and at the bottom, not twice at the top
        assert pages[0].count(marking) == 2, path.name
    assert "OFFICIAL-SENSITIVE" not in "".join(pdf_text(nelc_paper.pdf))


def test_the_running_header_is_short_and_on_one_line(northshire_papers) -> None:
    """Organisation · committee by default: beside the marking it fits on one line."""
    second = pdf_text(northshire_papers.outputs["pdf"])[1]
    assert "Northshire Council · Cabinet OFFICIAL-SENSITIVE June 2023" in second.splitlines()
    assert "Northshire Council · Children's Services" not in second


def test_a_separate_appendix_contents_gives_its_agenda_page_numbers(northshire_papers) -> None:
    text = pdf_text(northshire_papers.outputs["pdf-appendix-1"])[0]
    entries = [line for line in text.splitlines() if "Priority A" in line and "...." in line]
    assert entries and entries[0].rstrip().endswith(" 1.2"), entries


def test_separate_documents_label_appendix_pages_for_the_agenda_pack(northshire_papers) -> None:
    outputs = northshire_papers.outputs
    assert sorted(p.name for k, p in outputs.items() if k.startswith("pdf")) == [
        "cabinet-2023-06-appendix-1.pdf", "cabinet-2023-06-appendix-2.pdf",
        "cabinet-2023-06-appendix-3.pdf", "cabinet-2023-06-appendix-4.pdf",
        "cabinet-2023-06-cover.pdf"]
    appendix = outputs["pdf-appendix-2"]
    reader = PdfReader(appendix)
    count = len(reader.pages)
    assert reader.page_labels == [f"2.{n}" for n in range(1, count + 1)]
    pages = pdf_text(appendix)
    assert all(f"Page 2.{n} of 2.{count}" in text for n, text in enumerate(pages, start=1))
    assert "Appendix 2" in pages[0].replace("APPENDIX", "Appendix")
    assert "Caseloads by service area" in pages[0]
    assert _in_order(" ".join(pages[0].split()), ["Service area", "Average caseload", "Lowest",
                                                  "Highest", "Assessment teams 21 14 30"])
    cover = pdf_text(outputs["pdf"])
    assert "Appendix 4: Monitoring visit letter, July 2023" in "".join(cover)
    assert PdfReader(outputs["pdf"]).page_labels[0] == "1"


def test_an_attached_pdf_is_laid_in_with_numbering_and_tags(northshire_papers) -> None:
    path = northshire_papers.outputs["pdf-appendix-4"]
    pages = pdf_text(path)
    letter = PdfReader(NORTHSHIRE / "monitoring-visit-letter.pdf")
    assert len(pages) == 1 + len(letter.pages)  # a heading page, then one page per page
    first_line = "Monitoring visit to Northshire Council children's services"
    assert first_line in pages[1] and "Next steps" in pages[2]
    assert "Page 4.3 of 4.3" in pages[2] and "OFFICIAL-SENSITIVE" in pages[2]
    with pikepdf.open(path) as pdf:
        figures = [e for e in _struct_elements(pdf.Root.StructTreeRoot)
                   if e.get("/S") == "/Figure"]
        alts = [str(f.Alt) for f in figures]
    assert "Page 1 of 2 of the attached document 'Monitoring visit letter, July 2023'" in alts
    # the letter's own bookmarks, under the appendix's, pointing at the pages they were laid on
    reader = PdfReader(path)
    appendix, children = reader.outline[0], reader.outline[1]
    assert "Monitoring visit letter" in appendix.title
    assert [(c.title, reader.get_destination_page_number(c)) for c in children] == [
        (first_line, 1), ("Next steps", 2)]


def test_the_attached_document_continues_the_combined_numbering(tmp_path: Path) -> None:
    project = tmp_path / "sample_papers" / "northshire"
    shutil.copytree(NORTHSHIRE, project)
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")  # its `data` folder
    toml = (project / "report.toml").read_text()
    (project / "report.toml").write_text(toml.replace('documents = "separate"',
                                                      'documents = "one"'))
    result = build(project, tmp_path / "out")
    pages = pdf_text(result.pdf)
    letter_page = next(i for i, p in enumerate(pages) if "Next steps" in p)
    assert letter_page == len(pages) - 1  # the last appendix, at the end
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    reader = PdfReader(result.pdf)
    bookmark = next(item for item in _flatten(reader.outline)
                    if "Monitoring visit letter" in item.title)
    assert reader.get_destination_page_number(bookmark) == letter_page - 2  # its heading page


def test_bookmarks_follow_the_headings(nelc_paper) -> None:
    reader = PdfReader(nelc_paper.pdf)
    top = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline
           if not isinstance(item, list)]
    assert any("BACKGROUND AND ISSUES" in i.title for i in _flatten(reader.outline))
    appendix3 = next((t, p) for t, p in top if "Improvement Plan Report, June 2023" in t)
    assert "How to read this pack" in pdf_text(nelc_paper.pdf)[appendix3[1]]
    # the pack's priorities sit under the appendix, not beside it
    outline = list(reader.outline)
    position = next(i for i, item in enumerate(outline)
                    if not isinstance(item, list) and "Improvement Plan Report, June" in item.title)
    under = outline[position + 1]
    assert isinstance(under, list)
    assert any("Priority A" in i.title for i in _flatten(under))


def test_document_metadata(nelc_paper, northshire_papers) -> None:
    meta = PdfReader(nelc_paper.pdf).metadata
    assert meta.title == ("Children's Services Improvement Journey – Children and Lifelong "
                          "Learning Scrutiny Panel – North East Lincolnshire Council")
    assert "Children and Lifelong Learning Scrutiny Panel" in meta.subject
    with pikepdf.open(northshire_papers.outputs["pdf-appendix-2"]) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title).startswith("Appendix 2: Caseloads by service area")


def test_the_themes_differ_and_use_the_bundled_fonts(nelc_paper, northshire_papers) -> None:
    def fonts(path: Path) -> set[str]:
        with pikepdf.open(path) as pdf:
            return {str(font.BaseFont).split("+")[-1] for page in pdf.pages
                    for font in page.Resources.get("/Font", {}).values()}

    assert all(f.startswith("/reportgen-DejaVu-Sans") or f.startswith("reportgen-DejaVu-Sans")
               for f in fonts(nelc_paper.pdf))
    northshire = fonts(northshire_papers.outputs["pdf"])
    assert any("DejaVu-Serif" in f for f in northshire)  # body text
    assert all("reportgen-DejaVu" in f for f in northshire)  # never a font of the machine's
    with pikepdf.open(northshire_papers.outputs["pdf"]) as pdf:
        alts = [str(e.Alt) for e in _struct_elements(pdf.Root.StructTreeRoot) if "/Alt" in e]
    assert "Northshire Council" in alts  # the logo, with the theme's alt text
    assert load_theme("northshire").chart_style().font == "DejaVu Serif"


def test_project_styles_cascade_over_the_shipped_theme(sample_copy: Path, tmp_path: Path
                                                       ) -> None:
    styles = sample_copy / "styles" / "northshire"
    styles.mkdir(parents=True)
    (styles / "theme.toml").write_text('[colours]\naccent = "#6a1b9a"\n')
    (styles / "pack.css").write_text('.report-title::after { content: " (draft)"; }\n')
    config = sample_copy / "report.toml"
    config.write_text(config.read_text().replace('title = "Improvement Plan Report"',
                                                 'title = "Improvement Plan Report"\n'
                                                 'theme = "northshire"'))
    theme = load_theme("northshire", sample_copy)
    assert theme.colours["accent"] == "#6a1b9a"  # the project's
    assert theme.colours["rag_red"] == load_theme("northshire").colours["rag_red"]  # ours
    assert theme.font == "DejaVu Serif"
    result = build(sample_copy, tmp_path)
    assert "Improvement Plan Report (draft)" in pdf_text(result.pdf)[0]


def test_appendix_mode_from_the_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(cli, ["-q", "build", str(NELC), "-o", str(tmp_path),
                                  "--appendix", "2"])
    assert outcome.exit_code == 0, outcome.output
    built = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert built == ["scrutiny-paper-2023-06-appendix-2.pdf"]
    reader = PdfReader(tmp_path / built[0])
    assert reader.page_labels[0] == "2.1"
    text = pdf_text(tmp_path / built[0])[0]
    assert "Children in care by placement type" in text and "Page 2.1 of 2." in text
    assert "Foster care with council carers" in text and "39.6%" in text
    assert re.search(r"Other\s+9\s+2\.0%", text)  # a column's figures to the same decimals
    assert "Bar chart" not in text  # the chart's words are alt text, not printed
    missing = runner.invoke(cli, ["build", str(NELC), "-o", str(tmp_path), "--appendix", "9"])
    assert missing.exit_code == 65
    assert "appendix 9 was asked for; the paper has appendices 1 to 3" in missing.output


def test_bad_paper_settings_are_all_reported(sample_copy: Path) -> None:
    (sample_copy / "report.toml").write_text((sample_copy / "report.toml").read_text() + '''
[paper]
committee = "Cabinet"
fields = [{ value = "no label" }]
page_prefix = "{page}"
documents = "both"

[[appendix]]
kind = "chart"
title = "Wrong kind"

[[appendix]]
kind = "comparison"
title = "Compare"
measures = ["cin_number"]
colums = []
''')
    outcome = CliRunner().invoke(cli, ["validate", str(sample_copy)])
    assert outcome.exit_code == 65
    for expected in ["'paper.subject' is required",
                     "'paper.fields[1].label' is required",
                     "'paper.page_prefix' is '{page}'",
                     "'paper.documents' is 'both': expected one of one, separate",
                     "'appendix[1].kind' is 'chart': expected one of pack, table, comparison",
                     "'appendix[2].columns' needs at least one",
                     ("error: unknown key 'appendix[2].colums'; did you mean "
                      "'appendix[2].columns'?")]:
        assert expected in outcome.output, expected


def test_bad_paper_files_and_cells_are_all_reported(sample_copy: Path) -> None:
    (sample_copy / "report.toml").write_text((sample_copy / "report.toml").read_text() + '''
[paper]
committee = "Cabinet"
subject = "Performance"
sections = ["missing.md"]

[[appendix]]
kind = "comparison"
title = "Compare"
measures = ["cin_number", "no_such_measure"]
columns = [{ label = "Then", period = "June 2022" }]

[[appendix]]
kind = "table"
title = "Table"
source = "placements.csv"
columns = [{ name = "kind" }, { name = "children", format = "number" }, { name = "share" }]

[[appendix]]
kind = "pdf"
title = "Letter"
file = "../outside.pdf"

[[appendix]]
kind = "pdf"
title = "Not a PDF"
file = "letter.pdf"
''')
    (sample_copy / "placements.csv").write_text("kind,children\nFoster care,12\nHomes,many\n")
    (sample_copy / "letter.pdf").write_text("this is not a PDF")
    outcome = CliRunner().invoke(cli, ["validate", str(sample_copy)])
    assert outcome.exit_code == 65
    for expected in ["'paper.sections' is 'missing.md': no such file",
                     "names 'no_such_measure', which is not a measure id",
                     "'appendix[1].columns[1].period' is 'June 2022': expected YYYY-MM",
                     "placements.csv: error: has no column 'share'",
                     "'appendix[3].file' is '../outside.pdf': expected a file inside the project",
                     "letter.pdf: error: cannot be read as a PDF"]:
        assert expected in outcome.output, expected
    (sample_copy / "placements.csv").write_text("kind,children,share\nFoster care,12,1\n"
                                                "Homes,many,2\n")
    outcome = CliRunner().invoke(cli, ["validate", str(sample_copy)])
    expected = "placements.csv, row 3, column 'children': error: expected a number, found 'many'"
    assert expected in outcome.output


def test_paper_text_stays_text(sample_copy: Path, tmp_path: Path) -> None:
    (sample_copy / "body.md").write_text(
        "# Heading\n\n<script>alert(1)</script> and [a link](javascript:alert(1)) and "
        "[a file](file:///etc/passwd) and [ours](https://www.example.gov.uk/)\n")
    (sample_copy / "report.toml").write_text((sample_copy / "report.toml").read_text().replace(
        '[rag]', 'protective_marking = "OFFICIAL\\"; } body { display: none"\n\n[rag]') + '''
[paper]
committee = "<b>Cabinet</b>"
subject = "{{ 7 * 7 }}"
sections = ["body.md"]
fields = [{ label = "Date", value = "<i>today</i>" }]
''')
    result = build(sample_copy, tmp_path)
    first = " ".join(pdf_text(result.pdf)[0].split())
    assert "<B>CABINET</B>" in first  # the committee's name, upper-cased by the theme
    assert "{{ 7 * 7 }}" in first and "<i>today</i>" in first
    assert "<script>alert(1)</script>" in first
    assert first.count('OFFICIAL"; } body { display: none') == 2
    with pikepdf.open(result.pdf) as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                if a.get("/A") is not None and "/URI" in a.A]
    assert uris == ["https://www.example.gov.uk/"]


def test_papers_pass_a_pdf_ua_checker(nelc_paper, northshire_papers) -> None:
    import page

    for path in (nelc_paper.pdf, northshire_papers.outputs["pdf"],
                 northshire_papers.outputs["pdf-appendix-4"]):  # with the attached letter
        report = page.validate_pdf(str(path), profile="ua1")
        assert report.is_compliant, [f"{f.rule_id}: {f.message}" for f in report.failures]


def test_the_manifest_names_every_file_the_paper_read(nelc_paper) -> None:
    import json

    inputs = json.loads(nelc_paper.manifest.read_text())["inputs"]
    for name in ("report.toml", "summary.md", "report.md", "highlights.md", "placements.csv",
                 "../../sample_data/values.csv", "../../sample_data/report.toml"):
        assert name in inputs, name


def test_a_themed_html_edition_stays_self_contained(tmp_path: Path) -> None:
    page = build(NORTHSHIRE, tmp_path, output_format="html").outputs["html"]
    html = page.read_text(encoding="utf-8")
    assert "file:" not in html  # no font files, no logo file: one file to publish
    logo = re.search(r'<img class="logo" src="([^"]*)" alt="([^"]*)">', html)
    assert logo is not None and logo[1].startswith("data:image/svg+xml;base64,")
    assert logo[2] == "Northshire Council"
    assert "'DejaVu Serif'" in html


def test_a_table_appendix_from_a_sheet_of_the_workbook(sample_copy: Path, tmp_path: Path
                                                      ) -> None:
    import openpyxl

    from tests.helpers import csv_project_to_workbook

    workbook_path = csv_project_to_workbook(sample_copy)
    workbook = openpyxl.load_workbook(workbook_path)
    sheet = workbook.create_sheet("Placements")
    for row in (["Placement", "Children"], ["Foster care", 120], ["Children's homes", 31]):
        sheet.append(row)
    workbook.save(workbook_path)
    (sample_copy / "report.toml").write_text((sample_copy / "report.toml").read_text() + '''
[paper]
committee = "Cabinet"
subject = "Placements"

[[appendix]]
kind = "table"
title = "Placement types"
source = "placements"
columns = [{ name = "placement", label = "Type" }, { name = "children", format = "number" }]
''')
    result = build(sample_copy, tmp_path)
    text = " ".join(" ".join(pdf_text(result.pdf)).split())
    assert "Type Children Foster care 120 Children's homes 31" in text


def _struct_elements(node):
    kids = node.get("/K")
    items = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in items:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from _struct_elements(kid)


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item
