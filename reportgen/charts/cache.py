"""ChartSpecs → PNGs: from a cache keyed by spec and style, the rest drawn in worker processes.

A rebuild after editing only commentary draws nothing: every chart comes from the cache.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from functools import cache
from itertools import repeat
from pathlib import Path

from reportgen import __version__
from reportgen.charts.draw import chart_png
from reportgen.charts.spec import ChartSpec
from reportgen.charts.style import ChartStyle
from reportgen.progress import steps
from reportgen.publish.cache import KeyedCache
from reportgen.resources import CHART_SUFFIX, chart_url, data_uri
from reportgen.workers import fork_pool

PARALLEL_FROM = 8  # fewer charts than this are drawn faster than workers start


def chart_key(spec: ChartSpec, style: ChartStyle) -> str:
    """Everything that changes the picture: the spec, the style and the drawing code's versions."""
    import matplotlib

    payload = repr((__version__, matplotlib.__version__, _drawing_code(), spec, style))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@cache
def _drawing_code() -> str:
    """The drawing modules' source, hashed: a change to how charts are drawn redraws them
    even when the version number has not moved on."""
    from reportgen.charts import draw, labels, layout

    digest = hashlib.sha256()
    for module in (draw, labels, layout):
        digest.update(Path(module.__file__).read_bytes() if module.__file__ else b"")
    return digest.hexdigest()


def chart_sources(specs: list[ChartSpec], style: ChartStyle, cache_dir: Path | None,
                  jobs: int, while_drawing: Callable[[], object] | None = None) -> list[str]:
    """Each spec's chart as an image's source, in order: a reference to the PNG in the cache
    (resources.chart_url, read when its page is laid out), or the PNG itself as a data: URI
    where there is no cache or it could not keep the chart. while_drawing: work for this
    process while worker processes draw (not called when there are none)."""
    keys = [chart_key(spec, style) for spec in specs]
    cache = KeyedCache(cache_dir, CHART_SUFFIX) if cache_dir is not None else None
    sources = {key: chart_url(key) for key in set(keys)
               if cache is not None and cache.load(key, _whole_png) is not None}
    missing = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in sources}
    for key, png in zip(missing, _draw_all(list(missing.values()), style, jobs, while_drawing),
                        strict=True):
        stored = cache is not None and cache.put(key, png)
        sources[key] = chart_url(key) if stored else data_uri(png)
    if cache is not None:
        cache.keep_only(keys)  # drop the charts this build did not use
    return [sources[key] for key in keys]


def _draw_all(specs: list[ChartSpec], style: ChartStyle, jobs: int,
              while_drawing: Callable[[], object] | None) -> Iterator[bytes]:
    """The PNGs, in order, as they are drawn (each is stored before the next is taken)."""
    with steps("drawing charts", len(specs)) as drawn:
        if jobs <= 1 or len(specs) < PARALLEL_FROM:
            for spec in specs:
                yield _counted(chart_png(spec, style), drawn)
            return
        with fork_pool(jobs) as pool:
            pngs = pool.map(chart_png, specs, repeat(style),
                            chunksize=max(1, len(specs) // (jobs * 4)))
            if while_drawing:  # the workers are forked by now: nothing here is copied into them
                while_drawing()
            for png in pngs:
                yield _counted(png, drawn)


def _counted(png: bytes, drawn: Callable[[], None]) -> bytes:
    drawn()
    return png


def _whole_png(content: bytes) -> bytes:
    """The content, when it is a whole PNG (every chunk there, every checksum right)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(content), formats=["PNG"]) as image:
            image.verify()
    except Exception:  # noqa: BLE001  (Pillow raises many kinds for damage: all mean redraw)
        raise ValueError("not a whole PNG") from None
    return content
