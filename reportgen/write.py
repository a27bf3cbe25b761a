"""HTML → PDF bytes with WeasyPrint, and the atomic publish of a file into the output folder."""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from reportgen.errors import EXIT_INVALID_INPUT, OutputNotWritable, ReportgenError
from reportgen.fetcher import SafeURLFetcher


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


def html_to_pdf(html: str, base_folder: Path, asset_folders: list[Path],
                pdf_variant: str | None = "pdf/ua-1") -> bytes:
    """Lay out and write the PDF; any refused fetch or WeasyPrint error fails with a message."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = SafeURLFetcher(asset_folders)
    with _weasyprint_messages() as messages:
        try:
            document = HTML(string=html, base_url=base_folder.resolve().as_uri() + "/",
                            url_fetcher=fetcher)
            pdf = document.write_pdf(pdf_variant=pdf_variant, pdf_tags=pdf_variant is not None,
                                     uncompressed_pdf=False)
        except FatalURLFetchingError as error:
            reasons = "; ".join(fetcher.refused) or str(error)
            raise PdfWriteFailed(f"the PDF was not written: a resource was refused: {reasons}"
                                 ) from None
    errors = [r.getMessage() for r in messages.records if r.levelno >= logging.ERROR]
    if fetcher.refused or errors:
        raise PdfWriteFailed("the PDF was not written: " + "; ".join(fetcher.refused + errors))
    assert pdf is not None
    return pdf


def publish(content: bytes, target: Path) -> Path:
    """Write to a temporary file beside the target, then rename: never a partial file."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                             suffix=".tmp")
    except OSError as error:
        raise OutputNotWritable(f"cannot write to the output folder {target.parent}: "
                                f"{error.strerror}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # published papers are read by others
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise OutputNotWritable(f"cannot write {target}: {error.strerror}") from None
        raise
    return target
