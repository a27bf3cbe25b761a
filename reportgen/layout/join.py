"""Tagged PDFs laid out in parts → one PDF: pages, structure tree, named destinations, bookmarks,
streamed to a file one part at a time, so that the join holds one part, never the pack.

Each part is a WeasyPrint PDF of which a run of pages is kept (the rest were there only to set
up page numbers: see parts.py). A part's structure tree is pruned to the content on kept pages
(every element and marked-content reference says its page, `/Pg`); then every object the kept
pages and elements reach is written out under a new number (pdfwriter.py), the part's own
document-level objects (its Pages, StructTreeRoot and Document element) standing for the joined
file's, and a dropped page for nothing. The parent tree, which maps marked content back to its
element, is numbered anew for the whole file; bookmarks and named destinations are gathered
and written at the end with the catalog.
"""

from __future__ import annotations

import io
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pikepdf

from reportgen.layout.pdfwriter import PdfWriter

# pikepdf's objects are dynamically typed (a Dictionary's items are any Object): plain Any here.
PdfObject = Any
ObjGen = tuple[int, int]

# An object reference in qpdf's canonical syntax, or a string (skipped: a string may hold text
# that looks like a reference). qpdf escapes every parenthesis inside a literal string.
_REFERENCE = re.compile(rb"\((?:\\.|[^\\()])*\)|<[0-9A-Fa-f\s]*>|(?<![\d.])(\d+) (\d+) R",
                        re.DOTALL)


@dataclass(frozen=True)
class PartPdf:
    """Pages `first` to `last` (0-based, `last` excluded) of a part's PDF are kept."""

    read: Callable[[], bytes]  # its PDF, read when it is joined
    first: int
    last: int
    continues: bool = False  # a later run of the previous part's section: its bookmarks go
    #                          under that section's, as in a pack laid out whole


@dataclass
class Bookmark:
    title: str
    page: int  # in the joined file
    left: float | None
    top: float | None
    closed: bool
    children: list[Bookmark] = field(default_factory=list)


def join_parts(parts: list[PartPdf], target: BinaryIO) -> None:
    """The kept pages of every part, in order, as one tagged PDF with the first part's metadata,
    written to target."""
    joined = _Joined(PdfWriter(target))
    for number, part in enumerate(parts):
        with pikepdf.open(io.BytesIO(part.read())) as source:
            joined.add(source, part, number)
    joined.close()


def join_parts_to_bytes(parts: list[PartPdf]) -> bytes:
    buffer = io.BytesIO()
    join_parts(parts, buffer)
    return buffer.getvalue()


class _Joined:
    """The joined file as it is written: what is known of it only at the end is kept here."""

    def __init__(self, writer: PdfWriter) -> None:
        self.writer = writer
        self.pages_node, self.struct_root, self.document = (writer.reserve() for _ in range(3))
        self.page_numbers: list[int] = []  # each joined page's object
        self.parent_tree: list[int] = []  # key n → the object that is its value
        self.tops: list[int] = []  # the Document element's children
        self.outline: list[Bookmark] = []
        self.dests: dict[bytes, tuple[int, bytes]] = {}  # name → (page, rest of its array)
        self.catalog = self.struct_root_rest = self.document_rest = self.names = b"<< >>"
        self.info: int | None = None

    def add(self, source: pikepdf.Pdf, part: PartPdf, number: int) -> None:
        pages = source.pages
        page_index = {page.obj.objgen: index for index, page in enumerate(pages)}
        kept = [pages[index] for index in range(part.first, part.last)]
        kept_objgens = {page.obj.objgen for page in kept}
        new_page = {index: len(self.page_numbers) + index - part.first
                    for index in range(part.first, part.last)}
        struct_root = source.Root.StructTreeRoot
        theirs = _document_element(source)
        kids = [kid for kid in _kids(theirs) if _prune(kid, kept_objgens, None)]
        parent_tree = pikepdf.NumberTree(struct_root.ParentTree)
        page_elements = [list(parent_tree[int(page.obj.StructParents)])
                         if "/StructParents" in page.obj else [] for page in kept]
        page_annotations = [(a, parent_tree[int(a.StructParent)]) for page in kept
                            for a in page.obj.get("/Annots", []) if "/StructParent" in a]
        # WeasyPrint hangs the margin boxes' elements on the Document without listing them
        # as its children: they are carried over as they are, reached from the parent tree.
        hung = _hung_on(theirs, [e for row in page_elements for e in row if e is not None]
                        + [element for _, element in page_annotations])
        if number:
            for element in kids + hung:
                _prefix_ids(element, f"part{number}-")
        stands_for = {theirs.objgen: self.document, struct_root.objgen: self.struct_root}
        stands_for |= {node.objgen: self.pages_node for node in _page_tree_nodes(source)}
        copier = _Copier(source, self.writer, stands_for,
                         dropped=set(page_index) - kept_objgens)
        for page, elements in zip(kept, page_elements, strict=True):
            page.obj.StructParents = len(self.parent_tree)
            self._parent_tree_entry(b"[ %s ]" % b" ".join(
                b"null" if e is None else copier.reference(e.objgen) for e in elements))
            self.page_numbers.append(copier.number(page.obj.objgen))
        for annotation, element in page_annotations:
            annotation.StructParent = len(self.parent_tree)
            self.parent_tree.append(copier.number(element.objgen))
        self.tops += [copier.number(kid.objgen) for kid in kids]
        for element in hung:
            copier.number(element.objgen)
        bookmarks = _kept_outline(source, new_page, page_index)
        if part.continues and self.outline and bookmarks:
            self.outline[-1].children.extend(bookmarks)
        else:
            self.outline += bookmarks
        for name, page_number, rest in _kept_dests(source, new_page, page_index):
            # an element that runs on into a later part starts where it first appears
            self.dests.setdefault(name, (page_number, rest))
        if not number:
            self._take_document_level(source, copier)
        copier.copy_all()

    def _parent_tree_entry(self, body: bytes) -> None:
        number = self.writer.reserve()
        self.writer.add(number, body)
        self.parent_tree.append(number)

    def _take_document_level(self, source: pikepdf.Pdf, copier: _Copier) -> None:
        """The first part's catalog (language, metadata, viewer preferences), information
        dictionary, structure tree root (a role map) and Document element, less what the
        joined file has anew."""
        root = source.Root
        self.document_rest = copier.body(_document_element(source), drop=("/K", "/P"))
        self.struct_root_rest = copier.body(root.StructTreeRoot, drop=(
            "/K", "/ParentTree", "/ParentTreeNextKey", "/IDTree"))
        if isinstance(root.get("/Names"), pikepdf.Dictionary):  # other name trees than Dests
            self.names = copier.body(root.Names, drop=("/Dests",))
        self.catalog = copier.body(root, drop=("/Pages", "/StructTreeRoot", "/Outlines",
                                               "/Names"))
        info = source.trailer.get("/Info")
        if isinstance(info, pikepdf.Dictionary) and info.is_indirect:
            self.info = copier.number(info.objgen)
        elif isinstance(info, pikepdf.Dictionary):  # written in the trailer itself
            self.info = self.writer.reserve()
            self.writer.add(self.info, copier.body(info))

    def close(self) -> None:
        add = self.writer.add
        add(self.pages_node, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (
            len(self.page_numbers), _references(self.page_numbers)))
        add(self.document, _with(self.document_rest, b"/K [ %s ] /P %d 0 R" % (
            _references(self.tops), self.struct_root)))
        parent_tree = self.writer.reserve()
        add(parent_tree, b"<< /Nums [ %s ] >>" % b" ".join(
            b"%d %d 0 R" % (key, number) for key, number in enumerate(self.parent_tree)))
        add(self.struct_root, _with(self.struct_root_rest, (
            b"/K %d 0 R /ParentTree %d 0 R /ParentTreeNextKey %d"
            % (self.document, parent_tree, len(self.parent_tree)))))
        catalog = self.writer.reserve()
        extra = b"/Pages %d 0 R /StructTreeRoot %d 0 R" % (self.pages_node, self.struct_root)
        names = _with(self.names, b"/Dests %d 0 R" % self._write_dests()) if self.dests \
            else self.names
        if names.split() != [b"<<", b">>"]:
            extra += b" /Names " + names
        if self.outline:
            extra += b" /Outlines %d 0 R" % self._write_outline()
        add(catalog, _with(self.catalog, extra))
        self.writer.close(catalog, self.info)

    def _write_dests(self) -> int:
        number = self.writer.reserve()
        self.writer.add(number, b"<< /Names [ %s ] >>" % b" ".join(
            b"%s [ %d 0 R %s ]" % (pikepdf.String(name).unparse(), self.page_numbers[page], rest)
            for name, (page, rest) in sorted(self.dests.items(), key=_text_order)))
        return number

    def _write_outline(self) -> int:
        number = self.writer.reserve()
        first, last, count = self._write_bookmarks(self.outline, number)
        self.writer.add(number, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                        % (first, last, count))
        return number

    def _write_bookmarks(self, items: list[Bookmark], parent: int) -> tuple[int, int, int]:
        """Items under parent: (first, last, how many are shown while parent is open)."""
        numbers = [self.writer.reserve() for _ in items]
        shown = len(items)
        for index, (item, number) in enumerate(zip(items, numbers, strict=True)):
            entries = [b"/Title %s /Parent %d 0 R" % (pikepdf.String(item.title).unparse(),
                                                      parent)]
            if index:
                entries.append(b"/Prev %d 0 R" % numbers[index - 1])
            if index + 1 < len(items):
                entries.append(b"/Next %d 0 R" % numbers[index + 1])
            if item.children:
                first, last, count = self._write_bookmarks(item.children, number)
                entries.append(b"/First %d 0 R /Last %d 0 R /Count %d"
                               % (first, last, -count if item.closed else count))
                shown += 0 if item.closed else count
            entries.append(b"/Dest [ %d 0 R /XYZ %s %s 0 ]" % (
                self.page_numbers[item.page], _number(item.left), _number(item.top)))
            self.writer.add(number, b"<< %s >>" % b" ".join(entries))
        return numbers[0], numbers[-1], shown


class _Copier:
    """One part's objects → the joined file: each written once under a new number, found by
    following references from the objects asked for."""

    def __init__(self, source: pikepdf.Pdf, writer: PdfWriter, stands_for: dict[ObjGen, int],
                 dropped: set[ObjGen]) -> None:
        self.source, self.writer, self.dropped = source, writer, dropped
        self.numbers: dict[ObjGen, int] = dict(stands_for)
        self.queue: deque[tuple[ObjGen, int]] = deque()

    def number(self, objgen: ObjGen) -> int:
        """The object's number in the joined file; it is written by copy_all()."""
        found = self.numbers.get(objgen)
        if found is None:
            found = self.numbers[objgen] = self.writer.reserve()
            self.queue.append((objgen, found))
        return found

    def reference(self, objgen: ObjGen) -> bytes:
        if objgen in self.dropped:
            return b"null"  # a page that is not kept
        return b"%d 0 R" % self.number(objgen)

    def body(self, obj: PdfObject, drop: tuple[str, ...] = ()) -> bytes:
        """The object's own syntax with its references renumbered (those it reaches are
        queued), less the keys in drop."""
        for key in drop:
            if key in obj:
                del obj[key]
        return _REFERENCE.sub(self._renumbered, obj.unparse(resolved=True))

    def copy_all(self) -> None:
        while self.queue:
            objgen, number = self.queue.popleft()
            obj = self.source.get_object(objgen)
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_raw_bytes()
                dictionary = pikepdf.Dictionary(dict(obj.stream_dict.items()))
                dictionary.Length = len(data)  # as stored, whatever the part's file said
                self.writer.add_stream(number, self.body(dictionary), data)
            else:
                self.writer.add(number, self.body(obj))

    def _renumbered(self, match: re.Match[bytes]) -> bytes:
        if match.group(1) is None:
            return match.group(0)  # a string
        return self.reference((int(match.group(1)), int(match.group(2))))


def _text_order(item: tuple[bytes, object]) -> tuple[str, bytes]:
    """Name tree keys in the order of their text, as qpdf reads them (UTF-16 and
    PDFDocEncoding keys then sort together), and by their bytes where the text is the same."""
    return str(pikepdf.String(item[0])), item[0]


def _with(body: bytes, entries: bytes) -> bytes:
    """A dictionary's syntax with entries put first."""
    return b"<< " + entries + b" " + body[2:]


def _references(numbers: list[int]) -> bytes:
    return b" ".join(b"%d 0 R" % number for number in numbers)


def _number(value: float | None) -> bytes:
    return b"null" if value is None else (b"%.6f" % value).rstrip(b"0").rstrip(b".")


def _page_tree_nodes(pdf: pikepdf.Pdf) -> Iterator[PdfObject]:
    """The page tree's own nodes (not its pages)."""
    nodes = [pdf.Root.Pages]
    while nodes:
        node = nodes.pop()
        yield node
        nodes += [kid for kid in node.get("/Kids", []) if kid.get("/Type") == "/Pages"]


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


def _kept_dests(source: pikepdf.Pdf, new_page: dict[int, int], page_index: dict[ObjGen, int]
                ) -> Iterator[tuple[bytes, int, bytes]]:
    """The part's named destinations (link targets) on kept pages: (name as the part's bytes,
    which the links name, page in the joined file, the rest of the destination array)."""
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return
    for name, destination in _name_tree(source.Root.Names.Dests):
        page = _destination_page(destination, page_index)
        if page in new_page:
            yield name, new_page[page], pikepdf.Array(list(destination)[1:]).unparse()[1:-1]


def _name_tree(node: PdfObject) -> Iterator[tuple[bytes, PdfObject]]:
    """A name tree's keys as stored (bytes: a text key would be encoded anew) and values."""
    names = node.get("/Names", [])
    for index in range(0, len(names) - 1, 2):
        yield bytes(names[index]), names[index + 1]
    for kid in node.get("/Kids", []):
        yield from _name_tree(kid)


def _kept_outline(source: pikepdf.Pdf, new_page: dict[int, int],
                  page_index: dict[ObjGen, int]) -> list[Bookmark]:
    """Bookmarks on kept pages, at the same place on their page; a bookmark on a dropped page
    gives way to its children."""
    with source.open_outline() as outline:
        return _copy_items(outline.root, new_page, page_index)


def _copy_items(items, new_page: dict[int, int], page_index: dict[ObjGen, int]
                ) -> list[Bookmark]:
    copies: list[Bookmark] = []
    for item in items:
        children = _copy_items(item.children, new_page, page_index)
        destination = item.destination
        index = _destination_page(destination, page_index)
        if index not in new_page:
            copies += children
            continue
        assert index is not None
        left, top = _position(destination)
        copies.append(Bookmark(item.title, new_page[index], left, top, item.is_closed,
                               children))
    return copies


def _destination_page(destination: PdfObject, page_index: dict[ObjGen, int]) -> int | None:
    """The index of the page an explicit destination points at (None: a named one, or none)."""
    if isinstance(destination, pikepdf.Array) and len(destination) and \
            isinstance(destination[0], pikepdf.Dictionary):
        return page_index.get(destination[0].objgen)
    return None


def _position(destination: PdfObject) -> tuple[float | None, float | None]:
    """Where on the page an /XYZ destination points (left, top), as WeasyPrint writes them."""
    if len(destination) >= 4 and destination[1] == "/XYZ":
        return _coordinate(destination[2]), _coordinate(destination[3])
    return None, None


def _coordinate(value: PdfObject) -> float | None:
    return None if value is None else float(value)
