"""TOML tables → checked values, by one declarative schema: each key's kind, default, check, help.

report.toml (and its [rag], [charts]), the committee paper's [paper] and [[appendix]], and a
theme's theme.toml are all read with it. Every problem is reported at once, naming the key, what
was expected and what was found; an unknown key is a warning that suggests the closest known one
(an error, where the reader is strict, when there is a close one: a committee paper's keys).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reportgen.problems import Problems

Check = Callable[[Any], "str | None"]


def no_check(value: Any) -> str | None:
    return None


@dataclass(frozen=True)
class TextList:
    """A list of text; one text stands for a list of one."""


@dataclass(frozen=True)
class Table:
    """A table of keys with their options. `extra`: the option of any other key matching
    `extra_keys` (a theme's colours), else other keys are unknown."""

    options: Mapping[str, Option]
    extra: Option | None = None
    extra_keys: str = r".+"


@dataclass(frozen=True)
class Tables:
    """A list of tables of one schema, e.g. [[appendix]] or fields = [{label, value}, …]."""

    table: Table
    example: str = ""


Kind = type | tuple[type, ...] | TextList | Table | Tables


@dataclass(frozen=True)
class Option:
    """One key: its kind, its default, a check of its value and what it is for."""

    kind: Kind
    default: Any = None
    help: str = ""
    check: Check = no_check
    required: bool = False
    secret: bool = False  # may hold a password: a message never quotes it


def one_of(*choices: str) -> Check:
    return lambda value: None if value in choices else f"expected one of {', '.join(choices)}"


TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
              dt.date: "a date YYYY-MM-DD"}


@dataclass
class Reader:
    """Reads tables of one file, recording each problem against it."""

    file: str
    problems: Problems
    seen: list[str] = field(default_factory=list)
    strict: bool = False  # a key that looks misspelt is an error, not a warning

    def table(self, raw: Any, schema: Table, where: str = "") -> dict[str, Any]:
        """The table's values by key: defaults for missing or wrong ones."""
        if not isinstance(raw, dict):
            self.problems.error(self.file, f"'{where}' must be a table of keys, got {_cut(raw)}")
            raw = {}
        values = {key: self.value(raw.get(key), option, _name(where, key))
                  for key, option in schema.options.items()}
        for key in sorted(set(raw) - set(schema.options)):
            if schema.extra is not None and re.fullmatch(schema.extra_keys, key):
                values[key] = self.value(raw[key], schema.extra, _name(where, key))
            else:
                self.unknown(key, where, list(schema.options))
        return values

    def unknown(self, key: str, where: str, known: list[str]) -> None:
        names = [_name(where, k) for k in known]
        close = difflib.get_close_matches(_name(where, key), names, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else \
            f"; known keys: {', '.join(names)}" if names else ""
        if self.strict and close:  # e.g. a committee paper, whose words a lost key would change
            self.problems.error(self.file, f"unknown key '{_name(where, key)}'{hint} (a "
                                           f"misspelt key would change what is published)")
            return
        self.problems.warning(self.file, f"unknown key '{_name(where, key)}' is ignored{hint}")

    def value(self, value: Any, option: Option, name: str) -> Any:
        if value is None:
            if option.required:
                about = f" ({option.help})" if option.help else ""
                self.problems.error(self.file, f"'{name}' is required{about}")
            # A missing table whose default is a table ({}) still gives its keys' defaults.
            return self.table({}, option.kind, name) if isinstance(option.kind, Table) and \
                option.default is not None else option.default
        kind = option.kind
        if isinstance(kind, Table):
            return self.table(value, kind, name)
        if isinstance(kind, Tables):
            return self._tables(value, kind, name)
        checked = self._typed(value, kind, name)
        if checked is None:
            return option.default
        complaint = option.check(checked)
        if complaint:
            quoted = f" {_cut(value)}" if not option.secret else ""
            self.problems.error(self.file, f"'{name}' is{quoted} wrong: {complaint}"
                                if option.secret else f"'{name}' is{quoted}: {complaint}")
            return option.default
        return checked

    def _tables(self, value: Any, kind: Tables, name: str) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            example = f", e.g. {kind.example}" if kind.example else ""
            self.problems.error(self.file, f"'{name}' must be a list of tables{example}")
            return []
        return [self.table(item, kind.table, f"{name}[{index}]")
                for index, item in enumerate(value, start=1)]

    def _typed(self, value: Any, kind: type | tuple[type, ...] | TextList, name: str) -> Any:
        """The value as its kind, or None (with the problem recorded)."""
        if isinstance(kind, TextList):
            items = [value] if isinstance(value, str) else value
            if isinstance(items, list) and all(isinstance(i, str) for i in items):
                return tuple(items)
            self.problems.error(self.file, f"'{name}' must be a list of text, got {_cut(value)}")
            return None
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, str) and dt.date in kinds and _is_iso_date(value):
            return dt.date.fromisoformat(value)
        # TOML booleans are ints to Python, and dates may arrive as datetimes: be exact.
        wrong = (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds) \
            or (isinstance(value, dt.datetime) and dt.date in kinds)
        if wrong:
            expected = " or ".join(dict.fromkeys(TYPE_NAMES[k] for k in kinds
                                                 if k is not int or float not in kinds))
            self.problems.error(self.file, f"'{name}' must be {expected}, got {_cut(value)}")
            return None
        return float(value) if float in kinds and not isinstance(value, bool) else value


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _cut(value: Any, limit: int = 80) -> str:
    """A value as it is shown in a message: its repr, cut to a readable length."""
    shown = repr(value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"
