"""End to end: build real PDFs and read them back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from reportgen.errors import InvalidInput, OutputNotWritable
from reportgen.pipeline import build_project as build
from reportgen.publish.files import publish
from tests.conftest import pdf_text, sample_pages
from tests.helpers import rewrite_csv

HEADINGS = ("What's working well?", "What are we worried about?", "What are we doing about it?")


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_sample_pack_has_title_block_and_summary(sample_pack) -> None:
    pages = pdf_text(sample_pack.pdf)
    title = _flat(pages[0])
    assert "Improvement Plan Report" in title
    assert "North East Lincolnshire Council" in title
    assert "June 2023" in title
    assert "Data covers June 2022 – June 2023" in title
    assert "Latest data values refreshed on 17 July 2023" in title
    assert "illustrative" in title  # the sample data says what is made up
    summary = _flat(pages[1 + sample_pages()["introduction"]])  # after any introduction
    assert "Priority A – Planning and Safety (CiN and CP)" in summary
    assert "Direction of Travel – from previous month" in summary
    for row in ("Number of CiN 807 ◆ Amber", "Number of CP 321 ✖ Red",
                "CiN Visits within timescales 90% ✔ Green", "ICPC held within timescales 64% ✖ Red",
                "CP Reviews in timescale 97% ✔ Green"):
        assert row in summary


def test_sample_pack_has_every_priority_and_measure_page(sample_pack) -> None:
    pages = [_flat(p) for p in pdf_text(sample_pack.pdf)]
    text = " ".join(pages)
    for priority in ("Priority B – Children in Care and Care Leavers",
                     "Priority C – Front Door and Assessment",
                     "Priority D – A Stable and Skilled Workforce"):
        assert priority in text
    expected = sample_pages()
    paneled = [p for p in pages if HEADINGS[0] in p]
    # one page per measure or group (three groups of two), and the table page with its panels
    assert len(paneled) == expected["measure pages"] + expected["table pages"]
    for page in paneled:
        assert all(heading in page for heading in HEADINGS)
    # title page, introduction, four priority summaries, measure and table pages: nothing
    # spills over
    assert len(pages) == expected["total"]


def test_sample_pack_keeps_the_real_commentary_and_figures(sample_pack) -> None:
    text = _flat(" ".join(pdf_text(sample_pack.pdf)))
    assert "NEL is still below the stat neighbour rate of 250 per 10,000 CIN." in text
    assert "We now have 10 children who have been on a CP plan for over 2 years." in text
    assert "Number of CiN 735 788 807 849" in text  # Apr-23 May-23 Jun-23 Latest
    assert "Apr-23 May-23 Jun-23 Latest" in text
    assert "Sept-23 Mar-24" in text
    assert "Good = smaller is better" in text and "Good = bigger is better" in text


def test_author_rating_is_marked_with_its_note(sample_pack) -> None:
    """The author's rating is marked and explained; the rule's goes to the manifest (and to
    validate), not onto the page unless report.toml asks."""
    text = _flat(" ".join(pdf_text(sample_pack.pdf)))
    assert "Care leavers in suitable accommodation 89% ✔ Green*" in text
    assert ("Care leavers in suitable accommodation: rating set by the report author – Two young "
            "people moved to supported lodgings") in text
    assert "the rule gives" not in text
    manifest = json.loads(sample_pack.manifest.read_text())
    assert manifest["set_by_author"] == [{
        "measure_id": "care_leavers_accom", "rating": "Green", "rule_rating": "Amber",
        "note": manifest["set_by_author"][0]["note"]}]
    assert manifest["set_by_author"][0]["note"].startswith("Two young people moved")


def test_the_rule_rating_is_on_the_page_when_asked(sample_copy: Path, tmp_path: Path) -> None:
    config = sample_copy / "report.toml"
    config.write_text(config.read_text().replace("[rag]\n", "[rag]\nshow_rule_rating = true\n"))
    text = _flat(" ".join(pdf_text(build(sample_copy, tmp_path).pdf)))
    assert ("Care leavers in suitable accommodation: rating set by the report author – Two young "
            "people moved to supported lodgings") in text
    assert "(the rule gives Amber)" in text


def test_pdf_metadata_and_no_embedded_files(sample_pack) -> None:
    reader = PdfReader(sample_pack.pdf)
    assert reader.metadata.title == ("Improvement Plan Report – North East Lincolnshire Council "
                                     "– June 2023")
    assert reader.metadata.author == "North East Lincolnshire Council"
    with pikepdf.open(sample_pack.pdf) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                assert annotation.get("/Subtype") != "/FileAttachment"
        assert str(pdf.Root.Lang) == "en-GB"


def test_every_chart_image_has_alt_text(sample_pack) -> None:
    with pikepdf.open(sample_pack.pdf) as pdf:
        figures = [e for e in _structure(pdf.Root.StructTreeRoot) if e.get("/S") == "/Figure"]
    alts = [str(f.get("/Alt", "")) for f in figures]
    expected = sample_pages()
    assert len(alts) == expected["measure charts"] + expected["table charts"]
    assert sum(a.startswith("Line chart of ") for a in alts) == expected["measure charts"]
    assert sum(a.startswith("Bar chart: ") for a in alts) == expected["table charts"]
    assert any("807 in June 2023, above the target of 800 and inside the tolerance band 720–880"
               in a for a in alts)


def _structure(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary):
            yield kid
            yield from _structure(kid)


def test_output_file_name_is_predictable_and_readable(sample_pack) -> None:
    assert sample_pack.pdf.name == "improvement-plan-report-2023-06.pdf"
    assert sample_pack.pdf.stat().st_mode & 0o777 == 0o644


def test_hostile_commentary_stays_text(sample_copy: Path, tmp_path: Path) -> None:
    hostile = ('<script>alert(1)</script> <img src="http://169.254.169.254/latest"> '
               '<link rel="attachment" href="file:///etc/passwd"> {{ 7*7 }} {% for %} '
               '[click](http://example.com)')
    rewrite_csv(sample_copy / "commentary.csv", lambda rows: rows[1].__setitem__(2, hostile))
    result = build(sample_copy, tmp_path / "out")
    text = _flat(" ".join(pdf_text(result.pdf)))
    assert "<script>alert(1)</script>" in text
    assert '<img src="http://169.254.169.254/latest">' in text
    assert "{{ 7*7 }} {% for %}" in text
    assert "[click](http://example.com)" in text
    with pikepdf.open(result.pdf) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        uris = [a.get("/A", {}).get("/URI") for p in pdf.pages for a in p.get("/Annots", [])]
        assert not any(uris)


def test_markdown_in_commentary_becomes_lists_and_bold(sample_pack) -> None:
    text = _flat(" ".join(pdf_text(sample_pack.pdf)))
    assert "• The Edge of Care team now takes referrals directly from the front door." in text \
        or "The Edge of Care team now takes referrals directly" in text
    assert "**" not in text


def test_failed_build_leaves_previous_pdf_untouched(sample_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = build(sample_copy, out).pdf
    before = first.read_bytes()

    def broken_write(*args, **kwargs):
        raise RuntimeError("injected failure in the PDF write")

    monkeypatch.setattr("weasyprint.document.Document.write_pdf", broken_write)
    rewrite_csv(sample_copy / "values.csv", lambda rows: rows[1].__setitem__(2, "701"))
    with pytest.raises(RuntimeError, match="injected"):
        build(sample_copy, out)
    assert first.read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [".reportgen-cache", ".reportgen.lock",
                                                     first.name, "manifest.json"]


def test_failure_while_publishing_leaves_no_partial_file(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "pack.pdf"
    target.write_bytes(b"previous good pack")

    def broken_replace(source, destination):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("reportgen.publish.files.os.replace", broken_replace)
    with pytest.raises(OutputNotWritable, match="No space left on device"):
        publish(b"new pack", target)
    assert target.read_bytes() == b"previous good pack"
    assert [p.name for p in tmp_path.iterdir()] == ["pack.pdf"]


def test_invalid_input_writes_nothing(sample_copy: Path, tmp_path: Path) -> None:
    rewrite_csv(sample_copy / "values.csv", lambda rows: rows[3].__setitem__(2, "twelve"))
    with pytest.raises(InvalidInput) as error:
        build(sample_copy, tmp_path / "out")
    assert "values.csv, row 4, column 'value': error: 'twelve' is not a number" in \
        str(error.value)
    assert not (tmp_path / "out").exists()


def test_period_option_builds_an_earlier_month(sample_copy: Path, tmp_path: Path) -> None:
    """Truthful about an earlier month: the window starts where the data does (June 2022), and
    the July refresh, which belongs to June, is neither shown nor dated."""
    result = build(sample_copy, tmp_path, "2023-05")
    assert result.pdf.name == "improvement-plan-report-2023-05.pdf"
    pages = [_flat(page) for page in pdf_text(result.pdf)]
    assert "Data covers June 2022 – May 2023" in pages[0]
    assert "refreshed" not in pages[0]
    assert not any("Latest" in page for page in pages)
    assert "Mar-23 Apr-23 May-23" in " ".join(pages)
    assert not any("2023-06" in str(w) for w in result.warnings)
