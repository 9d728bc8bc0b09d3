"""Checklist files -> Checklist: items, their conditions, counts, evidence and rules.

A checklist is data (``checklists/*.yaml``); this module validates it at the edge and
knows no item by name. Format (schema 1)::

    schema: 1
    id: us-eras
    title: United States residency (ERAS, ECFMG certification, J-1)
    version: "2026.1"
    track: us
    languages: [en]                 # document languages accepted without translation
    extends: us-eras                # custom checklists only: a built-in id or a path
    drop: [photo]                   # with extends: item (or step, notice) ids to remove
    portals:                        # upload rules of the portals this track uses
      eras-lorp: {title: ..., formats: [pdf], max_bytes: 1048576, source: ...}
    items:
      - id: statement-of-need
        title: Statement of Need (Ministry of Health)
        required: true
        when: {visa: [J-1]}         # every key must match; {not: [...]} negates
        min: 1                      # how many documents the item needs
        max: null
        source: "ECFMG, evsp/applying-general-statement-need.html [O]"
        advice: "Ask your Ministry of Health ..."
        names: [statement of need, son]          # words of a file name
        evidence:                                # groups of phrases; all of one group
          - ["Statement of Need", "Ministry of Health"]
        rules:                                   # checked by checking/rules/ (deeper checks)
          - {type: ..., source: ..., ...}
        facts: [scores]             # facts its documents carry besides those its rules read
        portrait: true              # an image with no text, taller than wide, is this item
        roles: [identity]           # what the tool does with it (ROLES), so no code names it

With ``extends``, items with a known id are merged into the base item key by key (so a
custom checklist can change one field), new ids are appended, and ``drop`` removes items;
``id`` defaults to the file's name, the other header keys to the base's. Portals merge the
same way, key by key.

A portal's keys other than ``source`` are data for the rule engine and ``pack``: ``title``,
``items`` (the item ids it takes), ``part_of`` (a larger portal it belongs to), ``formats``,
``max_bytes``, ``max_chars``, ``encryption`` / ``digital_signatures`` (false: refused),
``page_size_pt``, ``forbidden_filename_chars``, ``aspect``, ``one_document_per_file``,
``severity`` (``warning`` when the source is secondary).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import BadInputError
from .conditions import CONDITION_VARIABLES as CONDITION_VARIABLES
from .conditions import Condition as Condition
from .conditions import conditions
from .entries import Notice as Notice
from .entries import Step as Step
from .entries import (
    entry_flag,
    merged_entries,
    notice_entry,
    step_entry,
    when_to_raw,
)
from .portals import validate_portal
from .profile import read_yaml
from .resources import data_dir
from .roles import ROLES

_TOP_KEYS = {
    "schema",
    "id",
    "title",
    "version",
    "track",
    "languages",
    "extends",
    "drop",
    "portals",
    "items",
    "sources",
    "steps",
    "notices",
}
_ITEM_KEYS = {
    "id",
    "title",
    "required",
    "when",
    "min",
    "max",
    "source",
    "advice",
    "names",
    "evidence",
    "rules",
    "portal",
    "facts",
    "count_note",
    "confirmed",
    "note",
    "portrait",
    "roles",
}


@dataclass(frozen=True)
class Rule:
    """One rule of an item, interpreted by the rule engine; ``params`` are its other keys."""

    type: str
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    required: bool
    source: str
    when: tuple[Condition, ...] = ()
    min: int = 1
    max: int | None = None
    advice: str = ""
    names: tuple[str, ...] = ()
    evidence: tuple[tuple[str, ...], ...] = ()
    rules: tuple[Rule, ...] = ()
    portal: str | None = None
    facts: tuple[str, ...] = ()  # facts its documents carry besides those its rules read
    portrait: bool = False  # an image with no text, taller than wide (a photo of a person)
    #: ``when`` given as a list: the item applies when any one group of conditions holds
    when_any: tuple[tuple[Condition, ...], ...] = ()
    #: said with the count messages (where the minimum comes from, e.g. a program convention)
    count_note: str = ""
    confirmed: bool = True  # false: a value of the item could not be confirmed (see note)
    note: str = ""
    roles: tuple[str, ...] = ()  # what the tool does with it (ROLES)


@dataclass(frozen=True)
class Checklist:
    id: str
    title: str
    version: str
    track: str
    languages: tuple[str, ...]
    items: tuple[Item, ...]
    portals: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    path: Path | None = None
    steps: tuple[Step, ...] = ()
    notices: tuple[Notice, ...] = ()

    def item(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    @property
    def item_ids(self) -> set[str]:
        return {i.id for i in self.items}

    def with_role(self, role: str) -> tuple[str, ...]:
        """The ids of the items that have ``role`` (ROLES), in checklist order."""
        return tuple(i.id for i in self.items if role in i.roles)

    def role_item(self, role: str) -> str | None:
        """The first item that has ``role``, or None when the checklist has none."""
        found = self.with_role(role)
        return found[0] if found else None


class _Errors:
    def __init__(self, name: str) -> None:
        self.name = name
        self.messages: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.messages.append(f"{self.name}: {where}: {what}")


def builtin_dir() -> Path:
    return data_dir("checklists")


def builtin_ids() -> list[str]:
    """The ids of the built-in checklists (other data files in the folder are left out)."""
    return sorted(p.stem for p in builtin_dir().glob("*.yaml") if _is_checklist_file(p))


def _is_checklist_file(path: Path) -> bool:
    """True when the file has a top-level ``items:`` or ``extends:`` (cheap: no YAML parse)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(line.startswith(("items:", "extends:")) for line in text.splitlines())


#: The built-in checklist of each track.
TRACK_CHECKLISTS = {"us": "us-eras", "canada": "canada-carms"}


def resolve(ref: str, relative_to: Path | None = None) -> Path:
    """A track name, a built-in id or a file path -> the checklist file."""
    ref = TRACK_CHECKLISTS.get(ref, ref)
    builtin = builtin_dir() / f"{ref}.yaml"
    if "/" not in ref and "\\" not in ref and not ref.endswith((".yaml", ".yml")):
        if builtin.is_file():
            return builtin
        local = (relative_to / ref) if relative_to is not None else Path(ref)
        if local.is_file():
            return local
        raise BadInputError(
            f"unknown checklist or track {ref!r}: use us, canada, one of "
            f"{', '.join(builtin_ids())}, or the path of a checklist file"
        )
    path = Path(ref)
    if not path.is_absolute() and relative_to is not None:
        path = relative_to / path
    if not path.is_file():
        raise BadInputError(
            f"{path}: checklist file not found; give the path of a checklist YAML file, or a "
            f"built-in one ({', '.join(builtin_ids())}); `dossier checklists list` shows them"
        )
    return path


def load(ref: str, relative_to: Path | None = None) -> Checklist:
    """Load and validate a checklist by track, built-in id or path (extends resolved)."""
    return _load(resolve(ref, relative_to), seen=())


def _load(path: Path, seen: tuple[Path, ...]) -> Checklist:
    real = path.resolve()
    if real in seen:
        raise BadInputError(f"{path}: extends: circular ({' -> '.join(str(p) for p in seen)})")
    data = _read(path)
    name = str(path)
    if not isinstance(data, Mapping):
        raise BadInputError(f"{name}: a checklist must be a mapping with id, title and items")
    base: Checklist | None = None
    if data.get("extends") is not None:
        ext = data["extends"]
        if not isinstance(ext, str):
            raise BadInputError(f"{name}: extends: must be a built-in id or a path (got {ext!r})")
        try:
            base_path = resolve(ext, path.parent)
        except BadInputError as exc:
            raise BadInputError(f"{name}: extends: {exc}") from None
        base = _load(base_path, (*seen, real))
    return _build(data, name, path, base)


def _read(path: Path) -> Any:
    """The parsed YAML of a checklist file, parsed once per content (audit loads one per client)."""
    try:
        stat = path.stat()
    except OSError:
        return read_yaml(path)  # says why it cannot be read
    return copy.deepcopy(_parsed(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=32)
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    return read_yaml(Path(path))


# over the complexity caps: a hand-written loader that the pydantic models of config/models.py
# replace (issue 10, typed configuration); not split, as it is going
def _build(  # noqa: C901, PLR0912, PLR0915
    data: Mapping[str, Any], name: str, path: Path | None, base: Checklist | None
) -> Checklist:
    errs = _Errors(name)
    for key in data:
        if key not in _TOP_KEYS:
            errs.add(str(key), f"unknown key; expected one of: {', '.join(sorted(_TOP_KEYS))}")
    if data.get("schema", 1) != 1:
        errs.add("schema", f"this version of the tool reads schema 1 (got {data.get('schema')!r})")

    def top_text(key: str, fallback: str | None) -> str:
        value = data.get(key, fallback)
        if value is None:
            errs.add(key, "missing; every checklist needs an id, a title, a version and a track")
            return ""
        scalar = isinstance(value, str | int | float) and not isinstance(value, bool)
        if not scalar or not str(value).strip():
            errs.add(key, f"must be non-empty text (got {value!r})")
            return ""
        return str(value).strip()

    # a custom checklist that extends another is named after its file unless it says otherwise
    cid = top_text("id", path.stem if base is not None and path is not None else None)
    title = top_text("title", base.title if base else None)
    version = top_text("version", base.version if base else None)
    track = top_text("track", base.track if base else None)
    languages_raw = data.get("languages", list(base.languages) if base else ["en"])
    if not isinstance(languages_raw, list) or not all(isinstance(x, str) for x in languages_raw):
        errs.add("languages", f"must be a list of ISO 639-1 codes (got {languages_raw!r})")
        languages_raw = ["en"]
    portals: dict[str, Mapping[str, Any]] = dict(base.portals) if base else {}
    raw_portals = data.get("portals") or {}
    if not isinstance(raw_portals, Mapping):
        errs.add("portals", "must be a mapping of portal id to its rules")
    else:
        for pid, rules in raw_portals.items():
            if not isinstance(rules, Mapping):
                errs.add(f"portals.{pid}", "must be a mapping of rules")
                continue
            merged = {**portals.get(str(pid), {}), **rules}
            if not merged.get("source"):
                errs.add(f"portals.{pid}.source", "every portal rule needs a source")
                continue
            # typed once, here: check and pack read the same validated values
            checked, wrong = validate_portal(name, path, str(pid), merged)
            errs.messages.extend(wrong)
            portals[str(pid)] = merged if checked is None else checked  # known, if wrong

    base_items: dict[str, Mapping[str, Any]] = {}
    order: list[str] = []
    if base is not None:
        for it in base.items:
            base_items[it.id] = _item_to_raw(it)
            order.append(it.id)
    drop = data.get("drop") or []
    if not isinstance(drop, list):
        errs.add("drop", "must be a list of item ids")
        drop = []
    base_steps = {x.id for x in base.steps} if base else set()
    base_notices = {x.id for x in base.notices} if base else set()
    dropped: set[str] = set()
    for did in drop:
        if did in base_items:
            del base_items[did]
            order.remove(did)
        elif did in base_steps or did in base_notices:
            dropped.add(did)  # a step or notice of the base
        else:
            errs.add("drop", f"unknown item, step or notice id {did!r} in the base checklist")

    raw_items = data.get("items")
    if raw_items is None and base is None:
        errs.add("items", "a checklist needs a list of items")
        raw_items = []
    if raw_items is None:
        raw_items = []
    if not isinstance(raw_items, list):
        errs.add("items", "must be a list")
        raw_items = []
    seen_ids: set[str] = set()
    for n, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str):
            errs.add(f"items[{n}]", "each item needs an id")
            continue
        iid = raw["id"]
        if iid in seen_ids:
            errs.add(f"items.{iid}", "the same id appears twice")
        seen_ids.add(iid)
        if iid in base_items:
            base_items[iid] = {**base_items[iid], **raw}
        else:
            base_items[iid] = dict(raw)
            order.append(iid)

    items = [_item(errs, base_items[iid], set(portals)) for iid in order]
    kept_steps = tuple(x for x in base.steps if x.id not in dropped) if base else ()
    kept_notices = tuple(x for x in base.notices if x.id not in dropped) if base else ()
    steps = merged_entries(errs, "steps", data.get("steps"), kept_steps, _step)
    notices = merged_entries(errs, "notices", data.get("notices"), kept_notices, _notice)
    if not order and not errs.messages:
        errs.add("items", "the checklist has no items left; add items or drop fewer")
    if errs.messages:
        raise BadInputError("\n".join(errs.messages))
    return Checklist(
        id=cid,
        title=title,
        version=version,
        track=track,
        languages=tuple(x.lower() for x in languages_raw),
        items=tuple(i for i in items if i is not None),
        portals=portals,
        path=path,
        steps=tuple(x for x in steps if isinstance(x, Step)),
        notices=tuple(x for x in notices if isinstance(x, Notice)),
    )


def _step(errs: _Errors, where: str, raw: Mapping[str, Any]) -> Step | None:
    return step_entry(errs, where, raw, conditions)


def _notice(errs: _Errors, where: str, raw: Mapping[str, Any]) -> Notice | None:
    return notice_entry(errs, where, raw, conditions)


# over the complexity caps: a hand-written loader that the pydantic models of config/models.py
# replace (issue 10, typed configuration); not split, as it is going
def _item(  # noqa: C901, PLR0912, PLR0915
    errs: _Errors, raw: Mapping[str, Any], portal_ids: set[str]
) -> Item | None:
    iid = str(raw["id"])
    where = f"items.{iid}"
    before = len(errs.messages)
    for key in raw:
        if key not in _ITEM_KEYS:
            errs.add(
                f"{where}.{key}",
                f"unknown field; expected one of: {', '.join(sorted(_ITEM_KEYS))}",
            )

    def text(key: str, required: bool = True) -> str:
        value = raw.get(key)
        if value is None and not required:
            return ""
        if value is None:
            why = _MISSING.get(key, "required")
            errs.add(f"{where}.{key}", f"missing; {why}")
            return ""
        if not isinstance(value, str) or not value.strip():
            errs.add(f"{where}.{key}", f"must be non-empty text (got {value!r})")
            return ""
        return value.strip()

    title = text("title")
    source = text("source")
    advice = text("advice", required=False)
    required = raw.get("required", False)
    if not isinstance(required, bool):
        errs.add(f"{where}.required", f"must be true or false (got {required!r})")
        required = False
    when: list[Condition] = []
    when_any: list[tuple[Condition, ...]] = []
    raw_when = raw.get("when") or {}
    if isinstance(raw_when, list):  # any one group of conditions makes the item apply
        if not raw_when or not all(isinstance(g, Mapping) and g for g in raw_when):
            errs.add(
                f"{where}.when",
                "a list must hold groups such as {ecfmg_certified: true}, any one of which "
                f"makes the item apply (got {raw_when!r})",
            )
        else:
            for k, group in enumerate(raw_when, start=1):
                when_any.append(tuple(conditions(errs, f"{where}.when[{k}]", group)))
    else:
        when = conditions(errs, where, raw_when)
    lo = raw.get("min", 1)
    hi = raw.get("max")
    if not isinstance(lo, int) or isinstance(lo, bool) or lo < 0:
        errs.add(f"{where}.min", f"must be a whole number >= 0 (got {lo!r})")
        lo = 1
    if hi is not None and (not isinstance(hi, int) or isinstance(hi, bool) or hi < max(lo, 1)):
        errs.add(f"{where}.max", f"must be a whole number >= min (got {hi!r})")
        hi = None
    names = raw.get("names") or []
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        errs.add(f"{where}.names", "must be a list of words or phrases found in file names")
        names = []
    groups: list[tuple[str, ...]] = []
    evidence = raw.get("evidence") or []
    if not isinstance(evidence, list):
        errs.add(f"{where}.evidence", "must be a list of phrase groups")
        evidence = []
    for k, group in enumerate(evidence, start=1):
        if isinstance(group, str):
            group = [group]
        if (
            not isinstance(group, list)
            or not group
            or not all(isinstance(p, str) and p.strip() for p in group)
        ):
            errs.add(f"{where}.evidence[{k}]", "must be a phrase or a list of phrases")
            continue
        groups.append(tuple(group))
    rules: list[Rule] = []
    raw_rules = raw.get("rules") or []
    if not isinstance(raw_rules, list):
        errs.add(f"{where}.rules", "must be a list")
        raw_rules = []
    for k, r in enumerate(raw_rules, start=1):
        if not isinstance(r, Mapping) or not isinstance(r.get("type"), str):
            errs.add(f"{where}.rules[{k}]", "each rule needs a type")
            continue
        if not isinstance(r.get("source"), str) or not r["source"].strip():
            errs.add(f"{where}.rules[{k}].source", f"every rule needs a source (rule {r['type']})")
            continue
        params = {a: b for a, b in r.items() if a not in ("type", "source")}
        rules.append(Rule(r["type"], r["source"], params))
    portal = raw.get("portal")
    if portal is not None and (not isinstance(portal, str) or portal not in portal_ids):
        errs.add(f"{where}.portal", f"unknown portal {portal!r}; define it under portals:")
        portal = None
    facts = raw.get("facts") or []
    if not isinstance(facts, list) or not all(isinstance(f, str) and f.strip() for f in facts):
        errs.add(f"{where}.facts", "must be a list of fact names such as [scores, expiry]")
        facts = []
    portrait = raw.get("portrait", False)
    if not isinstance(portrait, bool):
        errs.add(f"{where}.portrait", "must be true or false")
        portrait = False
    roles = raw.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in ROLES for r in roles):
        errs.add(f"{where}.roles", f"must be a list of roles from: {', '.join(ROLES)}")
        roles = []
    count_note = raw.get("count_note")
    if count_note is not None and (not isinstance(count_note, str) or not count_note.strip()):
        errs.add(f"{where}.count_note", f"must be non-empty text (got {count_note!r})")
    confirmed = entry_flag(errs, where, raw, True)
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        errs.add(f"{where}.note", f"must be text (got {note!r})")
    if not confirmed and not (isinstance(note, str) and note.strip()):
        errs.add(f"{where}.note", "an item with confirmed: false needs a note saying what is not")
    if len(errs.messages) > before:
        return None
    return Item(
        id=iid,
        title=title,
        required=required,
        source=source,
        when=tuple(when),
        min=lo,
        max=hi,
        advice=advice,
        names=tuple(n.strip() for n in names),
        evidence=tuple(groups),
        rules=tuple(rules),
        portal=portal,
        facts=tuple(f.strip() for f in facts),
        portrait=portrait,
        roles=tuple(dict.fromkeys(roles)),
        when_any=tuple(when_any),
        count_note=str(count_note or "").strip(),
        confirmed=confirmed,
        note=str(note or "").strip(),
    )


_MISSING = {
    "title": "every item needs a title (what the document is)",
    "source": "every item needs a source (the page or agency the requirement comes from)",
}


def item_to_raw(it: Item) -> dict[str, Any]:
    """An Item back to its YAML shape (for extends, which merges key by key, and for display)."""
    return _item_to_raw(it)


def _item_to_raw(it: Item) -> dict[str, Any]:
    """An Item back to its YAML shape, so that extends can merge key by key."""
    when: dict[str, Any] | list[dict[str, Any]] = when_to_raw(it.when)
    if it.when_any:
        when = [when_to_raw(group) for group in it.when_any]
    return {
        "id": it.id,
        "title": it.title,
        "required": it.required,
        "source": it.source,
        "when": when,
        "min": it.min,
        "max": it.max,
        "advice": it.advice or None,
        "names": list(it.names),
        "evidence": [list(g) for g in it.evidence],
        "rules": [{"type": r.type, "source": r.source, **r.params} for r in it.rules],
        "portal": it.portal,
        **({"facts": list(it.facts)} if it.facts else {}),
        **({"portrait": True} if it.portrait else {}),
        **({"roles": list(it.roles)} if it.roles else {}),
        **({"count_note": it.count_note} if it.count_note else {}),
        **({"confirmed": False, "note": it.note} if not it.confirmed else {}),
        **({"note": it.note} if it.confirmed and it.note else {}),
    }
