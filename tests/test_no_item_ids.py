"""No checklist item id in code: what an item is, and what is done with it, is checklist
data (`roles`, rules, portals), never `if item == "passport"` in src/."""

from __future__ import annotations

import ast
from pathlib import Path

from img_dossier.config.checklist import builtin_ids, load

SRC = Path(__file__).resolve().parents[1] / "src" / "img_dossier"

#: Item ids still written in code, per module: debt to move into checklist data. Remove an
#: entry when its module stops naming the id (the test fails on an entry no longer needed);
#: never add one: put the knowledge in the checklist instead.
KNOWN = {
    "checking/rules/engine.py": {"translation"},  # the rule type, named like the item
    "checking/rules/translation.py": {"translation"},
    "config/rule_models.py": {"translation"},  # the rule type's model, named like the item
    "config/profile.py": {"mccqe1", "nac", "usmle-step1", "usmle-step2-ck", "usmle-step3"},
    "facts/exams.py": {"mccqe1", "nac", "usmle-step1", "usmle-step2-ck", "usmle-step3"},
    "facts/names.py": {"passport"},
    "output/pack_plan.py": {"translation"},
    "output/pack_rules.py": {"translation"},
    "output/report_html.py": {"translation"},
    "programs/applicant.py": {
        "ecfmg-certificate",
        "language-proficiency",
        "letter-of-recommendation",
        "reference-letter",
        "usmle-step2-ck",
    },
    "programs/model.py": {"mccqe1", "nac", "usmle-step1", "usmle-step2-ck", "usmle-step3"},
    "programs/screen.py": {"mccqe1", "nac", "usmle-step1", "usmle-step2-ck", "usmle-step3"},
    "starter.py": {"citizenship-or-pr", "mccqe1", "passport", "usmle-step1"},
}


def _ids() -> set[str]:
    ids: set[str] = set()
    for checklist_id in builtin_ids():
        checklist = load(checklist_id)
        ids |= {i.id for i in checklist.items}
        ids |= {s.id for s in checklist.steps}
    return ids


def _named_in_code(ids: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids:
                found.setdefault(path.relative_to(SRC).as_posix(), set()).add(node.value)
    return found


def test_no_new_item_id_in_code() -> None:
    found = _named_in_code(_ids())
    new = {
        module: sorted(names - KNOWN.get(module, set()))
        for module, names in found.items()
        if names - KNOWN.get(module, set())
    }
    assert not new, f"item ids in code (put this knowledge in the checklist data instead): {new}"
    gone = {
        module: sorted(names - found.get(module, set()))
        for module, names in KNOWN.items()
        if names - found.get(module, set())
    }
    assert not gone, f"no longer in code, remove them from KNOWN: {gone}"
