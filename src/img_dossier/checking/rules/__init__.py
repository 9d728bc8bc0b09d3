"""The rule engine: deeper checks of an item's documents (dates, results, names, translations,
portal file rules, local referees), driven by the ``rules:`` of checklist items.

verify.py calls ``evaluate`` once per applicable item that has readable documents. Each rule
is data (``{type: valid-until, source: ..., months: 6}``); this module knows rule types,
never items. Each type's parameters are a model in config/rule_models.py, validated when the
checklist is loaded (all optional unless marked):

- ``valid-until``: a date fact (``fact``, default ``expiry``) must be on or after
  ``reference`` (``as_of`` | ``training.start`` | ``training.end``) plus ``months``.
  ``declared`` names the dossier.yaml ``dates:`` key that stands in for a scan;
  ``required: false`` lets a document without the date pass; ``why`` names the rule.
- ``max-age``: a date fact (default ``test_date``) no older than ``years`` or ``days`` on as_of.
- ``min-scores``: ``scores`` (required): component -> minimum, all from one document (one
  sitting); ``exam`` limits the rule to documents of that exam.
- ``outcome``: the ``outcome`` fact must be ``expect`` (default ``pass``).
- ``required-elements``: every element of a Statement of Need (facts.statement_of_need), the
  specialty equal to ``training.specialty`` and to the specialty of the documents of the
  items in ``specialty_from`` (e.g. the training contract).
- ``name-match``: the name a document states is the applicant's (``name-mismatch``).
- ``translation``: a document outside the checklist's ``languages`` needs a certified
  translation in the folder (``needs-translation``); a scan takes the school's language.
- ``portal-file``: the file rules of ``portal`` (default: the item's ``portal``) from the
  checklist's ``portals:`` (``formats``, ``max_bytes``, ``encryption``, ``digital_signatures``,
  ``page_size_pt``, ``forbidden_filename_chars``, ``max_chars``, ``aspect``, ``min_pixels``), as
  ``over-portal-limit`` warnings; any of those keys given on the rule overrides the portal's.
- ``local-referee``: at least one letter comes from ``countries`` (default [US, CA]),
  else the item problem ``no-local-referee``.

Any rule may carry ``when`` (as an item does, e.g. ``{visa: [J-1]}``) and ``why`` (a few
words naming the rule in messages, e.g. "J-1 rule").
"""

from __future__ import annotations

from .base import RuleContext, RuleFunction, RuleOutcome
from .engine import RULE_TYPES, evaluate, rule_errors, validate_rules
from .names import applicant_names
from .portal import _PORTAL_KEYS, _portal_checks  # what pack checks its output against

__all__ = [
    "RULE_TYPES",
    "_PORTAL_KEYS",
    "RuleContext",
    "RuleFunction",
    "RuleOutcome",
    "_portal_checks",
    "applicant_names",
    "evaluate",
    "rule_errors",
    "validate_rules",
]
