"""HTML → PDF bytes with WeasyPrint in child processes under limits; its failures as errors."""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from reportgen.errors import EXIT_INVALID_INPUT, ReportgenError
from reportgen.images import refuse_decompression_bombs
from reportgen.layout.limits import (
    LayoutLimits,
    OverMemoryLimit,
    failure_message,
    layout_limits,
    limit_memory,
    memory_message,
    near_memory_limit,
    time_message,
)
from reportgen.layout.sizes import refuse_absurd_sizes
from reportgen.log import LOGGER, stage
from reportgen.progress import steps
from reportgen.publish.cache import KeyedCache
from reportgen.publish.spool import Body
from reportgen.resources import CHART_SUFFIX
from reportgen.workers import fork_pool

T = TypeVar("T")


class PdfWriteFailed(ReportgenError):
    """The templates asked for something we refuse (a network or outside file), or WeasyPrint
    reported an error: a problem with the project's templates or styles."""

    exit_code = EXIT_INVALID_INPUT


class _Collector(logging.Handler):
    """WeasyPrint reports problems as log records; we turn errors into a failed build."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _weasyprint_messages() -> Iterator[_Collector]:
    logger = logging.getLogger("weasyprint")
    collector = _Collector()
    logger.addHandler(collector)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.propagate = previous


@dataclass(frozen=True)
class RenderedPdf:
    content: Body
    pages: int
    anchor_pages: dict[str, int]  # element id → index of the page where it starts
    pdf_pages: int = 0  # the PDF's pages when it holds more than `pages` (0: the same)


def html_to_pdf(html: str, base_folder: Path, asset_folders: list[Path],
                pdf_variant: str | None = "pdf/ua-1",
                timings: dict[str, float] | None = None,
                limits: LayoutLimits | None = None, cache_dir: Path | None = None
                ) -> RenderedPdf:
    """Lay out and write the PDF in a child process under the layout limits (limits.py); any
    refused fetch, absurd size or WeasyPrint error fails with a message.

    base_folder: the project, whose styles/ name the stylesheet an absurd size comes from;
    cache_dir: the output folder's cache, where the pack's charts are (chart_url)."""
    timings = {} if timings is None else timings
    refuse_absurd_sizes(html, base_folder)
    [(pdf, spent)] = lay_out_in_children(
        _timed_layout, [(html, base_folder, asset_folders, pdf_variant, cache_dir)], 1, limits)
    for name, seconds in spent.items():  # the child logged its stages; the build counts them
        timings[name] = timings.get(name, 0.0) + seconds
    return pdf


def _timed_layout(html: str, base_folder: Path, asset_folders: list[Path],
                  pdf_variant: str | None, cache_dir: Path | None
                  ) -> tuple[RenderedPdf, dict[str, float]]:
    timings: dict[str, float] = {}
    return lay_out_pdf(html, base_folder, asset_folders, pdf_variant, timings,
                       cache_dir=cache_dir), timings


def lay_out_in_children(function: Callable[..., T], calls: list[tuple], jobs: int,
                        limits: LayoutLimits | None = None) -> list[T]:
    """function(*call) for each call, in up to `jobs` forked worker processes, each under the
    memory limit; all of them within the time limit. A breach kills the workers and is a
    PdfWriteFailed that says which limit; the workers' own errors are raised as they are."""
    limits = limits or layout_limits()
    if not calls:
        return []
    import weasyprint  # noqa: F401  (imported once here, shared by the forked workers)

    _check_font_subsetting()  # once, here: the workers inherit the answer
    with fork_pool(min(jobs, len(calls)), functools.partial(limit_memory, limits.memory_mb)
                   ) as pool, steps("laying out pages", len(calls)) as laid_out:
        futures = [pool.submit(_in_worker, function, call) for call in calls]
        for future in futures:
            future.add_done_callback(lambda _: laid_out())
        _, running = wait(futures, timeout=limits.seconds, return_when=FIRST_EXCEPTION)
        failed = [error for f in futures if f.done() and (error := f.exception()) is not None]
        if failed:
            _raise_explained(failed[0], limits)
        if running:  # leaving the pool's block by this error kills its workers
            raise PdfWriteFailed(time_message(limits))
        return [future.result() for future in futures]


def _in_worker(function: Callable[..., T], call: tuple) -> T:
    """function(*call); an error that came as the worker reached its memory limit is that."""
    try:
        return function(*call)
    except ReportgenError:
        raise
    except BaseException as error:
        if isinstance(error, MemoryError) or near_memory_limit():
            raise OverMemoryLimit from None
        raise


def _raise_explained(error: BaseException, limits: LayoutLimits) -> None:
    """A worker that died (a C library aborts when an allocation fails; the kernel's OOM
    killer) or failed at its memory limit hit the limit; anything else is raised as it is."""
    if isinstance(error, BrokenProcessPool | OverMemoryLimit | MemoryError):
        raise PdfWriteFailed(memory_message(limits)) from None
    raise error


def lay_out_pdf(html: str, base_folder: Path, asset_folders: list[Path],
                pdf_variant: str | None = "pdf/ua-1",
                timings: dict[str, float] | None = None,
                from_anchor: str | None = None, font_config: object = None,
                cache_dir: Path | None = None) -> RenderedPdf:
    """Lay out and write the PDF in this process: call it in a child under the layout limits
    (lay_out_in_children), never in the build's own process.

    from_anchor: write only the pages from the one where that element starts (parts.py).
    font_config: a WeasyPrint FontConfiguration to reuse (its fonts are then loaded once for
    several documents; the PDF is the same).
    cache_dir: the output folder's cache, where the pack's charts are (chart_url)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from reportgen.layout.fetcher import SafeURLFetcher

    timings = {} if timings is None else timings
    _check_font_subsetting()
    fetcher = SafeURLFetcher(asset_folders, charts=None if cache_dir is None else
                             KeyedCache(cache_dir, CHART_SUFFIX))
    options = {"pdf_variant": pdf_variant, "pdf_tags": pdf_variant is not None}
    layout_options = options | ({"font_config": font_config} if font_config else {})
    with _weasyprint_messages() as messages, refuse_decompression_bombs():
        try:
            with stage("layout", timings), _weasyprint_failures():
                document = HTML(string=html, base_url=base_folder.resolve().as_uri() + "/",
                                url_fetcher=fetcher).render(**layout_options)
            if not (document.metadata.title or "").strip():
                raise PdfWriteFailed("the PDF was not written: the document has no title "
                                     "(a <title> in the pack template); screen readers and "
                                     "the accessibility regulations need one")
            first = _first_page_of(document, from_anchor) if from_anchor else 0
            if first:
                document = document.copy(document.pages[first:])
            with stage("write", timings), _weasyprint_failures():
                pdf = document.write_pdf(**options)
        except FatalURLFetchingError as error:
            reasons = "; ".join(fetcher.refused) or str(error)
            raise PdfWriteFailed(f"the PDF was not written: a resource was refused: {reasons}"
                                 ) from None
    errors = [r.getMessage() for r in messages.records if r.levelno >= logging.ERROR]
    if fetcher.refused or errors:
        raise PdfWriteFailed("the PDF was not written: " + "; ".join(fetcher.refused + errors))
    assert pdf is not None
    anchors: dict[str, int] = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:  # an element split over pages is listed on each: keep the first
            anchors.setdefault(name, index)
    return RenderedPdf(pdf, len(document.pages), anchors)


@contextlib.contextmanager
def _weasyprint_failures() -> Iterator[None]:
    """What absurd sizes in a stylesheet make WeasyPrint raise (`font-size: 1e9px` divides by
    zero) is an input error; only WeasyPrint's calls are wrapped, so that bugs of ours still
    show their traceback. MemoryError goes on to _in_worker: it is the memory limit's."""
    try:
        yield
    except (ZeroDivisionError, OverflowError, RecursionError) as error:
        raise PdfWriteFailed(failure_message(error)) from None


def _first_page_of(document, anchor: str) -> int:
    return next(index for index, page in enumerate(document.pages) if anchor in page.anchors)


@functools.cache
def _check_font_subsetting() -> None:
    """Without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools: slower."""
    if ctypes.util.find_library("harfbuzz-subset") is None:
        LOGGER.warning("libharfbuzz-subset0 is not installed: font subsetting falls back to "
                       "fontTools and the PDF write is slower (`make system-deps` installs it)")
