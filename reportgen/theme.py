"""A theme folder (theme.toml + CSS + logo) → the tokens that style both the pages and the charts.

A theme is looked up piece by piece: each file comes from the project's styles/<theme>/ if it
has one, else from our styles/<theme>/, else from our default theme. theme.toml is layered the
same way, key by key, so a council's theme may change a few colours and nothing else.
"""

from __future__ import annotations

import mimetypes
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from reportgen.charts.style import ChartStyle
from reportgen.config.options import Option, Reader, Table
from reportgen.config.report import CONFIG_FILE
from reportgen.errors import InvalidInput
from reportgen.images import image_complaint
from reportgen.problems import Problem, Problems
from reportgen.resources import data_uri, default_styles_dir

DEFAULT_THEME = "default"
MANIFEST = "theme.toml"
# Open fonts we can rely on: matplotlib ships them (and draws the charts with them).
BUNDLED_FONTS = {
    "DejaVu Sans": {("normal", "normal"): "DejaVuSans.ttf",
                    ("bold", "normal"): "DejaVuSans-Bold.ttf",
                    ("normal", "italic"): "DejaVuSans-Oblique.ttf",
                    ("bold", "italic"): "DejaVuSans-BoldOblique.ttf"},
    "DejaVu Serif": {("normal", "normal"): "DejaVuSerif.ttf",
                     ("bold", "normal"): "DejaVuSerif-Bold.ttf",
                     ("normal", "italic"): "DejaVuSerif-Italic.ttf",
                     ("bold", "italic"): "DejaVuSerif-BoldItalic.ttf"},
}
MARK_FONT = "DejaVu Sans"  # has every rating mark; DejaVu Serif lacks ✔ and ✖
FALLBACK_FONTS = "'Noto Sans Symbols2', 'Noto Sans Symbols'"
MAX_LOGO_BYTES = 2_000_000
LOGO_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
_LENGTHS = re.compile(r"(\d+(\.\d+)?(mm|cm|pt|in)\s*){1,4}")


@cache
def bundled_fonts_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass(frozen=True)
class Theme:
    name: str
    folders: tuple[Path, ...]  # where its files are looked for, first match wins
    colours: dict[str, str]
    font: str  # a bundled family, used for body text and charts
    heading_font: str
    margins: str  # the page margins, CSS lengths
    logo: Path | None
    logo_alt: str
    warnings: tuple[Problem, ...] = ()  # unknown keys in theme.toml files

    def sheet(self, name: str) -> str:
        """A style sheet cascaded like CSS itself: the default theme's rules, then this theme's,
        then the project's, so each needs only the rules that differ."""
        return "\n".join((folder / name).read_text(encoding="utf-8")
                         for folder in reversed(self.folders) if (folder / name).is_file())

    def css(self, edition: str, extra_sheets: tuple[str, ...] = ()) -> str:
        """Tokens and fonts, common.css, the edition's sheet (pack.css or web.css), then any
        sheets a kind of document adds (paper.css for a committee paper)."""
        sheets = ["common.css", "web.css" if edition == "html" else "pack.css", *extra_sheets]
        # The web page stays self-contained: it names the fonts instead of linking their files.
        fonts = self.font_faces() if edition == "pdf" else ""
        return "\n".join([self.css_variables(edition), fonts,
                          *(self.sheet(name) for name in sheets)])

    def css_variables(self, edition: str = "pdf") -> str:
        """The manifest's colours as CSS custom properties, so CSS and charts cannot drift."""
        lines = [f"  --{name.replace('_', '-')}: {value};" for name, value in
                 sorted(self.colours.items())]
        bundled = "reportgen " if edition == "pdf" else ""
        # The rating marks (✔ ◆ ✖ ○) are in DejaVu Sans, not DejaVu Serif: always that.
        for variable, family in (("font-family", self.font),
                                 ("heading-font-family", self.heading_font),
                                 ("mark-font-family", MARK_FONT)):
            generic = "serif" if "Serif" in family else "sans-serif"
            lines.append(f"  --{variable}: '{bundled}{family}', {FALLBACK_FONTS}, {generic};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

    def font_faces(self) -> str:
        """@font-face rules for the bundled fonts, under our own names so that no font of the
        machine's can stand in for them."""
        rules = []
        for family in dict.fromkeys([self.font, self.heading_font, MARK_FONT]):
            for (weight, style), file in BUNDLED_FONTS[family].items():
                uri = (bundled_fonts_dir() / file).as_uri()
                rules.append(f"@font-face {{ font-family: 'reportgen {family}'; src: "
                             f"url('{uri}'); font-weight: {weight}; font-style: {style}; }}")
        return "\n".join(rules) + "\n"

    def chart_style(self) -> ChartStyle:
        colours = self.colours
        base = ChartStyle()
        return ChartStyle(
            series=colours.get("series", base.series),
            target=colours.get("target", base.target),
            band=colours.get("band", base.band),
            milestone=colours.get("milestone", base.milestone),
            comparators=tuple(colours[k] for k in sorted(colours) if k.startswith("comparator"))
            or base.comparators,
            text=colours.get("text", base.text),
            grid=colours.get("grid", base.grid),
            font=self.font)

    @property
    def logo_uri(self) -> str:
        """The logo as a data: URI, so that the HTML edition stays one self-contained file."""
        if self.logo is None:
            return ""
        mime = mimetypes.guess_type(self.logo.name)[0] or "application/octet-stream"
        return data_uri(self.logo.read_bytes(), mime)


def theme_folders(name: str, project: Path | None) -> tuple[Path, ...]:
    shipped = default_styles_dir()
    candidates = [project / "styles" / name if project else None, shipped / name,
                  shipped / DEFAULT_THEME]
    return tuple(dict.fromkeys(f for f in candidates if f is not None and f.is_dir()))


def _bundled_font(value: str) -> str | None:
    return None if value in BUNDLED_FONTS else \
        f"expected one of the bundled fonts {', '.join(BUNDLED_FONTS)}"


def _lengths(value: str) -> str | None:
    return None if _LENGTHS.fullmatch(value.strip()) else \
        "expected 1 to 4 lengths such as '18mm 14mm'"


def _colour(value: str) -> str | None:
    return None if re.fullmatch(r"#[0-9a-fA-F]{6}", value) else "expected a colour as #rrggbb"


COLOURS = ("text", "muted", "accent", "accent_light", "border", "series", "target", "band",
           "milestone", "grid", "rag_red", "rag_amber", "rag_green", "rag_none")
SCHEMA = Table({
    "name": Option(str, "", "the theme's name, for people"),
    "font": Option(Table({
        "family": Option(str, "DejaVu Sans", "body text and charts", _bundled_font),
        "heading_family": Option(str, None, "headings (default: the family)", _bundled_font),
    }), {}),
    "page": Option(Table({"margins": Option(str, "18mm 14mm 16mm 14mm", check=_lengths)}), {}),
    "logo": Option(Table({"file": Option(str, ""), "alt": Option(str, "")}), {}),
    "colours": Option(Table({name: Option(str, None, check=_colour) for name in COLOURS},
                            extra=Option(str, None, check=_colour),
                            extra_keys=r"comparator_\d+"), {}),
})


def load_theme(name: str = DEFAULT_THEME, project: Path | None = None) -> Theme:
    """The theme `name`, from the project's styles/ first; InvalidInput names what is wrong."""
    folders = theme_folders(name, project)
    if name != DEFAULT_THEME and folders[0].name != name:
        raise InvalidInput([Problem(CONFIG_FILE, f"'theme' is {name!r}: there is no folder "
                                    f"styles/{name}/ in the project or among the shipped "
                                    f"themes ({', '.join(shipped_themes())})")])
    problems = Problems()
    manifest: dict[str, Any] = {}
    for folder in reversed(folders):  # the default first, the project's last
        if (folder / MANIFEST).is_file():
            label = _label(folder / MANIFEST, project)
            own = _read_manifest(folder / MANIFEST, label, problems)
            Reader(label, problems).table(own, SCHEMA)  # each file's own mistakes, named
            manifest = {**manifest, **own, **{k: {**manifest.get(k, {}), **v}
                                             for k, v in own.items() if isinstance(v, dict)}}
    if problems.errors:
        raise InvalidInput(problems.items)
    values = Reader("", Problems()).table(manifest, SCHEMA)  # checked above: the defaults
    return _theme(name, folders, values, _label(folders[0] / MANIFEST, project), problems)


def _label(path: Path, project: Path | None) -> str:
    """A theme file as its author knows it: in the project, or among the shipped themes."""
    if project is not None and path.resolve().is_relative_to(project.resolve()):
        return str(path.resolve().relative_to(project.resolve()))
    return f"reportgen's styles/{path.parent.name}/{path.name}"


def _read_manifest(path: Path, label: str, problems: Problems) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problems.error(label, f"not valid UTF-8 TOML: {error}")
    return {}


def shipped_themes() -> list[str]:
    return sorted(p.name for p in default_styles_dir().iterdir() if (p / MANIFEST).is_file())


def _theme(name: str, folders: tuple[Path, ...], values: dict[str, Any], label: str,
           warnings: Problems) -> Theme:
    problems = Problems()
    logo_settings = values["logo"]
    logo = find_logo(logo_settings["file"], folders, label, problems) \
        if logo_settings["file"] else None
    if logo is not None and not logo_settings["alt"].strip():
        problems.error(label, "'logo.alt' is required with a logo: the text a screen reader "
                              "reads for it, e.g. the council's name")
    if problems.errors:
        raise InvalidInput(problems.items)
    font = values["font"]
    colours = {k: v for k, v in values["colours"].items() if v is not None}
    return Theme(name=name, folders=folders, colours=colours, font=font["family"],
                 heading_font=font["heading_family"] or font["family"],
                 margins=values["page"]["margins"].strip(), logo=logo,
                 logo_alt=logo_settings["alt"], warnings=tuple(warnings.warnings))


def find_logo(name: str, folders: tuple[Path, ...], label: str, problems: Problems
              ) -> Path | None:
    """The logo file in the theme's folders: inside one of them once links are followed, an
    image by its suffix, small, and of a sane number of pixels."""
    shown = f"'logo.file' is {name[:80]!r}"
    if Path(name).suffix.lower() not in LOGO_SUFFIXES:
        problems.error(label, f"{shown}: expected an image file ({', '.join(LOGO_SUFFIXES)})")
        return None
    for folder in folders:
        path = (folder / name).resolve()
        if not path.is_relative_to(folder.resolve()):
            problems.error(label, f"{shown}: expected a file inside the theme folder")
            return None
        if path.is_file():
            return path if _usable_logo(path, shown, label, problems) else None
    problems.error(label, f"{shown}: no such file in the theme folder")
    return None


def _usable_logo(path: Path, shown: str, label: str, problems: Problems) -> bool:
    if path.stat().st_size > MAX_LOGO_BYTES:
        problems.error(label, f"{shown}: over {MAX_LOGO_BYTES:,} bytes; a logo is small")
        return False
    complaint = image_complaint(path.read_bytes(), path.suffix.lower())
    if complaint:
        problems.error(label, f"{shown}: {complaint}")
    return not complaint
