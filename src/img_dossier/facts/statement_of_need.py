"""The elements ECFMG requires of a J-1 Statement of Need, and which of them a text lacks.

The elements are data (``checklists/statement-of-need-elements.yaml``), shared by the
statement-of-need letter template and the content check of a signed Statement, so the two
can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import validated
from ..config.profile import read_yaml
from ..config.resources import data_dir
from ..errors import BadInputError
from ..patternstore import compile_kept
from ..textfold import fold as textfold

ELEMENTS_FILE = "statement-of-need-elements.yaml"

#: Placeholders a pattern may hold, replaced by the escaped, folded value.
PLACEHOLDERS = ("{specialty}", "{applicant_name}", "{country}")

#: What stands for {country} when no country is known: only the words "this country".
_NO_COUNTRY = r"this\s+country"

#: What stands for a placeholder whose value is unknown: some words, on one line of text.
_UNKNOWN = r"[^\W\d_][^.;:]{0,80}?"

_KEYS = {"id", "description", "patterns", "source", "checkable"}


@dataclass(frozen=True)
class Element:
    """One required element: any of ``patterns`` shows it in a letter's text."""

    id: str
    description: str
    patterns: tuple[str, ...]
    source: str
    checkable: bool = True


def fold(text: str) -> str:
    """Casefold, drop accents, join words hyphenated across lines, collapse white space."""
    return textfold(text, hyphenated_lines=True)


def _value_pattern(value: str | None) -> str:
    if value is None or not fold(value):
        return _UNKNOWN
    return r"\s+".join(re.escape(word) for word in fold(value).split(" "))


def _element(path: Path, index: int, raw: Any) -> Element:
    where = f"{path}: elements[{index}]"
    if not isinstance(raw, Mapping):
        raise BadInputError(f"{where}: must be a mapping with id, description, patterns, source")
    unknown = set(raw) - _KEYS
    if unknown:
        raise BadInputError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for key in ("id", "description", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise BadInputError(f"{where}.{key}: must be text")
    patterns = raw.get("patterns") or []
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise BadInputError(f"{where}.patterns: must be a list of regular expressions")
    for pattern in patterns:
        probe = pattern
        for placeholder in PLACEHOLDERS:
            probe = probe.replace(placeholder, "x")
        try:
            re.compile(probe)
        except re.error as exc:
            raise BadInputError(
                f"{where}.patterns: {pattern!r} is not a valid regex ({exc})"
            ) from None
    checkable = raw.get("checkable", True)
    if not isinstance(checkable, bool):
        raise BadInputError(f"{where}.checkable: must be true or false")
    if checkable and not patterns:
        raise BadInputError(f"{where}.patterns: a checkable element needs at least one pattern")
    return Element(
        id=raw["id"],
        description=raw["description"],
        patterns=tuple(patterns),
        source=raw["source"],
        checkable=checkable,
    )


@lru_cache(maxsize=4)
def _load(path: Path) -> tuple[Element, ...]:
    """The file's elements, kept validated between runs while it is unchanged (validated.py)."""

    def build() -> tuple[tuple[Element, ...], list[Path]]:
        data = read_yaml(path)
        if not isinstance(data, Mapping) or not isinstance(data.get("elements"), list):
            raise BadInputError(f"{path}: must hold a list of elements")
        return tuple(_element(path, i, raw) for i, raw in enumerate(data["elements"])), [path]

    elements = validated.cached("son-elements", str(path.resolve()), build, tuple)
    if not all(isinstance(e, Element) for e in elements):
        return build()[0]
    return elements


def load_elements(path: Path | None = None) -> list[Element]:
    """Every element of a Statement of Need, checkable or not, in the file's order."""
    return list(_load(path or data_dir("checklists") / ELEMENTS_FILE))


def _countries_pattern(countries: Sequence[str]) -> str:
    """Any of the countries' names (folded, escaped), or "this country" when none is known."""
    named = [_value_pattern(c) for c in countries if c and fold(c)]
    return "(?:" + "|".join([*named, _NO_COUNTRY]) + ")"


def present(
    element: Element,
    text: str,
    *,
    specialty: str | None,
    applicant_name: str | None,
    countries: Sequence[str] = (),
) -> bool:
    """Whether ``text`` shows ``element`` (an unknown specialty or name matches any words;
    {country} is one of ``countries`` or "this country")."""
    folded = fold(text)
    values = {"{specialty}": specialty, "{applicant_name}": applicant_name}
    for pattern in element.patterns:
        # the file's own patterns are compiled once for all runs; one with a placeholder
        # (the applicant's name, specialty, countries) is compiled afresh, kept nowhere
        applicants = any(placeholder in pattern for placeholder in PLACEHOLDERS)
        pattern = pattern.replace("{country}", _countries_pattern(countries))
        for placeholder, value in values.items():
            pattern = pattern.replace(placeholder, _value_pattern(value))
        flags = re.IGNORECASE | re.DOTALL
        compiled = re.compile(pattern, flags) if applicants else compile_kept(pattern, flags)
        if compiled.search(folded):
            return True
    return False


def missing_elements(
    text: str,
    *,
    specialty: str | None,
    applicant_name: str | None,
    path: Path | None = None,
    countries: Sequence[str] = (),
) -> list[Element]:
    """The checkable elements ``text`` lacks (letterhead, seal and language are for the eye)."""
    return [
        element
        for element in load_elements(path)
        if element.checkable
        and not present(
            element, text, specialty=specialty, applicant_name=applicant_name, countries=countries
        )
    ]
