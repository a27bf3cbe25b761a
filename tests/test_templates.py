"""Templates: one search path (project first), autoescape, and only documented context fields."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import jinja2
import pytest

from reportgen.papers import config as paperconfig
from reportgen.papers import context as papercontext
from reportgen.papers import cover, frontsheet
from reportgen.pipeline import build_project as build
from reportgen.render import context, pack_pages
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
    for module in (context, pack_pages, papercontext, paperconfig, cover, frontsheet):
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
                  "line", "anchor", "loop", "first", "index", "index0", "length",
                  "table_pages"}
    used = set()
    for template in default_templates_dir().glob("*.j2"):
        used |= _names_used(template.read_text())
    assert used - loop_names - _documented_fields() == set()
    assert {"priorities", "rows", "commentary", "alt"} <= used  # the scan does see fields


@pytest.mark.parametrize(("template", "expected"), [
    ('<p>{{ misspelt_title }}</p>\n{% include "default:title_page.html.j2" %}\n',
     "templates/title_page.html.j2, line 1: error: 'misspelt_title' is undefined"),
    ('{% include "default:title_page.html.j2" %}\n\n{% include "no_such_part.html.j2" %}\n',
     "templates/title_page.html.j2, line 3: error: template no_such_part.html.j2 was not found"),
    ('{% include "default:title_page.html.j2" %}\n{% if title %}\n',
     "templates/title_page.html.j2, line 2: error: syntax error: Unexpected end of template"),
])
def test_a_template_mistake_is_an_input_error_in_validate_and_build(
        sample_copy: Path, tmp_path: Path, template: str, expected: str) -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli

    (sample_copy / "templates").mkdir()
    (sample_copy / "templates" / "title_page.html.j2").write_text(template)
    for command in (["validate", str(sample_copy)],
                    ["build", str(sample_copy), "-o", str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 65, result.output
        assert expected in result.output
        assert "templates are looked up in: templates, reportgen's templates" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out" / "improvement-plan-report-2023-06.pdf").exists()


def test_a_mistake_in_a_paper_template_is_found_by_validate(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportgen.cli import cli
    from tests.conftest import REPO

    paper = tmp_path / "papers" / "nelc"
    shutil.copytree(REPO / "sample_papers" / "nelc-scrutiny", paper)
    shutil.copytree(REPO / "sample_data", tmp_path / "sample_data")
    (paper / "templates").mkdir()
    (paper / "templates" / "paper_cover.html.j2").write_text(
        '{% include "default:paper_cover.html.j2" %}\n<p>{{ paper.comittee }}</p>\n')
    result = CliRunner().invoke(cli, ["validate", str(paper)])
    assert result.exit_code == 65, result.output
    assert "templates/paper_cover.html.j2, line 2: error:" in result.output
    assert "has no attribute 'comittee'" in result.output


def test_rendered_html_matches_the_golden_files() -> None:
    """The sample pack (both editions) and the scrutiny paper render as the committed golden
    files; after a deliberate template change, `make golden` writes them anew (review the diff)."""
    from tests.golden import GOLDEN, rendered

    pages = rendered()
    assert sorted(pages) == sorted(p.name for p in GOLDEN.glob("*.html"))
    for name, html in pages.items():
        assert html == (GOLDEN / name).read_text(encoding="utf-8"), \
            f"{name} differs from tests/golden/{name}; run `make golden` if the change is meant"
