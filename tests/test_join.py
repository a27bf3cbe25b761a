"""Joining parts keeps their link targets as the links name them: a named destination's key is
carried over byte for byte (a non-ASCII id, UTF-16 in the part, is not re-encoded) and the
joined name tree is in the order qpdf checks (its keys' text)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from reportgen.layout.join import PartPdf, join_parts_to_bytes
from reportgen.layout.pdf import html_to_pdf
from reportgen.publish.spool import bytes_of

IDS = ["zebra", "café-été", "Äpfel", "alpha"]


def _part(tmp_path: Path, title: str) -> bytes:
    links = "".join(f'<li><a href="#{i}">to {i}</a></li>' for i in IDS)
    targets = "".join(f'<h2 id="{i}" style="break-before: page">{i}</h2>' for i in IDS)
    html = (f'<html lang="en-GB"><head><title>{title}</title></head><body><h1>{title}</h1>'
            f"<ul>{links}</ul>{targets}</body></html>")
    return bytes_of(html_to_pdf(html, tmp_path, [tmp_path]).content)


def test_link_targets_keep_their_bytes_in_a_sorted_tree(tmp_path: Path) -> None:
    first, second = _part(tmp_path, "First"), _part(tmp_path, "Second")
    joined = join_parts_to_bytes([PartPdf(lambda: first, 0, 5), PartPdf(lambda: second, 1, 5)])
    with pikepdf.open(io.BytesIO(joined)) as pdf:
        assert pdf.check_pdf_syntax() == []
        names = pdf.Root.Names.Dests.Names
        keys = [bytes(names[i]) for i in range(0, len(names), 2)]
        assert len(keys) == len(IDS)
        assert [str(names[i]) for i in range(0, len(names), 2)] == sorted(IDS)
        dests = dict(zip(keys, [names[i] for i in range(1, len(names), 2)], strict=True))
        page_index = {page.objgen: n for n, page in enumerate(pdf.pages)}
        links = [annotation for annotation in pdf.pages[0].obj.Annots
                 if annotation.get("/Subtype") == "/Link"]
        assert len(links) == len(IDS)
        for link, ident in zip(links, IDS, strict=True):
            # each link's name is a key of the tree, byte for byte, and leads to its heading
            # (the first part's, on its pages 1-4 here)
            target = page_index[dests[bytes(link.Dest)][0].objgen]
            assert target == IDS.index(ident) + 1
