"""The streamed PDF writer's file reads back as written: objects in object streams, streams
as stored, a cross-reference stream, an ID that depends only on the content."""

from __future__ import annotations

import io
import zlib

import pikepdf

from reportgen.layout.pdfwriter import PER_OBJECT_STREAM, PdfWriter


def _written(count: int, text: bytes = b"(a \\(1 0 R\\) b)") -> bytes:
    """A one-page PDF whose page lists `count` small objects, each naming the next."""
    target = io.BytesIO()
    writer = PdfWriter(target)
    pages, page, catalog = writer.reserve(), writer.reserve(), writer.reserve()
    items = [writer.reserve() for _ in range(count)]
    for index, number in enumerate(items):
        after = b"%d 0 R" % items[index + 1] if index + 1 < count else b"null"
        writer.add(number, b"<< /Index %d /Next %s /Text %s >>" % (index, after, text))
    content = writer.reserve()
    data = zlib.compress(b"BT /F1 12 Tf ET")
    writer.add_stream(content, b"<< /Filter /FlateDecode /Length %d >>" % len(data), data)
    writer.add(page, b"<< /Type /Page /Parent %d 0 R /MediaBox [ 0 0 200 200 ] /Resources << >> "
                     b"/Contents %d 0 R "
                     b"/Items %d 0 R >>" % (pages, content, items[0]))
    writer.add(pages, b"<< /Type /Pages /Kids [ %d 0 R ] /Count 1 >>" % page)
    writer.add(catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
    writer.close(catalog, None)
    return target.getvalue()


def test_objects_read_back_across_object_streams() -> None:
    count = PER_OBJECT_STREAM * 2 + 7  # three object streams of them
    content = _written(count)
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf.check_pdf_syntax() == []
        [page] = pdf.pages
        item, seen = page.obj.Items, []
        while item is not None:
            seen.append(int(item.Index))
            assert bytes(item.Text) == b"a (1 0 R) b"  # a string is never renumbered
            item = item.get("/Next")
        assert seen == list(range(count))
        assert page.obj.Contents.read_bytes() == b"BT /F1 12 Tf ET"
    assert content.count(b"/Type /ObjStm") == 3


def test_the_same_objects_give_the_same_bytes_and_id() -> None:
    assert _written(10) == _written(10)
    with pikepdf.open(io.BytesIO(_written(10))) as one, \
            pikepdf.open(io.BytesIO(_written(10, b"(other)"))) as other:
        assert bytes(one.trailer.ID[0]) != bytes(other.trailer.ID[0])
