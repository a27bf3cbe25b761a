"""Tagged PDFs laid out in parts → one PDF: pages, structure tree, named destinations, bookmarks.

Each part is a WeasyPrint PDF of which a run of pages is kept (the rest were there only to set
up page numbers: see parts.py). A part's structure tree is pruned to the content on kept pages
(every element and marked-content reference says its page, `/Pg`) and copied after the pages
(pikepdf maps each copied page once, so `/Pg` and link annotations point at the copies); the
parent tree, which maps marked content back to its element, is rebuilt for the whole file.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pikepdf

from reportgen.layout.navigation import destination_page

# pikepdf's objects are dynamically typed (a Dictionary's items are any Object): plain Any here.
PdfObject = Any


@dataclass(frozen=True)
class PartPdf:
    """Pages `first` to `last` (0-based, `last` excluded) of a part's PDF are kept."""

    content: bytes
    first: int
    last: int
    continues: bool = False  # a later run of the previous part's section: its bookmarks go
    #                          under that section's, as in a pack laid out whole


def join_parts(parts: list[PartPdf]) -> bytes:
    """The kept pages of every part, in order, as one tagged PDF with the first part's metadata."""
    sources = [pikepdf.open(io.BytesIO(part.content)) for part in parts]
    try:
        out = sources[0]
        document = _document_element(out)
        tops: list[PdfObject] = []  # the joined Document's children
        marked: list[PdfObject] = []  # per out page: its elements by MCID
        annotations: list[tuple[PdfObject, PdfObject]] = []  # (annotation, its Link element)
        outline: list[pikepdf.OutlineItem] = []
        dests: list[tuple[str, PdfObject]] = []
        for number, (part, source) in enumerate(zip(parts, sources, strict=True)):
            new_page = {i: len(marked) + i - part.first for i in range(part.first, part.last)}
            kept = [source.pages[i] for i in new_page]
            kept_objgens = {page.objgen for page in kept}
            theirs = _document_element(source)
            kids = [kid for kid in _kids(theirs) if _prune(kid, kept_objgens, None)]
            parent_tree = pikepdf.NumberTree(source.Root.StructTreeRoot.ParentTree)
            page_elements = [list(parent_tree[int(page.obj.StructParents)])
                             if "/StructParents" in page.obj else [] for page in kept]
            page_annotations = [(a, parent_tree[int(a.StructParent)]) for page in kept
                                for a in page.obj.get("/Annots", []) if "/StructParent" in a]
            # WeasyPrint hangs the margin boxes' elements on the Document without listing them
            # as its children: they are carried over as they are, found from the parent tree.
            hung = _hung_on(theirs, [e for row in page_elements for e in row if e is not None]
                            + [element for _, element in page_annotations])
            if number:
                for element in kids + hung:
                    del element["/P"]  # else a copy would pull in the part's whole tree
                    _prefix_ids(element, f"part{number}-")
                with warnings.catch_warnings():  # named destinations are carried over below
                    warnings.simplefilter("ignore", pikepdf.exceptions.PageCopyWarning)
                    out.pages.extend(kept)  # copies each page once: /Pg, /Obj map onto these
                local: Callable[[Any], Any] = out.copy_foreign
            else:
                local = _same
            tops += [local(element) for element in kids]
            for element in hung:
                local(element).P = document
            marked += [[None if e is None else local(e) for e in row] for row in page_elements]
            annotations += [(local(a), local(e)) for a, e in page_annotations]
            kept_outline = _kept_outline(source, new_page)
            if part.continues and outline and kept_outline:
                outline[-1].children.extend(kept_outline)
            else:
                outline += kept_outline
            dests += _kept_dests(out, source, new_page)
            if not number:
                for index in sorted(set(range(len(out.pages))) -
                                    set(range(part.first, part.last)), reverse=True):
                    del out.pages[index]
        for kid in tops:
            kid.P = document
        document.K = pikepdf.Array(tops)
        _set_parent_tree(out, marked, annotations)
        _set_dests(out, dests)
        with out.open_outline() as tree:
            tree.root[:] = outline
        result = io.BytesIO()
        out.save(result, deterministic_id=True)
        return result.getvalue()
    finally:
        for source in sources:
            source.close()


def _same(element: PdfObject) -> PdfObject:
    return element


def _hung_on(document: PdfObject, elements: list[PdfObject]) -> list[PdfObject]:
    """The elements (or their ancestors) whose parent is the Document but which are not among
    its children, in the order first met."""
    listed = {kid.objgen for kid in _kids(document)}
    found: dict[Any, PdfObject] = {}
    for element in elements:
        while "/P" in element and element.P.objgen != document.objgen:
            element = element.P
        if "/P" in element and element.objgen not in listed:
            found.setdefault(element.objgen, element)
    return list(found.values())


def _document_element(pdf: pikepdf.Pdf) -> PdfObject:
    top = pdf.Root.StructTreeRoot.K
    return top[0] if isinstance(top, pikepdf.Array) else top


def _kids(element: PdfObject) -> list[PdfObject]:
    kids = element.get("/K")
    if kids is None:
        return []
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
    return [kid for kid in items if isinstance(kid, pikepdf.Dictionary) and "/S" in kid]


def _prune(element: PdfObject, kept: set, page: Any) -> bool:
    """Leave only the content on kept pages in the element; whether any is left."""
    page = element.Pg.objgen if "/Pg" in element else page
    kids = element.get("/K")
    if kids is None:
        return page in kept
    left = []
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") in ("/MCR", "/OBJR"):
            keep = (kid.Pg.objgen if "/Pg" in kid else page) in kept
        elif isinstance(kid, pikepdf.Dictionary):
            keep = _prune(kid, kept, page)
        else:
            keep = page in kept
        if keep:
            left.append(kid)
    element.K = pikepdf.Array(left)
    return bool(left)


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


def _set_parent_tree(pdf: pikepdf.Pdf, marked: list[PdfObject],
                     annotations: list[tuple[PdfObject, PdfObject]]) -> None:
    """Marked content (page, MCID) and annotations → their structure element, numbered anew:
    page n is key n, annotations follow."""
    nums: Any = pikepdf.Array()
    for index, (page, elements) in enumerate(zip(pdf.pages, marked, strict=True)):
        page.obj.StructParents = index
        nums.extend([index, pdf.make_indirect(pikepdf.Array(elements))])
    key = len(marked)
    for annotation, element in annotations:
        annotation.StructParent = key
        nums.extend([key, element])
        key += 1
    root = pdf.Root.StructTreeRoot
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = key


def _kept_dests(out: pikepdf.Pdf, source: pikepdf.Pdf, new_page: dict[int, int]
                ) -> list[tuple[str, PdfObject]]:
    """The part's named destinations (link targets) on kept pages, pointing at the out pages
    (`new_page`: a kept page's index in the part → in the joined file)."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return []
    found = []
    for name, destination in pikepdf.NameTree(source.Root.Names.Dests).items():
        page = destination_page(source, destination)
        if page in new_page:
            copy = pikepdf.Array(list(destination))
            copy[0] = out.pages[new_page[page]].obj
            found.append((name, copy))
    return found


def _set_dests(pdf: pikepdf.Pdf, dests: list[tuple[str, PdfObject]]) -> None:
    tree = pikepdf.NameTree.new(pdf)
    first: dict[str, PdfObject] = {}
    for name, destination in dests:  # an element that runs on into a later part starts where
        first.setdefault(name, destination)  # it first appears, as in one document
    for name in sorted(first):
        tree[name] = first[name]
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = tree.obj


def _kept_outline(source: pikepdf.Pdf, new_page: dict[int, int]) -> list[pikepdf.OutlineItem]:
    """Bookmarks on kept pages, at the same place on their page; a bookmark on a dropped page
    gives way to its children."""
    with source.open_outline() as outline:
        return _copy_items(source, outline.root, new_page)


def _copy_items(source: pikepdf.Pdf, items, new_page: dict[int, int]
                ) -> list[pikepdf.OutlineItem]:
    copies: list[pikepdf.OutlineItem] = []
    for item in items:
        children = _copy_items(source, item.children, new_page)
        destination = item.destination
        index = destination_page(source, destination)
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
