"""The PDF writer fetches nothing but our own assets: no network, no stray local files."""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest

from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.layout.fetcher import RefusedFetch, SafeURLFetcher
from reportgen.layout.pdf import PdfWriteFailed, html_to_pdf
from reportgen.months import Month, month_range
from reportgen.pipeline import build_project as build
from reportgen.publish.cache import KeyedCache
from reportgen.resources import CHART_SUFFIX, chart_url
from tests.helpers import chart_pngs


def test_data_and_allowed_files_are_fetched(tmp_path: Path) -> None:
    (tmp_path / "logo.txt").write_text("hello")
    fetcher = SafeURLFetcher([tmp_path])
    assert fetcher.fetch("data:text/plain,hi").read() == b"hi"
    assert fetcher.fetch((tmp_path / "logo.txt").as_uri()).read() == b"hello"


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data",
                                 "https://example.com/x.css", "ftp://example.com/x",
                                 "file:///etc/passwd"])
def test_network_and_outside_files_are_refused(tmp_path: Path, url: str) -> None:
    fetcher = SafeURLFetcher([tmp_path])
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.refused[0].startswith(url)


def test_symlinks_and_dotdot_out_of_the_folder_are_refused(tmp_path: Path) -> None:
    assets = tmp_path / "assets"
    assets.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    os.symlink(secret, assets / "link.txt")
    fetcher = SafeURLFetcher([assets])
    for url in ((assets / "link.txt").as_uri(), assets.as_uri() + "/../secret.txt"):
        with pytest.raises(RefusedFetch, match="outside the report's template and style"):
            fetcher.fetch(url)


def test_fetch_count_is_capped(tmp_path: Path) -> None:
    fetcher = SafeURLFetcher([tmp_path], max_fetches=3)
    for name in "abc":
        (tmp_path / name).write_text(name)
        fetcher.fetch((tmp_path / name).as_uri())
    with pytest.raises(RefusedFetch, match="more than 3 files were requested"):
        fetcher.fetch((tmp_path / "a").as_uri())


def test_css_import_loop_ends_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "a.css").write_text('@import "b.css"; p { color: red }')
    (tmp_path / "b.css").write_text('@import "a.css";')
    html = (f'<html><head><link rel="stylesheet" href="{(tmp_path / "a.css").as_uri()}">'
            f'<title>t</title></head><body><p>x</p></body></html>')
    with pytest.raises(PdfWriteFailed, match=r"a\.css: the file was requested 10 times; is "
                                              r"there an @import loop\?"):
        html_to_pdf(html, tmp_path, [tmp_path], pdf_variant=None)


def test_oversized_image_is_refused(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("1", (6000, 5000)).save(tmp_path / "huge.png")
    fetcher = SafeURLFetcher([tmp_path])
    with pytest.raises(RefusedFetch, match="6000×5000 pixels, over the limit of 25,000,000"):
        fetcher.fetch((tmp_path / "huge.png").as_uri())


def _override_title_page(project: Path, html: str) -> None:
    (project / "templates").mkdir(exist_ok=True)
    (project / "templates" / "title_page.html.j2").write_text(html)


@pytest.mark.parametrize(("markup", "named"), [
    ('<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd"),
    ('<img src="http://169.254.169.254/latest/meta-data" alt="x">', "http://169.254.169.254"),
    ('<img src="../../../../etc/hostname" alt="x">', "etc/hostname"),
])
def test_a_template_cannot_embed_or_fetch(sample_copy: Path, tmp_path: Path, markup: str,
                                          named: str) -> None:
    _override_title_page(sample_copy, f"<h1>Pack</h1>{markup}")
    with pytest.raises(PdfWriteFailed) as error:
        build(sample_copy, tmp_path / "out")
    assert str(error.value).startswith("the PDF was not written: a resource was refused: ")
    assert named in str(error.value)
    assert not list((tmp_path / "out").glob("*.pdf"))
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_project_assets_may_be_used(sample_copy: Path, tmp_path: Path) -> None:
    from PIL import Image

    (sample_copy / "assets").mkdir()
    Image.new("RGB", (200, 80), "navy").save(sample_copy / "assets" / "logo.png")
    _override_title_page(sample_copy, '<img src="assets/logo.png" alt="Council logo">'
                                      '{% include "default:title_page.html.j2" %}')
    result = build(sample_copy, tmp_path)
    with pikepdf.open(result.pdf) as pdf:
        sizes = [(int(i.Width), int(i.Height)) for i in pdf.pages[0].get_images().values()]
        assert (200, 80) in sizes
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})


# The pack's charts come from the output folder's cache by key, read as they were stored.

def _chart_cache(folder: Path) -> tuple[KeyedCache, str, bytes]:
    [png] = chart_pngs(_one_spec(), ChartStyle(), folder, jobs=1)
    [entry] = folder.glob("*.png")
    return KeyedCache(folder, CHART_SUFFIX), entry.stem, png


def _one_spec() -> list[ChartSpec]:
    months = tuple(month_range(Month(2022, 6), Month(2023, 6)))
    return [ChartSpec(title="Referrals", measure_title="Referrals", unit="number",
                      months=months, values=tuple(float(m) for m in range(13)), target=10)]


def test_a_chart_is_fetched_from_the_cache_by_its_key(tmp_path: Path) -> None:
    cache, key, png = _chart_cache(tmp_path)
    fetcher = SafeURLFetcher([], charts=cache)
    assert fetcher.fetch(chart_url(key)).read() == png


@pytest.mark.parametrize("key", ["../../../etc/passwd", "0" * 63, "A" * 64, "0" * 64 + "/x"])
def test_a_chart_reference_is_only_ever_a_key(tmp_path: Path, key: str) -> None:
    cache, _, _ = _chart_cache(tmp_path)
    fetcher = SafeURLFetcher([tmp_path], charts=cache)
    with pytest.raises(RefusedFetch, match="not a chart of this build"):
        fetcher.fetch(chart_url(key))
    with pytest.raises(RefusedFetch, match="not a chart of this build"):  # no cache: no charts
        SafeURLFetcher([tmp_path]).fetch(chart_url("0" * 64))


def test_a_chart_changed_in_the_cache_is_refused_not_used(tmp_path: Path) -> None:
    cache, key, png = _chart_cache(tmp_path)
    (tmp_path / f"{key}.png").write_bytes(png[: len(png) // 2])
    with pytest.raises(RefusedFetch, match="no longer in the output folder's cache"):
        SafeURLFetcher([], charts=cache).fetch(chart_url(key))
