"""Tagged PDFs laid out in parts → one PDF: pages, structure tree, named destinations, bookmarks.

Each part is a WeasyPrint PDF of which a run of pages is kept (the rest were there only to set
up running headers and page numbers: see parts.py). WeasyPrint tags page by page: every child of
the structure tree's Document element, with everything under it, is on one page (`/Pg`). So a
part's kept content is the Document children on kept pages; they are copied after the pages
(pikepdf maps each copied page once, so `/Pg` and link annotations point at the copies), and
the parent tree, which maps marked content back to its element, is rebuilt for the whole file.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

import pikepdf

# pikepdf's objects are dynamically typed (a Dictionary's items are any Object): plain Any here.
PdfObject = Any


@dataclass(frozen=True)
class PartPdf:
    """Pages `first` to `last` (0-based, `last` excluded) of a part's PDF are kept."""

    content: bytes
    first: int
    last: int


def join_parts(parts: list[PartPdf]) -> bytes:
    """The kept pages of every part, in order, as one tagged PDF with the first part's metadata."""
    sources = [pikepdf.open(io.BytesIO(part.content)) for part in parts]
    try:
        out = sources[0]
        first = parts[0]
        kept_first = [out.pages[i].objgen for i in range(first.first, first.last)]
        document = _document_element(out)
        kids = [kid for kid in _kids(document) if kid.Pg.objgen in kept_first]
        outline = _kept_outline(out, first, {i: i - first.first for i in
                                             range(first.first, first.last)})
        dests = _kept_dests(out, out, first, first.first)
        for index in sorted(set(range(len(out.pages))) - set(range(first.first, first.last)),
                            reverse=True):
            del out.pages[index]
        for number, (part, source) in enumerate(zip(parts[1:], sources[1:], strict=True), 1):
            offset = len(out.pages)
            kept = [source.pages[i] for i in range(part.first, part.last)]
            kept_objgens = {page.objgen for page in kept}
            with warnings.catch_warnings():  # named destinations are carried over below
                warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
                out.pages.extend(kept)  # copies each page once: /Pg, /Obj below map onto these
            for kid in _kids(_document_element(source)):
                if kid.Pg.objgen in kept_objgens:
                    del kid["/P"]  # else the copy would pull in the part's whole tree
                    _prefix_ids(kid, f"part{number}-")
                    kids.append(out.copy_foreign(kid))
            outline += _kept_outline(source, part, {i: offset + i - part.first for i in
                                                    range(part.first, part.last)}, out)
            dests += _kept_dests(out, source, part, part.first - offset)
        for kid in kids:
            kid.P = document
        document.K = pikepdf.Array(kids)
        _rebuild_parent_tree(out)
        _set_dests(out, dests)
        with out.open_outline() as tree:
            tree.root[:] = outline
        result = io.BytesIO()
        out.save(result, deterministic_id=True)
        return result.getvalue()
    finally:
        for source in sources:
            source.close()


def _document_element(pdf: pikepdf.Pdf) -> PdfObject:
    top = pdf.Root.StructTreeRoot.K
    return top[0] if isinstance(top, pikepdf.Array) else top


def _kids(element: PdfObject) -> list[PdfObject]:
    kids = element.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in items if isinstance(kid, pikepdf.Dictionary) and "/Pg" in kid]


def _prefix_ids(element: PdfObject, prefix: str) -> None:
    """Table header IDs (and the cells' /Headers naming them) are unique per part: make them
    unique in the joined file."""
    if not isinstance(element, pikepdf.Dictionary) or element.get("/Type") in ("/MCR", "/OBJR"):
        return
    if "/ID" in element:
        element.ID = pikepdf.String(prefix + str(element.ID))
    attributes = element.get("/A")
    for owner in (attributes if isinstance(attributes, pikepdf.Array) else [attributes]):
        if isinstance(owner, pikepdf.Dictionary) and "/Headers" in owner:
            owner.Headers = pikepdf.Array([pikepdf.String(prefix + str(h))
                                           for h in owner.Headers])
    kids = element.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        _prefix_ids(kid, prefix)


def _rebuild_parent_tree(pdf: pikepdf.Pdf) -> None:
    """Marked content (page, MCID) and annotations → their structure element, numbered anew."""
    page_keys: dict[Any, int] = {page.objgen: index for index, page in enumerate(pdf.pages)}
    marked: dict[int, dict[int, PdfObject]] = {i: {} for i in range(len(pdf.pages))}
    annotations: list[tuple[Any, Any]] = []

    def walk(element: PdfObject, page: int | None) -> None:
        if "/Pg" in element:
            page = page_keys[element.Pg.objgen]
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, int) and page is not None:
                marked[page][int(kid)] = element
            elif isinstance(kid, pikepdf.Dictionary):
                if kid.get("/Type") == "/OBJR":
                    annotations.append((kid.Obj, element))
                elif kid.get("/Type") == "/MCR":
                    where = page_keys[kid.Pg.objgen] if "/Pg" in kid else page
                    if where is not None:
                        marked[where][int(kid.MCID)] = element
                else:
                    walk(kid, page)

    walk(_document_element(pdf), None)
    nums: Any = pikepdf.Array()
    for index, page in enumerate(pdf.pages):
        by_mcid = marked[index]
        page.obj.StructParents = index
        elements = [by_mcid.get(mcid) for mcid in range(max(by_mcid, default=-1) + 1)]
        nums.extend([index, pdf.make_indirect(pikepdf.Array(elements))])
    key = len(pdf.pages)
    for annotation, element in annotations:
        annotation.StructParent = key
        nums.extend([key, element])
        key += 1
    root = pdf.Root.StructTreeRoot
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = key


def _kept_dests(out: pikepdf.Pdf, source: pikepdf.Pdf, part: PartPdf, shift: int
                ) -> list[tuple[str, PdfObject]]:
    """The part's named destinations (link targets) on kept pages, pointing at the out pages."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return []
    pages: dict[Any, int] = {source.pages[i].objgen: i for i in range(part.first, part.last)}
    found = []
    for name, destination in pikepdf.NameTree(source.Root.Names.Dests).items():
        page = pages.get(destination[0].objgen)
        if page is not None:
            copy = pikepdf.Array(list(destination))
            copy[0] = out.pages[page - shift].obj
            found.append((name, copy))
    return found


def _set_dests(pdf: pikepdf.Pdf, dests: list[tuple[str, PdfObject]]) -> None:
    tree = pikepdf.NameTree.new(pdf)
    for name, destination in sorted(dests):
        tree[name] = destination
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = tree.obj


def _kept_outline(source: pikepdf.Pdf, part: PartPdf, new_page: dict[int, int],
                  out: pikepdf.Pdf | None = None) -> list[pikepdf.OutlineItem]:
    """Bookmarks on kept pages, at the same place on their page; a bookmark on a dropped page
    gives way to its children."""
    out = source if out is None else out
    pages: dict[Any, int] = {source.pages[i].objgen: i for i in range(len(source.pages))}
    with source.open_outline() as outline:
        return _copy_items(outline.root, pages, new_page, out)


def _copy_items(items, pages: dict, new_page: dict[int, int], out: pikepdf.Pdf
                ) -> list[pikepdf.OutlineItem]:
    copies: list[pikepdf.OutlineItem] = []
    for item in items:
        children = _copy_items(item.children, pages, new_page, out)
        destination = item.destination
        index = pages.get(destination[0].objgen) if isinstance(destination, pikepdf.Array) \
            and len(destination) and isinstance(destination[0], pikepdf.Dictionary) else None
        if index not in new_page:
            copies += children
            continue
        assert index is not None
        left, top = _position(destination)
        copy = pikepdf.OutlineItem(item.title, new_page[index], "XYZ", left=left, top=top)
        copy.is_closed = item.is_closed
        copy.children.extend(children)
        copies.append(copy)
    return copies


def _position(destination: PdfObject) -> tuple[float | None, float | None]:
    """Where on the page an /XYZ destination points (left, top), as WeasyPrint writes them."""
    if len(destination) >= 4 and destination[1] == "/XYZ":
        return float(destination[2]), float(destination[3])
    return None, None
