"""Planning uploads: which documents go into which portal slot, what is refused and why."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..checking.classify import by_content, normalize
from ..checking.pipeline import CheckRun
from ..checking.verify import counts
from ..config.checklist import Checklist, Item
from ..model import Document
from ..own_output import previous_outputs
from ..pathtext import resolved

#: The portals of INTERFACE.md; a custom checklist may define more.
from .pack_results import Refused, SlotResult
from .pack_rules import _REFUSED_STATUSES, PortalRules, Slot

# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Upload:
    """What goes into one output file before it is made."""

    slot: str
    portal: PortalRules
    item: str
    documents: tuple[Document, ...]
    uploaded_by: str | None = None
    unaltered: bool = False


@dataclass
class _Plan:
    uploads: list[_Upload] = field(default_factory=list)
    rows: list[SlotResult] = field(default_factory=list)  # slots with nothing to make
    refused: list[Refused] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _refusal(doc: Document) -> str | None:
    """Why a document cannot go to a portal, with what to do; None when it can."""
    if doc.info.get("encrypted") or any(p.code == "encrypted" for p in doc.problems):
        msg = next((p.message for p in doc.problems if p.code == "encrypted"), "")
        return msg or (
            f"{doc.rel}: encrypted or password-protected; portals refuse it: print it to a "
            "new PDF without a password and replace the file"
        )
    errors = [p for p in doc.problems if p.severity == "error"]
    if errors:
        what = errors[0].message
        return what if what.startswith(doc.rel) else f"{doc.rel}: {what}"
    return None


def _untranslated(doc: Document) -> str | None:
    """Why a document check found untranslated cannot be uploaded (the portals take English,
    or the original with its certified translation), with what to do; None otherwise."""
    found = next((p for p in doc.problems if p.code == "needs-translation"), None)
    if found is None:
        return None
    return (
        f"{found.message} (not packed: the portal takes an English document, or the original "
        "with its certified translation)"
    )


def _plan(run: CheckRun, rules: Sequence[PortalRules]) -> _Plan:
    report, checklist = run.report, run.checklist
    plan = _Plan()
    by_item: dict[str, list[Document]] = {}
    earlier: dict[Path, set[Path]] = {}  # folder -> files an earlier pack wrote there
    skipped: list[str] = []
    for doc in report.documents:
        parent = doc.path.parent
        if parent not in earlier:
            earlier[parent] = previous_outputs(parent)
        if resolved(doc.path) in earlier[parent]:  # a link loop: its own path
            skipped.append(doc.rel)  # a photo an earlier pack wrote (its PDFs are marked)
            continue
        if doc.item is not None and counts(doc):
            by_item.setdefault(doc.item, []).append(doc)
    if skipped:
        plan.notes.append(f"{', '.join(skipped)}: written by an earlier pack; not packed again")

    # only the documents of the items these portals take are theirs to refuse
    taken = {i for p in rules for s in p.slots for i in s.items}
    translation_item = checklist.role_item("certified-translations")
    if translation_item is not None and any(_takes_translations(checklist, p) for p in rules):
        taken.add(translation_item)
    usable: dict[str, list[Document]] = {}
    seen_refused: set[str] = set()
    for item_id, docs in by_item.items():
        if item_id not in taken:
            continue
        for doc in docs:
            why = _refusal(doc) or _untranslated(doc)
            if why is None:
                usable.setdefault(item_id, []).append(doc)
            elif doc.rel not in seen_refused:
                seen_refused.add(doc.rel)
                plan.refused.append(Refused(doc.rel, item_id, why))

    for portal in rules:
        slot_items = {i for s in portal.slots for i in s.items if checklist.item(i) is not None}
        translations: dict[str | None, list[Document]] = {}
        verdict = report.item(translation_item) if translation_item is not None else None
        if (
            translation_item is not None
            and _takes_translations(checklist, portal)
            and usable.get(translation_item)
        ):
            if verdict is not None and verdict.status in _REFUSED_STATUSES:
                plan.rows.append(
                    SlotResult(
                        slot=translation_item,
                        portal=portal.id,
                        item=translation_item,
                        status="not-packed",
                        limit=portal.max_bytes,
                        sources=tuple(d.rel for d in usable[translation_item]),
                        message=(
                            f"translations {verdict.status}: "
                            f"{'; '.join(verdict.messages) or verdict.status}; "
                            "fix them, then pack again (originals are packed without them)"
                        ),
                    )
                )
            else:
                translations = _pair_translations(
                    usable[translation_item], usable, checklist, slot_items
                )
        for slot in portal.slots:
            _plan_slot(plan, run, portal, slot, usable, by_item, translations)
        if translations.get(None) and translation_item is not None:
            unpaired = translations[None]
            for n, doc in enumerate(unpaired, start=1):
                sid = translation_item if len(unpaired) == 1 else f"{translation_item}-{n}"
                plan.uploads.append(
                    _Upload(
                        sid,
                        portal,
                        translation_item,
                        (doc,),
                        unaltered=portal.translations == "unaltered",
                    )
                )
            plan.notes.append(
                f"{', '.join(d.rel for d in unpaired)}: could not tell which document it "
                "translates, so it is packed on its own; name it after its original "
                "(e.g. transcript-translation.pdf) or keep it in the original's folder"
            )
    return plan


def _takes_translations(checklist: Checklist, portal: PortalRules) -> bool:
    """The portal takes the certified translations (the item with that role)."""
    item_id = checklist.role_item("certified-translations")
    item = checklist.item(item_id) if item_id is not None else None
    spec = checklist.portals.get(portal.id, {})
    listed = spec.get("items")
    return bool(
        item is not None
        and (item.portal == portal.id or (isinstance(listed, list) and item.id in listed))
    )


def _plan_slot(
    plan: _Plan,
    run: CheckRun,
    portal: PortalRules,
    slot: Slot,
    usable: Mapping[str, list[Document]],
    by_item: Mapping[str, list[Document]],
    translations: Mapping[str | None, list[Document]],
) -> None:
    report, checklist = run.report, run.checklist
    joined: list[Document] = []  # the documents of every item of a joined slot, in order
    joined_items: list[str] = []
    for item_id in slot.items:
        item = checklist.item(item_id)
        result = report.item(item_id)
        if item is None or result is None:
            continue  # a custom checklist dropped it
        row = SlotResult(
            slot=slot.id, portal=portal.id, item=item_id, status="missing", limit=portal.max_bytes
        )
        docs = list(usable.get(item_id, []))
        extra = translations.get(item_id, [])
        # a translation goes nowhere without its original: say so where the original is
        orphans = (
            f" (its translation {', '.join(t.rel for t in extra)} is not packed either)"
            if extra
            else ""
        )
        if not docs and by_item.get(item_id):
            plan.rows.append(
                dataclasses.replace(
                    row,
                    status="not-packed",
                    sources=tuple(d.rel for d in by_item[item_id]),
                    message=f"{item.title}: no usable document (refused below){orphans}",
                )
            )
            continue
        if result.status in _REFUSED_STATUSES:
            why = "; ".join(result.messages) or result.status
            plan.rows.append(
                dataclasses.replace(
                    row,
                    status="not-packed",
                    sources=tuple(d.rel for d in by_item.get(item_id, [])),
                    message=(
                        f"{item.title}: {result.status}: {why}; fix it, then pack again{orphans}"
                    ),
                    advice=item.advice,
                )
            )
            continue
        if not docs:
            if (result.required and result.status != "not-required") or extra:
                plan.rows.append(
                    dataclasses.replace(
                        row,
                        message=f"{item.title}: no document in the folder{orphans}",
                        advice=item.advice,
                    )
                )
            continue
        apart = portal.translations in ("separate", "unaltered")
        if slot.join:
            joined.extend(docs if apart else _with_translations(docs, extra))
            joined_items.append(item_id)
        else:
            for n, doc in enumerate(docs, start=1):
                mine = [t for t in extra if _same_folder(t, doc)] if len(docs) > 1 else extra
                group = [doc] if apart else [doc, *mine]
                plan.uploads.append(
                    _Upload(f"{slot.id}-{n}", portal, item_id, tuple(group), slot.uploaded_by)
                )
            missing = max(0, item.min - len(docs)) if result.required else 0
            for n in range(len(docs) + 1, len(docs) + missing + 1):
                plan.rows.append(
                    SlotResult(
                        slot=f"{slot.id}-{n}",
                        portal=portal.id,
                        item=item_id,
                        status="missing",
                        limit=portal.max_bytes,
                        message=f"{item.title}: {item.min} needed, {len(docs)} in the folder",
                        advice=item.advice,
                    )
                )
        tr_item = run.checklist.role_item("certified-translations")
        if apart and tr_item is not None:  # extra: documents of the certified-translations item
            for n, tr in enumerate(extra, start=1):
                sid = f"{slot.id}-translation" + (f"-{n}" if len(extra) > 1 else "")
                plan.uploads.append(
                    _Upload(
                        sid,
                        portal,
                        tr_item,
                        (tr,),
                        unaltered=portal.translations == "unaltered",
                    )
                )
    if joined:
        plan.uploads.append(
            _Upload(slot.id, portal, "+".join(joined_items), tuple(joined), slot.uploaded_by)
        )


def _same_folder(a: Document, b: Document) -> bool:
    return PurePosixPath(a.rel).parent == PurePosixPath(b.rel).parent


def _with_translations(docs: list[Document], extra: list[Document]) -> list[Document]:
    """Each translation right after the last original in its folder, else at the end."""
    out = list(docs)
    for tr in extra:
        at = max((i for i, d in enumerate(out) if d in docs and _same_folder(d, tr)), default=None)
        if at is None:
            out.append(tr)
        else:
            out.insert(at + 1, tr)
    return out


def _pair_translations(
    translations: Sequence[Document],
    usable: Mapping[str, list[Document]],
    checklist: Checklist,
    slot_items: set[str],
) -> dict[str | None, list[Document]]:
    """Translation documents by the item of their original (None: could not tell).

    The translation's file name, then its folders, then its text (the original's evidence,
    translated), then the only original in the same folder.
    """
    translation_items = set(checklist.with_role("certified-translations"))
    candidates = [
        i for i in checklist.items if i.id in slot_items and i.id not in translation_items
    ]
    out: dict[str | None, list[Document]] = {}
    for tr in translations:
        target = _by_words(normalize(PurePosixPath(tr.rel).stem), candidates)
        if target is None:
            for folder in reversed(PurePosixPath(tr.rel).parts[:-1]):
                target = _by_words(normalize(folder), candidates)
                if target:
                    break
        if target is None and tr.text:
            found = by_content(tr.text, candidates)
            target = found[0] if found else None
        if target is None:
            near = {
                item_id
                for item_id, docs in usable.items()
                if item_id in slot_items and any(_same_folder(d, tr) for d in docs)
            } - translation_items
            target = near.pop() if len(near) == 1 else None
        out.setdefault(target, []).append(tr)
    return out


def _by_words(words: str, items: Sequence[Item]) -> str | None:
    best: tuple[int, str] | None = None
    for item in items:
        for name in item.names:
            phrase = normalize(name)
            if phrase and f" {phrase} " in f" {words} " and (best is None or len(phrase) > best[0]):
                best = (len(phrase), item.id)
    return best[1] if best else None
