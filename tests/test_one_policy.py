"""One module per policy, and no copy of it elsewhere: text folding (img_dossier.textfold)
and ISO date parsing (img_dossier.isodate). A new copy fails here: call the module instead
(a caller that needs a variant gets a named parameter there)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from img_dossier.checking.wordfold import normalize
from img_dossier.config.conditions import _fold_value
from img_dossier.facts.statement_of_need import fold as son_fold
from img_dossier.isodate import iso_date
from img_dossier.letters.naming import slug
from img_dossier.textfold import fold

SRC = Path(__file__).resolve().parents[1] / "src" / "img_dossier"

#: What only the policy module may write: accent stripping (a decomposition, combining
#: marks dropped) and reading an ISO date.
COPIES = {
    "textfold.py": re.compile(
        r"unicodedata\.normalize\(\s*[\"']NFK?D[\"']|unicodedata\.combining\(|"
        r"\.encode\(\s*[\"']ascii[\"'],\s*[\"']ignore[\"']"
    ),
    # a whole value checked as YYYY-MM-DD; dates printed in documents are facts.dates' job
    "isodate.py": re.compile(r"\bfromisoformat\(|\bstrptime\(|\^\\d\{4\}-\\d\{2\}-\\d\{2\}\$"),
}


def _copies() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        text = path.read_text(encoding="utf-8")
        for policy, pattern in COPIES.items():
            if rel == policy:
                continue
            for n, line in enumerate(text.splitlines(), start=1):
                if pattern.search(line):
                    found.setdefault(policy, []).append(f"{rel}:{n}: {line.strip()}")
    return found


def test_no_copy_of_text_folding_or_date_parsing_outside_its_module() -> None:
    found = _copies()
    assert not found, f"call the policy module instead of copying it: {found}"


def test_the_guard_sees_a_copy() -> None:
    assert COPIES["textfold.py"].search('d = unicodedata.normalize("NFKD", text)')
    assert COPIES["isodate.py"].search("return date.fromisoformat(value)")
    assert COPIES["isodate.py"].search('DAY = re.compile(r"^\\d{4}-\\d{2}-\\d{2}$")')
    assert not COPIES["textfold.py"].search('unicodedata.normalize("NFC", text)')  # not folding


@pytest.mark.parametrize(
    ("text", "options", "folded"),
    [
        ("  Diplôme de\n Médecin ", {}, "diplome de medecin"),
        ("Straße", {}, "strasse"),
        ("Straße", {"case": "lower"}, "straße"),
        ("Fiancé", {"accents": True}, "fiancé"),
        (
            "USMLE Step2CK_report",
            {"words": "ascii", "digits_apart": True},
            "usmle step 2 ck report",
        ),
        ("Médecine / générale", {"accents": True, "words": "unicode"}, "médecine générale"),
        ("OB/GYN", {"accents": True, "words": "joined"}, "obgyn"),
        ("Spe-\ncialty  Medicine", {"hyphenated_lines": True}, "specialty medicine"),
        ("A  b\n", {"space": False}, "a  b\n"),
    ],
)
def test_fold_options(text: str, options: dict[str, object], folded: str) -> None:
    assert fold(text, **options) == folded  # type: ignore[arg-type]


def test_the_callers_keep_their_variants() -> None:
    assert normalize("Lettre_de-Recommandation2024") == "lettre de recommandation 2024"
    assert son_fold("Internal Medi-\ncine in the Ministère") == "internal medicine in the ministere"
    assert _fold_value("Obstetrics & Gynecology") == _fold_value("obstetrics and gynecology")
    assert slug("Lucía Œuvre 王") == "lucia-oeuvre-wang"


@pytest.mark.parametrize(
    ("value", "strict", "day"),
    [
        ("2026-03-01", False, date(2026, 3, 1)),
        (" 2026-03-01 ", True, date(2026, 3, 1)),
        ("20260301", False, date(2026, 3, 1)),
        ("20260301", True, None),
        ("2026-02-30", False, None),
        (datetime(2026, 3, 1, 10, 30), False, date(2026, 3, 1)),
        (date(2026, 3, 1), True, date(2026, 3, 1)),
        (20260301, False, None),
        (None, False, None),
    ],
)
def test_iso_date(value: object, strict: bool, day: date | None) -> None:
    assert iso_date(value, strict=strict) == day
