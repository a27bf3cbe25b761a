"""A finished build → manifest.json: what was built, from what, with which ratings and warnings."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.assess import Assessment
from reportgen.load.tables import TABLE_FILES
from reportgen.problems import Problem
from reportgen.publish.spool import Body, sha256_of

MANIFEST_NAME = "manifest.json"
DOCUMENT_SUFFIXES = (".pdf", ".html")  # what a build publishes besides its manifest
INPUT_FOLDERS = ("templates", "styles", "assets")


def sha256(content: Body) -> str:
    return sha256_of(content)


def input_files(root: Path) -> list[Path]:
    """The files a build reads: config, tables, Markdown and the project's own assets."""
    names = ["report.toml", *TABLE_FILES]
    files = [root / n for n in names if (root / n).is_file()]
    files += sorted(root.glob("*.md"))
    for folder in INPUT_FOLDERS:
        files += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    return files


def previous_outputs(output_dir: Path, project: str) -> list[str]:
    """The files the output folder's manifest says an earlier build of the same project (by its
    folder's name) published; none when there is no such manifest or it is not one of ours."""
    try:
        manifest = json.loads((output_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(manifest, dict) or manifest.get("project") != project or \
            not isinstance(manifest.get("outputs"), dict):
        return []
    # only plain names of documents in the folder itself: an edited manifest naming report.toml
    # (an output folder may be the project's) or a path elsewhere is not followed
    return [name for name in manifest["outputs"] if isinstance(name, str)
            and name == Path(name).name and Path(name).suffix.lower() in DOCUMENT_SUFFIXES]


def make_manifest(root: Path, period: str, build_time: str, outputs: dict[str, tuple[Body, int]],
                  assessments: list[Assessment], warnings: list[Problem],
                  also_read: Sequence[Path] = (), queries: Mapping[str, str] | None = None,
                  tables: Mapping[str, str] | None = None,
                  publication: Mapping[str, str] | None = None) -> bytes:
    """outputs: file name → (content, page count; 0 for a file without pages).
    also_read: files outside the usual set (a `data` folder's tables, a paper's files).
    queries: [source]'s tables, each with the sha256 of its result set (never the URL).
    tables: the tables' files with their sha256, hashed where they were read (a national
    table, read by a batch's client; its areas' packs may be built where it is not).
    publication: file name → "public" or "exempt", for a committee paper's documents."""
    inputs = list(dict.fromkeys([*input_files(root), *also_read]))
    if queries or tables:  # the tables were read elsewhere: files lying beside were not read
        inputs = [p for p in inputs if p.name not in TABLE_FILES]
    read = {os.path.relpath(p, root): sha256(p.read_bytes()) for p in inputs}
    read.update(tables or {})
    read.update({f"query '{name}'": digest for name, digest in (queries or {}).items()})
    read = dict(sorted(read.items())) if tables else read
    manifest: dict[str, Any] = {
        "tool": "reportgen", "version": __version__, "project": root.name, "period": period,
        "build_time": build_time,
        "inputs": read,
        "outputs": {name: {"sha256": sha256(content), "pages": pages or None,
                           **({"publication": publication[name]}
                              if publication and name in publication else {})}
                    for name, (content, pages) in sorted(outputs.items())},
        "ratings": dict(sorted(Counter(a.rating for a in assessments).items())),
        "set_by_author": [{"measure_id": a.measure.id, "rating": a.rating,
                           "rule_rating": a.rule_rating, "note": a.observation.rating_note}
                          for a in assessments if a.rating_set_by == "author"],
        "warnings": [str(w) for w in warnings],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
