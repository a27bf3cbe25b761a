"""The template context → HTML, through one template search path: the project's, then ours."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import jinja2

from reportgen.render.context import PackContext
from reportgen.resources import default_templates_dir

PACK_TEMPLATE = "pack.html.j2"
WEB_TEMPLATE = "pack_web.html.j2"


def template_search_path(project: Path | None) -> list[Path]:
    """Where templates are looked up, first match wins: the project's templates/, then ours."""
    folders = []
    if project is not None and (project / "templates").is_dir():
        folders.append(project / "templates")
    folders.append(default_templates_dir())
    return folders


def template_environment(project: Path | None) -> jinja2.Environment:
    """Autoescape on for every template (select_autoescape misses *.html.j2), strict undefined.

    `{% extends "default:pack.html.j2" %}` reaches the shipped template from an override.
    """
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(p) for p in template_search_path(project)]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_templates_dir()))},
                            delimiter=":"),
    ])
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render_pack(context: PackContext, project: Path | None) -> str:
    """The print edition (PDF) or, for context.edition == "html", the web edition."""
    name = WEB_TEMPLATE if context.edition == "html" else PACK_TEMPLATE
    return template_environment(project).get_template(name).render(**template_fields(context))


def template_fields(context: PackContext) -> dict[str, object]:
    # Fields are passed one level deep so templates read `priorities`, not `pack.priorities`.
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}
