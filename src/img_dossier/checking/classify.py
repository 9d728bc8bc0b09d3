"""Document -> item id: dossier.yaml ``files:`` first, then the file name, then content evidence.

Every decision carries its evidence (the pattern, the words of the name, the phrases found
in the text), so that the report can say why a file was taken for what it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from ..config.checklist import Checklist, Item
from ..config.profile import Profile
from ..model import Document, Problem
from .content import MIN_JOINED, Folded, check_content
from .wordfold import _phrase
from .wordfold import normalize as normalize  # re-exported: classify.normalize

#: The manifest target that takes a file out of the check.
IGNORE = "ignore"

UNCLASSIFIED_HINT = (
    "could not tell which document this is; rename it after its item (e.g. passport.pdf) "
    "or map it in dossier.yaml under files:"
)


def _stem(rel: str) -> str:
    """The file name without folders and without its extension."""
    name = PurePosixPath(rel.replace("\\", "/")).name
    stem, dot, ext = name.rpartition(".")
    return stem if dot and stem and len(ext) <= 5 else name


def _contains(haystack: str, phrase: str) -> bool:
    """True when the normalised phrase occurs as whole words in the normalised haystack."""
    return bool(phrase) and f" {phrase} " in f" {haystack} "


def manifest_match(rel: str, files: Mapping[str, str]) -> tuple[str, str] | None:
    """The (pattern, item id or "ignore") of dossier.yaml ``files:`` that covers ``rel``.

    An exact path wins over a glob; globs are tried in the order written, against the
    posix path and against the base name, case-insensitively.
    """
    posix = rel.replace("\\", "/")
    lowered = posix.lower()
    base = PurePosixPath(lowered).name
    for pattern, target in files.items():
        if pattern.replace("\\", "/").strip("/").lower() == lowered:
            return pattern, target
    for pattern, target in files.items():
        pat = pattern.replace("\\", "/").strip("/").lower()
        if fnmatchcase(lowered, pat) or ("/" not in pat and fnmatchcase(base, pat)):
            return pattern, target
    return None


@dataclass(frozen=True)
class _Names:
    """The normalised name phrases of each item, longest first."""

    phrases: tuple[tuple[str, str, int, str], ...]  # (normalised, original, order, item id)
    #: (normalised, the same without spaces when _joinable else "", item id), in order
    titles: tuple[tuple[str, str, str], ...] = ()

    @classmethod
    def of(cls, items: Sequence[Item]) -> _Names:
        rows = [
            (normalize(name), name, order, item.id)
            for order, item in enumerate(items)
            for name in item.names
            if normalize(name)
        ]
        rows.sort(key=lambda r: (-len(r[0]), r[2]))
        titles = tuple(
            (norm, norm.replace(" ", "") if _joinable(norm) else "", item_id)
            for norm, _original, _order, item_id in rows
        )
        return cls(tuple(rows), titles)

    def match(self, words: str) -> tuple[str, str] | None:
        """(item id, phrase) of the longest name phrase found in ``words``."""
        for norm, original, _order, item_id in self.phrases:
            if _contains(words, norm):
                return item_id, original
        return None


def by_filename(rel: str, names: _Names) -> tuple[str, str] | None:
    """(item id, phrase) from the file's own name."""
    return names.match(normalize(_stem(rel)))


def by_folder(rel: str, names: _Names) -> tuple[str, str] | None:
    """(item id, phrase) from the names of the folders holding the file, nearest first."""
    for folder in reversed(PurePosixPath(rel.replace("\\", "/")).parts[:-1]):
        found = names.match(normalize(folder))
        if found:
            return found
    return None


#: How many non-empty lines at the top of a document may be its title.
TITLE_LINES = 5


def by_title(text: str, names: _Names) -> tuple[str, str] | None:
    """(item id, title line) when a line at the top of the text is exactly one of the names.

    A document headed "Curriculum Vitae" or "Certified Translation" is that document,
    whatever else it mentions further down.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:TITLE_LINES]
    for line in lines:
        words = normalize(line)
        joined = words.replace(" ", "")
        for norm, squeezed, item_id in names.titles:
            if words == norm or (squeezed and joined == squeezed):
                return item_id, line
    return None


def _joinable(phrase: str) -> bool:
    """Whether a normalised phrase is long enough to be known with its spaces lost to OCR
    ("StandardECFMGCertificate"): two words or more, MIN_JOINED letters or more."""
    return " " in phrase and len(phrase) - phrase.count(" ") >= MIN_JOINED


def by_content(text: str, items: Sequence[Item]) -> tuple[str, tuple[str, ...]] | None:
    """(item id, phrases matched) of the item whose evidence the text shows best.

    A group of phrases matches when every phrase of it occurs; an item scores by the total
    length of the distinct phrases of its matching groups (long, specific phrases outweigh
    short common words), then by their number; ties go to the earlier item of the checklist.
    """
    folded = Folded(text)
    if not folded.words:
        return None
    best: tuple[int, int, int] | None = None
    chosen: tuple[str, tuple[str, ...]] | None = None
    for order, item in enumerate(items):
        matched: list[str] = []
        for group in item.evidence:
            if all(folded.has(p) for p in group):
                matched.extend(p for p in group if p not in matched)
        if not matched:
            continue
        score = (sum(len(_phrase(p)) for p in matched), len(matched), -order)
        if best is None or score > best:
            best, chosen = score, (item.id, tuple(matched))
    return chosen


#: Formats of photos: a photo of a person is told from a photo of a page by OCR.
_PHOTO_FORMATS = frozenset({"jpeg", "png", "tiff", "heic"})


def by_portrait(doc: Document, items: Sequence[Item]) -> tuple[str, str] | None:
    """(item id, evidence) when the document is a photo in which OCR found no text and that
    is taller than wide (a photo of a person): the item the checklist marks ``portrait``.
    With OCR off nothing is known of its text, so nothing is decided."""
    ocr = doc.info.get("ocr")
    if doc.format not in _PHOTO_FORMATS or not doc.readable or doc.has_text:
        return None
    if not isinstance(ocr, Mapping) or not ocr.get("pages"):
        return None
    shown = doc.info.get("upright")
    width, height = shown if isinstance(shown, list) and len(shown) == 2 else (None, None)
    if not isinstance(width, int) or not isinstance(height, int) or height <= width:
        return None
    for item in items:
        if item.portrait:
            return item.id, f"a photo with no text, {width} x {height} pixels (portrait)"
    return None


def classify(
    documents: Sequence[Document], checklist: Checklist, profile: Profile
) -> list[Document]:
    """Return the documents (same order) with item, classified_by and evidence set.

    Unclassified documents get an ``unclassified`` warning with a hint; a byte-identical
    copy of another document (the one with the shortest name is kept) gets a ``duplicate``
    warning naming it (and verify does not count it). Documents that dossier.yaml maps to
    "ignore" keep item None, without problem.
    """
    names = _Names.of(checklist.items)
    known = checklist.item_ids
    classified = [
        check_content(
            _classify_one(doc, checklist, profile, names, known),
            checklist,
            profile,
            lambda doc=doc: _by_text(doc, checklist, names),  # type: ignore[misc]
        )
        for doc in documents
    ]
    # of identical copies the shortest name is kept ("lor.pdf", not "lor (1).pdf")
    first_of: dict[str, str] = {}
    for doc in classified:
        if doc.sha256 and doc.bytes > 0 and not _ignored(doc):
            kept = first_of.setdefault(doc.sha256, doc.rel)
            if (len(doc.rel), doc.rel) < (len(kept), kept):
                first_of[doc.sha256] = doc.rel
    out: list[Document] = []
    for doc in classified:
        if doc.sha256 and doc.bytes > 0 and not _ignored(doc):
            first = first_of[doc.sha256]
            if first != doc.rel:
                doc = doc.with_problems(
                    Problem(
                        "duplicate",
                        "warning",
                        f"{doc.rel}: the same file as {first}; it is counted once. "
                        "Delete one copy or map it in dossier.yaml under files: as ignore",
                    )
                )
        out.append(doc)
    return out


def _by_text(
    doc: Document, checklist: Checklist, names: _Names
) -> tuple[str, tuple[str, ...]] | None:
    """(item id, evidence) that the text alone shows: a title line, else content evidence."""
    titled = by_title(doc.text, names)
    if titled is not None:
        return titled[0], (f"title: {titled[1]}",)
    return by_content(doc.text, checklist.items)


def _ignored(doc: Document) -> bool:
    return doc.classified_by == "manifest" and doc.item is None


def _classify_one(
    doc: Document, checklist: Checklist, profile: Profile, names: _Names, known: set[str]
) -> Document:
    found = manifest_match(doc.rel, profile.files)
    if found is not None:
        pattern, target = found
        if target == IGNORE or target in known:
            return doc.replace(
                item=None if target == IGNORE else target,
                classified_by="manifest",
                evidence=(f"dossier.yaml files: {pattern}",),
            )
    by_name = by_filename(doc.rel, names)
    if by_name is not None:
        return doc.replace(
            item=by_name[0], classified_by="filename", evidence=(f"file name: {by_name[1]}",)
        )
    if doc.readable and doc.has_text:
        titled = by_title(doc.text, names)
        if titled is not None:
            return doc.replace(
                item=titled[0], classified_by="content", evidence=(f"title: {titled[1]}",)
            )
        by_text = by_content(doc.text, checklist.items)
        if by_text is not None:
            return doc.replace(item=by_text[0], classified_by="content", evidence=by_text[1])
    portrait = by_portrait(doc, checklist.items)
    if portrait is not None:
        return doc.replace(item=portrait[0], classified_by="content", evidence=(portrait[1],))
    by_dir = by_folder(doc.rel, names)
    if by_dir is not None:
        return doc.replace(
            item=by_dir[0], classified_by="filename", evidence=(f"folder name: {by_dir[1]}",)
        )
    return doc.replace(item=None, classified_by=None, evidence=()).with_problems(
        Problem("unclassified", "warning", f"{doc.rel}: {UNCLASSIFIED_HINT}")
    )


def ignored_by_manifest(rels: Iterable[str], profile: Profile) -> set[str]:
    """The rel paths that dossier.yaml ``files:`` maps to "ignore"."""
    out: set[str] = set()
    for rel in rels:
        found = manifest_match(rel, profile.files)
        if found is not None and found[1] == IGNORE:
            out.add(rel)
    return out
