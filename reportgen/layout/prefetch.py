"""A document's HTML → the resources its markup and stylesheets will ask for, checked by the
fetcher's rules without laying out a page, so that `validate` refuses what `build` would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import tinycss2

from reportgen.layout.fetcher import RefusedFetch, SafeURLFetcher

_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.S | re.I)
_STYLE_ATTRIBUTE = re.compile(r'\bstyle="([^"]*)"', re.I)
# What WeasyPrint fetches from markup: images, objects, linked stylesheets (not <a href>).
_FETCHED = re.compile(r'<(?:img|image|object|embed|link|source)\b[^>]*?\b'
                      r'(?:src|href|data|xlink:href)="([^"]+)"', re.I)


def refused_resources(html: str, base_folder: Path, asset_folders: list[Path]) -> list[str]:
    """Each resource the document would be refused, with the reason (the fetcher's words)."""
    fetcher = SafeURLFetcher(asset_folders)
    base = base_folder.resolve().as_uri() + "/"
    for url in dict.fromkeys(document_urls(html)):
        if not url or url.startswith("#"):
            continue
        try:
            fetcher.fetch(urljoin(base, url)).read()
        except RefusedFetch:
            pass  # recorded in fetcher.refused
        except Exception as error:  # a data: URL that is not one, say
            fetcher.refused.append(f"{url[:117]}: cannot be read ({type(error).__name__})")
    return fetcher.refused


def document_urls(html: str) -> Iterator[str]:
    for match in _FETCHED.finditer(html):
        yield _unescape(match.group(1))
    for css in [*_STYLE.findall(html), *(_unescape(s) for s in _STYLE_ATTRIBUTE.findall(html))]:
        yield from css_urls(tinycss2.parse_component_value_list(css))


def css_urls(nodes) -> Iterator[str]:
    """url(…) anywhere in a stylesheet, and @import "…" strings."""
    after_import = False
    for node in nodes:
        if node.type == "url":
            yield node.value
        elif node.type == "function" and node.lower_name == "url":
            strings = [a for a in node.arguments if a.type == "string"]
            if strings:
                yield strings[0].value
            yield from css_urls(node.arguments)
        elif node.type == "at-keyword":
            after_import = node.lower_value == "import"
            continue
        elif node.type == "string" and after_import:
            yield node.value
        elif node.type in ("() block", "[] block", "{} block"):
            yield from css_urls(node.content)
        elif node.type == "function":
            yield from css_urls(node.arguments)
        if node.type not in ("whitespace", "comment"):
            after_import = False


def _unescape(text: str) -> str:
    return (text.replace("&amp;", "&").replace("&quot;", '"').replace("&#39;", "'")
            .replace("&lt;", "<").replace("&gt;", ">"))
