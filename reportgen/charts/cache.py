"""ChartSpecs → PNG bytes: from a cache keyed by spec and style, the rest drawn in worker processes.

A rebuild after editing only commentary draws nothing: every chart comes from the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from itertools import repeat
from pathlib import Path

from reportgen import __version__
from reportgen.charts.draw import chart_png
from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.publish.cache import write_atomically
from reportgen.workers import fork_pool

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PARALLEL_FROM = 8  # fewer charts than this are drawn faster than workers start


def chart_key(spec: ChartSpec, style: ChartStyle) -> str:
    """Everything that changes the picture: the spec, the style and the drawing code's versions."""
    import matplotlib

    payload = repr((__version__, matplotlib.__version__, spec, style))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def chart_pngs(specs: list[ChartSpec], style: ChartStyle, cache_dir: Path | None,
               jobs: int, while_drawing: Callable[[], object] | None = None) -> list[bytes]:
    """One PNG per spec, in order. while_drawing: work for this process while worker
    processes draw (not called when there are none)."""
    keys = [chart_key(spec, style) for spec in specs]
    found = {key: png for key in set(keys) if (png := _read_cached(cache_dir, key))}
    missing = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in found}
    drawn = dict(zip(missing, _draw_all(list(missing.values()), style, jobs, while_drawing),
                     strict=True))
    if cache_dir is not None:
        _store(cache_dir, drawn, keep=set(keys))
    pngs = found | drawn
    return [pngs[key] for key in keys]


def _draw_all(specs: list[ChartSpec], style: ChartStyle, jobs: int,
              while_drawing: Callable[[], object] | None) -> list[bytes]:
    if jobs <= 1 or len(specs) < PARALLEL_FROM:
        return [chart_png(spec, style) for spec in specs]
    with fork_pool(jobs) as pool:
        pngs = pool.map(chart_png, specs, repeat(style),
                        chunksize=max(1, len(specs) // (jobs * 4)))
        if while_drawing:  # the workers are forked by now: nothing here is copied into them
            while_drawing()
        return list(pngs)


def _read_cached(cache_dir: Path | None, key: str) -> bytes | None:
    if cache_dir is None:
        return None
    try:
        png = (cache_dir / f"{key}.png").read_bytes()
    except OSError:
        return None
    return png if png.startswith(PNG_SIGNATURE) else None


def _store(cache_dir: Path, drawn: dict[str, bytes], keep: set[str]) -> None:
    """Save new charts and drop those this build did not use, so the cache stays one pack's size.
    A cache that cannot be written only makes the next build slower."""
    with contextlib.suppress(OSError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        for key, png in drawn.items():
            write_atomically(cache_dir / f"{key}.png", png)
        for stale in cache_dir.glob("*.png"):
            if stale.stem not in keep:
                stale.unlink()
