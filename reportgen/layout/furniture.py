"""Page furniture that depends on configuration → CSS: margins, protective marking, page labels.

Text from report.toml (the marking, the page prefix) enters the stylesheet only as CSS string
literals with every character but letters and digits escaped, so it stays text.
"""

from __future__ import annotations


def css_string(text: str) -> str:
    """A CSS string literal that shows `text` and can never end the string or the rule."""
    # Spaces are escaped too: CSS swallows one whitespace after a hex escape.
    return '"' + "".join(c if c.isalnum() else f"\\{ord(c):06x}" for c in text) + '"'


def furniture_css(margins: str, marking: str = "", page_prefix: str = "", header: str = ""
                  ) -> str:
    """marking: at the top and bottom of every page (the first page shows it as text, so not
    in its top margin too); page_prefix: "2." for an agenda pack's pages 2.1, 2.2 … and for
    the page numbers its contents list gives; header: the running header's text."""
    rules = [f"@page {{ margin: {margins}; }}"]  # margins are checked lengths (theme.py)
    if marking:
        shown = css_string(marking)
        rules.append("@page { "
                     f"@top-center {{ content: {shown}; font-weight: bold; font-size: 8pt; "
                     f"width: 22%; }} "
                     f"@bottom-center {{ content: {shown}; font-weight: bold; font-size: 8pt; }}"
                     " }")
        rules.append("@page :first { @top-center { content: none; } }")
    if page_prefix:
        prefix = css_string(page_prefix)
        rules.append(f"@page {{ @bottom-right {{ content: \"Page \" {prefix} counter(page) "
                     f"\" of \" {prefix} counter(pages); }} }}")
        rules.append(f".contents a::after {{ content: leader(\".\") {prefix} "
                     f"target-counter(attr(href), page); }}")
    if header:
        rules.append(f"@page {{ @top-left {{ content: {css_string(header)}; }} }}")
    return "\n".join(rules) + "\n"
