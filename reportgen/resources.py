"""Where the shipped templates and styles are (inside the wheel, or at the top of a checkout), and
how a file's bytes are embedded in a page (data: URIs, so that the HTML edition is one file)."""

from __future__ import annotations

import base64
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # Installed from a wheel they sit inside the package; in a source checkout (or an editable
    # install) they are the repository's top-level folders.
    inside = _PACKAGE / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def default_templates_dir() -> Path:
    return _shipped("templates")


def default_styles_dir() -> Path:
    return _shipped("styles")


def data_uri(content: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode("ascii")


# A pack's chart by its key in the output folder's chart cache, read by the PDF writer's fetcher
# when its page is laid out (a data: URI in the HTML held every chart of a big pack in memory).
CHART_SCHEME = "reportgen-chart"
CHART_SUFFIX = ".png"  # the chart cache's entries


def chart_url(key: str) -> str:
    return f"{CHART_SCHEME}:{key}"
