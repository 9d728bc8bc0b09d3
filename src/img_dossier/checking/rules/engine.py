"""The registry of rule types and their parameters, their validation, and ``evaluate``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ...config.checklist import CONDITION_VARIABLES, Checklist, Condition, Item, Rule
from ...errors import BadInputError
from ...model import Document
from .base import RuleContext, RuleFunction, RuleOutcome, _as_date, _merge
from .dates import _date_window, _max_age, _valid_until
from .names import _name_match
from .need import _required_elements
from .portal import _portal_file
from .referees import _local_referee
from .results import _min_scores, _outcome
from .translation import _translation


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _is_text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _is_texts(v: Any) -> bool:
    return isinstance(v, list) and all(_is_text(x) for x in v)


def _is_facts(v: Any) -> bool:
    return _is_text(v) or (_is_texts(v) and bool(v))


def _is_scores(v: Any) -> bool:
    return (
        isinstance(v, Mapping)
        and bool(v)
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in v.values())
    )


def _is_day(v: Any) -> bool:
    return _as_date(v) is not None


def _is_pair(v: Any) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, int | float) for x in v)


def _is_when(v: Any) -> bool:
    if not isinstance(v, Mapping) or not v:
        return False
    return all(var in CONDITION_VARIABLES for var in v)


_COMMON = {
    "why": (_is_text, "text"),
    "confirmed": (lambda v: isinstance(v, bool), "true or false"),
    "note": (_is_text, "text saying what is not confirmed"),
    "when": (_is_when, f"a mapping of conditions on {', '.join(sorted(CONDITION_VARIABLES))}"),
}


def _applies(rule: Rule, ctx: RuleContext) -> bool:
    """A rule's own ``when`` (like an item's): false only when a condition is known false."""
    when = rule.params.get("when")
    if not isinstance(when, Mapping):
        return True
    variables = ctx.profile.conditions()
    for var, spec in when.items():
        negate = isinstance(spec, Mapping) and set(spec) == {"not"}
        values = spec["not"] if negate else spec
        values = values if isinstance(values, list) else [values]
        if Condition(str(var), tuple(values), negate).decide(variables) is False:
            return False
    return True


#: rule type -> (function, {parameter: (check, what it must be)}, required parameters)
ParamChecks = dict[str, tuple[Callable[[Any], bool], str]]


RULE_TYPES: dict[str, tuple[RuleFunction, ParamChecks, tuple[str, ...]]] = {
    "valid-until": (
        _valid_until,
        {
            "fact": (_is_facts, "a fact name such as expiry, or a list of them"),
            "reference": (
                lambda v: v in ("as_of", "training.start", "training.end", "training.ds2019_end"),
                "as_of, training.start, training.end or training.ds2019_end",
            ),
            "months": (_is_int, "a whole number of months"),
            "default_months": (
                _is_int,
                "a whole number of months (the DS-2019 period when training.ds2019_end is unset)",
            ),
            "declared": (_is_text, "a dossier.yaml dates: key such as passport_expiry"),
            "required": (lambda v: isinstance(v, bool), "true or false"),
        },
        (),
    ),
    "date-window": (
        _date_window,
        {
            "fact": (_is_facts, "a fact name such as test_date, or a list of them"),
            "on_or_after": (_is_day, "a date such as 2023-01-01"),
            "before": (_is_day, "a date such as 2022-04-01"),
            "declared": (_is_text, "a dossier.yaml dates: key such as oet_test_date"),
        },
        (),
    ),
    "max-age": (
        _max_age,
        {
            "fact": (_is_facts, "a fact name such as test_date, or a list of them"),
            "years": (_is_int, "a whole number of years"),
            "days": (_is_int, "a whole number of days"),
            "declared": (_is_text, "a dossier.yaml dates: key such as language_test_date"),
        },
        (),
    ),
    "min-scores": (
        _min_scores,
        {
            "scores": (_is_scores, "a mapping of component to minimum, e.g. {writing: 300}"),
            "exam": (_is_text, "an exam such as oet or ielts"),
            "one_sitting": (lambda v: isinstance(v, bool), "true or false"),
            "taken_before": (_is_day, "a date such as 2022-04-01"),
            "taken_on_or_after": (_is_day, "a date such as 2022-04-01"),
        },
        ("scores",),
    ),
    "outcome": (_outcome, {"expect": (lambda v: v in ("pass", "fail"), "pass or fail")}, ()),
    "required-elements": (
        _required_elements,
        {"specialty_from": (_is_texts, "a list of item ids")},
        (),
    ),
    "name-match": (_name_match, {}, ()),
    "translation": (_translation, {"translation_items": (_is_texts, "a list of item ids")}, ()),
    "portal-file": (
        _portal_file,
        {
            "portal": (_is_text, "a portal id defined under portals:"),
            "formats": (_is_texts, "a list of formats such as [pdf]"),
            "max_bytes": (_is_int, "a whole number of bytes"),
            "encryption": (lambda v: isinstance(v, bool), "true or false"),
            "digital_signatures": (lambda v: isinstance(v, bool), "true or false"),
            "page_size_pt": (_is_pair, "[width, height] in points"),
            "forbidden_filename_chars": (_is_text, "the characters, e.g. '|*?:'"),
            "max_chars": (_is_int, "a whole number of characters"),
            "aspect": (_is_pair, "[width, height], e.g. [5, 7]"),
            "min_pixels": (_is_pair, "[width, height] in pixels, e.g. [375, 525]"),
        },
        (),
    ),
    "local-referee": (_local_referee, {"countries": (_is_texts, "a list such as [US, CA]")}, ()),
}


def rule_errors(checklist: Checklist, item: Item) -> list[str]:
    """What is wrong with the rules of one item, each naming file, item and rule."""
    name = str(checklist.path) if checklist.path else checklist.id
    errors: list[str] = []
    for n, rule in enumerate(item.rules, start=1):
        where = f"{name}: items.{item.id}.rules[{n}] ({rule.type})"
        spec = RULE_TYPES.get(rule.type)
        if spec is None:
            errors.append(
                f"{where}: unknown rule type; expected one of: {', '.join(sorted(RULE_TYPES))}"
            )
            continue
        _, params, required = spec
        allowed = {**params, **_COMMON}
        for key, value in rule.params.items():
            if key not in allowed:
                errors.append(
                    f"{where}.{key}: unknown parameter; expected one of: "
                    f"{', '.join(sorted(allowed)) or 'none'}"
                )
            elif not allowed[key][0](value):
                errors.append(f"{where}.{key}: must be {allowed[key][1]} (got {value!r})")
        errors.extend(f"{where}: needs {key}" for key in required if key not in rule.params)
        if rule.type == "max-age" and not ({"years", "days"} & set(rule.params)):
            errors.append(f"{where}: needs years or days")
        if rule.type == "date-window" and not ({"on_or_after", "before"} & set(rule.params)):
            errors.append(f"{where}: needs on_or_after or before")
        if rule.params.get("confirmed") is False and not _is_text(rule.params.get("note")):
            errors.append(f"{where}: a rule with confirmed: false needs a note saying what is not")
        if rule.type == "portal-file":
            pid = rule.params.get("portal") or item.portal
            if not pid or pid not in checklist.portals:
                errors.append(f"{where}: needs a portal defined under portals: (got {pid!r})")
    return errors


def validate_rules(checklist: Checklist) -> None:
    """Raise BadInputError naming the file, item and rule of every unknown rule type or
    wrong parameter (call it where checklists are loaded or validated)."""
    errors = [e for item in checklist.items for e in rule_errors(checklist, item)]
    if errors:
        raise BadInputError("\n".join(errors))


def evaluate(item: Item, documents: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    """Apply ``item.rules`` to the documents that satisfy it."""
    errors = rule_errors(ctx.checklist, item)
    if errors:  # a typo must not silently change a verdict
        raise BadInputError("\n".join(errors))
    spec_of = {rule.type: RULE_TYPES[rule.type][0] for rule in item.rules}
    outcomes = [
        _unconfirmed(r, spec_of[r.type](r, item, documents, ctx))
        for r in item.rules
        if _applies(r, ctx)
    ]
    return _merge(outcomes)


def _unconfirmed(rule: Rule, outcome: RuleOutcome) -> RuleOutcome:
    """A rule whose value is not confirmed says so beside any verdict it gives."""
    if rule.params.get("confirmed") is not False or outcome.status is None:
        return outcome
    if rule.type == "date-window":
        return outcome  # its message already says so
    said = f"not confirmed for this cycle: {rule.params.get('note')}"
    return dataclasses.replace(outcome, messages=(*outcome.messages, said))
