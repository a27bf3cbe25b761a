"""The straightforward pipeline the goals are measured against (issue 7), on the same libraries
and the same pages: reportgen's own loading, ratings, templates and styles, but a new pyplot
figure per chart with tight_layout saved as PNG, one Jinja render, one WeasyPrint write_pdf
(no PDF/UA tagging, no cache, one process).

Usage: python straightforward.py PROJECT OUTPUT.pdf  → prints JSON stage times on stdout.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import time
from pathlib import Path

started = time.perf_counter()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from weasyprint import HTML  # noqa: E402

from reportgen.assess import assess  # noqa: E402
from reportgen.charts.describe import describe_chart  # noqa: E402
from reportgen.charts.spec import chart_specs  # noqa: E402
from reportgen.load.project import load_project  # noqa: E402
from reportgen.render.context import Chart, pack_context  # noqa: E402
from reportgen.render.templates import render_pack  # noqa: E402
from reportgen.theme import load_theme  # noqa: E402


def pyplot_png(spec) -> bytes:
    figure = plt.figure(figsize=(7, 2.9))
    xs = range(len(spec.months))
    plt.plot(xs, [float("nan") if v is None else v for v in spec.values], marker="o",
             label=spec.measure_title)
    if spec.target is not None:
        plt.axhline(spec.target, linestyle="--", label=spec.target_label)
    if spec.band_low is not None and spec.band_high is not None:
        plt.axhspan(spec.band_low, spec.band_high, alpha=0.3, label="Tolerance")
    for comparator in spec.comparators:
        plt.axhline(comparator.value, linestyle=":", label=comparator.name)
    plt.xticks(list(xs), [m.short for m in spec.months], fontsize=7)
    plt.title(spec.title)
    plt.legend(fontsize=7)
    plt.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=200)
    plt.close(figure)
    return buffer.getvalue()


def main(root: Path, output: Path) -> dict[str, float]:
    times = {"imports": time.perf_counter() - started}
    t = time.perf_counter()
    project = load_project(root)
    assessments = assess(project.data, project.period, project.config.default_tolerance)
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    charts = {}
    for assessment, spec in zip(assessments, chart_specs(project.data, assessments,
                                                         project.config), strict=True):
        src = "data:image/png;base64," + base64.b64encode(pyplot_png(spec)).decode()
        charts[assessment.measure.id] = Chart(src=src, alt=describe_chart(spec), title=spec.title)
    times["charts"] = time.perf_counter() - t
    t = time.perf_counter()
    theme = load_theme()
    html = render_pack(pack_context(project.config, project.data, assessments, charts,
                                    theme.css("pdf"), "2023-01-01T00:00:00+00:00"), root)
    times["render"] = time.perf_counter() - t
    t = time.perf_counter()
    document = HTML(string=html, base_url=str(root)).render()
    times["layout"] = time.perf_counter() - t
    t = time.perf_counter()
    document.write_pdf(output)
    times["write"] = time.perf_counter() - t
    times["pages"] = len(document.pages)
    return times


if __name__ == "__main__":
    result = main(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(result))
