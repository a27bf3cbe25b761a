"""A PDF written to a file object by object, so that nothing but its cross-reference table is
held until the end: what the join streams its parts into (join.py).

qpdf (pikepdf) keeps the whole document it writes in memory until it is saved, which made the
joined pack's memory grow with the pack (~1.2 MB a page). Here objects are numbered as they are
first met, dictionaries and arrays go into compressed object streams of PER_OBJECT_STREAM, and
a cross-reference stream closes the file (PDF 1.5+), as WeasyPrint and qpdf write them.
"""

from __future__ import annotations

import hashlib
import zlib
from array import array
from typing import BinaryIO

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
PER_OBJECT_STREAM = 100

# The kinds of cross-reference entry (ISO 32000-1, 7.5.8.3).
FREE, AT_OFFSET, IN_OBJECT_STREAM = 0, 1, 2


class PdfWriter:
    """Objects are reserved (a number) and then added once, in any order; close() writes the
    cross-reference stream and the trailer. The file ID is the MD5 of what was written, so the
    same objects give the same bytes."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._offset = 0
        self._digest = hashlib.md5(usedforsecurity=False)
        # per object number: its entry's kind, then offset (or object stream), then index
        self._kinds = array("B", [FREE])
        self._where = array("Q", [0])
        self._index = array("L", [65535])
        self._pending: list[tuple[int, bytes]] = []
        self._write(HEADER)

    def reserve(self) -> int:
        self._kinds.append(FREE)
        self._where.append(0)
        self._index.append(0)
        return len(self._kinds) - 1

    def add(self, number: int, body: bytes) -> None:
        """A dictionary, array or other object that is not a stream, as PDF syntax."""
        self._pending.append((number, body))
        if len(self._pending) >= PER_OBJECT_STREAM:
            self._flush()

    def add_stream(self, number: int, dictionary: bytes, data: bytes) -> None:
        """A stream: its dictionary (whose /Length is len(data)) and its data as stored."""
        self._at(number)
        self._write(b"%d 0 obj\n%s\nstream\n" % (number, dictionary))
        self._write(data)
        self._write(b"\nendstream\nendobj\n")

    def close(self, root: int, info: int | None) -> None:
        self._flush()
        number = self.reserve()
        self._at(number)
        identifier = self._digest.hexdigest().encode()
        width = max(1, (max(self._where).bit_length() + 7) // 8)
        rows = b"".join(kind.to_bytes(1, "big") + where.to_bytes(width, "big") +
                        index.to_bytes(2, "big") for kind, where, index
                        in zip(self._kinds, self._where, self._index, strict=True))
        data = zlib.compress(rows)
        info_entry = b"" if info is None else b" /Info %d 0 R" % info
        self._write(b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 %d 2 ] /Root %d 0 R%s "
                    b"/ID [ <%s> <%s> ] /Filter /FlateDecode /Length %d >>\nstream\n"
                    % (number, len(self._kinds), width, root, info_entry, identifier,
                       identifier, len(data)))
        self._write(data)
        self._write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % self._where[number])

    def _flush(self) -> None:
        """The pending objects as one compressed object stream."""
        if not self._pending:
            return
        number = self.reserve()
        offsets, position = [], 0
        for index, (member, body) in enumerate(self._pending):
            offsets.append(b"%d %d" % (member, position))
            position += len(body) + 1
            self._kinds[member], self._where[member], self._index[member] = \
                IN_OBJECT_STREAM, number, index
        first = b" ".join(offsets) + b"\n"
        data = zlib.compress(first + b"\n".join(body for _, body in self._pending) + b"\n")
        dictionary = b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>" % (
            len(self._pending), len(first), len(data))
        self._pending = []
        self.add_stream(number, dictionary, data)

    def _at(self, number: int) -> None:
        self._kinds[number], self._where[number], self._index[number] = \
            AT_OFFSET, self._offset, 0

    def _write(self, data: bytes) -> None:
        self._target.write(data)
        self._digest.update(data)
        self._offset += len(data)
