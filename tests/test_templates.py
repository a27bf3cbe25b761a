"""Templates: one search path (project first), autoescape, and only documented context fields."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2
import pytest

from reportgen.papers import config as paperconfig
from reportgen.papers import context as papercontext
from reportgen.papers import cover
from reportgen.pipeline import build_project as build
from reportgen.render import context
from reportgen.render.templates import template_environment, template_search_path
from reportgen.resources import default_templates_dir
from tests.conftest import pdf_text


def test_search_path_puts_the_project_first(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    assert template_search_path(tmp_path) == [tmp_path / "templates", default_templates_dir()]
    assert template_search_path(tmp_path / "none") == [default_templates_dir()]


def test_autoescape_and_strict_undefined_for_html_j2(tmp_path: Path) -> None:
    env = template_environment(None)
    template = env.from_string("{{ text }}")
    assert template.render(text="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ misspelt }}").render()


def test_project_template_overrides_and_extends_default(sample_copy: Path, tmp_path: Path) -> None:
    (sample_copy / "templates").mkdir()
    (sample_copy / "templates" / "title_page.html.j2").write_text(
        '<p class="banner">OFFICIAL – prepared for the Improvement Board</p>\n'
        '{% include "default:title_page.html.j2" %}\n')
    result = build(sample_copy, tmp_path)
    first = pdf_text(result.pdf)[0]
    assert "OFFICIAL – prepared for the Improvement Board" in first
    assert "Improvement Plan Report" in first


def _documented_fields() -> set[str]:
    names = {"paper"}  # the paper templates' PaperContext
    for module in (context, papercontext, paperconfig, cover):
        for item in vars(module).values():
            if dataclasses.is_dataclass(item):
                names |= {f.name for f in dataclasses.fields(item)}
    return names


def _names_used(source: str) -> set[str]:
    """Every variable and attribute name a template reads, from Jinja's own parse tree."""
    tree = template_environment(None).parse(source)
    names = {node.name for node in tree.find_all(jinja2.nodes.Name)}
    return names | {node.attr for node in tree.find_all(jinja2.nodes.Getattr)}


def test_templates_use_only_documented_fields() -> None:
    loop_names = {"priority", "page", "row", "box", "column", "cell", "chart", "note", "rating",
                  "appendix", "field", "heading", "recommendation", "section", "number", "text",
                  "line", "anchor", "loop", "first", "index", "index0", "length"}
    used = set()
    for template in default_templates_dir().glob("*.j2"):
        used |= _names_used(template.read_text())
    assert used - loop_names - _documented_fields() == set()
    assert {"priorities", "rows", "commentary", "alt"} <= used  # the scan does see fields
