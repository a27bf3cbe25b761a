"""A council's own front sheet and its governance, built for real and read back: sections in the
council's order, a recommendations lead-in, no contents list, lettered appendices with the
exemption table, background papers, sign-off, and a Part II appendix kept out of the public PDF."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from reportgen.cli import cli
from reportgen.pipeline import build_project as build
from reportgen.render.markdown import render_field
from tests.conftest import REPO
from tests.conftest import pdf_text as raw_pdf_text
from tests.test_papers import _in_order, _struct_elements

EASTMOOR = REPO / "sample_papers" / "eastmoor-cabinet-frontsheet"
PUBLIC = "eastmoor-cabinet-2025-10.pdf"
PART_TWO = "eastmoor-cabinet-2025-10-appendix-C-exempt.pdf"
EXEMPT_WORDS = ["Moorside Care Partnership", "£5,240", "void charge", "scored the bid 87",
                "Contract terms", "Occupancy risk"]
MARKING = "NOT FOR PUBLICATION – Schedule 12A paragraph 3"


@pytest.fixture(scope="module")
def eastmoor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("eastmoor")
    build(EASTMOOR, output)
    return output


@pytest.fixture
def eastmoor_copy(tmp_path: Path) -> Path:
    target = tmp_path / "eastmoor"
    shutil.copytree(EASTMOOR, target)
    return target


def text_of(path: Path) -> str:
    """The whole document's text, runs of spaces made one."""
    return re.sub(r"[ \t]+", " ", "\n".join(raw_pdf_text(path)))


def test_the_cover_follows_the_councils_order(eastmoor: Path) -> None:
    text = text_of(eastmoor / PUBLIC)
    assert _in_order(text, [
        "SUMMARY", "RECOMMENDATIONS", "It is recommended that Cabinet:", "1. Notes the progress",
        "2. Approves the award", "3. Delegates", "REASONS FOR THE RECOMMENDATIONS",
        "ALTERNATIVE OPTIONS CONSIDERED AND REJECTED", "Do nothing.", "FINANCIAL RISKS",
        "CARBON FOOTPRINT", "1. BACKGROUND", "1.1 In March 2025", "1.2 The sufficiency",
        "2. PROGRESS", "2.2 Places and demand", "2.2.1 Appendix A sets out", "3. CONSULTATION",
        "4. LEGAL IMPLICATIONS", "The award follows", "5. APPENDICES", "6. BACKGROUND PAPERS",
        "7. REPORT AUTHOR", "7.1 Head of Children's Commissioning", "SIGN-OFF", "Legal"])
    # unnumbered sections keep no numbers; a numbered section may leave its paragraphs plain
    assert not re.search(r"\d\.? +(SUMMARY|REASONS|ALTERNATIVE|FINANCIAL RISKS|CARBON|SIGN-OFF)",
                         text)
    assert "4.1" not in text
    # no contents list and no period line
    assert "Contents" not in text and "Performance data for" not in text
    with pikepdf.open(eastmoor / PUBLIC) as pdf:
        links = [a for a in pdf.pages[0].get("/Annots", []) if a.get("/Subtype") == "/Link"]
    assert links == []


def test_field_values_take_bold_italics_and_line_breaks(eastmoor: Path) -> None:
    first = raw_pdf_text(eastmoor / PUBLIC)[0]
    assert ("Corporate Director, Children and Families\nDirector of Finance (Section 151 Officer)"
            in first)
    assert "**" not in first and "*spending" not in first
    fonts: dict[str, str] = {}

    def visit(text, cm, tm, font, size) -> None:
        if text.strip() and font is not None:
            fonts[text.strip()] = str(font.get("/BaseFont", ""))

    PdfReader(eastmoor / PUBLIC).pages[0].extract_text(visitor_text=visit)
    assert "Bold" in fonts["8 October 2025"]
    assert "Oblique" in fonts["spending over £500,000"] or "Italic" in \
        fonts["spending over £500,000"]
    assert "Bold" not in fonts["All"]


def test_field_markdown_never_passes_html_or_links() -> None:
    html = render_field('**b** <img src=x onerror=alert(1)> [x](javascript:alert(1))\nline 2')
    assert html == ("<strong>b</strong> &lt;img src=x onerror=alert(1)&gt; "
                    "[x](javascript:alert(1))<br />\nline 2")


def test_governance_tables_come_from_the_config(eastmoor: Path) -> None:
    text = text_of(eastmoor / PUBLIC)
    assert _in_order(text, [
        "Appendix Title Exempt? Exemption paragraph number",
        "A Residential sufficiency: places and demand No –",
        "B Children placed outside Eastmoor by distance No –",
        "C Hollins Lane: contract terms and pricing Yes 3",
        "Document Where available", "Children's residential sufficiency strategy 2024–2027",
        "Council website: https://www.eastmoor.example/sufficiency",
        "Role Name Date", "Legal Principal Solicitor 22 September 2025",
        "Monitoring Officer Director of Legal and Governance 24 September 2025"])
    assert _in_order(text, ["APPENDIX A", "Residential sufficiency", "APPENDIX B",
                            "Under 20 miles 5"])
    with pikepdf.open(eastmoor / PUBLIC) as pdf:
        kinds = [str(e.get("/S")) for e in _struct_elements(pdf.Root.StructTreeRoot)]
    assert kinds.count("/TH") >= 4 + 2 + 3 + 3 + 2  # every table has header cells


def test_the_exempt_appendix_is_only_in_the_part_two_document(eastmoor: Path) -> None:
    public = text_of(eastmoor / PUBLIC)
    for words in EXEMPT_WORDS:
        assert words not in public, words
    assert "APPENDIX C" not in public and "Hollins Lane: contract terms and pricing" in public
    part_two = text_of(eastmoor / PART_TWO)
    for words in EXEMPT_WORDS:
        assert words in part_two, words
    pages = raw_pdf_text(eastmoor / PART_TWO)
    assert all(MARKING in " ".join(page.split()) for page in pages)
    assert "paragraph 3 of Part 1 of Schedule 12A to the Local Government Act 1972" in \
        " ".join(part_two.split())
    assert "financial or business affairs" in part_two
    assert "OFFICIAL" not in part_two.replace(MARKING, "")  # its own marking, not the paper's
    assert PdfReader(eastmoor / PART_TWO).page_labels[0] == "C.1"
    assert sorted(p.name for p in eastmoor.glob("*.pdf")) == [PART_TWO, PUBLIC]


def test_the_manifest_says_which_file_is_public_and_which_exempt(eastmoor: Path) -> None:
    outputs = json.loads((eastmoor / "manifest.json").read_text())["outputs"]
    assert outputs[PUBLIC]["publication"] == "public"
    assert outputs[PART_TWO]["publication"] == "exempt"


def test_appendix_mode_builds_the_part_two_document(tmp_path: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(cli, ["-q", "build", str(EASTMOOR), "-o", str(tmp_path),
                                  "--appendix", "3"])
    assert outcome.exit_code == 0, outcome.output
    assert [p.name for p in tmp_path.glob("*.pdf")] == [PART_TWO]
    assert "Moorside Care Partnership" in text_of(tmp_path / PART_TWO)
    assert MARKING in " ".join(text_of(tmp_path / PART_TWO).split())
    outcome = runner.invoke(cli, ["-q", "build", str(EASTMOOR), "-o", str(tmp_path / "a"),
                                  "--appendix", "1"])
    assert outcome.exit_code == 0, outcome.output
    public = tmp_path / "a" / "eastmoor-cabinet-2025-10-appendix-A.pdf"
    assert PdfReader(public).page_labels[0] == "A.1"
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["outputs"][public.name]["publication"] == "public"


def test_an_appendix_is_asked_for_by_its_reference_too(tmp_path: Path) -> None:
    runner = CliRunner()
    for asked in ("C", "c"):
        out = tmp_path / asked
        outcome = runner.invoke(cli, ["-q", "build", str(EASTMOOR), "-o", str(out),
                                      "--appendix", asked])
        assert outcome.exit_code == 0, outcome.output
        assert [p.name for p in out.glob("*.pdf")] == [PART_TWO]
    unknown = runner.invoke(cli, ["build", str(EASTMOOR), "-o", str(tmp_path / "z"),
                                  "--appendix", "Z"])
    assert unknown.exit_code == 65
    assert "appendix Z was asked for; the paper has appendices A, B, C" in unknown.output
    pack = runner.invoke(cli, ["build", str(REPO / "sample_data"), "-o", str(tmp_path / "p"),
                               "--appendix", "1"])
    assert pack.exit_code == 65
    assert "--appendix 1 was asked for, but this is a pack, not a committee paper" in \
        pack.output


def test_separate_documents_never_put_the_exempt_appendix_in_a_public_one(
        eastmoor_copy: Path, tmp_path: Path) -> None:
    config = eastmoor_copy / "report.toml"
    config.write_text(config.read_text().replace("[paper]\n", '[paper]\ndocuments = "separate"\n'))
    result = build(eastmoor_copy, tmp_path / "out")
    names = sorted(o.path.name for o in result.published if o.role != "manifest")
    assert names == ["eastmoor-cabinet-2025-10-appendix-A.pdf",
                     "eastmoor-cabinet-2025-10-appendix-B.pdf", PART_TWO,
                     "eastmoor-cabinet-2025-10-cover.pdf"]
    for output in result.published:
        if output.role == "manifest":
            continue
        exempt = output.path.name == PART_TWO
        assert output.publication == ("exempt" if exempt else "public")
        text = text_of(output.path)
        assert ("Moorside Care Partnership" in text) == exempt, output.path.name


def test_an_appendix_made_exempt_leaves_no_public_copy_from_the_last_build(
        eastmoor_copy: Path, tmp_path: Path) -> None:
    config = eastmoor_copy / "report.toml"
    separate = config.read_text().replace("[paper]\n", '[paper]\ndocuments = "separate"\n')
    config.write_text(separate.replace("exempt_paragraph = 3", ""))  # C public, this time
    out = tmp_path / "out"
    (out / "eastmoor-cabinet-2025-10-notes.pdf").parent.mkdir(parents=True)
    (out / "eastmoor-cabinet-2025-10-notes.pdf").write_bytes(b"a clerk's own file")
    before = build(eastmoor_copy, out, output_format="all")
    public_c = [o.path for o in before.published if "appendix-C" in o.path.name]
    assert sorted(p.suffix for p in public_c) == [".html", ".pdf"]
    assert "Moorside" in next(p for p in public_c if p.suffix == ".html").read_text()
    # an edited manifest naming a file that is not a document, or one outside, is not followed
    (out / "keep.csv").write_text("a,b\n")
    (tmp_path / "outside.pdf").write_bytes(b"elsewhere")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["outputs"] |= {"keep.csv": {}, "../outside.pdf": {}}
    (out / "manifest.json").write_text(json.dumps(manifest))
    config.write_text(separate)  # C exempt from now on
    after = build(eastmoor_copy, out, output_format="all")
    assert (out / "keep.csv").exists() and (tmp_path / "outside.pdf").exists()
    assert not any(p.exists() for p in public_c)  # the public copies are gone …
    assert (out / PART_TWO).exists()  # … the Part II document is there
    assert (out / "eastmoor-cabinet-2025-10-notes.pdf").read_bytes() == b"a clerk's own file"
    published = {o.path.name for o in after.published}
    assert {p.name for p in out.iterdir() if p.is_file() and not p.name.startswith(".")} == \
        published | {"eastmoor-cabinet-2025-10-notes.pdf", "keep.csv"}
    for path in out.glob("*.*ml"):
        assert "Moorside" not in path.read_text()


def test_other_builds_into_the_folder_remove_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    nelc = REPO / "sample_papers" / "nelc-scrutiny"  # no exempt appendix
    whole = build(nelc, out).pdf
    build(nelc, out, appendix=2)  # one appendix for the agenda pack, beside the paper
    build(nelc, out, output_format="html")  # and the web page
    assert whole.exists() and (out / "scrutiny-paper-2023-06-appendix-2.pdf").exists()
    assert (out / "scrutiny-paper-2023-06.html").exists()
    build(EASTMOOR, tmp_path / "e")  # with a Part II document: one appendix alone keeps the rest
    build(EASTMOOR, tmp_path / "e", appendix=1)
    assert (tmp_path / "e" / PUBLIC).exists() and (tmp_path / "e" / PART_TWO).exists()


def test_front_sheets_pass_a_pdf_ua_checker(eastmoor: Path) -> None:
    import page

    for name in (PUBLIC, PART_TWO):
        report = page.validate_pdf(str(eastmoor / name), profile="ua1")
        assert report.is_compliant, [f"{f.rule_id}: {f.message}" for f in report.failures]


def test_bad_front_sheet_settings_are_all_reported(eastmoor_copy: Path) -> None:
    config = eastmoor_copy / "report.toml"
    text = config.read_text()
    for old, new in [
        ('appendix_references = "letters"', 'appendix_references = "roman"'),
        ('recommendations_lead_in = "It is recommended that Cabinet:"',
         'recommendations_lead_in = 3\nsummary = ["summary.md"]'),
        ('period_line = ""', 'period_line = "Data for {period}"'),
        ('{ role = "Legal", name = "Principal Solicitor", date = "22 September 2025" },',
         '{ name = "Principal Solicitor", date = 22 },'),
        ('heading = "Carbon Footprint"', ('heading = "Carbon Footprint"\nnumberd = false\n'
                                         'file = "carbon.md"')),
        ('file = "alternatives.md"', 'file = "../outside.md"'),
        ('heading = "Financial Risks"', 'heading = "Financial Risks"\nnumber_paragraphs = "no"'),
        ('exempt_paragraph = 3 ', 'exempt_paragraph = 9\nreference = "A" '),
        ('title = "Residential sufficiency: places and demand"',
         ('title = "Residential sufficiency: places and demand"\nreference = "A"\n'
         'exempt_paragraph = "3"')),
        ('title = "Children placed outside Eastmoor by distance"',
         'title = "Children placed outside Eastmoor by distance"\nreference = "B/../x"'),
        ('part = "contact"', 'part = "appendices"'),
        ('[[paper.section]]\npart = "sign_off"',
         ('[[paper.section]]\npart = "sign_off"\ntext = "x"\n\n[[paper.section]]\n'
         'heading = "Neither"\n\n[[paper.section]]\npart = "minutes"')),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text)
    outcome = CliRunner().invoke(cli, ["validate", str(eastmoor_copy)])
    assert outcome.exit_code == 65, outcome.output
    assert "Traceback" not in outcome.output
    for expected in [
        "'paper.appendix_references' is 'roman': expected one of numbers, letters",
        "'paper.recommendations_lead_in' must be text, got 3",
        "'paper.period_line' is 'Data for {period}': expected text using only {month}",
        "'paper.sign_off[1].role' is required",
        "'paper.sign_off[1].date' must be text or a date YYYY-MM-DD, got 22",
        "'paper.summary' and [[paper.section]] cannot both be given",
        ("error: unknown key 'paper.section[6].numberd'; did you mean "
        "'paper.section[6].numbered'? (a misspelt key would change what is published)"),
        ("'paper.section[6]' needs one of 'file' (a Markdown file) or 'text' (Markdown written "
        "here), not both"),
        "'paper.section[5].number_paragraphs' must be true or false, got 'no'",
        ("'paper.section[12]' is part = \"sign_off\", which the paper writes itself: it takes no "
        "'file' or 'text'"),
        "'paper.section[13]' needs one of 'file' (a Markdown file) or 'text'",
        ("'paper.section[14].part' is 'minutes': expected one of markdown, recommendations, "
        "appendices, background_papers, contact, sign_off, signature"),
        "'paper.section' places part = \"appendices\" twice",
        "'paper.contact' is given, but no [[paper.section]] has part = \"contact\"",
        "'paper.section[4].file' is '../outside.md': expected a file inside the project folder",
        "'paper.section[6].file' is 'carbon.md': no such file",
        "'appendix[1].exempt_paragraph' must be a whole number, got '3'",
        "'appendix[2].reference' is 'B/../x': expected a short reference of letters and digits",
        ("'appendix[3].exempt_paragraph' is 9: expected a paragraph of Schedule 12A to the Local "
        "Government Act 1972, 1 to 7"),
        ("'appendix[3].reference' is 'A', as appendix 1's is: each appendix needs its own "
        "reference"),
    ]:
        assert expected in outcome.output, expected
    assert "'paper.section[14]' needs" not in outcome.output  # a wrong part is told once


def _readme_front_sheet_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Setting up a new council's front sheet")
    return readme[start:readme.index("\n## ", start)]


def test_the_readme_covers_every_paper_key() -> None:
    from reportgen.papers import config, governance, sections

    section = _readme_front_sheet_section()
    keys = {*config.PAPER.options, *sections.SECTION.options, *config.HEADINGS.options,
            *governance.TABLE_HEADINGS.options, *governance.BACKGROUND_PAPER.options,
            *governance.SIGN_OFF.options, *config.FIELD.options, *config.APPENDIX_COMMON,
            *(key for kind in config.APPENDIX_BY_KIND.values() for key in kind),
            *sections.PARTS[1:]}
    missing = {key for key in keys if not re.search(rf"\b{key}\b", section)}
    assert missing == set()


def test_the_readme_example_validates(tmp_path: Path) -> None:
    blocks = re.findall(r"```toml\n(.*?)```", _readme_front_sheet_section(), re.S)
    paper, cover, appendix = blocks
    paper = re.sub(r"^(data|summary|sections) = .*\n", "", paper, flags=re.M)
    paper = 'organisation = "Example Council"\ntitle = "Cabinet report"\nperiod = "2024-11"\n' \
        + paper
    (tmp_path / "report.toml").write_text(paper + cover + appendix, encoding="utf-8")
    for name in ("summary.md", "report.md", "appendix-c-exempt.md"):
        (tmp_path / name).write_text("# A heading\n\nA paragraph.\n")
    outcome = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output
    assert "0 warning(s)" in outcome.output


def test_an_older_paper_loses_its_contents_list_and_gains_a_lead_in(tmp_path: Path) -> None:
    """The older summary/sections layout takes the new keys too: contents = "" removes the
    list (not only its heading)."""
    paper = tmp_path / "papers" / "nelc"
    shutil.copytree(REPO / "sample_papers" / "nelc-scrutiny", paper)
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")  # for its live figures
    config = paper / "report.toml"
    text = config.read_text()
    text = text[:text.index("[[appendix]]")] + text[text.index('[[appendix]]\nkind = "table"'):]
    text = text[:text.index('[[appendix]]\nkind = "pack"')]  # no pack: a quick build
    text = text.replace("[paper]\n", '[paper]\nrecommendations_lead_in = "It is recommended '
                                     'that the panel:"\n')
    text = 'organisation = "North East Lincolnshire Council"\ntitle = "Scrutiny report"\n' + text
    config.write_text(text + '\n[paper.headings]\ncontents = ""\n')
    result = build(paper, tmp_path / "out")
    pages = [" ".join(page.split()) for page in raw_pdf_text(result.pdf)]
    assert "Contents" not in pages[0]
    with pikepdf.open(result.pdf) as pdf:
        links = [a for a in pdf.pages[0].get("/Annots", []) if a.get("/Subtype") == "/Link"]
    assert links == []
    whole = " ".join(pages)
    assert _in_order(whole, ["RECOMMENDATIONS", "It is recommended that the panel:",
                             "1. Scrutiny panel members note", "1. BACKGROUND AND ISSUES",
                             "6. APPENDICES", "6.1 Appendix 1: Children in care by placement",
                             "7. CONTACT OFFICER(S)"])


def test_the_html_edition_never_holds_an_exempt_appendix(eastmoor: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = CliRunner().invoke(cli, ["build", str(EASTMOOR), "-o", str(out), "--format", "all"])
    assert outcome.exit_code == 0, outcome.output
    [page] = out.glob("*.html")
    html = page.read_text()
    assert "Hollins Lane: contract terms and pricing" in html  # its title is listed, as in print
    for words in EXEMPT_WORDS:
        assert words not in html, words
    assert sorted(p.name for p in out.glob("*.pdf")) == [PART_TWO, PUBLIC]  # the PDF is built
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"][page.name]["publication"] == "public"
    # Appendix C alone as a web page would publish it: refused, nothing written
    alone = CliRunner().invoke(cli, ["build", str(EASTMOOR), "-o", str(tmp_path / "c"),
                                     "--appendix", "3", "--format", "html"])
    assert alone.exit_code == 65, alone.output
    assert ("Appendix C is exempt information (Schedule 12A paragraph 3): it has no HTML "
            "edition, which would be published; build its PDF, a Part II document (--format "
            "pdf)") in alone.output
    assert not (tmp_path / "c").exists() or not list((tmp_path / "c").glob("*.*ml"))
    # with --format all (or format = "all"), Appendix C alone is its PDF only
    both = CliRunner().invoke(cli, ["build", str(EASTMOOR), "-o", str(tmp_path / "c"),
                                    "--appendix", "3", "--format", "all"])
    assert both.exit_code == 0, both.output
    assert sorted(p.name for p in (tmp_path / "c").glob("*.*ml")) == [] and \
        sorted(p.name for p in (tmp_path / "c").glob("*.pdf")) == \
        [PART_TWO]


def test_a_paper_without_data_or_date_is_dated_by_its_period(eastmoor: Path) -> None:
    # eastmoor has period = "2025-10" and neither data nor [paper] date: dated as a pack is,
    # the day after its month (it was 1 January 1980, "no date")
    manifest = json.loads((eastmoor / "manifest.json").read_text())
    assert manifest["build_time"] == "2025-11-01T00:00:00+00:00"
    with pikepdf.open(eastmoor / PUBLIC) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20251101")
