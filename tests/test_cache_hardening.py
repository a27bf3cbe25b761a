"""The output folder's cache trusts nothing it did not write, and publishing holds on odd disks."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from benchmarks.synthetic import make_project
from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.cli import cli
from reportgen.layout.parts import LAYOUT_RECORD, PARTS_FOLDER
from reportgen.months import Month, month_range
from reportgen.pipeline import build_project as build
from reportgen.publish.cache import CACHE_FOLDER, KeyedCache
from tests.conftest import SAMPLE, pdf_text
from tests.helpers import chart_pngs, rewrite_csv

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PDF_NAME = "improvement-plan-report-2023-06.pdf"
WINDOW = tuple(month_range(Month(2022, 6), Month(2023, 6)))


def _specs(count: int) -> list[ChartSpec]:
    return [ChartSpec(title=f"Measure {i}", measure_title=f"M{i}", unit="number",
                      months=WINDOW, values=tuple(float(i * 7 + m) for m in range(13)),
                      target=10) for i in range(count)]


def _forge_seal(entry: Path) -> None:
    """Seal whatever the entry holds now, as a `sha256sum` line: the damage the seal alone
    cannot see, left for the entry's own check to find."""
    digest = hashlib.sha256(entry.read_bytes()).hexdigest()
    Path(f"{entry}.sha256").write_text(f"{digest}  {entry.name}\n")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """An output folder built from the sample in parts, and its PDF's bytes."""
    out = tmp_path_factory.mktemp("warm")
    return out, build(SAMPLE, out, jobs=2).pdf.read_bytes()


@pytest.fixture
def warm_copy(warm: tuple[Path, bytes], tmp_path: Path) -> Path:
    shutil.copytree(warm[0], tmp_path / "out")
    return tmp_path / "out"


# 1. One keyed cache: an entry is used only as it was stored under its key.

def test_swapped_chart_files_are_drawn_again_not_swapped(tmp_path: Path, caplog) -> None:
    specs = _specs(2)
    pngs = chart_pngs(specs, ChartStyle(), tmp_path, jobs=1)
    first, second = sorted(tmp_path.glob("*.png"))
    first.rename(tmp_path / "swap")
    second.rename(first)
    (tmp_path / "swap").rename(second)
    caplog.set_level("DEBUG", logger="reportgen")
    assert chart_pngs(specs, ChartStyle(), tmp_path, jobs=1) == pngs
    assert caplog.text.count("sha256 records); it is made again") == 2
    assert caplog.text.count(f"cache: {tmp_path}/") == 2  # names the file, never its bytes


@pytest.mark.parametrize("damage", [
    lambda png: png[: len(png) // 2],  # cut short
    lambda png: PNG_SIGNATURE + b"\0" * 5000,  # junk after a PNG signature
    lambda png: png[:100] + bytes([png[100] ^ 1]) + png[101:],  # one bit flipped
])
@pytest.mark.parametrize("forged", [False, True], ids=["as-left", "seal-forged"])
def test_a_damaged_chart_is_drawn_again(tmp_path: Path, damage, forged: bool,
                                        caplog) -> None:
    [spec] = _specs(1)
    [png] = chart_pngs([spec], ChartStyle(), tmp_path, jobs=1)
    [entry] = tmp_path.glob("*.png")
    entry.write_bytes(damage(png))
    if forged:
        _forge_seal(entry)
    caplog.set_level("DEBUG", logger="reportgen")
    assert chart_pngs([spec], ChartStyle(), tmp_path, jobs=1) == [png]
    reason = "not a whole PNG" if forged else "it is not what"
    assert f"cache: {entry} discarded ({reason}" in caplog.text
    assert entry.read_bytes() == png


def test_an_unsealed_entry_is_not_used(tmp_path: Path) -> None:
    cache = KeyedCache(tmp_path, ".bin")
    cache.put("k", b"stored")
    assert cache.get("k") == b"stored"
    Path(tmp_path / "k.bin.sha256").unlink()
    assert cache.get("k") is None
    assert cache.get("never-stored") is None


def _rebuilt(out: Path, caplog) -> bytes:
    caplog.set_level("DEBUG", logger="reportgen")
    caplog.clear()
    return build(SAMPLE, out, jobs=2).pdf.read_bytes()


@pytest.mark.parametrize("record", [
    '{"front": 1e999}', '{"front": NaN}', '{"front": "1", "priority-A": 7}', '[1, 2]',
    '{"front": true}', '{"front": 0}', "[" * 100_000, '{"front": 1' + "0" * 40_000 + "}",
])
def test_a_damaged_layout_record_is_not_used(warm, warm_copy: Path, record: str,
                                             caplog) -> None:
    path = warm_copy / CACHE_FOLDER / PARTS_FOLDER / LAYOUT_RECORD
    path.write_text(record)
    _forge_seal(path)
    assert _rebuilt(warm_copy, caplog) == warm[1]
    assert f"cache: {path} discarded (" in caplog.text
    assert caplog.text.count("parts of the pack: 0 laid out") == 1  # the estimate was right
    assert max(map(len, caplog.text.splitlines())) < 400


def _parts(out: Path, suffix: str) -> list[Path]:
    return sorted(p for p in (out / CACHE_FOLDER / PARTS_FOLDER).glob(f"*{suffix}")
                  if p.name != LAYOUT_RECORD)


@pytest.mark.parametrize("facts", [
    '{"pages": "5", "anchors": {}}', '{"pages": 5, "anchors": []}',
    '{"pages": 5, "anchors": {"priority-A": 9}}', '{"pages": 1e999, "anchors": {}}',
])
def test_parts_with_damaged_facts_are_laid_out_again(warm, warm_copy: Path, facts: str,
                                                     caplog) -> None:
    for path in _parts(warm_copy, ".json"):
        path.write_text(facts)
        _forge_seal(path)
    assert _rebuilt(warm_copy, caplog) == warm[1]
    assert "parts of the pack: 5 laid out" in caplog.text
    assert caplog.text.count(".json discarded (") == 5


def test_a_part_whose_seal_matches_junk_is_laid_out_again(warm, warm_copy: Path,
                                                         caplog) -> None:
    by_pages = sorted(_parts(warm_copy, ".pdf"), key=lambda pdf: json.loads(
        pdf.with_suffix(".json").read_text())["pages"])
    junk, swapped = by_pages[1], [by_pages[0], by_pages[-1]]  # 4 and 7 pages
    junk.write_bytes(b"%PDF-1.7\n" + b"x" * 1000)
    _forge_seal(junk)
    contents = [path.read_bytes() for path in swapped]
    for path, content in zip(swapped, reversed(contents), strict=True):  # in each other's names
        path.write_bytes(content)
        _forge_seal(path)
    assert _rebuilt(warm_copy, caplog) == warm[1]
    assert f"cache: {junk} discarded (not a PDF)" in caplog.text
    assert caplog.text.count("pages, not the ") == 2
    assert "parts of the pack: 3 laid out" in caplog.text


# 2. Nothing is read, written or removed through a symbolic link in the cache.

def _outside_folder(tmp_path: Path) -> Path:
    """A folder outside the output folder, holding files a cache would read, write or remove."""
    outside = tmp_path / "outside"
    (outside / "parts").mkdir(parents=True)
    for folder in (outside, outside / "parts"):
        for name in ("stale.png", "stale.pdf", "stale.json", "layout.json", "x.png.sha256"):
            (folder / name).write_bytes(f"precious {folder.name}/{name}".encode())
    return outside


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _build_cli(out: Path, *options: str):
    return CliRunner().invoke(cli, [*options, "build", str(SAMPLE), "-o", str(out)])


@pytest.mark.parametrize("linked", [CACHE_FOLDER, f"{CACHE_FOLDER}/{PARTS_FOLDER}"])
def test_a_cache_folder_that_is_a_link_stops_the_build(tmp_path: Path, linked: str) -> None:
    outside = _outside_folder(tmp_path)
    before = _snapshot(outside)
    out = tmp_path / "out"
    (out / linked).parent.mkdir(parents=True)
    target = outside if linked == CACHE_FOLDER else outside / PARTS_FOLDER
    (out / linked).symlink_to(target, target_is_directory=True)
    result = _build_cli(out)
    assert result.exit_code == 73, result.output
    assert result.output.splitlines()[-1] == (
        f"Error: the cache folder {out / linked} is a symbolic link or not a folder; reportgen "
        f"writes only into a real folder there: remove it and build again")
    assert _snapshot(outside) == before
    assert sorted(p.name for p in out.iterdir() if p.suffix == ".pdf") == []


def test_a_cache_folder_that_is_a_file_stops_the_build(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / CACHE_FOLDER).write_bytes(b"not a folder")
    result = _build_cli(out)
    assert result.exit_code == 73
    assert f"the cache folder {out / CACHE_FOLDER} is a symbolic link or not a folder" in \
        result.output
    assert (out / CACHE_FOLDER).read_bytes() == b"not a folder"


def test_links_among_cache_entries_are_replaced_or_removed_not_followed(
        warm, warm_copy: Path, tmp_path: Path, caplog) -> None:
    outside = _outside_folder(tmp_path)
    before = _snapshot(outside)
    cache = warm_copy / CACHE_FOLDER
    entry = sorted(cache.glob("*.png"))[0]
    entry.unlink()
    entry.symlink_to(outside / "stale.png")  # an entry that is a link: discarded, replaced
    (cache / "stale.png").symlink_to(outside / "stale.png")  # not this build's: removed
    (cache / PARTS_FOLDER / "stale.pdf").symlink_to(outside / "stale.pdf")
    assert _rebuilt(warm_copy, caplog) == warm[1]
    assert f"cache: {entry} discarded (" in caplog.text
    assert not entry.is_symlink() and entry.read_bytes().startswith(PNG_SIGNATURE)
    assert not (cache / "stale.png").is_symlink() and not (cache / "stale.png").exists()
    assert not (cache / PARTS_FOLDER / "stale.pdf").is_symlink()
    assert _snapshot(outside) == before


# 3. A write that fails leaves no temporary file behind.

def _temporaries(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.name.endswith(".tmp"))


def test_a_full_disk_leaves_no_temporary_cache_file(sample_copy: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    caplog) -> None:
    out = tmp_path / "out"
    cold = build(sample_copy, tmp_path / "cold", jobs=1).pdf

    def disk_full(handle: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", disk_full)  # the cache's writes; publishing's go by file
    caplog.set_level("DEBUG", logger="reportgen")
    full = build(sample_copy, out, jobs=1).pdf  # only slower next time
    monkeypatch.undo()
    # the same pages and pictures (the charts come embedded in the HTML, not by reference to
    # the cache, so the PDF's names for them differ)
    assert pdf_text(full) == pdf_text(cold)
    assert _images(full) == _images(cold)
    assert "(No space left on device); it is made again next time" in caplog.text
    assert "parts of the pack: 5 laid out" in caplog.text
    assert _temporaries(out) == []
    assert sorted(p.name for p in (out / CACHE_FOLDER).iterdir()) == [PARTS_FOLDER]
    assert list((out / CACHE_FOLDER / PARTS_FOLDER).iterdir()) == []


def test_temporaries_a_killed_run_left_are_removed(warm, warm_copy: Path, caplog) -> None:
    for folder in (warm_copy / CACHE_FOLDER, warm_copy / CACHE_FOLDER / PARTS_FOLDER):
        (folder / "tmpk1ll3d.tmp").write_bytes(b"half a file")
    assert _rebuilt(warm_copy, caplog) == warm[1]
    assert _temporaries(warm_copy) == []


def test_a_failed_publish_leaves_no_temporary_file(warm, warm_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    before = _snapshot(warm_copy)

    def disk_full(handle: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # where a full disk shows on publishing
    result = _build_cli(warm_copy)
    monkeypatch.undo()
    assert result.exit_code == 73
    assert "No space left on device" in result.output.splitlines()[-1]
    assert _temporaries(warm_copy) == []
    assert {name: content for name, content in _snapshot(warm_copy).items()
            if not name.startswith(".reportgen.lock")} == \
        {name: content for name, content in before.items()
         if not name.startswith(".reportgen.lock")}


# 4. Publishing where the file system has no hard links (vfat, exFAT, SMB shares).

def _no_hard_links(source: object, target: object, **_: object) -> None:
    raise PermissionError(errno.EPERM, "Operation not permitted", str(source))


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()
            and not p.name.startswith(".reportgen.lock")}


def test_a_build_publishes_without_hard_links(warm, warm_copy: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              caplog) -> None:
    pdf = warm_copy / PDF_NAME
    pdf.write_bytes(b"last month's pack")
    monkeypatch.setattr(os, "link", _no_hard_links)
    caplog.set_level("DEBUG", logger="reportgen")
    assert build(SAMPLE, warm_copy, jobs=2).pdf.read_bytes() == warm[1]
    monkeypatch.undo()
    assert f"publish: no hard link for {pdf} (Operation not permitted)" in caplog.text
    assert sorted(_outputs(warm_copy)) == [PDF_NAME, "manifest.json"]  # no backup left
    assert pdf.stat().st_mode & 0o777 == 0o644


def test_a_failed_publish_without_hard_links_restores_the_previous_files(
        warm_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (warm_copy / PDF_NAME).write_bytes(b"last month's pack")
    (warm_copy / "manifest.json").write_bytes(b"last month's manifest")
    previous = _outputs(warm_copy)
    real_replace = os.replace

    def replace_but_not_the_manifest(source, target, **options) -> None:
        if str(target).endswith("manifest.json"):  # after the PDF has been replaced
            raise OSError(errno.EIO, "Input/output error", str(target))
        real_replace(source, target, **options)

    monkeypatch.setattr(os, "link", _no_hard_links)
    monkeypatch.setattr(os, "replace", replace_but_not_the_manifest)
    result = _build_cli(warm_copy)
    monkeypatch.undo()
    assert result.exit_code == 73, result.output
    assert result.output.splitlines()[-1] == \
        f"Error: cannot write {warm_copy / 'manifest.json'}: Input/output error"
    assert _outputs(warm_copy) == previous
    assert _temporaries(warm_copy) == []


# 5. The page-count guess counts a long summary's pages, so layout runs once.

def _two_long_priorities(folder: Path, measures_each: int) -> Path:
    """A synthetic project (benchmarks/synthetic.py) with its measures in two priorities."""
    make_project(folder, 2 * measures_each)
    rewrite_csv(folder / "measures.csv", lambda rows: [
        row.__setitem__(2, "A" if index < measures_each else "B")
        for index, row in enumerate(rows[1:])])
    (folder / "priorities.csv").write_text("id,title\nA,Priority A – the first area\n"
                                           "B,Priority B – the second area\n", encoding="utf-8")
    return folder


def test_a_summary_over_several_pages_is_laid_out_once(tmp_path: Path, caplog) -> None:
    project = _two_long_priorities(tmp_path / "project", 35)  # a multiple of 5 keeps pairs
    caplog.set_level("INFO", logger="reportgen")
    result = build(project, tmp_path / "out", jobs=2)
    # each priority's summary is a part of its own, and its 28 measure pages are laid out in
    # runs of 24 and 4 (parts.MAX_PART_PAGES)
    assert caplog.text.count("parts of the pack: 7 laid out") == 1  # the guess was right
    record = json.loads((tmp_path / "out" / CACHE_FOLDER / PARTS_FOLDER / LAYOUT_RECORD
                         ).read_text())
    assert record == {"front": 1, "priority-A": 2, "page-g000": 24, "page-g030": 4,
                      "priority-B": 2, "page-g035": 24, "page-g065": 4}
    assert result.pages == 61


def _images(pdf: Path) -> list[list[bytes]]:
    """Each page's pictures (in the order of their names, which differ)."""
    with pikepdf.open(pdf) as document:
        return [sorted(image.read_raw_bytes() for image in page.get_images().values())
                for page in document.pages]


def test_a_disk_that_fills_while_the_pack_is_joined_is_a_message(tmp_path: Path) -> None:
    """The joined PDF is spooled to the output folder: a file-size limit (as a full disk) that
    the parts fit under but the joined pack does not stops the build with exit 73, naming the
    output folder, publishing nothing and leaving no file behind."""
    def limited() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)
        resource.setrlimit(resource.RLIMIT_FSIZE, (900_000, 900_000))

    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "reportgen", "build", str(SAMPLE), "-o",
                             str(out), "--format", "pdf", "--jobs", "2"],
                            capture_output=True, text=True, preexec_fn=limited, timeout=600)
    assert result.returncode == 73, result.stderr
    assert "cannot write the joined PDF in the output folder: File too large" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob("*.pdf")) and not (out / "manifest.json").exists()
    assert _temporaries(out) == []
    assert sorted(p.name for p in out.iterdir()) == sorted([CACHE_FOLDER, ".reportgen.lock"])
