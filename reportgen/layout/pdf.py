"""HTML → PDF bytes with WeasyPrint: layout, the safe fetcher, and its messages as errors."""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import EXIT_INVALID_INPUT, ReportgenError
from reportgen.images import refuse_decompression_bombs
from reportgen.log import LOGGER, stage


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
    content: bytes
    pages: int
    anchor_pages: dict[str, int]  # element id → index of the page where it starts


def html_to_pdf(html: str, base_folder: Path, asset_folders: list[Path],
                pdf_variant: str | None = "pdf/ua-1",
                timings: dict[str, float] | None = None,
                from_anchor: str | None = None, font_config: object = None) -> RenderedPdf:
    """Lay out and write the PDF; any refused fetch or WeasyPrint error fails with a message.

    from_anchor: write only the pages from the one where that element starts (parts.py).
    font_config: a WeasyPrint FontConfiguration to reuse (its fonts are then loaded once for
    several documents; the PDF is the same)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from reportgen.layout.fetcher import SafeURLFetcher

    timings = {} if timings is None else timings
    _check_font_subsetting()
    fetcher = SafeURLFetcher(asset_folders)
    options = {"pdf_variant": pdf_variant, "pdf_tags": pdf_variant is not None}
    layout_options = options | ({"font_config": font_config} if font_config else {})
    with _weasyprint_messages() as messages, refuse_decompression_bombs():
        try:
            with stage("layout", timings):
                document = HTML(string=html, base_url=base_folder.resolve().as_uri() + "/",
                                url_fetcher=fetcher).render(**layout_options)
            if not (document.metadata.title or "").strip():
                raise PdfWriteFailed("the PDF was not written: the document has no title "
                                     "(a <title> in the pack template); screen readers and "
                                     "the accessibility regulations need one")
            first = _first_page_of(document, from_anchor) if from_anchor else 0
            if first:
                document = document.copy(document.pages[first:])
            with stage("write", timings):
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


def _first_page_of(document, anchor: str) -> int:
    return next(index for index, page in enumerate(document.pages) if anchor in page.anchors)


@functools.cache
def _check_font_subsetting() -> None:
    """Without Debian's libharfbuzz-subset0 WeasyPrint subsets fonts with fontTools: slower."""
    if ctypes.util.find_library("harfbuzz-subset") is None:
        LOGGER.warning("libharfbuzz-subset0 is not installed: font subsetting falls back to "
                       "fontTools and the PDF write is slower (`make system-deps` installs it)")
