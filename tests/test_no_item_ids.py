"""No checklist item id in code: what an item is, and what is done with it, is checklist
data (`roles:` of an item, rules, portals, checklists/exams.yaml), never
`if item == "passport"` in src/.

One name may be both an item id and a rule type (`translation`): a rule type is the code's
own vocabulary (each type is implemented in checking/rules/), so the name may appear where
it is used as a rule type: as a key of a mapping whose keys are all rule types (the rule
registry), in a tuple of rule types (the rule types that say a problem code), or as the
``Literal`` type of a rule model (config/rule_models.py: one model per rule type)."""

from __future__ import annotations

import ast
from pathlib import Path

from img_dossier.checking.rules.engine import RULE_TYPES
from img_dossier.config.checklist import builtin_ids, load

SRC = Path(__file__).resolve().parents[1] / "src" / "img_dossier"


def _ids() -> set[str]:
    ids: set[str] = set()
    for checklist_id in builtin_ids():
        checklist = load(checklist_id)
        ids |= {i.id for i in checklist.items}
        ids |= {s.id for s in checklist.steps}
    return ids


def _strings(node: ast.AST) -> list[str] | None:
    """The string constants of a tuple/list/set literal, None if any element is not one."""
    if not isinstance(node, ast.Tuple | ast.List | ast.Set):
        return None
    values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
    if len(values) != len(node.elts) or not all(isinstance(v, str) for v in values):
        return None
    return [str(v) for v in values]


def _rule_type_uses(tree: ast.AST) -> set[int]:
    """ids of the constants used as rule types: keys of an all-rule-type mapping, elements
    of an all-rule-type tuple."""
    uses: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if isinstance(k, ast.Constant)]
            if keys and len(keys) == len(node.keys) and all(k.value in RULE_TYPES for k in keys):
                uses.update(id(k) for k in keys)
        literal = node.slice if isinstance(node, ast.Subscript) else None
        if (  # a rule model's type: Literal["translation"] (config/rule_models.py)
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Name)
            and node.value.id == "Literal"
            and isinstance(literal, ast.Constant)
            and literal.value in RULE_TYPES
        ):
            uses.add(id(literal))
        values = _strings(node)
        if values and all(v in RULE_TYPES for v in values):
            uses.update(id(e) for e in ast.iter_child_nodes(node) if isinstance(e, ast.Constant))
    return uses


def _named_in_code(ids: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = _rule_type_uses(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in ids
                and id(node) not in allowed
            ):
                found.setdefault(path.relative_to(SRC).as_posix(), set()).add(node.value)
    return found


def test_no_item_id_in_code() -> None:
    found = _named_in_code(_ids())
    assert not found, (
        f"item ids in code (put this knowledge in the checklist data instead: an item's "
        f"roles:, a rule, a portal, checklists/exams.yaml): {found}"
    )


def test_the_scan_finds_an_item_id_and_spares_rule_types() -> None:
    code = ast.parse(
        'RULES = {"translation": 1, "max-age": 2}\n'
        'CODES = {"needs-translation": ("translation",)}\n'
        'if item == "translation": pass\n'
        'if item in ("passport", "translation"): pass\n'
    )
    allowed = _rule_type_uses(code)
    named = [
        n.value
        for n in ast.walk(code)
        if isinstance(n, ast.Constant) and n.value in {"translation", "passport"}
        if id(n) not in allowed
    ]
    assert sorted(named) == ["passport", "translation", "translation"]


def test_every_role_and_exam_item_is_in_the_data() -> None:
    """The roles the code asks for exist in the built-in checklists, and every exam's item
    is an item of a checklist (so a renamed item cannot silently stop a role working)."""
    from img_dossier.config.exams import exams
    from img_dossier.config.roles import ROLES

    checklists = [load(c) for c in builtin_ids()]
    for role in ROLES:
        assert any(c.with_role(role) for c in checklists), role
    ids = _ids()
    for exam in exams():
        assert exam.item is None or exam.item in ids, exam.id


def _track_words() -> set[str]:
    """The track and applicant.status names of checklists/tracks.yaml. A status spelt like a
    value of another dossier.yaml field (``none``, also a ``training.visa``) is a word of that
    field too, so the code may use it as such; every other name is the data's alone."""
    from img_dossier.config import tracks
    from img_dossier.config.choices import VISAS

    return set(tracks.track_ids()) | (set(tracks.statuses()) - set(VISAS))


def test_no_track_or_status_name_in_code() -> None:
    """What differs by track (its checklist, statuses, program systems and criteria, the
    text `dossier init` writes) is data, checklists/tracks.yaml: no `track == "canada"`."""
    words = _track_words()
    assert {"us", "canada", "citizen", "permanent-resident"} <= words
    found = _named_in_code(words)
    assert not found, (
        f"track or status names in code (put this knowledge in checklists/tracks.yaml "
        f"instead, read through img_dossier.config.tracks): {found}"
    )


def test_the_track_scan_finds_a_track_branch(tmp_path: Path) -> None:
    """The scan sees the branches this test exists to keep out (so it cannot pass vacuously)."""
    code = ast.parse(
        'if track == "canada": pass\n'
        'if status in ("citizen", "permanent-resident"): pass\n'
        'note = "us or canada"\n'
    )
    words = _track_words()
    named = [n.value for n in ast.walk(code) if isinstance(n, ast.Constant) and n.value in words]
    assert sorted(named) == ["canada", "citizen", "permanent-resident"]


def test_every_track_fact_fits_the_rest_of_the_data() -> None:
    """tracks.yaml names real things: each track's checklist is a built-in whose track is that
    track, its criteria are program-list criteria, its program fields are program fields."""
    from img_dossier.config import tracks
    from img_dossier.programs.model import CRITERIA, Program

    for track in tracks.tracks():
        assert load(track.id).track == track.id
        assert load(track.id).id == track.checklist
        assert set(track.criteria) <= set(CRITERIA), track.id
        assert set(track.program_fields) <= set(Program.model_fields), track.id
        assert set(track.sources) >= {"checklist", "statuses"}, track.id


def test_the_portals_pack_help_names_are_the_built_in_checklists_portals() -> None:
    """`dossier pack --help` names the portals without loading a checklist (a fast --help),
    so this keeps its list equal to the data's: each built-in checklist's portals that pack
    can fill and that are not part of another."""
    from img_dossier.output.pack_rules import PORTALS, packable

    data = []
    for checklist_id in builtin_ids():
        checklist = load(checklist_id)
        data += [p for p in packable(checklist) if not checklist.portals[p].get("part_of")]
    assert tuple(dict.fromkeys(data)) == PORTALS
