"""A URL fetcher for WeasyPrint that fetches only our own assets: no network, no stray files."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher, URLFetcherResponse

MAX_FETCHES = 500
MAX_BYTES = 20_000_000


class RefusedFetch(Exception):
    """A resource the document asked for that we will not fetch."""


class SafeURLFetcher(URLFetcher):
    """Only `data:` URLs and `file:` paths inside the allowed folders (after resolving links)."""

    def __init__(self, allowed_folders: list[Path], max_fetches: int = MAX_FETCHES,
                 max_bytes: int = MAX_BYTES) -> None:
        super().__init__(allowed_protocols=["data", "file"], allow_redirects=False,
                         fail_on_errors=True)
        self.allowed_folders = [f.resolve() for f in allowed_folders]
        self.max_fetches = max_fetches
        self.max_bytes = max_bytes
        self.fetches = 0
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        self.fetches += 1
        if self.fetches > self.max_fetches:
            return self._refuse(url, f"more than {self.max_fetches} resources were requested "
                                     f"(an @import loop?)")
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > self.max_bytes * 4 // 3 + 100:
                return self._refuse(url, "embedded data is over the size limit")
            return super().fetch(url, headers)
        if scheme != "file":
            return self._refuse(url, "only the report's own files may be used; network and "
                                     "other addresses are not fetched")
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
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})

    def _refuse(self, url: str, reason: str) -> URLFetcherResponse:
        shown = url if len(url) < 120 else url[:117] + "..."
        self.refused.append(f"{shown}: {reason}")
        raise RefusedFetch(f"{shown}: {reason}")
