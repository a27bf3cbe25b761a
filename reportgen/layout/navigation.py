"""PDF navigation helpers shared by joining parts and assembling papers: pages of destinations."""

from __future__ import annotations

import pikepdf


def destination_page(pdf, destination) -> int | None:
    """The index of the page an explicit destination points at (None: a named one, or none)."""
    if isinstance(destination, int):
        return destination
    if isinstance(destination, pikepdf.Array) and len(destination) and \
            isinstance(destination[0], pikepdf.Dictionary):
        try:
            return pdf.pages.index(pikepdf.Page(destination[0]))
        except ValueError:
            return None
    return None
