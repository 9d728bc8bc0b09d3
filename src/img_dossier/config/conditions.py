"""Conditions of checklist items, rules, steps and notices (``when: {visa: [J-1]}``): the
variables they may test, the values those take, and how a condition is decided.

Strings compare with case, "&" for "and" and punctuation folded ("OB/GYN" is "obgyn").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..textfold import fold
from .profile import CANADA_STATUSES, PROVINCES, US_STATUSES, VISAS


class Errors(Protocol):
    """Where the loader collects what is wrong (``checklist._Errors``)."""

    messages: list[str]

    def add(self, where: str, what: str) -> None: ...


#: The profile variables a condition may test (Profile.conditions()) plus those verify
#: derives from the folder itself.
CONDITION_VARIABLES = frozenset(
    {
        "track",
        "visa",
        "ecfmg_certified",
        "language_exempt",
        "status",
        "province",
        "specialty",
        "school_language",
        "school_country",
        "needs_translation",
    }
)

#: The values a condition may name for variables with a fixed set (case-insensitive).
_CONDITION_CHOICES: dict[str, tuple[str, ...]] = {
    "visa": VISAS,
    "status": tuple(dict.fromkeys(US_STATUSES + CANADA_STATUSES)),
    "province": PROVINCES,
}
#: Variables that are true or false.
_CONDITION_BOOLS = frozenset({"ecfmg_certified", "language_exempt", "needs_translation"})


@dataclass(frozen=True)
class Condition:
    """``variable`` must (or, negated, must not) be one of ``values``."""

    variable: str
    values: tuple[Any, ...]
    negate: bool = False

    def decide(self, variables: Mapping[str, Any]) -> bool | None:
        """True/False when the variable is known, None when it is not."""
        value = variables.get(self.variable)
        if value is None:
            return None
        inside = any(_same(value, v) for v in self.values)
        return not inside if self.negate else inside

    def describe(self) -> str:
        shown = ", ".join(_show(v) for v in self.values)
        return f"{self.variable} {'is not' if self.negate else 'is'} {shown}"


def _fold_value(text: str) -> str:
    """Case, "&" for "and" and punctuation do not matter: "Obstetrics & Gynecology" is
    "obstetrics and gynecology", "OB/GYN" is "obgyn"."""
    return fold(text.replace("&", "and"), accents=True, words="joined")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return _fold_value(a) == _fold_value(b)
    return bool(a == b)


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def conditions(errs: Errors, where: str, raw_when: Any) -> list[Condition]:
    """One group of conditions (all must hold), validated."""
    when: list[Condition] = []
    if not isinstance(raw_when, Mapping):
        errs.add(f"{where}.when", f"must be a mapping such as {{visa: [J-1]}} (got {raw_when!r})")
        return when
    for var, spec in raw_when.items():
        if var not in CONDITION_VARIABLES:
            errs.add(
                f"{where}.when.{var}",
                f"unknown condition; expected one of: {', '.join(sorted(CONDITION_VARIABLES))}",
            )
            continue
        negate = False
        if isinstance(spec, Mapping) and set(spec) == {"not"}:
            negate, spec = True, spec["not"]
        values = spec if isinstance(spec, list) else [spec]
        if not values or not all(isinstance(v, str | bool | int) for v in values):
            errs.add(f"{where}.when.{var}", f"must be a value or a list of values (got {spec!r})")
            continue
        wrong = wrong_condition_value(str(var), values)
        if wrong:
            errs.add(f"{where}.when.{var}", wrong)
            continue
        when.append(Condition(str(var), tuple(values), negate))
    return when


def wrong_condition_value(variable: str, values: list[Any]) -> str | None:
    """Why the values of a condition can never match its variable; None when they can."""
    if variable in _CONDITION_BOOLS:
        bad = [v for v in values if not isinstance(v, bool)]
        if bad:
            return f"must be true or false (got {bad[0]!r})"
        return None
    choices = _CONDITION_CHOICES.get(variable)
    if choices is None:
        return None
    lowered = {c.lower() for c in choices}
    for v in values:
        if not isinstance(v, str) or v.lower() not in lowered:
            return f"unknown value {v!r}; expected one of: {', '.join(choices)}"
    return None
