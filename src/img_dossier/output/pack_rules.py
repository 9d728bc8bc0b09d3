"""Portal rules for pack, read and validated from the checklist's ``portals:`` data."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..config.checklist import Checklist
from ..errors import BadInputError
from ..model import OWN_OUTPUT_KEY
from ..own_output import PACK_MARKER
from .shrink import Floors

#: The portals of INTERFACE.md; a custom checklist may define more.


PORTALS = ("carms", "mcc", "ecfmg", "evsp")
TRANSLATION_MODES = ("with-original", "separate", "unaltered")
#: Characters every portal accepts in a file name (the rest are folded or replaced).
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
#: Item statuses whose documents are not packed: the portal would refuse them.
_REFUSED_STATUSES = frozenset({"invalid", "expired"})
#: pack's own value: a packed PDF moved back into a folder counts as the user's document
_MARKER = {OWN_OUTPUT_KEY: PACK_MARKER}
_FORMAT_EXT = {"pdf": "pdf", "jpeg": "jpg"}
_PHOTO_SOURCES = frozenset({"jpeg", "png", "tiff"})


class UnknownPortalError(BadInputError):
    """The portal asked for is not one the folder's checklist can pack."""


# -- portal rules (checklist data) ---------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One upload: the items whose documents go in it, joined into one file or one each."""

    id: str
    items: tuple[str, ...]
    join: bool = True
    uploaded_by: str | None = None


@dataclass(frozen=True)
class PortalRules:
    """What ``pack`` needs of one portal, validated."""

    id: str
    title: str
    source: str
    format: str  # "pdf" or "jpeg"
    max_bytes: int
    slots: tuple[Slot, ...]
    translations: str = "with-original"
    floors: Floors = field(default_factory=Floors)
    min_pixels: tuple[int, int] = (0, 0)
    page_size: tuple[float, float] | None = None
    dpi: int | None = None
    aspect: tuple[float, float] | None = None
    signatures: bool = True  # False: the portal refuses digitally signed PDFs

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "format": self.format,
            "max_bytes": self.max_bytes,
            "source": self.source,
        }


def packable(checklist: Checklist) -> list[str]:
    """Portal ids of the checklist that pack can fill (a format it writes and a byte limit)."""
    out = []
    for pid, spec in checklist.portals.items():
        formats = spec.get("formats")
        writes = isinstance(formats, list) and any(f in _FORMAT_EXT for f in formats)
        if writes and spec.get("max_bytes") is not None:
            out.append(pid)
    return out


def portal_rules(checklist: Checklist, portal: str) -> tuple[PortalRules, ...]:
    """The portal and the portals packed with it (``part_of`` / ``pack_with`` it), validated."""
    ids = packable(checklist)
    if portal not in ids:
        raise UnknownPortalError(
            f"--portal {portal}: not a portal of checklist {checklist.id} that pack can fill; "
            f"its portals are: {', '.join(ids) or 'none'}"
        )
    chosen = [portal] + [
        pid
        for pid in ids
        if pid != portal
        and portal in (checklist.portals[pid].get(k) for k in ("part_of", "pack_with"))
    ]
    name = str(checklist.path) if checklist.path else checklist.id
    translations = set(checklist.with_role("certified-translations"))
    return tuple(_rules(name, pid, checklist.portals[pid], translations) for pid in chosen)


def _rules(
    name: str, pid: str, spec: Mapping[str, Any], translation_items: Collection[str]
) -> PortalRules:
    """``translation_items``: the items of certified translations (packed with originals)."""

    def bad(field_: str, what: str) -> BadInputError:
        got = spec.get(field_.split(".")[0].split("[")[0])
        return BadInputError(f"{name}: portals.{pid}.{field_}: {what} (got {got!r})")

    formats = spec.get("formats")
    fmt = next((f for f in formats or () if f in _FORMAT_EXT), None)
    if fmt is None:
        raise bad("formats", "pack writes pdf or jpeg")
    max_bytes = _int(spec.get("max_bytes"), 1)
    if max_bytes is None:
        raise bad("max_bytes", "must be a whole number of bytes > 0")
    translations = spec.get("translations", "with-original")
    if translations not in TRANSLATION_MODES:
        raise bad("translations", f"must be one of {', '.join(TRANSLATION_MODES)}")
    min_dpi = _int(spec.get("min_dpi", 150), 72, 1200)
    if min_dpi is None:
        raise bad("min_dpi", "must be a whole number from 72 to 1200")
    min_q = _int(spec.get("min_jpeg_quality", 60), 10, 95)
    if min_q is None:
        raise bad("min_jpeg_quality", "must be a whole number from 10 to 95")
    min_pixels = _pair(spec.get("min_pixels", [0, 0]), int)
    if min_pixels is None:
        raise bad("min_pixels", "must be [width, height] in pixels")
    page = spec.get("page_size_pt")
    page_size = _pair(page, float) if page is not None else None
    if page is not None and page_size is None:
        raise bad("page_size_pt", "must be [width, height] in points")
    dpi = spec.get("dpi")
    if dpi is not None and _int(dpi, 72, 1200) is None:
        raise bad("dpi", "must be a whole number from 72 to 1200")
    shape = spec.get("aspect")
    aspect = _pair(shape, float) if shape is not None else None
    if shape is not None and (aspect is None or 0 in aspect):
        raise bad("aspect", "must be [width, height], e.g. [5, 7]")
    return PortalRules(
        id=pid,
        title=str(spec.get("title") or pid),
        source="; ".join(str(spec[k]) for k in ("source", "pack_source") if spec.get(k)),
        format=fmt,
        max_bytes=max_bytes,
        slots=_slots(bad, spec, translation_items),
        translations=str(translations),
        floors=Floors(min_dpi, min_q),
        min_pixels=(int(min_pixels[0]), int(min_pixels[1])),
        page_size=(float(page_size[0]), float(page_size[1])) if page_size else None,
        dpi=int(dpi) if dpi is not None else None,
        aspect=aspect,
        signatures=spec.get("digital_signatures") is not False,
    )


def _slots(
    bad: Any, spec: Mapping[str, Any], translation_items: Collection[str]
) -> tuple[Slot, ...]:
    raw = spec.get("slots")
    if raw is None:  # one slot per item the portal takes, named after it
        lists = {}
        for key in ("items", "one_file_each", "referee_uploads"):
            value = spec.get(key) or []
            if not isinstance(value, list) or not all(isinstance(i, str) for i in value):
                raise bad(key, "must be a list of item ids")
            lists[key] = value
        return tuple(
            Slot(
                i,
                (i,),
                join=i not in lists["one_file_each"],
                uploaded_by="referee" if i in lists["referee_uploads"] else None,
            )
            for i in lists["items"]
            if i not in translation_items
        )
    if not isinstance(raw, list):
        raise bad("slots", "must be a list of {id, items, join} mappings")
    slots: list[Slot] = []
    for n, s in enumerate(raw, start=1):
        where = f"slots[{n}]"
        if not isinstance(s, Mapping):
            raise bad(where, "each slot must be a mapping with id and items")
        unknown = set(s) - {"id", "items", "join", "uploaded_by"}
        if unknown:
            key = sorted(unknown)[0]
            raise bad(f"{where}.{key}", "unknown key; expected id, items, join, uploaded_by")
        sid = s.get("id")
        if not isinstance(sid, str) or not sid or _UNSAFE.search(sid):
            raise bad(f"{where}.id", "must be letters, digits, - or _")
        items = s.get("items")
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            raise bad(f"{where}.items", "must be a list of item ids")
        join = s.get("join", True)
        if not isinstance(join, bool):
            raise bad(f"{where}.join", "must be true or false")
        by = s.get("uploaded_by")
        if by is not None and not isinstance(by, str):
            raise bad(f"{where}.uploaded_by", "must be text")
        slots.append(Slot(sid, tuple(items), join, by))
    return tuple(slots)


def _int(value: Any, lo: int, hi: int | None = None) -> int | None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lo:
        return None
    if hi is not None and value > hi:
        return None
    return value


def _pair(value: Any, kind: type) -> tuple[Any, Any] | None:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
    )
    return (kind(value[0]), kind(value[1])) if ok else None
