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
        read_pages:                 # pages read beyond the first ones when a rule lacks a
          last: 1                   #   fact there (first: N or "all"; last: N), with why
          source: "the dated signature ends the letter (ECFMG ...)"

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import BadInputError
from . import tracks as tracks_data
from . import typed
from .conditions import CONDITION_VARIABLES as CONDITION_VARIABLES
from .conditions import Condition as Condition
from .entries import Notice as Notice
from .entries import Step as Step
from .entries import when_to_raw
from .models import FullChecklist, FullItem, FullNotice, FullStep
from .profile import read_yaml
from .resources import data_dir
from .rule_models import AnyRule, Conditions


@dataclass(frozen=True)
class Rule:
    """One rule of an item, interpreted by the rule engine; ``params`` are its other keys."""

    type: str
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReadPages:
    """Pages read beyond the first ones for a document of an item whose rules lack a fact
    there (checklist ``read_pages:``): the first ``first`` pages (None: every page; 0: none
    besides those read anyway) and the last ``last``, up to the readers' limit of pages per
    document."""

    first: int | None
    last: int
    source: str

    def wanted(self, total: int, cap: int) -> tuple[list[int], bool]:
        """(0-based pages to have read of a document of ``total`` pages, in the order they
        matter, at most ``cap``; whether the cap left some of the wanted pages out).
        The first pages come first (classification read them), then the last ones, then
        the rest of the first ones."""
        head = range(total) if self.first is None else range(min(self.first, total))
        tail = range(max(0, total - self.last), total)
        wanted = list(dict.fromkeys([*head[:1], *tail, *head]))
        return sorted(wanted[: max(cap, 0)]), len(wanted) > cap


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
    #: pages read beyond the first ones when a rule lacks a fact there (``read_pages:``)
    read_pages: ReadPages | None = None


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


def resolve(ref: str, relative_to: Path | None = None) -> Path:
    """A track name (its built-in checklist: checklists/tracks.yaml), a built-in id or a file
    path -> the checklist file."""
    named = tracks_data.track(ref)
    ref = named.checklist if named is not None else ref
    builtin = builtin_dir() / f"{ref}.yaml"
    if "/" not in ref and "\\" not in ref and not ref.endswith((".yaml", ".yml")):
        if builtin.is_file():
            return builtin
        local = (relative_to / ref) if relative_to is not None else Path(ref)
        if local.is_file():
            return local
        raise BadInputError(
            f"unknown checklist or track {ref!r}: use {', '.join(tracks_data.track_ids())}, "
            f"one of {', '.join(builtin_ids())}, or the path of a checklist file"
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
    merged, model = _resolved(path, seen)
    return _checklist(model, merged, path)


def _resolved(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], FullChecklist]:
    """The checklist at ``path`` merged into its base (if it extends one), as plain data and
    validated by the model; BadInputError names the file, field and line of every error."""
    real = path.resolve()
    if real in seen:
        raise BadInputError(f"{path}: extends: circular ({' -> '.join(str(p) for p in seen)})")
    data = _read(path)
    name = str(path)
    if not isinstance(data, Mapping):
        raise BadInputError(f"{name}: a checklist must be a mapping with id, title and items")
    base: dict[str, Any] | None = None
    if data.get("extends") is not None:
        ext = data["extends"]
        if not isinstance(ext, str):
            raise BadInputError(f"{name}: extends: must be a built-in id or a path (got {ext!r})")
        try:
            base_path = resolve(ext, path.parent)
        except BadInputError as exc:
            raise BadInputError(f"{name}: extends: {exc}") from None
        base, _ = _resolved(base_path, (*seen, real))
        if "id" not in data:
            data = {"id": path.stem, **data}  # a custom checklist is named after its file
    found: list[typed.Found] = []
    merged = _merge(data, base, found.append)
    found += _reference_errors(merged, data)  # what a schema cannot say, said with its errors
    try:
        model = FullChecklist.model_validate(merged)
    except ValidationError as exc:
        errors = typed.errors_of(exc, name, path, merged, FullChecklist, typed.CHECKLIST, data)
        raise BadInputError("\n".join(errors + typed.messages(name, path, found))) from None
    if not model.items and not found:
        found.append(
            typed.Found("items", "the checklist has no items left; add items or drop fewer")
        )
    if found:
        raise BadInputError("\n".join(typed.messages(name, path, found)))
    return merged, model


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


_MERGED_BY_ID = ("items", "steps", "notices")


def _merge(
    data: Mapping[str, Any], base: Mapping[str, Any] | None, error: Callable[[typed.Found], None]
) -> dict[str, Any]:
    """A custom checklist over its base: header keys replace the base's; portals, items, steps
    and notices merge by id, key by key (new ids are appended); ``drop`` removes ids."""
    if base is None:
        if data.get("drop"):
            error(
                typed.Found(
                    "drop",
                    f"only a checklist with extends can drop ids (got {data['drop']!r}); "
                    "remove drop: or add extends:",
                    ("drop",),
                )
            )
        return {k: v for k, v in data.items() if k != "drop"}
    merged = dict(base)
    for key, value in data.items():
        if key not in ("extends", "drop", "portals", *_MERGED_BY_ID):
            merged[key] = value
    portals = data.get("portals")
    if isinstance(portals, Mapping):
        mine = dict(base.get("portals") or {})
        for pid, rules in portals.items():
            old = mine.get(pid)
            both = isinstance(old, Mapping) and isinstance(rules, Mapping)
            mine[pid] = {**old, **rules} if both else rules  # type: ignore[dict-item]
        merged["portals"] = mine
    elif portals is not None:
        merged["portals"] = portals
    drop = data.get("drop") or []
    if not isinstance(drop, list):
        error(typed.Found("drop", f"must be a list of item ids (got {drop!r})", ("drop",)))
        drop = []
    known = {e.get("id") for key in _MERGED_BY_ID for e in base.get(key) or []}
    for n, did in enumerate(drop):
        if not isinstance(did, str) or did not in known:
            error(
                typed.Found(
                    "drop",
                    f"unknown item, step or notice id {did!r} in the base checklist; "
                    "`dossier checklists show` lists its ids",
                    ("drop", n),
                )
            )
    for key in _MERGED_BY_ID:
        kept = [e for e in base.get(key) or [] if e.get("id") not in drop]
        merged[key] = _merge_entries(kept, data.get(key), key, error)
    return merged


def _merge_entries(
    base: list[Any], raw: Any, key: str, error: Callable[[typed.Found], None]
) -> Any:
    if raw is None:
        return base
    if not isinstance(raw, list):
        return raw  # the model says what it must be
    by_id = {e["id"]: dict(e) for e in base}
    order: list[Any] = list(by_id)
    odd: list[Any] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            odd.append(entry)  # the model says what is wrong with it
            continue
        eid = entry["id"]
        if eid in seen:
            error(typed.Found(f"{key}.{eid}", _TWICE, (key, n)))
        seen.add(eid)
        if eid in by_id:
            by_id[eid] = {**by_id[eid], **entry}
        else:
            by_id[eid] = dict(entry)
            order.append(eid)
    return [by_id[eid] for eid in order] + odd


_TWICE = "the same id appears twice; keep one, or give the other an id of its own"


def _reference_errors(merged: Mapping[str, Any], data: Mapping[str, Any]) -> list[typed.Found]:
    """What a schema cannot say: the ids a checklist names are defined in it, once. Read from
    the plain data, so that they are said with the model's errors; a part the model refuses
    (portals: that is not a mapping) is left to the model's message."""
    found: list[typed.Found] = []
    if data.get("extends") is None:
        for key in _MERGED_BY_ID:
            entries = merged.get(key)
            seen: set[str] = set()
            for n, entry in enumerate(entries if isinstance(entries, list) else ()):
                eid = entry.get("id") if isinstance(entry, Mapping) else None
                if isinstance(eid, str) and eid in seen:
                    found.append(typed.Found(f"{key}.{eid}", _TWICE, (key, n)))
                if isinstance(eid, str):
                    seen.add(eid)
    raw_portals = merged.get("portals")
    if raw_portals is not None and not isinstance(raw_portals, Mapping):
        return found
    portals = set(raw_portals or {})
    items = merged.get("items")
    mine = data.get("items")
    for item in items if isinstance(items, list) else ():
        iid = item.get("id") if isinstance(item, Mapping) else None
        if not isinstance(iid, str):
            continue
        at = _given_at(mine, iid, "portal")
        portal = item.get("portal")
        if isinstance(portal, str) and portal not in portals:
            found.append(
                typed.Found(
                    f"items.{iid}.portal",
                    f"unknown portal {portal!r}; define it under portals:",
                    (*at, "portal") if at else (),  # the line of the file's own item
                )
            )
        rules = item.get("rules")
        for n, rule in enumerate(rules if isinstance(rules, list) else (), start=1):
            if not isinstance(rule, Mapping) or rule.get("type") != "portal-file":
                continue
            pid = rule.get("portal") or portal
            at = _given_at(mine, iid, "rules")
            if pid is None or (isinstance(pid, str) and pid not in portals):
                found.append(
                    typed.Found(
                        f"items.{iid}.rules[{n}] (portal-file)",
                        f"needs a portal defined under portals: (got {pid!r})",
                        (*at, "rules", n - 1) if at else (),
                    )
                )
    return found


def _given_at(entries: Any, eid: str, key: str) -> tuple[str | int, ...]:
    """Where the file's own items give ``key`` for the item ``eid`` (the last entry with that
    id that gives it, else the first with that id); () when the file does not give the item."""
    if not isinstance(entries, list):
        return ()
    ids = [n for n, e in enumerate(entries) if isinstance(e, Mapping) and e.get("id") == eid]
    giving = [n for n in ids if key in entries[n]]
    return ("items", (giving or ids)[-1 if giving else 0]) if ids else ()


def _checklist(model: FullChecklist, merged: Mapping[str, Any], path: Path) -> Checklist:
    """The validated model as the Checklist the rest of the tool reads."""
    raw_items = {e["id"]: e for e in merged.get("items") or [] if isinstance(e, Mapping)}
    return Checklist(
        id=model.id.strip(),
        title=model.title.strip(),
        version=str(model.version).strip(),
        track=model.track.strip(),
        languages=tuple(x.lower() for x in model.languages),
        items=tuple(_item(i, raw_items.get(i.id, {})) for i in model.items),
        portals={pid: _given(p) for pid, p in (model.portals or {}).items()},
        path=path,
        steps=tuple(_step(s) for s in model.steps or ()),
        notices=tuple(_notice(n) for n in model.notices or ()),
    )


def _given(model: BaseModel) -> dict[str, Any]:
    """The keys a model was given, as plain data (``model_dump(exclude_unset=True)`` without
    building a serializer for every nested model class: start-up time of every command)."""
    return {
        (info.alias or name): _plain(getattr(model, name))
        for name, info in type(model).model_fields.items()
        if name in model.model_fields_set
    }


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _given(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _conditions(when: Conditions | None, raw: Any) -> tuple[Condition, ...]:
    """A group of conditions, in the order the file gives them."""
    if when is None:
        return ()
    given = _given(when)
    order = [k for k in raw if k in given] if isinstance(raw, Mapping) else list(given)
    out = []
    for var in order:
        spec = given[var]
        negate = isinstance(spec, Mapping)
        values = spec["not"] if negate else spec
        out.append(Condition(var, tuple(values if isinstance(values, list) else [values]), negate))
    return tuple(out)


def _item(m: FullItem, raw: Mapping[str, Any]) -> Item:
    raw_rules = raw.get("rules") or []
    raw_when = raw.get("when")
    when: tuple[Condition, ...] = ()
    when_any: tuple[tuple[Condition, ...], ...] = ()
    if isinstance(m.when, list):
        groups = raw_when if isinstance(raw_when, list) else [None] * len(m.when)
        when_any = tuple(_conditions(g, r) for g, r in zip(m.when, groups, strict=True))
    else:
        when = _conditions(m.when, raw_when)
    return Item(
        id=m.id,
        title=m.title.strip(),
        required=m.required,
        source=m.source.strip(),
        when=when,
        min=m.min,
        max=m.max,
        advice=(m.advice or "").strip(),
        names=tuple(n.strip() for n in m.names or ()),
        evidence=tuple((g,) if isinstance(g, str) else tuple(g) for g in m.evidence or ()),
        rules=tuple(
            _rule(r, raw_rules[n] if n < len(raw_rules) else {})
            for n, r in enumerate(m.rules or ())
        ),
        portal=m.portal,
        facts=tuple(f.strip() for f in m.facts or ()),
        portrait=m.portrait,
        roles=tuple(dict.fromkeys(m.roles or ())),
        when_any=when_any,
        count_note=(m.count_note or "").strip(),
        confirmed=m.confirmed is not False,
        note=(m.note or "").strip(),
        read_pages=_read_pages(m),
    )


def _read_pages(m: FullItem) -> ReadPages | None:
    given = m.read_pages
    if given is None:
        return None
    first = None if given.first == "all" else (given.first or 0)
    return ReadPages(first, given.last, given.source.strip())


def _rule(m: AnyRule, raw: Mapping[str, Any]) -> Rule:
    """A rule's parameters are the keys it gives (in its order), as its type's model read them."""
    given = {k: v for k, v in _given(m).items() if k not in ("type", "source")}
    params = {k: given[k] for k in raw if k in given} | given
    return Rule(m.type, m.source.strip(), params)


def _step(m: FullStep) -> Step:
    return Step(
        id=m.id,
        title=m.title.strip(),
        source=m.source.strip(),
        date=m.date,
        confirmed=m.date is not None if m.confirmed is None else m.confirmed,
        note=(m.note or "").strip(),
        when=_conditions(m.when, None),
        advice=(m.advice or "").strip(),
    )


def _notice(m: FullNotice) -> Notice:
    return Notice(
        id=m.id,
        text=m.text.strip(),
        source=m.source.strip(),
        when=_conditions(m.when, None),
        confirmed=m.confirmed is not False,
        note=(m.note or "").strip(),
    )


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
        **({"read_pages": _read_pages_to_raw(it.read_pages)} if it.read_pages else {}),
        **({"confirmed": False, "note": it.note} if not it.confirmed else {}),
        **({"note": it.note} if it.confirmed and it.note else {}),
    }


def _read_pages_to_raw(pages: ReadPages) -> dict[str, Any]:
    first = {"first": "all" if pages.first is None else pages.first} if pages.first != 0 else {}
    return {**first, **({"last": pages.last} if pages.last else {}), "source": pages.source}
