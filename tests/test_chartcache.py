"""The chart cache and parallel drawing: same pictures, drawn once."""

from __future__ import annotations

from pathlib import Path

from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.months import Month, month_range
from reportgen.pipeline import build_project as build
from reportgen.publish.cache import CACHE_FOLDER
from tests.helpers import chart_pngs, rewrite_csv

WINDOW = tuple(month_range(Month(2022, 6), Month(2023, 6)))


def _specs(count: int) -> list[ChartSpec]:
    return [ChartSpec(title=f"Measure {i}", measure_title=f"M{i}", unit="number",
                      months=WINDOW, values=tuple(float(i + m) for m in range(13)), target=10)
            for i in range(count)]


def test_parallel_drawing_gives_the_same_pngs_as_serial() -> None:
    specs = _specs(10)
    assert chart_pngs(specs, ChartStyle(), None, jobs=2) == chart_pngs(specs, ChartStyle(), None,
                                                                       jobs=1)


def _cache_state(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.glob("*.png")}


def test_commentary_only_rebuild_draws_nothing(sample_copy: Path, tmp_path: Path) -> None:
    build(sample_copy, tmp_path)
    cache = tmp_path / CACHE_FOLDER
    before = _cache_state(cache)
    assert len(before) == 21
    rewrite_csv(sample_copy / "commentary.csv",
                lambda rows: rows[1].__setitem__(2, "Rewritten at the last minute."))
    build(sample_copy, tmp_path)
    assert _cache_state(cache) == before  # every chart came from the cache, none was redrawn
    rewrite_csv(sample_copy / "values.csv", lambda rows: rows[5].__setitem__(2, "701"))
    build(sample_copy, tmp_path)
    after = _cache_state(cache)
    assert len(after) == 21  # the changed chart replaced its stale picture
    assert len(set(after) - set(before)) == 1


def test_a_damaged_cache_entry_is_redrawn(tmp_path: Path) -> None:
    [spec] = _specs(1)
    [png] = chart_pngs([spec], ChartStyle(), tmp_path, jobs=1)
    [entry] = tmp_path.glob("*.png")
    entry.write_bytes(b"not a png")
    assert chart_pngs([spec], ChartStyle(), tmp_path, jobs=1) == [png]
    assert entry.read_bytes() == png
