"""Conditions of checklist items, rules, steps and notices (``when: {visa: [J-1]}``): the
variables they may test, the values those take, and how a condition is decided.

Strings compare with case, "&" for "and" and punctuation folded ("OB/GYN" is "obgyn").
Which variables and values a condition may name is the model's (``rule_models.Conditions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..textfold import fold


def __getattr__(name: str) -> Any:
    """``CONDITION_VARIABLES``: the variables a condition may test (Profile.conditions() plus
    those verify derives from the folder itself), the fields of the conditions' model; read
    from the model on first use, so that a run with validated checklists imports no pydantic."""
    if name == "CONDITION_VARIABLES":
        from .rule_models import CONDITION_VARIABLES

        return CONDITION_VARIABLES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
