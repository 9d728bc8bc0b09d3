"""Whether a document's text agrees with the item its name claims (``content-mismatch``).

A file is not what its name says when its text is readable, long enough to judge, and shows
none of its item's evidence (a whole evidence group, or a name of the item of two words or
more), nor the applicant's name (in any script), and, for an item whose documents need not
carry the name (a personal statement, a letter), nothing of medicine at all. Such a file
named by its file name does not count; when its text clearly shows another item's evidence
it goes to that item. A file vouched for in dossier.yaml ``files:`` keeps counting, warned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property

from ..config.checklist import Checklist, Item
from ..config.profile import Profile
from ..facts.names import appears_in
from ..model import Document, Problem
from .wordfold import _phrase, folded_text

#: Fewer words than this and a text is not judged (a scan's stray OCR, a one-line note).
MIN_WORDS = 20

#: Words of medicine and of applying to residency (folded as ``classify.normalize`` does),
#: in the languages of the checklists' evidence: a free-form document (a personal statement,
#: a letter) that uses none of them is not about the applicant's medical career.
MEDICAL_WORDS = frozenset(
    {
        "medicine",
        "medical",
        "medic",
        "physician",
        "physicians",
        "patient",
        "patients",
        "clinical",
        "clinic",
        "hospital",
        "residency",
        "resident",
        "residents",
        "internship",
        "intern",
        "surgery",
        "surgical",
        "doctor",
        "doctors",
        "md",
        "mbbs",
        "nursing",
        "health",
        "healthcare",
        "disease",
        "diagnosis",
        "treatment",
        "usmle",
        "ecfmg",
        "eras",
        "carms",
        "mccqe",
        "pediatrics",
        "paediatrics",
        "psychiatry",
        "cardiology",
        "oncology",
        "neurology",
        "anesthesia",
        "anaesthesia",
        "radiology",
        "pathology",
        "obstetrics",
        "gynecology",
        "rotation",
        "rotations",
        "clerkship",
        "clerkships",
        "ward",
        "medicina",
        "medico",
        "medica",
        "medicos",
        "paciente",
        "pacientes",
        "clinica",
        "clinico",
        "hospitalaria",
        "salud",
        "cirugia",
        "residentado",
        "internado",
        "medecine",
        "medecin",
        "medecins",
        "clinique",
        "hopital",
        "sante",
        "internat",
        "chirurgie",
        "residence",
        "medicinal",
        "saude",
        "cirurgia",
        "residencia",
        "doente",
        "doentes",
    }
)


#: A phrase of two words or more and at least this many letters and digits is also found
#: with its spaces gone or moved (OCR runs words together: "ECFMGCertificate", or splits
#: one: "Certifi cate"), but only where it starts and ends as the text's own words do: never
#: inside a longer word ("medical school" is not in "biomedical schooling").
MIN_JOINED = 8


class Folded:
    """A text folded for phrase matching (``normalize``), with its words run together."""

    def __init__(self, text: str) -> None:
        self.words = folded_text(text)
        self.padded = f" {self.words} "

    @cached_property
    def _joined(self) -> tuple[str, frozenset[int], frozenset[int]]:
        """The words without spaces, and where each word starts and ends in it."""
        starts: set[int] = set()
        ends: set[int] = set()
        at = 0
        for word in self.words.split():
            starts.add(at)
            at += len(word)
            ends.add(at)
        return self.words.replace(" ", ""), frozenset(starts), frozenset(ends)

    @cached_property
    def _word_set(self) -> frozenset[str]:
        """The text's words (a one-word phrase is one of them, or not in the text)."""
        return frozenset(self.words.split(" "))

    def has(self, phrase: str) -> bool:
        """Whether the phrase occurs as whole words (see MIN_JOINED for run-together ones)."""
        folded = _phrase(phrase)
        if not folded:
            return False
        if " " not in folded:  # one word: never run together with another
            return folded in self._word_set
        if f" {folded} " in self.padded:
            return True
        wanted = folded.replace(" ", "")
        if len(wanted) < MIN_JOINED:
            return False
        joined, starts, ends = self._joined
        at = joined.find(wanted)
        while at >= 0:
            if at in starts and at + len(wanted) in ends:
                return True
            at = joined.find(wanted, at + 1)
        return False


def _words(text: str) -> str:
    return folded_text(text[:50000])


def shows_item(words: str | Folded, item: Item) -> bool:
    """Whether normalised text shows the item: a whole evidence group, or one of its names
    of two words or more ("academic transcript", not "marks")."""
    text = words if isinstance(words, Folded) else Folded(words)
    if any(all(text.has(p) for p in group) for group in item.evidence):
        return True
    return any(len(_words(n).split()) >= 2 and text.has(n) for n in item.names)


def _needs_name(item: Item) -> bool:
    return any(rule.type == "name-match" for rule in item.rules)


def _medical(words: str) -> bool:
    return any(w in MEDICAL_WORDS for w in words.split())


def applicant_names(profile: Profile) -> list[str]:
    """The applicant's names from dossier.yaml (full name, then other names)."""
    applicant = profile.applicant
    names = [applicant.full_name] if applicant.full_name else []
    return [*names, *applicant.other_names]


def judgeable(doc: Document) -> bool:
    """Whether the document has enough readable text to say what it does not show."""
    return doc.readable and doc.has_text and len(_words(doc.text).split()) >= MIN_WORDS


def mismatched(doc: Document, item: Item, names: Sequence[str]) -> bool:
    """True when the document's readable text contradicts its item (see the module)."""
    if not item.evidence or not judgeable(doc):
        return False  # a photo is looked at, not read; a scan cannot be judged
    words = _words(doc.text)
    if shows_item(Folded(doc.text[:50000]), item):
        return False
    if names and appears_in(doc.text, names):
        return False
    return _needs_name(item) or not _medical(words)


def _example(item: Item) -> str:
    for group in item.evidence:
        return ", ".join(f'"{p}"' for p in group)
    return f'"{item.title}"'


def check_content(
    doc: Document,
    checklist: Checklist,
    profile: Profile,
    reroute: Callable[[], tuple[str, tuple[str, ...]] | None],
) -> Document:
    """The document, with ``content-mismatch`` when its text contradicts its item: an error
    (not counted) for a file named like the item, a warning for one vouched for in
    dossier.yaml; re-routed to what ``reroute()`` finds (item id, evidence) when its text
    shows another item's evidence."""
    if doc.item is None or doc.classified_by not in ("filename", "manifest"):
        return doc
    item = checklist.item(doc.item)
    names = applicant_names(profile)
    if item is None or not mismatched(doc, item, names):
        return doc
    whose = " nor the applicant's name" if names else ""
    said = f"{doc.rel}: named like {item.title} ({', '.join(doc.evidence)})"
    if doc.classified_by == "manifest":
        return doc.with_problems(
            Problem(
                "content-mismatch",
                "warning",
                f"{said}, but its text shows nothing of one (such as {_example(item)}){whose}; "
                "counted because dossier.yaml files: vouches for it: check it is the right file",
            )
        )
    found = reroute()
    if found is not None and found[0] != item.id:
        other = checklist.item(found[0])
        title = other.title if other else found[0]
        return doc.replace(item=found[0], classified_by="content", evidence=found[1]).with_problems(
            Problem(
                "content-mismatch",
                "warning",
                f"{said}, but its text is of {title} ({', '.join(found[1])}), so it is "
                f"counted as {title}; rename it, or map it in dossier.yaml files: if the "
                "name was right",
            )
        )
    return doc.with_problems(
        Problem(
            "content-mismatch",
            "error",
            f"{said}, but its text shows nothing of one (such as {_example(item)}){whose}; "
            "it is not counted and stays out of the dossier and the uploads. Replace it with "
            f"the right document, or if it is the right one, vouch for it in dossier.yaml: "
            f'files: {{"{doc.rel}": {item.id}}}',
        )
    )
