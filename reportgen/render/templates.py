"""The template context → HTML, through one template search path: the project's, then ours."""

from __future__ import annotations

import dataclasses
import functools
import traceback
from pathlib import Path

import jinja2

from reportgen.errors import InvalidInput
from reportgen.problems import Problem
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

    `{% extends "default:pack.html.j2" %}` reaches the shipped template from an override. One
    environment per search path, reused, so templates are compiled once per process.
    """
    return _environment(tuple(template_search_path(project)))


@functools.lru_cache(maxsize=16)
def _environment(search_path: tuple[Path, ...]) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader([str(p) for p in search_path]),
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(default_templates_dir()))},
                            delimiter=":"),
    ])
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, fields: dict[str, object], project: Path | None) -> str:
    """The named template rendered; a mistake in a template (a misspelt variable, a missing
    include, bad syntax) is an input error naming the template file and line."""
    try:
        return template_environment(project).get_template(name).render(**fields)
    except jinja2.TemplateError as error:
        raise InvalidInput([template_problem(error, project)]) from None


def render_pack(context: PackContext, project: Path | None) -> str:
    """The print edition (PDF) or, for context.edition == "html", the web edition."""
    name = WEB_TEMPLATE if context.edition == "html" else PACK_TEMPLATE
    return render_template(name, template_fields(context), project)


def template_fields(context: PackContext) -> dict[str, object]:
    # Fields are passed one level deep so templates read `priorities`, not `pack.priorities`.
    return {f.name: getattr(context, f.name) for f in dataclasses.fields(context)}


def template_problem(error: jinja2.TemplateError, project: Path | None) -> Problem:
    """Where the template went wrong, as its author knows it: the file, the line, the path."""
    filename, line = _template_location(error)
    searched = ", ".join(_shown(folder, project) for folder in template_search_path(project))
    what = error.message or type(error).__name__
    if isinstance(error, jinja2.TemplateNotFound | jinja2.TemplatesNotFound):
        what = f"template {error.message} was not found"
    elif isinstance(error, jinja2.TemplateSyntaxError):
        what = f"syntax error: {what}"
    where = _shown(Path(filename), project) if filename else "templates"
    return Problem(where, f"{what} (templates are looked up in: {searched})", line=line)


def _template_location(error: jinja2.TemplateError) -> tuple[str | None, int | None]:
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return error.filename, error.lineno
    # Jinja rewrites tracebacks so that frames inside a template carry its file and line.
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    return (frames[-1].filename, frames[-1].lineno) if frames else (None, None)


def _shown(path: Path, project: Path | None) -> str:
    """A project's file relative to the project; a shipped one as 'reportgen's templates/…'."""
    path = path.resolve()
    if project is not None and path.is_relative_to(project.resolve()):
        return str(path.relative_to(project.resolve()))
    shipped = default_templates_dir().resolve()
    if path.is_relative_to(shipped):
        return f"reportgen's templates/{path.relative_to(shipped)}".rstrip("/.")
    return str(path)
