"""A URL fetcher for WeasyPrint that fetches only our own assets: no network, no stray files."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import NoReturn
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

from reportgen.images import pixel_complaint, raster_size
from reportgen.publish.cache import KeyedCache
from reportgen.resources import CHART_SCHEME

MAX_FETCHES = 500
MAX_SAME_FILE = 10
MAX_BYTES = 20_000_000
_CHART_KEY = re.compile(r"[0-9a-f]{64}")  # a chart's key (charts/cache.py)


class RefusedFetch(Exception):
    """A resource the document asked for that we will not fetch."""


class SafeURLFetcher(URLFetcher):
    """Only `data:` URLs, `file:` paths inside the allowed folders (after resolving links),
    and the build's charts from its cache (`charts`: resources.chart_url)."""

    def __init__(self, allowed_folders: list[Path], max_fetches: int = MAX_FETCHES,
                 max_bytes: int = MAX_BYTES, charts: KeyedCache | None = None) -> None:
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False,
                         fail_on_errors=True)
        self.allowed_folders = [f.resolve() for f in allowed_folders]
        self.max_fetches = max_fetches
        self.max_bytes = max_bytes
        self.fetches = 0
        self.times_fetched: dict[str, int] = {}
        self.refused: list[str] = []
        self.charts = charts

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if url.startswith(CHART_SCHEME + ":"):
            return self._fetch_chart(url)
        return self._fetch(url, headers)

    def _fetch_chart(self, url: str) -> URLFetcherResponse:
        key = url.split(":", 1)[1]
        if self.charts is None or not _CHART_KEY.fullmatch(key):
            return self._refuse(url, "not a chart of this build")
        content = self.charts.get(key)  # as it was stored (its seal checked), or None
        if content is None:
            return self._refuse(url, "the chart is no longer in the output folder's cache "
                                     "(another program changed it): build again")
        self._check_pixels(url, content)
        return URLFetcherResponse(url, content, {"Content-Type": "image/png"})

    def _fetch(self, url: str, headers: dict | None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":  # our charts: counted by size, not number
            if len(url) > self.max_bytes * 4 // 3 + 100:
                return self._refuse(url, "embedded data is over the size limit")
            response = super().fetch(url, headers)
            content = response.read()
            self._check_pixels(url, content)
            return URLFetcherResponse(url, content, response.headers)
        if scheme != "file":
            return self._refuse(url, "only the report's own files may be used; network and "
                                     "other addresses are not fetched")
        self.fetches += 1
        self.times_fetched[url] = self.times_fetched.get(url, 0) + 1
        if self.fetches > self.max_fetches:
            return self._refuse(url, f"more than {self.max_fetches} files were requested")
        if self.times_fetched[url] > MAX_SAME_FILE:
            return self._refuse(url, f"the file was requested {MAX_SAME_FILE} times; is there "
                                     f"an @import loop?")
        return self._fetch_file(url)

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        path = Path(unquote(urlparse(url).path)).resolve()
        if not any(path.is_relative_to(folder) for folder in self.allowed_folders):
            return self._refuse(url, "the file is outside the report's template and style "
                                     "folders")
        if not path.is_file():
            return self._refuse(url, "no such file")
        if path.stat().st_size > self.max_bytes:
            return self._refuse(url, f"the file is over {self.max_bytes:,} bytes")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        content = path.read_bytes()
        if mime.startswith("image/") and mime != "image/svg+xml" and \
                raster_size(content) is None:
            self._refuse(url, "the file is not an image that can be read")
        self._check_pixels(url, content)  # whatever its name says: bg.dat may be a PNG
        return URLFetcherResponse(path.as_uri(), content, {"Content-Type": mime})

    def _check_pixels(self, url: str, content: bytes) -> None:
        """Refuse an image whose decoded size would be huge, before anything decodes it."""
        complaint = pixel_complaint(content)
        if complaint:
            self._refuse(url, complaint)

    def _refuse(self, url: str, reason: str) -> NoReturn:
        shown = url if len(url) < 120 else url[:117] + "..."
        self.refused.append(f"{shown}: {reason}")
        raise RefusedFetch(f"{shown}: {reason}")
