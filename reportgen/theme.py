"""A theme folder (theme.toml + CSS) → the tokens that style both the pages and the charts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from reportgen.charts import ChartStyle
from reportgen.resources import default_styles_dir

DEFAULT_THEME = "default"


@dataclass(frozen=True)
class Theme:
    name: str
    folder: Path
    colours: dict[str, str]
    font_family: str

    def css(self, edition: str) -> str:
        """The tokens, common.css and the edition's own sheet: pack.css (print) or web.css."""
        sheet = self.folder / ("web.css" if edition == "html" else "pack.css")
        return "\n".join([self.css_variables(),
                          (self.folder / "common.css").read_text(encoding="utf-8"),
                          sheet.read_text(encoding="utf-8")])

    def css_variables(self) -> str:
        """The manifest's colours as CSS custom properties, so CSS and charts cannot drift."""
        lines = [f"  --{name.replace('_', '-')}: {value};" for name, value in
                 sorted(self.colours.items())]
        lines.append(f"  --font-family: {self.font_family};")
        return ":root {\n" + "\n".join(lines) + "\n}\n"

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
            grid=colours.get("grid", base.grid))


def load_theme(name: str = DEFAULT_THEME) -> Theme:
    folder = default_styles_dir() / name
    manifest = tomllib.loads((folder / "theme.toml").read_text(encoding="utf-8"))
    return Theme(name=name, folder=folder, colours=dict(manifest.get("colours", {})),
                 font_family=manifest.get("font_family", "'DejaVu Sans', sans-serif"))
