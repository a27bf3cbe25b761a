"""reportgen serve at N measures: from saving a commentary cell to the new HTML being served, and
the PDF rebuilt in the warm server against a cold build (a new process, an empty folder).

    .venv/bin/python benchmarks/preview.py [--measures 40] [--repeat 5]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import make_project  # noqa: E402

from reportgen.authoring.serve import Preview  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measures", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        project = make_project(folder / "project", args.measures)
        cold = _cold_pdf(project, folder / "cold")
        with Preview(project) as preview:
            started = time.perf_counter()
            _poll(preview, lambda s: bool(s["pdfs"]))
            first = time.perf_counter() - started
            served, pdf = [], []
            for round_ in range(args.repeat):
                served.append(_edit_until_served(preview, project, f"Edited in round {round_}."))
                pdf.append(_pdf_rebuild(preview))
    print(f"{args.measures} measures; medians of {args.repeat}; seconds")
    print(f"first preview (HTML, then PDF, cold caches): {first:.2f}")
    print(f"save → new HTML served: {statistics.median(served):.3f} "
          f"(all: {', '.join(f'{s:.3f}' for s in served)})")
    print(f"PDF rebuilt in the server after a commentary edit: {statistics.median(pdf):.2f} "
          f"(all: {', '.join(f'{s:.2f}' for s in pdf)})")
    print(f"cold PDF build (new process, empty folder): {cold:.2f}; "
          f"ratio {statistics.median(pdf) / cold:.2f}")


def _cold_pdf(project: Path, output: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", "-q", "build", str(project), "-o",
                    str(output), "--format", "pdf"], check=True)
    return time.perf_counter() - started


def _edit_until_served(preview: Preview, project: Path, text: str) -> float:
    """Seconds from the file's save to a page holding the new text."""
    version = _status(preview)["version"]
    path = project / "commentary.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][2] = text
    started = time.perf_counter()
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)
    _poll(preview, lambda s: s["version"] > version, step=0.005)
    with urllib.request.urlopen(preview.url, timeout=10) as response:
        assert text in response.read().decode("utf-8")
    return time.perf_counter() - started


def _pdf_rebuild(preview: Preview) -> float:
    """Seconds the PDF build took (from the server saying it started to the link)."""
    _poll(preview, lambda s: s["building"] == "PDF", step=0.005)
    started = time.perf_counter()
    _poll(preview, lambda s: bool(s["pdfs"]), step=0.005)
    return time.perf_counter() - started


def _status(preview: Preview) -> dict:
    with urllib.request.urlopen(preview.url + "status", timeout=10) as response:
        return json.load(response)


def _poll(preview: Preview, done, step: float = 0.05, limit: float = 300) -> None:
    deadline = time.monotonic() + limit
    while not done(_status(preview)):
        if time.monotonic() > deadline:
            raise TimeoutError("the preview did not get there")
        time.sleep(step)


if __name__ == "__main__":
    main()
