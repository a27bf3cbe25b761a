"""Extensions: packages that give a project folder another kind of build (the committee paper).

The core never imports an extension's code: each is named here with the report.toml sections it
owns, and imported by name only when a project's report.toml has one of them. An extension's
module provides `build(options) -> BuildResult` and `check(options) -> (checked, Problems)`.
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from types import ModuleType

from reportgen.config.report import CONFIG_FILE

# module → the top-level report.toml keys it owns
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "reportgen.papers.extension": ("paper", "appendix"),
}


def extension_sections() -> tuple[str, ...]:
    """Every report.toml key an extension owns: the core neither checks nor warns about them."""
    return tuple(key for keys in EXTENSIONS.values() for key in keys)


def extension_for(project: Path) -> ModuleType | None:
    """The extension whose section the project's report.toml has, else None (the pack).
    A report.toml that cannot be read is the core's to report."""
    try:
        raw = tomllib.loads((project / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    for module, keys in EXTENSIONS.items():
        if any(key in raw for key in keys):
            return importlib.import_module(module)
    return None
