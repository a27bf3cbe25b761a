"""The written PDF → attached documents laid onto their reserved pages, and agenda page labels.

An attached PDF (an inspection letter, say) is given pages of its own in the HTML, so that
WeasyPrint numbers them, counts them in "Page X of Y", lists them in the contents and bookmarks,
and prints the running header, footer and marking on them. Here each original page is then
placed inside the margins of its reserved page, scaled to fit: its text stays text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from reportgen.layout.navigation import destination_page

MM = 72 / 25.4


@dataclass(frozen=True)
class Placement:
    """Page `source_page` (0-based) of the file `source` goes onto page `page` of the output."""

    page: int
    source: Path
    source_page: int
    alt: str  # what a screen reader is told the placed page is
    heading_page: int  # the page of the appendix's heading, whose bookmark gets the document's


def margins_in_points(margins: str) -> tuple[float, float, float, float]:
    """CSS margin shorthand (mm, cm, pt, in) → (top, right, bottom, left) in points."""
    units = {"mm": MM, "cm": 10 * MM, "pt": 1.0, "in": 72.0}
    sizes = []
    for part in margins.split():
        unit = part[-2:]
        sizes.append(float(part[:-2]) * units[unit])
    top, right, bottom, left = (sizes * 4)[:1] * 4 if len(sizes) == 1 else \
        (sizes + sizes[:2])[:4] if len(sizes) == 2 else \
        (sizes + [sizes[1]])[:4] if len(sizes) == 3 else sizes
    return top, right, bottom, left


def finish_pdf(content: bytes, placements: list[Placement], margins: str,
               page_prefix: str = "") -> bytes:
    """Lay the attached pages in and label the pages; the PDF as written when there is neither."""
    if not placements and not page_prefix:
        return content
    top, right, bottom, left = margins_in_points(margins)
    sources: dict[Path, pikepdf.Pdf] = {}
    with pikepdf.open(io.BytesIO(content)) as pdf:
        for placement in placements:
            if placement.source not in sources:
                sources[placement.source] = pikepdf.open(placement.source)
            original = sources[placement.source].pages[placement.source_page]
            page = pdf.pages[placement.page]
            box = page.mediabox
            width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            area = (left, bottom, width - right, height - top)
            form = pdf.copy_foreign(original.as_form_xobject())
            # A fixed name: pikepdf's prefix= adds random letters, and builds must be reproducible.
            fixed = pikepdf.Name(f"/Attached{placement.page}p{placement.source_page}")
            name = page.add_resource(form, pikepdf.Name.XObject, fixed)
            mcid = _tag_as_figure(pdf, page, placement.alt)
            # The page's own content leaves its coordinate system flipped: restore the PDF's
            # (q … Q around it) before drawing the original page into the area.
            page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
            drawing = f"Q /Figure <</MCID {mcid}>> BDC q {_fit(form, area)} cm {name} Do Q EMC"
            page.contents_add(pikepdf.Stream(pdf, drawing.encode("ascii")), prepend=False)
        _add_attached_bookmarks(pdf, placements, sources)
        if page_prefix:
            pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(
                [0, pikepdf.Dictionary(S=pikepdf.Name.D, P=pikepdf.String(page_prefix))])))
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    for source in sources.values():
        source.close()
    return out.getvalue()


def _add_attached_bookmarks(pdf, placements: list[Placement], sources: dict) -> None:
    """The attached documents' own bookmarks, under their appendix's bookmark, pointing at the
    pages they were laid onto: the outline continues through the attached document."""
    by_heading: dict[tuple[int, Path], dict[int, int]] = {}
    for placement in placements:
        by_heading.setdefault((placement.heading_page, placement.source), {})[
            placement.source_page] = placement.page
    if not by_heading:
        return
    with pdf.open_outline() as outline:
        for (heading_page, source), pages in by_heading.items():
            parent = _bookmark_on(pdf, outline.root, heading_page)
            if parent is None:
                continue
            with sources[source].open_outline() as theirs:
                parent.children.extend(_copied(sources[source], theirs.root, pages))


def _bookmark_on(pdf, items, page: int):
    """The first bookmark, at any depth, that points at the page."""
    for item in items:
        if destination_page(pdf, item.destination) == page:
            return item
        found = _bookmark_on(pdf, item.children, page)
        if found is not None:
            return found
    return None


def _copied(source, items, pages: dict[int, int]) -> list:
    """Copies of a source outline's items whose pages were placed (named destinations and
    actions other than a page are left out)."""
    copies = []
    for item in items:
        page = destination_page(source, item.destination)
        if page in pages:
            copy = pikepdf.OutlineItem(item.title, pages[page])
            copy.children.extend(_copied(source, item.children, pages))
            copies.append(copy)
    return copies


def _fit(form, area: tuple[float, float, float, float]) -> str:
    """The transformation that shrinks the form to fit the area, at its top, centred across."""
    x0, y0, x1, y1 = (float(v) for v in form.BBox)
    left, bottom, right, top = area
    scale = min((right - left) / (x1 - x0), (top - bottom) / (y1 - y0), 1.0)
    tx = left + ((right - left) - (x1 - x0) * scale) / 2 - x0 * scale
    ty = top - (y1 - y0) * scale - y0 * scale
    return f"{scale:.5f} 0 0 {scale:.5f} {tx:.3f} {ty:.3f}"


def _tag_as_figure(pdf, page, alt: str) -> int:
    """A Figure with alt text in the structure tree for the placed page (PDF/UA: all content is
    tagged), in reading order after the content of earlier pages; returns its MCID."""
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    if "/StructParents" not in page.obj:
        key = max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1
        page.obj.StructParents = key
        nums.append(key)
        nums.append(pdf.make_indirect(pikepdf.Array()))
        root.ParentTreeNextKey = key + 1
    key = int(page.obj.StructParents)
    marked = next(nums[i + 1] for i in range(0, len(nums), 2) if int(nums[i]) == key)
    mcid = len(marked)
    document = root.K if isinstance(root.K, pikepdf.Dictionary) else root.K[0]
    figure = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.Figure, P=document, Pg=page.obj,
        K=mcid, Alt=pikepdf.String(alt)))
    marked.append(figure)
    _insert_in_reading_order(document, figure, page)
    return mcid


def _insert_in_reading_order(document, figure, page) -> None:
    """Put the figure into the document's children after those on earlier pages."""
    kids = document.K if isinstance(document.K, pikepdf.Array) else pikepdf.Array([document.K])
    document.K = kids
    page_number = int(page.index)
    position = len(kids)
    for index in range(len(kids) - 1, -1, -1):
        first = _first_page(kids[index])
        if first is not None and first > page_number:
            position = index
        elif first is not None:
            break
    kids.insert(position, figure)


def _first_page(element) -> int | None:
    """The index of the first page an element's content is on, searching its children."""
    if not isinstance(element, pikepdf.Dictionary):
        return None
    pg = element.get("/Pg")
    if pg is not None:
        return int(pikepdf.Page(pg).index)
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Array):
        for kid in kids:
            found = _first_page(kid)
            if found is not None:
                return found
    elif isinstance(kids, pikepdf.Dictionary):
        return _first_page(kids)
    return None
