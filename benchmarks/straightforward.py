"""The straightforward pipeline the goals are measured against (issue 7), on the same libraries:
a new pyplot figure per chart with tight_layout saved as PNG, one Jinja template, one write_pdf.

Usage: python straightforward.py PROJECT OUTPUT.pdf  → prints JSON stage times on stdout.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

started = time.perf_counter()
import jinja2  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from weasyprint import HTML  # noqa: E402

TEMPLATE = """<html><head><meta charset="utf-8"><title>{{ title }}</title><style>
@page { size: A4; margin: 15mm } body { font-family: sans-serif; font-size: 9pt }
.page { page-break-before: always } table { border-collapse: collapse }
td, th { border: 1px solid #999; padding: 2px 4px } img { width: 100% }
</style></head><body><h1>{{ title }}</h1>
{% for p in pages %}<div class="page"><h2>{{ p.title }}</h2>
<table><tr>{% for v in p.recent %}<td>{{ v }}</td>{% endfor %}</tr></table>
<h3>What's working well?</h3><p>{{ p.c1 }}</p><h3>What are we worried about?</h3><p>{{ p.c2 }}</p>
<h3>What are we doing about it?</h3><p>{{ p.c3 }}</p>
{% for img in p.images %}<img src="{{ img }}" alt="chart">{% endfor %}</div>{% endfor %}
</body></html>"""


def main(project: Path, output: Path) -> dict[str, float]:
    times = {"imports": time.perf_counter() - started}
    t = time.perf_counter()
    measures = pd.read_csv(project / "measures.csv", keep_default_na=False)
    values = pd.read_csv(project / "values.csv")
    commentary = pd.read_csv(project / "commentary.csv").set_index("page")
    charts = output.parent / "charts"
    charts.mkdir(exist_ok=True)
    pages: dict[str, dict] = {}
    for row in measures.itertuples():
        series = values[values.measure_id == row.id]
        figure = plt.figure(figsize=(7, 2.9))
        plt.plot(series.period, series.value, marker="o")
        plt.axhline(float(row.target), linestyle="--")
        plt.axhspan(float(row.tolerance_low), float(row.tolerance_high), alpha=0.3)
        plt.xticks(rotation=90, fontsize=6)
        plt.title(row.chart_title)
        plt.tight_layout()
        path = charts / f"{row.id}.png"
        figure.savefig(path, dpi=200)
        plt.close(figure)
        page = row.group or row.id
        text = commentary.loc[page]
        entry = pages.setdefault(page, {"title": "", "recent": [], "images": [],
                                        "c1": text.working_well, "c2": text.worried_about,
                                        "c3": text.doing_about_it})
        entry["title"] += f" {row.title}"
        entry["recent"] += list(series.value.tail(3))
        entry["images"].append(path.as_uri())
    times["charts"] = time.perf_counter() - t
    t = time.perf_counter()
    html = jinja2.Template(TEMPLATE).render(title="Straightforward", pages=list(pages.values()))
    document = HTML(string=html, base_url=str(project)).render()
    times["layout"] = time.perf_counter() - t
    t = time.perf_counter()
    document.write_pdf(output)
    times["write"] = time.perf_counter() - t
    times["pages"] = len(document.pages)
    return times


if __name__ == "__main__":
    result = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(result))  # noqa: T201
