"""A page's stylesheets → the absurd sizes in them (@page size, font-size), found before layout.

WeasyPrint lays out whatever it is given: `@page { size: 100000cm }` ran for minutes and grew
past 8 GB, `html { font-size: 1e9px }` divides by zero. Sizes written as plain lengths are
cheap to check here; anything subtler (var(), calc(), a template's style attribute) is left to
the layout's own limits (limits.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2

from reportgen.errors import InvalidInput
from reportgen.problems import Problem

MAX_PAGE_METRES = 2.0  # A0 is 0.84 × 1.19 m; no printer or PDF viewer wants more
MAX_FONT_POINTS = 500.0  # a 7-inch letter; a title page's largest type is ~40 pt
POINTS = {"pt": 1.0, "px": 0.75, "pc": 12.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4,
          "q": 72 / 101.6}
# Relative units, taken against the 12 pt (16 px) default and an A4 page, near enough to tell
# an absurd size from a large one.
RELATIVE_POINTS = {"em": 12.0, "rem": 12.0, "ex": 6.0, "ch": 6.0, "vw": 5.95, "vh": 8.42,
                   "vmin": 5.95, "vmax": 8.42}
POINTS_PER_METRE = 72 / 0.0254
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
SHOWN = 80  # characters of a declaration quoted in a message
IN_TEMPLATES = "a <style> in the project's templates"


def refuse_absurd_sizes(html: str, project: Path) -> None:
    """InvalidInput naming each absurd size in the page's stylesheets, before layout."""
    problems = check_page_sizes(html, project)
    if problems:
        raise InvalidInput(problems)


def check_page_sizes(html: str, project: Path) -> list[Problem]:
    """The absurd sizes in the page's <style> elements, each named by the project stylesheet
    that holds it (styles/<theme>/pack.css), else as the templates'."""
    found = [finding for css in STYLE_ELEMENT.findall(html) for finding in absurd_sizes(css)]
    if not found:
        return []
    by_file = {_name(path, project): absurd_sizes(_read(path))
               for path in sorted((project / "styles").rglob("*.css"))}
    problems = []
    for declaration, message in dict(found).items():
        files = [name for name, own in by_file.items() if declaration in dict(own)]
        problems += [Problem(name, message) for name in files or [IN_TEMPLATES]]
    return problems


def absurd_sizes(css: str) -> list[tuple[str, str]]:
    """(declaration, what is wrong with it) for every absurd size in the stylesheet."""
    return list(_in_rules(tinycss2.parse_stylesheet(css, skip_comments=True,
                                                    skip_whitespace=True), page=False))


def _in_rules(rules, page: bool):
    for rule in rules:
        if rule.type == "at-rule" and rule.content is not None:
            if rule.lower_at_keyword == "page" or page:  # @page and its margin boxes
                yield from _in_declarations(rule.content, page=True)
            elif rule.lower_at_keyword != "font-face":
                yield from _in_rules(tinycss2.parse_rule_list(
                    rule.content, skip_comments=True, skip_whitespace=True), page=False)
        elif rule.type == "qualified-rule":
            yield from _in_declarations(rule.content, page=False)


def _in_declarations(content, page: bool):
    items = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
    for item in items:
        if item.type == "declaration":
            yield from _absurd(item, page)
        elif item.type in ("at-rule", "qualified-rule"):  # margin boxes; nested CSS rules
            yield from _in_rules([item], page)


def _absurd(declaration, page: bool):
    name = declaration.lower_name
    shown = f"{name}: {tinycss2.serialize(declaration.value).strip()}"[:SHOWN]
    if page and name == "size":
        for points in _lengths(declaration.value, relative=False):
            if points > MAX_PAGE_METRES * POINTS_PER_METRE:
                yield shown, (f"'@page {{ {shown} }}' makes a page "
                              f"{_number(points / POINTS_PER_METRE)} m wide or high; a page may be "
                              f"at most {MAX_PAGE_METRES:g} m")
    elif name in ("font-size", "font"):
        for points in _lengths(_before_slash(declaration.value), relative=True):
            if points > MAX_FONT_POINTS:
                yield shown, (f"'{shown}' is a font {_number(points)} pt high; text may be at most "
                              f"{MAX_FONT_POINTS:g} pt")


def _lengths(tokens, relative: bool):
    """Each length among the tokens, in points (relative ones only when asked)."""
    for token in tokens:
        if token.type == "dimension":
            unit = token.lower_unit
            scale = POINTS.get(unit) or (RELATIVE_POINTS.get(unit) if relative else None)
            if scale is not None:
                yield abs(token.value) * scale
        elif token.type == "percentage" and relative:
            yield abs(token.value) * 0.12


def _before_slash(tokens) -> list:
    """The `font` shorthand's size comes before its `/ line-height`."""
    before = []
    for token in tokens:
        if token.type == "literal" and token.value == "/":
            break
        before.append(token)
    return before


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _name(path: Path, project: Path) -> str:
    return path.relative_to(project).as_posix()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
