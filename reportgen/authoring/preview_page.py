"""A preview's state → the page the browser shows: the last good HTML edition with a banner
(problems, the PDF link) and a reload script, both only in the served copy."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

# Polls /status; reloads when a new build (or new problems) is ready, says when one is under way.
RELOAD_SCRIPT = """<script>
(function () {
  var shown = %(version)d;
  var status = document.getElementById("reportgen-preview-status");
  function poll() {
    fetch("/status", {cache: "no-store"}).then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.version !== shown) { location.reload(); return; }
        status.textContent = s.building ? "Rebuilding the " + s.building + "…" : "";
        setTimeout(poll, 300);
      }, function () {
        status.textContent = "The preview server has stopped.";
        setTimeout(poll, 2000);
      });
  }
  setTimeout(poll, 300);
})();
</script>"""

BANNER_STYLE = ("font: 16px/1.4 'DejaVu Sans', sans-serif; padding: 0.5em 1em; "
                "border-bottom: 3px solid #005ea5; background: #f3f2f1; color: #0b0c0c")
ALERT_STYLE = "border-left: 5px solid #a4262c; padding: 0.25em 0.75em; margin: 0.5em 0"
EMPTY_PAGE = ('<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
              '<title>reportgen preview</title></head><body><main><p>{note}</p></main>'
              '</body></html>')


@dataclass
class PreviewState:
    """What the browser is shown; changed only by the builder, under the preview's lock."""

    project: str
    paper: bool = False
    version: int = 0  # bumped whenever the page would show something new
    html: bytes | None = None  # the last good HTML edition
    problems: list[str] = field(default_factory=list)  # the latest build's, as validate says
    failed: bool = False  # the latest build failed: the page below is an older one
    pdfs: dict[str, bytes] = field(default_factory=dict)  # of the latest build, once laid out
    pdf_problems: list[str] = field(default_factory=list)  # when the PDF alone failed
    building: str = ""  # "HTML edition", "PDF" or ""

    def status(self) -> bytes:
        return json.dumps({"version": self.version, "building": self.building,
                           "pdfs": sorted(self.pdfs)}).encode("utf-8")


def preview_page(state: PreviewState) -> bytes:
    """The HTML edition (or a bare page) with the banner after <body> and the script before
    </body>; the published file is never changed."""
    note = ("A committee paper has no HTML edition yet: its PDF is linked above."
            if state.paper else "No preview yet: the first build is under way or failed.")
    page = (state.html or EMPTY_PAGE.format(note=note).encode("utf-8")).decode("utf-8")
    opening = page.index(">", page.index("<body")) + 1
    closing = page.rindex("</body>")
    return (page[:opening] + banner(state) + page[opening:closing]
            + RELOAD_SCRIPT % {"version": state.version} + page[closing:]).encode("utf-8")


def banner(state: PreviewState) -> str:
    parts = [f'<div id="reportgen-preview" style="{BANNER_STYLE}">',
             (f"<p>Live preview of <strong>{escape(state.project)}</strong> (build "
             f"{state.version}) · {_pdf_links(state)} · "
             '<span id="reportgen-preview-status" role="status"></span></p>')]
    errors = state.failed and state.problems
    if errors:
        kept = "the page below is the last good build" if state.html else "nothing to show yet"
        parts.append(f'<section role="alert" style="{ALERT_STYLE}"><h2>The build failed; '
                     f"{kept}</h2>{_lines(state.problems)}</section>")
    elif state.pdf_problems:
        parts.append(f'<section role="alert" style="{ALERT_STYLE}"><h2>The PDF was not built'
                     f"</h2>{_lines(state.pdf_problems)}</section>")
    if state.problems and not errors:
        parts.append(f"<details><summary>{len(state.problems)} warning(s)</summary>"
                     f"{_lines(state.problems)}</details>")
    return "".join(parts) + "</div>"


def _pdf_links(state: PreviewState) -> str:
    if state.pdfs:
        return "PDF: " + ", ".join(f'<a href="/pdf/{escape(name)}">{escape(name)}</a>'
                                   for name in sorted(state.pdfs))
    if state.pdf_problems:
        return "PDF: not built"
    return "PDF: not ready yet" if not state.failed else "PDF: none for this build"


def _lines(lines: list[str]) -> str:
    return "<pre style=\"white-space: pre-wrap\">" + "\n".join(escape(x) for x in lines) + "</pre>"
