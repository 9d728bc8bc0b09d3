"""The registry of rule types (their parameters are config.rule_models') and ``evaluate``."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from ...config.checklist import Checklist, Condition, Item, Rule
from ...errors import BadInputError
from ...model import Document
from .base import RuleContext, RuleFunction, RuleOutcome, _merge
from .dates import _date_window, _max_age, _valid_until
from .names import _name_match
from .need import _required_elements
from .portal import _portal_file
from .referees import _local_referee
from .results import _min_scores, _outcome
from .translation import _translation


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


#: rule type -> the function that applies it (its parameters are config.rule_models')
RULE_TYPES: dict[str, RuleFunction] = {
    "valid-until": _valid_until,
    "date-window": _date_window,
    "max-age": _max_age,
    "min-scores": _min_scores,
    "outcome": _outcome,
    "required-elements": _required_elements,
    "name-match": _name_match,
    "translation": _translation,
    "portal-file": _portal_file,
    "local-referee": _local_referee,
}


def rule_errors(checklist: Checklist, item: Item) -> list[str]:
    """What is wrong with the rules of one item, each naming file, item and rule: for rules
    made in code (a checklist file's rules are validated by their models when it is loaded)."""
    from pydantic import ValidationError

    from ...config import typed
    from ...config.rule_models import RULE_TYPES as RULE_MODELS

    one_rule = typed.Style(unknown={m.__name__: "unknown parameter" for m in RULE_MODELS.values()})
    name = str(checklist.path) if checklist.path else checklist.id
    errors: list[str] = []
    for n, rule in enumerate(item.rules, start=1):
        where = f"{name}: items.{item.id}.rules[{n}] ({rule.type})"
        model = RULE_MODELS.get(rule.type)
        if model is None or rule.type not in RULE_TYPES:
            known = ", ".join(sorted(RULE_TYPES))
            errors.append(f"{where}: unknown rule type; expected one of: {known}")
            continue
        given = {"type": rule.type, "source": rule.source, **rule.params}
        try:
            model.model_validate(given)
        except ValidationError as exc:
            errors += typed.errors_of(exc, where, None, given, model, one_rule)
            continue
        if rule.type == "portal-file":
            pid = rule.params.get("portal") or item.portal
            if not pid or pid not in checklist.portals:
                errors.append(f"{where}: needs a portal defined under portals: (got {pid!r})")
    return errors


def validate_rules(checklist: Checklist) -> None:
    """Raise BadInputError naming the file, item and rule of every unknown rule type or
    wrong parameter of a checklist made in code (a loaded one was checked at load)."""
    errors = [e for item in checklist.items for e in rule_errors(checklist, item)]
    if errors:
        raise BadInputError("\n".join(errors))


def evaluate(item: Item, documents: Sequence[Document], ctx: RuleContext) -> RuleOutcome:
    """Apply ``item.rules`` to the documents that satisfy it."""
    unknown = [r.type for r in item.rules if r.type not in RULE_TYPES]
    if unknown:  # a rule made in code with a typo must not silently change a verdict
        raise BadInputError("\n".join(rule_errors(ctx.checklist, item)))
    outcomes = [
        _unconfirmed(r, RULE_TYPES[r.type](r, item, documents, ctx))
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
