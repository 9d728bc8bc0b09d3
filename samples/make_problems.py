"""Write samples/problems: a US (J-1) applicant folder that shows the deeper checks at work.

The applicant, Mateo Andrés Rojas Villanueva (invented), has every document, yet
``dossier check samples/problems`` finds (as of 2026-11-29):

- a passport that expires before training starts plus six months (J-1 rule): invalid;
- an OET Medicine result with Writing 290, below the ECFMG minimum of 300: invalid;
- a Statement of Need for Family Medicine, while the contract and dossier.yaml say
  Internal Medicine: invalid;
- a Spanish diploma with no certified English translation (needs-translation, and the
  translation item is missing);
- a USMLE score report with the family name misspelled (name-mismatch);
- an A4-size letter of recommendation (over-portal-limit: the ERAS LoR Portal takes 8.5 x 11 in);
- no letter of recommendation from a US or Canadian referee (no-local-referee).

Run ``python samples/make_problems.py [--out DIR]``; it reuses the document factory
of ``samples/make_samples.py`` and is deterministic like it. This script sits in the folder it
writes; the report lists it under "Ignored" (not a document).
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_samples as ms  # the factory lives one folder up

PERSON = dataclasses.replace(
    ms.US_APPLICANT,
    given_names="Mateo Andrés",
    family_name="Rojas Villanueva",
    sex="M",
    birth_date=date(1995, 8, 2),
    birth_place="Arequipa, Perú",
    passport_number="121874503",
    passport_issued=date(2017, 10, 16),
    passport_expiry=date(2027, 10, 15),  # before 2027-07-01 + 6 months
    personal_number="46120987",
    email="mateo.rojas.md@example.org",
    phone="+51 958 210 447",
    address=("Calle Mercaderes 214", "Cercado, Arequipa 04001", "Peru"),
    ecfmg_certified=False,  # OET Medicine and a Pathway stand in for the certificate
    other_names=(),
    usmle_id="1-301-772-4",
    aamc_id="16204418",
)

#: Referees outside the US and Canada (letterhead, address lines, signer, title).
_REFEREES = (
    ("Hospital Nacional Dos de Mayo", ("Parque Historia de la Medicina Peruana s/n",
     "Cercado de Lima, Lima 15003, Perú"), "Dr. Jorge Luis Cárdenas Ñique",
     "Jefe del Servicio de Medicina Interna"),
    ("Hospital Regional Honorio Delgado", ("Av. Daniel Alcides Carrión 505",
     "Arequipa 04002, Perú"), "Dra. Rosa Elvira Paredes Chávez",
     "Jefa del Departamento de Medicina"),
    ("Clínica Arequipa", ("Esquina Puente Grau y Av. Bolognesi", "Arequipa 04001, Perú"),
     "Dr. Luis Alberto Zegarra Pinto", "Médico Internista, Director Médico"),
)  # fmt: skip


def _letter(person: ms.Person, n: int, *, a4: bool) -> ms.Doc:
    """A letter of recommendation from a Peruvian referee (the factory's letter, re-headed)."""
    organisation, address, signer, title = _REFEREES[n]
    doc = ms.recommendation_letter(person, 1)
    blocks: list[ms.Block] = []
    for block in doc.blocks:
        if isinstance(block, ms.Letterhead):
            block = ms.Letterhead(organisation, (*address, "Tel. +51 54 555 0100"),
                                  subtitle=block.subtitle)  # fmt: skip
        elif isinstance(block, ms.Signature):
            block = ms.Signature(signer, (title, organisation))
        blocks.append(block)
    return dataclasses.replace(doc, author=signer, blocks=tuple(blocks), a4=a4)


def _oet_writing_290(person: ms.Person) -> ms.Doc:
    doc = ms.oet_medicine(person)
    blocks = tuple(
        dataclasses.replace(
            b, rows=tuple(("Writing", "290", "C") if r[0] == "Writing" else r for r in b.rows)
        )
        if isinstance(b, ms.Grid)
        else b
        for b in doc.blocks
    )
    return dataclasses.replace(doc, blocks=blocks)


def build(dest: Path) -> Path:
    """(Re)write the folder at ``dest``."""
    dest = Path(dest)
    if dest.exists():
        for child in dest.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    p = PERSON
    documents: list[tuple[str, ms.Content]] = [
        ("passport.pdf", ms.content_for("us", "passport", p)),
        ("diploma/titulo-medico-cirujano.pdf", ms.content_for("us", "medical-diploma", p)),
        ("transcript.pdf", ms.content_for("us", "transcript", p)),
        ("mspe.pdf", ms.content_for("us", "mspe", p)),
        (
            "exams/usmle-step1-score-report.pdf",
            ms.content_for(
                "us", "usmle-step1", dataclasses.replace(p, family_name="Rojas Vilanueva")
            ),
        ),
        ("exams/usmle-step2ck-score-report.pdf", ms.content_for("us", "usmle-step2-ck", p)),
        ("exams/oet-statement-of-results.pdf", _oet_writing_290(p)),
        ("exams/pathway-acceptance.pdf", ms.content_for("us", "pathway", p)),
        ("letters/lor-1-cardenas.pdf", _letter(p, 0, a4=False)),
        ("letters/lor-2-paredes.pdf", _letter(p, 1, a4=True)),
        ("letters/lor-3-zegarra.pdf", _letter(p, 2, a4=False)),
        ("personal-statement.txt", ms.content_for("us", "personal-statement", p)),
        ("cv-j1.pdf", ms.content_for("us", "cv", p)),
        ("photo.jpg", ms.content_for("us", "photo", p)),
        (
            "j1/statement-of-need.pdf",
            ms.content_for(
                "us", "statement-of-need", dataclasses.replace(p, specialty="Family Medicine")
            ),
        ),
        ("j1/resident-agreement.pdf", ms.content_for("us", "training-contract", p)),
    ]
    for rel, content in documents:
        ms.render(content, dest / rel)
    yaml = ms.dossier_yaml("us", p)
    (dest / "dossier.yaml").write_text(yaml, encoding="utf-8")
    return dest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "problems",
                        help="the folder to write (default: samples/problems)")  # fmt: skip
    args = parser.parse_args(argv)
    folder = build(args.out)
    files = [f for f in folder.rglob("*") if f.is_file()]
    sys.stdout.write(f"{folder}: {len(files)} files\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
