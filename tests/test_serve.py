"""reportgen serve: the live preview, watched in headless Chromium while the tables are edited."""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from reportgen.authoring.serve import PREVIEW_FOLDER, Preview
from tests.conftest import REPO
from tests.helpers import rewrite_csv
from tests.test_html_edition import _browser_or_skip

WAIT_MS = 30_000
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def _status(preview: Preview) -> dict:
    with urllib.request.urlopen(preview.url + "status", timeout=5) as response:
        return json.load(response)


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the preview did not get there in time"
        time.sleep(0.1)


def test_the_page_follows_the_tables_and_shows_problems_over_the_last_good_build(
        sample_copy: Path) -> None:
    chromium = _browser_or_skip()
    from playwright.sync_api import expect, sync_playwright

    before = set(threading.enumerate())
    with Preview(sample_copy) as preview, sync_playwright() as playwright:
        assert preview.url.startswith("http://127.0.0.1:")
        browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(preview.url)
            expect(page.locator("main")).to_contain_text("CIN visit timeliness",
                                                         timeout=WAIT_MS)
            expect(page.locator("#reportgen-preview a[href$='.pdf']")).to_have_count(
                1, timeout=WAIT_MS * 2)  # the PDF of the same build, once laid out

            rewrite_csv(sample_copy / "commentary.csv",
                        lambda rows: rows[2].__setitem__(2, "Visits are now checked daily."))
            expect(page.locator("main")).to_contain_text("Visits are now checked daily.",
                                                         timeout=WAIT_MS)

            rewrite_csv(sample_copy / "values.csv", lambda rows: rows[2].__setitem__(2, "twelve"))
            alert = page.get_by_role("alert")
            expect(alert).to_contain_text("values.csv, row 3, column 'value': error: 'twelve' "
                                          "is not a number", timeout=WAIT_MS)
            expect(page.locator("main")).to_contain_text("Visits are now checked daily.")

            rewrite_csv(sample_copy / "values.csv", lambda rows: rows[2].__setitem__(2, "712"))
            expect(alert).to_have_count(0, timeout=WAIT_MS)
            expect(page.locator("main")).to_contain_text("Visits are now checked daily.")
        finally:
            browser.close()
    assert set(threading.enumerate()) <= before  # the server's threads have ended
    published = (sample_copy / PREVIEW_FOLDER).glob("*.html")
    assert all(b"<script" not in p.read_bytes() for p in published)  # the script: served only


def test_a_broken_report_toml_is_shown_and_the_server_goes_on(sample_copy: Path) -> None:
    (sample_copy / "report.toml").write_text("title = [", encoding="utf-8")
    with Preview(sample_copy) as preview:
        _wait_for(lambda: _status(preview)["version"] >= 1)
        with urllib.request.urlopen(preview.url, timeout=5) as response:
            page = response.read().decode("utf-8")
        assert "report.toml" in page and "not valid TOML" in page
        shutil.copy(REPO / "sample_data" / "report.toml", sample_copy / "report.toml")
        _wait_for(lambda: _status(preview)["version"] >= 2)
        with urllib.request.urlopen(preview.url, timeout=5) as response:
            assert "Improvement Plan Report" in response.read().decode("utf-8")


def test_only_the_preview_is_served(sample_copy: Path) -> None:
    with Preview(sample_copy) as preview:
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(preview.url + "../report.toml", timeout=5)
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(preview.url + "pdf/..%2Freport.toml", timeout=5)


def test_a_paper_is_previewed_as_its_pdf(tmp_path: Path) -> None:
    papers = tmp_path / "sample_papers"
    shutil.copytree(REPO / "sample_papers" / "nelc-scrutiny", papers / "nelc-scrutiny")
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")  # its data = "../../…"
    with Preview(papers / "nelc-scrutiny") as preview:
        _wait_for(lambda: _status(preview)["pdfs"] != [], seconds=120)
        name = _status(preview)["pdfs"][0]
        with urllib.request.urlopen(preview.url, timeout=5) as response:
            assert f'href="/pdf/{name}"' in response.read().decode("utf-8")
        with urllib.request.urlopen(f"{preview.url}pdf/{name}", timeout=5) as response:
            assert response.read().startswith(b"%PDF-")


def test_cached_svg_charts_give_the_same_html_edition(tmp_path: Path) -> None:
    from reportgen.pipeline import build_project

    first = build_project(REPO / "sample_data", tmp_path, output_format="html")
    again = build_project(REPO / "sample_data", tmp_path, output_format="html")
    assert list((tmp_path / ".reportgen-cache").glob("*.svg"))
    assert first.published[0].content == again.published[0].content
