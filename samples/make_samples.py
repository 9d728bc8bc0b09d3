"""Example applicant folders, and the document factory that tests use to build their inputs.

Run it to regenerate the committed samples (``python samples/make_samples.py [--out DIR]``),
or import it (``sys.path.insert(0, <repo>/samples); import make_samples``) and call
:func:`make_document` for one document of any checklist item, or :func:`build_folder` for a
complete applicant folder with its ``dossier.yaml``.

Everything is deterministic: fixed dates, no randomness, reportlab ``invariant=1``, DOCX
archives with fixed timestamps. Dates are valid as of 2026-11-29 (:data:`AS_OF`).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import io
import shutil
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

#: The date the samples are valid on (dossier check --as-of).
AS_OF = date(2026, 11, 29)

#: Item ids of INTERFACE.md, per track, in checklist order.
ITEM_IDS: dict[str, tuple[str, ...]] = {
    "us": (
        "passport",
        "medical-diploma",
        "translation",
        "transcript",
        "mspe",
        "usmle-step1",
        "usmle-step2-ck",
        "usmle-step3",
        "ecfmg-certificate",
        "oet-medicine",
        "pathway",
        "letter-of-recommendation",
        "personal-statement",
        "cv",
        "photo",
        "statement-of-need",
        "training-contract",
    ),
    "canada": (
        "citizenship-or-pr",
        "mccqe1",
        "nac",
        "language-proficiency",
        "medical-diploma",
        "mspr",
        "transcript",
        "reference-letter",
        "cv",
        "personal-letter",
        "photo",
        "translation",
        "mcc-source-verification",
        "fmproc",
    ),
}

_TRACK_ALIASES = {"us": "us", "us-eras": "us", "canada": "canada", "canada-carms": "canada"}


def track_key(track: str) -> str:
    """``us``/``us-eras`` -> ``us``; ``canada``/``canada-carms`` -> ``canada``."""
    try:
        return _TRACK_ALIASES[track]
    except KeyError:
        raise ValueError(f"unknown track {track!r}; use us or canada") from None


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    """An applicant: what their documents say about them."""

    given_names: str
    family_name: str
    sex: str  # "F" or "M", as in the passport
    birth_date: date
    birth_place: str
    nationality: str  # country name: "Peru"
    nationality_adj: str  # "Peruvian"
    country_code: str  # ICAO 9303 three-letter code of the issuing state: "PER"
    passport_number: str
    passport_issued: date
    passport_expiry: date
    passport_authority: str
    personal_number: str = ""  # optional MRZ field (national identity number)
    email: str = ""
    phone: str = ""
    address: tuple[str, ...] = ()
    school: str = ""
    school_faculty: str = ""
    school_city: str = ""
    school_country: str = ""
    school_language: str = "en"
    school_address: tuple[str, ...] = ()
    degree_native: str = ""
    degree_english: str = ""
    school_start: date = date(2014, 4, 1)
    graduation: date = date(2021, 12, 20)
    specialty: str = "Internal Medicine"
    training_start: date = date(2027, 7, 1)
    training_end: date = date(2030, 6, 30)
    visa: str = "none"
    status: str = "none"
    province: str | None = None
    ecfmg_certified: bool | None = None
    other_names: tuple[str, ...] = ()
    usmle_id: str = ""
    aamc_id: str = ""
    mcc_id: str = ""
    #: dossier.yaml lines for what no document shows (exam attempts, US clinical
    #: experience, residence): the facts `dossier programs screen` compares with programs.
    screen_yaml: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_name}"

    @property
    def first_name(self) -> str:
        return self.given_names.split()[0]

    @property
    def she(self) -> str:
        return "she" if self.sex == "F" else "he"

    @property
    def she_cap(self) -> str:
        return "She" if self.sex == "F" else "He"

    @property
    def her(self) -> str:
        """Possessive pronoun."""
        return "her" if self.sex == "F" else "his"

    @property
    def her_obj(self) -> str:
        """Object pronoun."""
        return "her" if self.sex == "F" else "him"

    @property
    def title(self) -> str:
        return "Dr." if self.graduation <= AS_OF else ("Ms." if self.sex == "F" else "Mr.")


#: The US (ERAS, J-1) applicant of samples/us-j1.
US_APPLICANT = Person(
    given_names="Lucia Fernanda",
    family_name="Quispe Mamani",
    sex="F",
    birth_date=date(1996, 3, 14),
    birth_place="Puno, Perú",
    nationality="Peru",
    nationality_adj="Peruvian",
    country_code="PER",
    passport_number="119483726",
    passport_issued=date(2026, 3, 16),
    passport_expiry=date(2031, 3, 16),
    passport_authority="Superintendencia Nacional de Migraciones",
    personal_number="45871236",
    email="lucia.quispe.md@example.org",
    phone="+51 987 654 321",
    address=("Jr. Huancavelica 1024, Dpto. 302", "Cercado de Lima, Lima 15001", "Peru"),
    school="Universidad Nacional Mayor de San Marcos",
    school_faculty="Facultad de Medicina",
    school_city="Lima",
    school_country="Peru",
    school_language="es",
    school_address=(
        "Av. Grau 755, Cercado de Lima",
        "Lima 15001, Perú",
        "Tel. +51 1 619 7000 · medicina.unmsm.edu.pe",
    ),
    degree_native="Título de Médico Cirujano",
    degree_english="Title of Physician and Surgeon (Médico Cirujano)",
    school_start=date(2015, 4, 1),
    graduation=date(2021, 12, 20),
    specialty="Internal Medicine",
    training_start=date(2027, 7, 1),
    training_end=date(2030, 6, 30),
    visa="J-1",
    status="none",
    ecfmg_certified=True,
    other_names=("Lucia Quispe",),
    screen_yaml=(
        "exams:                  # attempts per exam, as the USMLE transcript lists them",
        "  usmle-step1: {attempts: 1, failures: 0}",
        "  usmle-step2-ck: {attempts: 1, failures: 0}",
        "us_clinical_experience: # US rotations with their dates ([] when none)",
        '  - {kind: elective, where: "Lakeshore General Hospital, Cleveland OH", '
        "start: 2024-05-06, end: 2024-06-28}",
        '  - {kind: observership, where: "Gulf Coast Medical Center, Houston TX", '
        "start: 2024-09-02, end: 2024-10-25}",
    ),
    usmle_id="1-290-345-7",
    aamc_id="15839204",
)

#: The Canadian (CaRMS) applicant of samples/canada.
CANADA_APPLICANT = Person(
    given_names="Karim Nabil",
    family_name="Haddad",
    sex="M",
    birth_date=date(1995, 4, 22),
    birth_place="Beyrouth, Liban",
    nationality="Lebanon",
    nationality_adj="Lebanese",
    country_code="LBN",
    passport_number="LR0456213",
    passport_issued=date(2023, 5, 9),
    passport_expiry=date(2033, 5, 8),
    passport_authority="Direction Générale de la Sûreté Générale",
    email="karim.haddad.md@example.org",
    phone="+1 905 555 0148",
    address=("88 Bay Street South, Apt. 1207", "Hamilton, Ontario L8P 3H6", "Canada"),
    school="Université Saint-Joseph de Beyrouth",
    school_faculty="Faculté de médecine",
    school_city="Beyrouth",
    school_country="Lebanon",
    school_language="fr",
    school_address=(
        "Campus des sciences médicales, rue de Damas",
        "B.P. 17-5208 Mar Mikhaël, Beyrouth 1104 2020, Liban",
        "Tél. +961 1 421 000 · fm.usj.edu.lb",
    ),
    degree_native="Diplôme de Docteur en Médecine",
    degree_english="Doctor of Medicine (Docteur en Médecine)",
    school_start=date(2014, 9, 15),
    graduation=date(2022, 7, 15),
    specialty="Family Medicine",
    training_start=date(2027, 7, 1),
    training_end=date(2029, 6, 30),
    visa="none",
    status="permanent-resident",
    province="ON",
    mcc_id="2194536",
    screen_yaml=(
        "exams:                  # attempts per exam, as the MCC record lists them",
        "  mccqe1: {attempts: 1, failures: 0}",
        "  nac: {attempts: 1, failures: 0}",
        "residence:              # where in Canada the applicant lives",
        '  province: "ON"',
        "  since: 2023-09-01",
    ),
)


def default_person(track: str) -> Person:
    return US_APPLICANT if track_key(track) == "us" else CANADA_APPLICANT


# --------------------------------------------------------------------------- MRZ (ICAO 9303)


def mrz_value(char: str) -> int:
    """ICAO 9303 character value: digits 0-9, A-Z 10-35, filler '<' 0."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise ValueError(f"not an MRZ character: {char!r}")


def mrz_check_digit(data: str) -> str:
    """The ICAO 9303 check digit of ``data`` (weights 7, 3, 1 repeating, modulo 10)."""
    weights = (7, 3, 1)
    return str(sum(mrz_value(c) * weights[i % 3] for i, c in enumerate(data)) % 10)


def mrz_text(text: str) -> str:
    """Transliterate to the MRZ alphabet: accents dropped, upper case, others become '<'."""
    text = text.replace("ß", "SS").replace("Æ", "AE").replace("æ", "AE")
    text = text.replace("Ü", "UE").replace("ü", "UE").replace("Ö", "OE").replace("ö", "OE")
    text = text.replace("Ä", "AE").replace("ä", "AE")
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).upper()
    return "".join(c if ("A" <= c <= "Z" or c.isdigit()) else "<" for c in plain)


def _pad(text: str, width: int) -> str:
    return (text + "<" * width)[:width]


def td3_mrz(person: Person) -> tuple[str, str]:
    """The two 44-character machine-readable lines of ``person``'s passport (TD3)."""
    names = mrz_text(person.family_name) + "<<" + mrz_text(person.given_names)
    line1 = _pad("P<" + person.country_code + names, 44)
    number = _pad(mrz_text(person.passport_number), 9)
    birth = person.birth_date.strftime("%y%m%d")
    expiry = person.passport_expiry.strftime("%y%m%d")
    personal = _pad(mrz_text(person.personal_number), 14)
    personal_cd = mrz_check_digit(personal) if person.personal_number else "<"
    part_number = number + mrz_check_digit(number)
    part_birth = birth + mrz_check_digit(birth)
    part_expiry = expiry + mrz_check_digit(expiry)
    composite = mrz_check_digit(part_number + part_birth + part_expiry + personal + personal_cd)
    line2 = (
        part_number
        + person.country_code
        + part_birth
        + person.sex
        + part_expiry
        + personal
        + personal_cd
        + composite
    )
    return line1, line2


def td3_valid(line1: str, line2: str) -> bool:
    """True when both lines are 44 characters and every check digit of line 2 is right."""
    if len(line1) != 44 or len(line2) != 44 or not line1.startswith("P"):
        return False
    try:
        checks = [
            (line2[0:9], line2[9]),
            (line2[13:19], line2[19]),
            (line2[21:27], line2[27]),
            (line2[0:10] + line2[13:20] + line2[21:43], line2[43]),
        ]
        if line2[42] != "<" or line2[28:42].strip("<"):
            checks.append((line2[28:42], line2[42]))
        return all(mrz_check_digit(data) == digit for data, digit in checks)
    except ValueError:
        return False


# --------------------------------------------------------------------------- document content


@dataclass(frozen=True)
class Letterhead:
    """An organisation's name and address lines, ruled off, at the top of a page."""

    name: str
    lines: tuple[str, ...] = ()
    subtitle: str = ""


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    align: str = "left"


@dataclass(frozen=True)
class Para:
    text: str
    align: str = "left"
    bold: bool = False
    size: float | None = None


@dataclass(frozen=True)
class Fields:
    """Label/value rows, as on a form or a certificate."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Grid:
    """A table with a header row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Signature:
    """A handwritten signature over a line, the signer's name and title; an optional seal."""

    name: str
    title: tuple[str, ...] = ()
    seal: str = ""


@dataclass(frozen=True)
class Mono:
    """Fixed-pitch lines (machine-readable zone)."""

    lines: tuple[str, ...]
    size: float = 11


@dataclass(frozen=True)
class Space:
    height: float = 12


@dataclass(frozen=True)
class Break:
    pass


Block = Letterhead | Heading | Para | Fields | Grid | Signature | Mono | Space | Break


@dataclass(frozen=True)
class Doc:
    """A document as content; rendered to PDF, DOCX or TXT by the file name's suffix."""

    title: str
    author: str
    blocks: tuple[Block, ...]
    subject: str = ""
    landscape: bool = False
    framed: bool = False
    a4: bool = False


@dataclass(frozen=True)
class Portrait:
    """A head-and-shoulders photograph (drawn, not a real face)."""

    width: int = 375
    height: int = 525
    dpi: int = 150
    skin: tuple[int, int, int] = (200, 150, 115)
    hair: tuple[int, int, int] = (35, 25, 20)
    shirt: tuple[int, int, int] = (40, 55, 90)
    long_hair: bool = True


Content = Doc | Portrait


# --------------------------------------------------------------------------- rendering: PDF

_FONTS_READY = False


def font_dir() -> Path:
    """The bundled DejaVu fonts (source checkout, or the installed img_dossier package)."""
    here = Path(__file__).resolve()
    candidates = [here.parents[1] / "src" / "img_dossier" / "output" / "fonts"]
    if len(here.parents) > 2:
        candidates.append(here.parents[2] / "output" / "fonts")
    spec = importlib.util.find_spec("img_dossier")
    if spec is not None and spec.origin:
        candidates.append(Path(spec.origin).parent / "output" / "fonts")
    for candidate in candidates:
        if (candidate / "DejaVuSans.ttf").is_file():
            return candidate
    raise FileNotFoundError("DejaVuSans.ttf not found; run from the img-dossier repository")


def _register_fonts() -> None:
    global _FONTS_READY
    if _FONTS_READY:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = font_dir()
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
    addMapping("DejaVuSans", 0, 0, "DejaVuSans")
    addMapping("DejaVuSans", 1, 0, "DejaVuSans-Bold")
    addMapping("DejaVuSans", 0, 1, "DejaVuSans")
    addMapping("DejaVuSans", 1, 1, "DejaVuSans-Bold")
    _FONTS_READY = True


def _seeded(text: str, count: int) -> list[float]:
    """``count`` numbers in [0, 1) derived from ``text``: deterministic 'handwriting'."""
    out: list[float] = []
    counter = 0
    while len(out) < count:
        digest = hashlib.sha256(f"{text}:{counter}".encode()).digest()
        out.extend(b / 256 for b in digest)
        counter += 1
    return out[:count]


def doc_text(doc: Doc) -> str:
    """All the text of a document (what a PDF of it shows), in reading order."""
    return _render_txt(doc)


def _fonts_for(doc: Doc, font: str) -> tuple[str, str]:
    """Regular and bold font names. ``auto``: the PDF standard Helvetica (not embedded, so
    the file stays a few KB) when every character is in its Latin-1 (cp1252) encoding, else
    the bundled DejaVu Sans, embedded (``Nguyễn``)."""
    if font == "auto":
        try:
            (doc_text(doc) + "".join(b.seal for b in doc.blocks if isinstance(b, Signature))
             ).encode("cp1252")
            font = "helvetica"
        except UnicodeEncodeError:
            font = "dejavu"
    if font == "helvetica":
        return "Helvetica", "Helvetica-Bold"
    if font == "dejavu":
        _register_fonts()
        return "DejaVuSans", "DejaVuSans-Bold"
    raise ValueError(f"font must be auto, helvetica or dejavu (got {font!r})")


def _render_pdf(doc: Doc, target: Path, font: str = "auto") -> None:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4, LETTER, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import (
        Flowable,
        HRFlowable,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    regular, bold = _fonts_for(doc, font)
    size = A4 if doc.a4 else LETTER
    if doc.landscape:
        size = landscape(size)
    aligns = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT, "justify": TA_JUSTIFY}
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13.5, spaceAfter=6)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, spaceAfter=0)
    grey = colors.HexColor("#444444")

    class Scribble(Flowable):  # type: ignore[misc]
        """A signature drawn from the signer's name, over a signature line."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name
            self.width = 190
            self.height = 34

        def draw(self) -> None:
            c = self.canv
            r = _seeded(self.name, 40)
            c.setStrokeColor(colors.HexColor("#1b2a6b"))
            c.setLineWidth(1.1)
            path = c.beginPath()
            x, y = 8.0, 12 + 10 * r[0]
            path.moveTo(x, y)
            for i in range(6):
                nx = x + 18 + 14 * r[3 * i + 1]
                ny = 8 + 22 * r[3 * i + 2]
                path.curveTo(x + 6, y + 18 * r[3 * i + 3], nx - 6, ny - 14 * r[i + 20], nx, ny)
                x, y = nx, ny
            c.drawPath(path, stroke=1, fill=0)
            c.setStrokeColor(colors.black)
            c.setLineWidth(0.5)
            c.line(0, 4, self.width, 4)

    class Seal(Flowable):  # type: ignore[misc]
        """A round official stamp."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text
            self.width = 78
            self.height = 78

        def draw(self) -> None:
            c = self.canv
            c.setStrokeColor(colors.HexColor("#6b1b2a"))
            c.setFillColor(colors.HexColor("#6b1b2a"))
            c.setLineWidth(1.4)
            c.circle(39, 39, 37, stroke=1, fill=0)
            c.setLineWidth(0.6)
            c.circle(39, 39, 31, stroke=1, fill=0)
            c.setFont(bold, 5.5)
            words = self.text.upper().split()
            lines: list[str] = []
            for word in words:
                if lines and len(lines[-1]) + len(word) < 14:
                    lines[-1] += " " + word
                else:
                    lines.append(word)
            top = 39 + 3.5 * (len(lines) - 1)
            for i, line in enumerate(lines[:5]):
                c.drawCentredString(39, top - 7 * i - 2, line)

    def frame(canvas: Any, _doc: Any) -> None:
        if not doc.framed:
            return
        w, h = size
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#7a6a3a"))
        canvas.setLineWidth(3)
        canvas.rect(24, 24, w - 48, h - 48)
        canvas.setLineWidth(0.8)
        canvas.rect(32, 32, w - 64, h - 64)
        canvas.restoreState()

    story: list[Any] = []
    width = size[0] - 2 * 0.9 * inch
    for block in doc.blocks:
        if isinstance(block, Letterhead):
            story.append(
                Paragraph(
                    escape(block.name),
                    ParagraphStyle("lh", parent=body, fontName=bold, fontSize=13,
                                   leading=16, spaceAfter=1, textColor=colors.HexColor("#1b2a4b")),
                )
            )
            if block.subtitle:
                story.append(Paragraph(escape(block.subtitle), ParagraphStyle(
                    "lhs", parent=body, fontSize=9.5, leading=12, spaceAfter=1)))
            for line in block.lines:
                story.append(Paragraph(escape(line), ParagraphStyle(
                    "lhl", parent=small, textColor=grey)))
            story.append(HRFlowable(width="100%", thickness=0.8, color=colors.HexColor("#1b2a4b"),
                                    spaceBefore=4, spaceAfter=12))
        elif isinstance(block, Heading):
            fs = {1: 16, 2: 12.5, 3: 10.5}.get(block.level, 10.5)
            story.append(Paragraph(escape(block.text), ParagraphStyle(
                f"h{block.level}", parent=body, fontName=bold, fontSize=fs,
                leading=fs * 1.25, spaceBefore=4 if block.level > 1 else 0,
                spaceAfter=6, alignment=aligns[block.align])))
        elif isinstance(block, Para):
            fs = block.size or 10
            story.append(Paragraph(escape(block.text).replace("\n", "<br/>"), ParagraphStyle(
                "p", parent=body, fontSize=fs, leading=fs * 1.35, alignment=aligns[block.align],
                fontName=bold if block.bold else regular)))
        elif isinstance(block, Fields):
            label = ParagraphStyle("fl", parent=small, fontSize=8.5, leading=11, textColor=grey)
            value = ParagraphStyle("fv", parent=body, spaceAfter=0)
            rows = [[Paragraph(escape(k), label), Paragraph(escape(v), value)]
                    for k, v in block.rows]
            t = Table(rows, colWidths=[width * 0.34, width * 0.66], hAlign="LEFT")
            t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                                   ("TOPPADDING", (0, 0), (-1, -1), 2)]))
            story.append(t)
            story.append(Spacer(1, 8))
        elif isinstance(block, Grid):
            cell = ParagraphStyle("gc", parent=body, fontSize=8.5, leading=11, spaceAfter=0)
            head = ParagraphStyle("gh", parent=cell, fontName=bold)
            data = [[Paragraph(escape(h), head) for h in block.header]]
            data += [[Paragraph(escape(v), cell) for v in row] for row in block.rows]
            widths = [width * w for w in block.widths] if block.widths else None
            t = Table(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
            t.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e9f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(t)
            story.append(Spacer(1, 8))
        elif isinstance(block, Signature):
            parts: list[Any] = [Scribble(block.name),
                                Paragraph(escape(block.name), ParagraphStyle(
                                    "sn", parent=body, fontName=bold, spaceAfter=0))]
            parts += [Paragraph(escape(t), ParagraphStyle("st", parent=body, spaceAfter=0))
                      for t in block.title]
            if block.seal:
                t = Table([[parts, Seal(block.seal)]], colWidths=[width * 0.55, 90],
                          hAlign="LEFT")
                t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
                story.append(KeepTogether([Spacer(1, 6), t, Spacer(1, 8)]))
            else:
                story.append(KeepTogether([Spacer(1, 6), *parts, Spacer(1, 8)]))
        elif isinstance(block, Mono):
            style = ParagraphStyle("mrz", parent=body, fontName="Courier-Bold",
                                   fontSize=block.size, leading=block.size * 1.4)
            for line in block.lines:
                story.append(Paragraph(escape(line), style))
        elif isinstance(block, Space):
            story.append(Spacer(1, block.height))
        elif isinstance(block, Break):
            story.append(PageBreak())

    tmp = target.with_name(f".{target.name}.tmp")
    template = SimpleDocTemplate(
        str(tmp),
        pagesize=size,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.8 * inch if not doc.framed else 0.9 * inch,
        bottomMargin=0.8 * inch,
        title=doc.title,
        author=doc.author,
        subject=doc.subject or doc.title,
        creator=doc.author,
        invariant=1,
        pageCompression=1,
    )
    template.build(story, onFirstPage=frame, onLaterPages=frame)
    tmp.replace(target)


# --------------------------------------------------------------------------- rendering: DOCX, TXT

_DOCX_TIME = (2026, 9, 1, 12, 0, 0)


def _render_docx(doc: Doc, target: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(11)
    aligns = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
              "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}
    for block in doc.blocks:
        if isinstance(block, Letterhead):
            p = d.add_paragraph()
            run = p.add_run(block.name)
            run.bold = True
            run.font.size = Pt(14)
            if block.subtitle:
                d.add_paragraph(block.subtitle)
            for line in block.lines:
                p = d.add_paragraph()
                p.add_run(line).font.size = Pt(9)
                p.paragraph_format.space_after = Pt(0)
            d.add_paragraph()
        elif isinstance(block, Heading):
            h = d.add_heading(block.text, level=min(block.level, 3))
            h.alignment = aligns[block.align]
        elif isinstance(block, Para):
            p = d.add_paragraph()
            run = p.add_run(block.text)
            run.bold = block.bold
            p.alignment = aligns[block.align]
        elif isinstance(block, Fields):
            t = d.add_table(rows=0, cols=2)
            for k, v in block.rows:
                cells = t.add_row().cells
                cells[0].text = k
                cells[1].text = v
            d.add_paragraph()
        elif isinstance(block, Grid):
            t = d.add_table(rows=1, cols=len(block.header))
            t.style = "Table Grid"
            for cell, text in zip(t.rows[0].cells, block.header, strict=True):
                cell.text = text
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in block.rows:
                for cell, text in zip(t.add_row().cells, row, strict=True):
                    cell.text = text
            d.add_paragraph()
        elif isinstance(block, Signature):
            d.add_paragraph()
            p = d.add_paragraph()
            p.add_run(block.name).bold = True
            for line in block.title:
                d.add_paragraph(line).paragraph_format.space_after = Pt(0)
        elif isinstance(block, Mono):
            for line in block.lines:
                d.add_paragraph().add_run(line).font.name = "Courier New"
        elif isinstance(block, Space):
            d.add_paragraph()
        elif isinstance(block, Break):
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    props = d.core_properties
    props.title = doc.title
    props.author = doc.author
    props.last_modified_by = doc.author
    props.subject = doc.subject or doc.title
    props.created = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    props.modified = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
    props.revision = 1
    buffer = io.BytesIO()
    d.save(buffer)
    _write_atomic(target, _fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a ZIP archive with fixed member timestamps, so that equal input gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_DOCX_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _render_txt(doc: Doc) -> str:
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Letterhead):
            out.append("\n".join([block.name, *([block.subtitle] if block.subtitle else []),
                                  *block.lines]))
        elif isinstance(block, Heading | Para):
            out.append(block.text)
        elif isinstance(block, Fields):
            out.append("\n".join(f"{k}: {v}" for k, v in block.rows))
        elif isinstance(block, Grid):
            out.append("\n".join(" | ".join(r) for r in (block.header, *block.rows)))
        elif isinstance(block, Signature):
            out.append("\n".join([block.name, *block.title]))
        elif isinstance(block, Mono):
            out.append("\n".join(block.lines))
    return "\n\n".join(out) + "\n"


def _render_portrait(portrait: Portrait, target: Path, fmt: str) -> None:
    from PIL import Image, ImageDraw, ImageFilter

    w, h = portrait.width, portrait.height
    img = Image.new("RGB", (w, h), (228, 233, 240))
    draw = ImageDraw.Draw(img)
    for y in range(h):  # soft studio background
        shade = int(236 - 22 * y / h)
        draw.line([(0, y), (w, y)], fill=(shade, shade + 3, shade + 9))
    cx = w // 2
    head_w, head_h = int(w * 0.38), int(h * 0.36)
    top = int(h * 0.13)
    if portrait.long_hair:
        draw.rounded_rectangle([cx - head_w * 0.62, top - 8, cx + head_w * 0.62,
                                top + head_h * 1.25], radius=60, fill=portrait.hair)
    draw.rectangle([cx - head_w * 0.2, top + head_h * 0.8, cx + head_w * 0.2, h * 0.66],
                   fill=portrait.skin)
    draw.polygon([(0, h), (0, int(h * 0.78)), (cx - int(w * 0.16), int(h * 0.62)),
                  (cx, int(h * 0.68)), (cx + int(w * 0.16), int(h * 0.62)),
                  (w, int(h * 0.78)), (w, h)], fill=portrait.shirt)
    draw.ellipse([cx - head_w / 2, top, cx + head_w / 2, top + head_h], fill=portrait.skin)
    draw.chord([cx - head_w / 2 - 4, top - 14, cx + head_w / 2 + 4, top + head_h * 0.6],
               start=180, end=360, fill=portrait.hair)
    eye_y = top + head_h * 0.48
    for dx in (-0.2, 0.2):
        ex = cx + head_w * dx
        draw.ellipse([ex - 9, eye_y - 5, ex + 9, eye_y + 5], fill=(250, 250, 250))
        draw.ellipse([ex - 4, eye_y - 4, ex + 4, eye_y + 4], fill=(50, 35, 25))
    draw.arc([cx - 22, top + head_h * 0.66, cx + 22, top + head_h * 0.82], start=20, end=160,
             fill=(150, 70, 70), width=3)
    img = img.filter(ImageFilter.GaussianBlur(1.2))
    buffer = io.BytesIO()
    if fmt == "png":
        img.save(buffer, "PNG", dpi=(portrait.dpi, portrait.dpi), optimize=True)
    else:
        img.save(buffer, "JPEG", quality=88, dpi=(portrait.dpi, portrait.dpi), optimize=True)
    _write_atomic(target, buffer.getvalue())


def _write_atomic(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(target)


def render(content: Content, path: Path, *, font: str = "auto") -> Path:
    """Write ``content`` to ``path`` in the format its suffix names (pdf, docx, txt, jpg, png).

    ``font`` (PDF only): ``auto``, ``helvetica`` or ``dejavu`` (embedded Unicode font).
    """
    suffix = path.suffix.lower().lstrip(".")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, Portrait):
        if suffix not in ("jpg", "jpeg", "png"):
            raise ValueError(f"{path.name}: a photo is written as .jpg or .png")
        _render_portrait(content, path, "png" if suffix == "png" else "jpeg")
    elif suffix == "pdf":
        _render_pdf(content, path, font)
    elif suffix == "docx":
        _render_docx(content, path)
    elif suffix in ("txt", "md"):
        _write_atomic(path, _render_txt(content).encode("utf-8"))
    else:
        raise ValueError(f"{path.name}: documents are written as .pdf, .docx or .txt")
    return path


# --------------------------------------------------------------------------- dates


def long_date(d: date) -> str:
    """``September 5, 2024``"""
    return f"{d:%B} {d.day}, {d.year}"


def day_month_year(d: date) -> str:
    """``5 September 2024``"""
    return f"{d.day} {d:%B %Y}"


def passport_date(d: date) -> str:
    """``16 MAR 2031``"""
    return f"{d:%d} {d:%b}".upper() + f" {d.year}"


_MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
          "septiembre", "octubre", "noviembre", "diciembre")
_MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre")


def fecha(d: date) -> str:
    """``20 de diciembre de 2021``"""
    return f"{d.day} de {_MESES[d.month - 1]} de {d.year}"


def date_fr(d: date) -> str:
    """``15 juillet 2022``"""
    return f"{'1er' if d.day == 1 else d.day} {_MOIS[d.month - 1]} {d.year}"


def month_year(d: date) -> str:
    """``03/2014`` (the J-1 CV's month/year format)."""
    return f"{d:%m/%Y}"


# --------------------------------------------------------------------------- referees


@dataclass(frozen=True)
class Referee:
    name: str
    title: tuple[str, ...]
    organisation: str
    department: str
    address: tuple[str, ...]
    phone: str
    email: str
    local: bool  # a US referee for the US track, a Canadian one for Canada
    relation: str  # how the referee knows the applicant; {she}/{her} filled in
    period: str
    written: date
    observed: str = ""  # what the referee saw the applicant do; placeholders as in relation


US_REFEREES = (
    Referee(
        name="Klaus Müller, MD, FACP",
        title=("Attending Physician, Department of Internal Medicine",
               "Clinical Associate Professor of Medicine"),
        organisation="Lakeshore Mercy Medical Center",
        department="Department of Internal Medicine",
        address=("1200 Lakeshore Drive", "Cleveland, OH 44114"),
        phone="(216) 555-0142",
        email="kmueller@lakeshoremercy.example.org",
        local=True,
        relation="supervised {her} during a four-week clinical observership on our inpatient "
                 "general medicine service",
        period="from August 4 to August 29, 2025",
        written=date(2026, 8, 18),
        observed="During the observership {she} took thorough histories, presented patients on "
                 "rounds clearly and concisely, and built sound differential diagnoses for "
                 "patients with decompensated heart failure, community-acquired pneumonia and "
                 "acute kidney injury. When uncertain, {she} read the primary literature and "
                 "came back the next morning with a focused summary for the team.",
    ),
    Referee(
        name="Dr. Jorge Luis Cárdenas Ñique",
        title=("Jefe del Servicio de Medicina Interna / Chief, Internal Medicine Service",
               "Profesor Principal, Universidad Nacional Mayor de San Marcos"),
        organisation="Hospital Nacional Dos de Mayo",
        department="Servicio de Medicina Interna",
        address=("Parque Historia de la Medicina Peruana s/n, Cercado de Lima",
                 "Lima 15003, Perú"),
        phone="+51 1 328 0028",
        email="jcardenas@hdosdemayo.example.pe",
        local=False,
        relation="supervised {her} as an intern (internado) and later as a staff physician on "
                 "the internal medicine wards of our hospital",
        period="from January 2021 to June 2024",
        written=date(2026, 8, 25),
        observed="On our wards {she} managed patients with decompensated cirrhosis, "
                 "tuberculosis, heart failure and diabetic emergencies, often several admissions "
                 "in one night. {She} was calm, organised and safe, recognised early when a "
                 "patient was deteriorating, and taught the interns who followed {her_obj}.",
    ),
    Referee(
        name="Nguyễn Thị Mai, MD, MPH",
        title=("Associate Professor of Medicine, Division of General Internal Medicine",
               "Director, Global Health Outcomes Research Group"),
        organisation="Gulf Coast University Health Sciences Center",
        department="Division of General Internal Medicine",
        address=("6410 Fannin Street, Suite 1100", "Houston, TX 77030"),
        phone="(713) 555-0187",
        email="mai.nguyen@gcuhealth.example.edu",
        local=True,
        relation="mentored {her} as a research fellow in our outcomes research group, where "
                 "{she} worked remotely and on site on a study of hypertension control",
        period="from November 2024 to the present",
        written=date(2026, 9, 2),
        observed="In our group {she} cleaned and analysed a cohort of 1,800 patients, wrote the "
                 "first draft of the manuscript we published in 2025, and presented the results "
                 "at our research meetings. {She} asks good questions, is rigorous with data "
                 "and honest about the limits of a study.",
    ),
)

CANADA_REFEREES = (
    Referee(
        name="Dr. Sarah Whitfield, MD, CCFP, FCFP",
        title=("Family Physician and Clinical Preceptor",
               "Assistant Clinical Professor, Department of Family Medicine"),
        organisation="Bayfront Family Health Centre",
        department="Department of Family Medicine",
        address=("250 Queen Street East", "Hamilton, Ontario L8N 3Z5"),
        phone="(905) 555-0163",
        email="s.whitfield@bayfrontfhc.example.ca",
        local=True,
        relation="supervised {her_obj} during a twelve-week clinical observership in our "
                 "teaching family practice",
        period="from April 7 to June 27, 2025",
        written=date(2026, 9, 10),
        observed="In our clinic {she} saw patients of all ages with chronic disease, mental "
                 "health concerns, prenatal care and undifferentiated complaints, presented them "
                 "clearly and proposed sound, evidence-based plans. {She} quickly learned our "
                 "electronic medical record and preventive care guidelines.",
    ),
    Referee(
        name="Pr Élie Abou Jaoudé",
        title=("Chef du Département de Médecine Familiale / Head, Department of Family Medicine",
               "Faculté de médecine, Université Saint-Joseph de Beyrouth"),
        organisation="Hôtel-Dieu de France",
        department="Département de Médecine Familiale",
        address=("Boulevard Alfred Naccache, Achrafieh", "Beyrouth, Liban"),
        phone="+961 1 615 300",
        email="elie.aboujaoude@hdf.example.lb",
        local=False,
        relation="supervised {her_obj} during {her} family medicine clerkship and then as a "
                 "general practitioner in our primary care clinics",
        period="from September 2021 to December 2023",
        written=date(2026, 9, 15),
        observed="As a general practitioner {she} followed families through pregnancy, "
                 "childhood illness, chronic disease and end-of-life care, and managed diabetes "
                 "and hypertension with few resources during Lebanon's economic crisis.",
    ),
    Referee(
        name="Dr. Rami Khoury",
        title=("Internist, Department of Internal Medicine",),
        organisation="Hôpital Libanais Geitaoui",
        department="Department of Internal Medicine",
        address=("Rue Geitaoui, Achrafieh", "Beyrouth, Liban"),
        phone="+961 1 590 000",
        email="r.khoury@geitaoui.example.lb",
        local=False,
        relation="worked with {her_obj} daily when {she} was a resident physician on our "
                 "internal medicine service",
        period="from January 2024 to February 2025",
        written=date(2026, 9, 20),
        observed="On the wards {she} managed acutely ill adults with sepsis, heart failure and "
                 "diabetic emergencies, coordinated care with consultants, and was calm and "
                 "reliable on call.",
    ),
)


def _fill(text: str, person: Person) -> str:
    return text.format(she=person.she, She=person.she_cap, her=person.her,
                       her_obj=person.her_obj)


# --------------------------------------------------------------------------- factories: shared


def _school_letterhead(person: Person, office: str) -> Letterhead:
    return Letterhead(person.school, person.school_address,
                      subtitle=f"{person.school_faculty} · {office}")


def _photo_for(person: Person) -> Portrait:
    if person.sex == "F":
        return Portrait(skin=(196, 146, 110), hair=(30, 22, 18), shirt=(45, 60, 95),
                        long_hair=True)
    return Portrait(skin=(214, 170, 135), hair=(40, 30, 24), shirt=(70, 75, 80),
                    long_hair=False)


def photo(person: Person, variant: int = 0) -> Portrait:
    """Head-and-shoulders photo, 375 x 525 px at 150 dpi (2.5 x 3.5 in)."""
    return _photo_for(person)


def recommendation_letter(person: Person, variant: int = 0) -> Doc:
    """ERAS letter of recommendation: letterhead, date, Dear Program Director, signed."""
    ref = US_REFEREES[variant % len(US_REFEREES)]
    p = person
    body = (
        f"It is my pleasure to write this letter of recommendation for {p.title} {p.full_name}, "
        f"a graduate of {p.school} who is applying for residency training in "
        f"{p.specialty}. I {_fill(ref.relation, p)} {ref.period}.",
        _fill(ref.observed, p),
        f"{p.first_name} communicates with patients and families with warmth and respect, in "
        f"English and in Spanish, and explains plans in plain language. Nurses and residents "
        f"sought {p.her_obj} out, and {p.she} accepted feedback graciously and acted on it.",
        f"Compared with the many international medical graduates I have supervised, I rank "
        f"{p.first_name} in the top ten percent. I recommend {p.her_obj} without reservation "
        f"for a position in your {p.specialty} residency program. Please contact me if I can "
        "be of further help.",
        f"The applicant has waived {p.her} right to view this letter.",
    )
    return Doc(
        title=f"Letter of Recommendation for {p.full_name}",
        author=ref.name,
        blocks=(
            Letterhead(ref.organisation, (*ref.address, f"Tel. {ref.phone} · {ref.email}"),
                       subtitle=ref.department),
            Para(long_date(ref.written), align="left"),
            Heading("Letter of Recommendation", level=2),
            Fields((("Applicant", p.full_name), ("AAMC ID", p.aamc_id),
                    ("Specialty", p.specialty))),
            Para("Dear Program Director,"),
            *(Para(t) for t in body),
            Para("Sincerely,"),
            Signature(ref.name, (*ref.title, ref.organisation)),
        ),
    )


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def reference_letter(person: Person, variant: int = 0) -> Doc:
    """CaRMS reference letter: confidential, dated, duration of contact, signed."""
    ref = CANADA_REFEREES[variant % len(CANADA_REFEREES)]
    p = person
    body = (
        f"I am writing this letter of reference in support of {p.title} {p.full_name}'s "
        f"application to {p.specialty} residency programs through CaRMS. I "
        f"{_fill(ref.relation, p)} {ref.period}, and I saw {p.her_obj} work several times a week "
        "during that period.",
        f"Clinical knowledge and problem solving: {_fill(ref.observed, p)} {p.first_name} has "
        "a solid command of common primary care presentations and works in a structured, "
        "evidence-based way.",
        f"Communication and professionalism: {p.she_cap} is respectful and patient-centred, "
        "explains plans clearly in English and in French, and works well with nurses, "
        f"pharmacists and allied health staff. {p.she_cap} was punctual, reliable and "
        "responded well to feedback.",
        f"I consider {p.first_name} among the strongest international medical graduates I have "
        f"worked with, and I recommend {p.her_obj} highly for residency training in "
        f"{p.specialty}.",
        "Confidentiality: this letter is confidential. The applicant has not seen it and will "
        "not receive a copy.",
    )
    return Doc(
        title=f"Letter of Reference for {p.full_name}",
        author=ref.name,
        blocks=(
            Letterhead(ref.organisation, (*ref.address, f"Tel. {ref.phone} · {ref.email}"),
                       subtitle=ref.department),
            Para(long_date(ref.written)),
            Heading("Letter of Reference — Confidential", level=2),
            Fields((("Applicant", p.full_name), ("Discipline", p.specialty),
                    ("Period of contact", _cap(ref.period)))),
            Para("Dear Program Director,"),
            *(Para(t) for t in body),
            Para("Yours sincerely,"),
            Signature(ref.name, (*ref.title, ref.organisation)),
        ),
    )


def _cv_blocks(person: Person, education: Sequence[tuple[str, str]],
               experience: Sequence[tuple[str, str]], extra: Sequence[Block],
               experience_title: str = "Professional Experience") -> Doc:
    p = person
    header = ("Dates (month/year)", "Programme or position, institution, place")
    return Doc(
        title=f"Curriculum Vitae — {p.full_name}",
        author=p.full_name,
        blocks=(
            Heading("Curriculum Vitae", level=1),
            Para(p.full_name, bold=True, size=13),
            Fields((
                ("Address", ", ".join(p.address)),
                ("E-mail", p.email),
                ("Telephone", p.phone),
                ("Date of birth", long_date(p.birth_date)),
                ("Citizenship", p.nationality),
            )),
            Heading("Education", level=2),
            Grid(header, tuple(education), widths=(0.26, 0.74)),
            Heading(experience_title, level=2),
            Grid(header, tuple(experience), widths=(0.26, 0.74)),
            *extra,
        ),
    )


def us_cv(person: Person, variant: int = 0) -> Doc:
    """J-1 CV: education and professional history in month/year to month/year format."""
    p = person
    education = (
        (f"{month_year(p.school_start)} – {month_year(p.graduation)}",
         f"Medical school: {p.school}, {p.school_faculty}, {p.school_city}, "
         f"{p.school_country}. Degree: {p.degree_english}, conferred {long_date(p.graduation)}."),
        ("01/2021 – 12/2021",
         "Rotating internship (internado médico), Hospital Nacional Dos de Mayo, Lima, Peru "
         "(final year of medical school)."),
    )
    experience = (
        ("01/2022 – 12/2022",
         "Physician, Rural and Urban-Marginal Health Service (SERUMS), Centro de Salud "
         "Acora, Puno, Peru. Primary care for a rural Aymara-speaking population."),
        ("01/2023 – 06/2024",
         "Staff physician (médico asistente), Internal Medicine Service, Hospital Nacional "
         "Dos de Mayo, Lima, Peru."),
        ("07/2024 – 07/2025",
         "USMLE preparation and clinical research assistant (part-time), Instituto de "
         "Medicina Tropical, Universidad Nacional Mayor de San Marcos, Lima, Peru."),
        ("08/2025 – 08/2025",
         "Clinical observership, Department of Internal Medicine, Lakeshore Mercy Medical "
         "Center, Cleveland, OH, USA."),
        ("11/2024 – present",
         "Research fellow (remote and on site), Global Health Outcomes Research Group, "
         "Gulf Coast University Health Sciences Center, Houston, TX, USA."),
    )
    extra = (
        Heading("Examinations and certification", level=2),
        Grid(("Date", "Examination"), (
            ("03/2023", "USMLE Step 1 — Pass"),
            ("02/2024", "USMLE Step 2 CK — Pass"),
            ("06/2025", "OET Medicine — Listening, Reading, Writing, Speaking grade B"),
            ("09/2025", "ECFMG Certificate"),
        ), widths=(0.26, 0.74)),
        Heading("Publications", level=2),
        Para(f"{p.family_name.split()[0]} LF, Nguyen TM, et al. Blood pressure control after "
             "community health worker visits in Puno, Peru: a retrospective cohort. "
             "Rev Peru Med Exp Salud Publica. 2025;42(3):211-219."),
        Heading("Languages", level=2),
        Para("Spanish (native), English (fluent; OET Medicine grade B), Quechua (conversational)."),
        Para(f"I certify that this curriculum vitae is current and accurate as of "
             f"{long_date(date(2026, 10, 1))}."),
    )
    return _cv_blocks(p, education, experience, extra)


def canada_cv(person: Person, variant: int = 0) -> Doc:
    """CaRMS extra-document CV."""
    p = person
    education = (
        (f"{month_year(p.school_start)} – {month_year(p.graduation)}",
         f"{p.degree_english}, {p.school}, {p.school_faculty}, {p.school_city}, "
         f"{p.school_country}."),
    )
    experience = (
        ("09/2022 – 12/2023",
         "General practitioner, primary care clinics, Hôtel-Dieu de France, Beirut, Lebanon."),
        ("01/2024 – 02/2025",
         "Resident physician (non-accredited), Internal Medicine, Hôpital Libanais Geitaoui, "
         "Beirut, Lebanon."),
        ("03/2025 – 03/2025", "Arrival in Canada as a permanent resident; licensing examinations."),
        ("04/2025 – 06/2025",
         "Clinical observership, Bayfront Family Health Centre, Hamilton, Ontario."),
        ("07/2025 – present",
         "Research assistant, primary care quality improvement, Hamilton, Ontario; "
         "volunteer, community health fair for newcomers."),
    )
    extra = (
        Heading("Examinations", level=2),
        Grid(("Date", "Examination"), (
            ("10/2024", "MCCQE Part I — Pass"),
            ("09/2025", "NAC Examination — Pass"),
            ("09/2025", "IELTS Academic — Overall band 7.5"),
        ), widths=(0.26, 0.74)),
        Heading("Languages", level=2),
        Para("Arabic (native), French (fluent), English (fluent)."),
        Heading("Interests", level=2),
        Para("Long-distance running, Lebanese cooking, mentoring newcomer health professionals."),
    )
    return _cv_blocks(p, education, experience, extra, "Clinical Experience")


# --------------------------------------------------------------------------- factories: US


def passport(person: Person, variant: int = 0) -> Doc:
    """Copy of the passport's biographic data page, with a valid TD3 machine-readable zone."""
    p = person
    line1, line2 = td3_mrz(p)
    spanish = p.country_code == "PER"
    country = "REPÚBLICA DEL PERÚ / REPUBLIC OF PERU" if spanish else (
        f"{p.nationality.upper()}")
    nationality = "PERUANA / PERUVIAN" if spanish else p.nationality_adj.upper()
    return Doc(
        title="Passport — biographic data page (copy)",
        author=p.full_name,
        blocks=(
            Heading(country, level=2, align="center"),
            Heading("PASAPORTE / PASSPORT" if spanish else "PASSPORT", level=1, align="center"),
            Fields((
                ("Tipo / Type", "P"),
                ("Código de país / Country code", p.country_code),
                ("Pasaporte N° / Passport No.", p.passport_number),
                ("Apellidos / Surname", p.family_name.upper()),
                ("Nombres / Given names", p.given_names.upper()),
                ("Nacionalidad / Nationality", nationality),
                ("Fecha de nacimiento / Date of birth", passport_date(p.birth_date)),
                ("Sexo / Sex", p.sex),
                ("Lugar de nacimiento / Place of birth", p.birth_place.upper()),
                ("Fecha de expedición / Date of issue", passport_date(p.passport_issued)),
                ("Fecha de caducidad / Date of expiry", passport_date(p.passport_expiry)),
                ("Autoridad / Authority", p.passport_authority.upper()),
                ("Documento de identidad / Personal No.", p.personal_number or "—"),
            )),
            Space(10),
            Mono((line1, line2)),
        ),
    )


def us_diploma(person: Person, variant: int = 0) -> Doc:
    """The diploma in its original language (Spanish), framed, with its signatures."""
    p = person
    return Doc(
        title=p.degree_native,
        author=p.school,
        landscape=True,
        framed=True,
        blocks=(
            Heading("REPÚBLICA DEL PERÚ", level=3, align="center"),
            Heading(p.school, level=1, align="center"),
            Para("Universidad del Perú, Decana de América", align="center"),
            Para(p.school_faculty, align="center", bold=True),
            Para("A Nombre de la Nación", align="center", size=12),
            Para(f"El Rector de la {p.school}, por cuanto {p.first_name} "
                 f"{p.given_names.split()[1]} {p.family_name}, natural de {p.birth_place}, "
                 f"ha cumplido con los requisitos establecidos por la Ley Universitaria N° 30220 "
                 f"y el Reglamento de la {p.school_faculty}, le confiere el", align="center"),
            Para(p.degree_native, align="center", bold=True, size=18),
            Para(f"Título de {p.given_names} {p.family_name} con todos los derechos y "
                 "prerrogativas que las leyes de la República le conceden.", align="center"),
            Para(f"Dado en {p.school_city}, a los {p.graduation.day} días del mes de "
                 f"{_MESES[p.graduation.month - 1]} de {p.graduation.year}.", align="center"),
            Grid(("Rector", "Decano de la Facultad de Medicina", "Secretario General"), (
                ("Dr. Óscar Miguel Ramírez Quiñónez", "Dr. Héctor Julián Núñez Peña",
                 "Dr. Raúl Ángel Zegarra Fernández"),
            ), widths=(0.33, 0.34, 0.33)),
            Para("Registro N° 004512-FM · Libro de Títulos N° 37, Folio 118", align="center",
                 size=8),
        ),
    )


def us_translation(person: Person, variant: int = 0) -> Doc:
    """Certified word-for-word English translation of the diploma, on a translation service's
    letterhead, with the ECFMG certification statement, signature and title."""
    p = person
    translator = "Carmen Rosa Villanueva Ríos"
    return Doc(
        title=f"Certified English translation — {p.degree_native}",
        author="Traducciones Jurídicas y Médicas Lima S.A.C.",
        blocks=(
            Letterhead("Traducciones Jurídicas y Médicas Lima S.A.C.",
                       ("Professional Translation Service · Servicio de Traducción Profesional",
                        "Av. Arequipa 2450, Of. 701, Lince, Lima 15073, Peru",
                        "Tel. +51 1 441 2290 · traducciones@tjm-lima.example.pe")),
            Heading("Certified Translation", level=2),
            Para(f"Translation from Spanish into English of the diploma \"{p.degree_native}\" "
                 f"issued by the {p.school} to {p.full_name}. Translated from a photocopy of "
                 "the original document, which is attached."),
            Heading("[Translation begins]", level=3),
            Para("REPUBLIC OF PERU", align="center", bold=True),
            Para(f"{p.school.upper()}", align="center", bold=True),
            Para("University of Peru, Dean of the Americas", align="center"),
            Para("Faculty of Medicine", align="center", bold=True),
            Para("In the Name of the Nation", align="center"),
            Para(f"The Rector of the {p.school}, whereas {p.full_name}, native of Puno, Peru, "
                 "has fulfilled the requirements established by University Law No. 30220 and "
                 "the Regulations of the Faculty of Medicine, confers upon her the",
                 align="center"),
            Para("Title of Physician and Surgeon (Médico Cirujano)", align="center", bold=True),
            Para(f"Title of {p.full_name} with all the rights and prerogatives that the laws "
                 "of the Republic grant.", align="center"),
            Para(f"Given in Lima, on the {p.graduation.day}th day of the month of "
                 f"{p.graduation:%B} {p.graduation.year}.", align="center"),
            Para("[Signed] Dr. Óscar Miguel Ramírez Quiñónez, Rector · [Signed] Dr. Héctor "
                 "Julián Núñez Peña, Dean of the Faculty of Medicine · [Signed] Dr. Raúl Ángel "
                 "Zegarra Fernández, Secretary General", align="center", size=9),
            Para("Registration No. 004512-FM · Book of Titles No. 37, Page 118 · [Seal of the "
                 "University]", align="center", size=9),
            Heading("[Translation ends]", level=3),
            Heading("Certification of translation", level=3),
            Para(f"I, {translator}, certify that the word-for-word translation is correct. "
                 "I am a professional translator with Traducciones Jurídicas y Médicas Lima "
                 "S.A.C., a translation service, and I am not related to the applicant."),
            Para(f"Lima, {long_date(date(2026, 7, 20))}"),
            Signature(translator, ("Certified Public Translator (Traductora Pública "
                                   "Juramentada), Reg. CTP No. 0412",
                                   "Traducciones Jurídicas y Médicas Lima S.A.C."),
                      seal="Traducciones Jurídicas y Médicas Lima"),
        ),
    )


def us_transcript(person: Person, variant: int = 0) -> Doc:
    """Official academic transcript issued in English by the registrar."""
    p = person
    years = (
        ("2015", "Year 1", "Human Biology; General Chemistry; Biostatistics; Anatomy I", "15"),
        ("2016", "Year 2", "Anatomy II; Physiology; Biochemistry; Histology and Embryology", "16"),
        ("2017", "Year 3", "Microbiology; Pathology; Pharmacology; Semiology", "15"),
        ("2018", "Year 4", "Internal Medicine I; Surgery I; Psychiatry; Radiology", "16"),
        ("2019", "Year 5", "Internal Medicine II; Pediatrics; Obstetrics and Gynecology", "16"),
        ("2020", "Year 6", "Surgery II; Public Health; Family Medicine; Research Thesis", "16"),
        ("2021", "Year 7 (Internship)",
         "Rotating internship: Internal Medicine, Surgery, Pediatrics, Obstetrics", "17"),
    )
    return Doc(
        title=f"Official Academic Transcript — {p.full_name}",
        author=p.school,
        blocks=(
            _school_letterhead(p, "Office of the Registrar (Oficina de Registro Académico)"),
            Heading("Official Academic Transcript", level=1),
            Fields((
                ("Student", p.full_name),
                ("Student number", "15010387"),
                ("Programme", "Escuela Profesional de Medicina Humana (Medicine)"),
                ("Date of admission", long_date(p.school_start)),
                ("Date of graduation", long_date(p.graduation)),
                ("Degree", p.degree_english),
                ("Grading scale", "0–20; minimum passing grade 11"),
            )),
            Grid(("Year", "Level", "Courses", "Average grade"), years,
                 widths=(0.1, 0.18, 0.57, 0.15)),
            Para("Total credits: 392. Cumulative weighted average: 15.9 / 20. Class rank: "
                 "28 of 142. Total duration of studies: 7 academic years (more than 130 weeks "
                 "of instruction)."),
            Para(f"Issued in Lima on {long_date(date(2026, 5, 12))}. This transcript is not "
                 "valid without the seal of the Faculty and the signature of the Registrar."),
            Signature("Mg. Rosa Elvira Huamán Torres", ("Registrar, Faculty of Medicine",),
                      seal="Facultad de Medicina UNMSM"),
        ),
    )


def mspe(person: Person, variant: int = 0) -> Doc:
    """Medical Student Performance Evaluation on school letterhead, signed by the dean."""
    p = person
    return Doc(
        title=f"Medical Student Performance Evaluation — {p.full_name}",
        author=p.school,
        blocks=(
            _school_letterhead(p, "Office of the Dean (Decanato)"),
            Para(long_date(date(2026, 6, 15))),
            Heading("Medical Student Performance Evaluation", level=1),
            Para(f"{p.full_name}, AAMC ID {p.aamc_id}", bold=True),
            Heading("Identifying Information", level=2),
            Para(f"{p.full_name} entered the {p.school_faculty} of the {p.school} on "
                 f"{long_date(p.school_start)} and graduated on {long_date(p.graduation)} with "
                 f"the {p.degree_english}."),
            Heading("Noteworthy Characteristics", level=2),
            Para(f"• {p.first_name} grew up in Puno, in the Peruvian highlands, and served a "
                 "rural Aymara-speaking community during her SERUMS year."),
            Para("• She was elected class representative to the Faculty Council in her fifth "
                 "year and led a peer tutoring programme in physiology."),
            Para("• She completed a thesis on hypertension control in primary care, presented "
                 "at the 2021 national congress of internal medicine."),
            Heading("Academic History", level=2),
            Fields((
                ("Date of initial matriculation", long_date(p.school_start)),
                ("Date of expected graduation", long_date(p.graduation)),
                ("Extensions, leaves or gaps", "None"),
                ("Repeated courses", "None"),
                ("Adverse actions", "None"),
            )),
            Heading("Academic Progress", level=2),
            Para("Professional performance: she met all expectations of professionalism "
                 "throughout medical school. Preclinical coursework: cumulative average 15.4 "
                 "of 20. Clerkships: Internal Medicine — Outstanding; Surgery — Very good; "
                 "Pediatrics — Very good; Obstetrics and Gynecology — Very good; Family "
                 "Medicine — Outstanding."),
            Heading("Summary", level=2),
            Para(f"{p.first_name} is among the top quintile of her class. The Faculty "
                 f"recommends her highly for graduate medical education in {p.specialty}."),
            Signature("Dr. Héctor Julián Núñez Peña",
                      ("Dean, Faculty of Medicine (Decano de la Facultad de Medicina)",
                       p.school), seal="Facultad de Medicina UNMSM"),
        ),
    )


def _usmle_header(p: Person, step_title: str) -> tuple[Block, ...]:
    return (
        Letterhead("United States Medical Licensing Examination®",
                   ("A joint program of the Federation of State Medical Boards and the "
                    "National Board of Medical Examiners®",),
                   subtitle="Examinee Score Report"),
        Heading(f"{step_title} — Score Report", level=1),
        Fields((
            ("Examinee", p.full_name),
            ("USMLE ID", p.usmle_id),
            ("Date of birth", long_date(p.birth_date)),
            ("Medical school", f"{p.school}, {p.school_country}"),
        )),
    )


def usmle_step1(person: Person, variant: int = 0) -> Doc:
    """USMLE Step 1 score report (pass/fail only since 2022-01-26)."""
    p = person
    return Doc(
        title="USMLE Step 1 Score Report",
        author="Educational Commission for Foreign Medical Graduates",
        blocks=(
            *_usmle_header(p, "Step 1"),
            Fields((("Test date", long_date(date(2023, 3, 10))), ("Outcome", "Pass"))),
            Para("Step 1 examinations taken on or after January 26, 2022 are reported as "
                 "pass/fail only; no numeric score is reported."),
            Para("This score report is provided for the examinee's records. Results are "
                 "reported to residency programs only through the official USMLE transcript."),
        ),
    )


def usmle_step2_ck(person: Person, variant: int = 0) -> Doc:
    """USMLE Step 2 Clinical Knowledge (CK) score report."""
    p = person
    return Doc(
        title="USMLE Step 2 CK Score Report",
        author="Educational Commission for Foreign Medical Graduates",
        blocks=(
            *_usmle_header(p, "Step 2 Clinical Knowledge (CK)"),
            Fields((
                ("Test date", long_date(date(2024, 2, 20))),
                ("Outcome", "Pass"),
                ("Score", "248"),
                ("Minimum passing score", "214"),
            )),
            Para("Scores are reported on a three-digit scale. The standard error of "
                 "difference for this examination is 8 points."),
        ),
    )


def usmle_step3(person: Person, variant: int = 0) -> Doc:
    """USMLE Step 3 score report (needed for the H-1B route)."""
    p = person
    return Doc(
        title="USMLE Step 3 Score Report",
        author="Federation of State Medical Boards",
        blocks=(
            *_usmle_header(p, "Step 3"),
            Fields((
                ("Test dates", "April 14–15, 2026"),
                ("Outcome", "Pass"),
                ("Score", "231"),
                ("Minimum passing score", "200"),
            )),
        ),
    )


def ecfmg_certificate(person: Person, variant: int = 0) -> Doc:
    """Standard ECFMG Certificate."""
    p = person
    return Doc(
        title="Standard ECFMG Certificate",
        author="Educational Commission for Foreign Medical Graduates",
        landscape=True,
        framed=True,
        blocks=(
            Heading("Educational Commission for Foreign Medical Graduates", level=1,
                    align="center"),
            Para("3624 Market Street, Philadelphia, Pennsylvania 19104-2685, USA",
                 align="center", size=8.5),
            Space(8),
            Heading("Standard ECFMG Certificate", level=2, align="center"),
            Para("This is to certify that", align="center", size=12),
            Para(p.full_name, align="center", bold=True, size=20),
            Para("has met the requirements of the Educational Commission for Foreign Medical "
                 "Graduates for certification, including the medical science examinations, "
                 "the clinical and communication skills requirements, and the verification of "
                 "medical education credentials.", align="center"),
            Fields((
                ("USMLE/ECFMG Identification Number", p.usmle_id),
                ("Certificate Number", "0-987-654-3"),
                ("Date issued", long_date(date(2025, 9, 5))),
                ("Validity", "This certificate is valid indefinitely."),
            )),
            Signature("Jonathan R. Ellsworth, MD", ("President and Chief Executive Officer",),
                      seal="ECFMG Philadelphia"),
        ),
    )


def oet_medicine(person: Person, variant: int = 0) -> Doc:
    """OET Medicine Statement of Results: four sub-test scores from one sitting."""
    p = person
    return Doc(
        title="OET Statement of Results",
        author="Cambridge Boxhill Language Assessment",
        blocks=(
            Letterhead("OET — Occupational English Test",
                       ("Cambridge Boxhill Language Assessment Trust",
                        "Level 6, 55 Swanston Street, Melbourne VIC 3000, Australia")),
            Heading("Statement of Results", level=1),
            Fields((
                ("Candidate name (as in passport)", p.full_name),
                ("OET Candidate Number", "OET-2506-8841732"),
                ("Profession", "Medicine"),
                ("Date of birth", long_date(p.birth_date)),
                ("Gender", "Female" if p.sex == "F" else "Male"),
                ("Nationality", p.nationality),
                ("Test date", long_date(date(2025, 6, 14))),
                ("Venue", "Lima, Peru (venue number 5117)"),
            )),
            Grid(("Sub-test", "Score (0–500)", "Grade"), (
                ("Listening", "390", "B"),
                ("Reading", "410", "B"),
                ("Writing", "360", "B"),
                ("Speaking", "420", "B"),
            ), widths=(0.4, 0.3, 0.3)),
            Para("Grades: A 450–500; B 350–440; C+ 300–340; C 200–290; D 100–190; E 0–90. "
                 "OET does not report an overall grade."),
            Signature("Margaret Lindqvist", ("Chief Executive Officer, OET",)),
        ),
    )


def pathway(person: Person, variant: int = 0) -> Doc:
    """ECFMG notification that a Pathway application was accepted (clinical skills)."""
    p = person
    return Doc(
        title="Pathways for ECFMG Certification — application accepted",
        author="Educational Commission for Foreign Medical Graduates",
        blocks=(
            Letterhead("Educational Commission for Foreign Medical Graduates",
                       ("3624 Market Street, Philadelphia, PA 19104-2685, USA",),
                       subtitle="Pathways for ECFMG Certification"),
            Para(long_date(date(2025, 8, 11))),
            Fields((("Applicant", p.full_name),
                    ("USMLE/ECFMG Identification Number", p.usmle_id),
                    ("Pathway", "Pathway 6 (Mini-CEX evaluations)"))),
            Para(f"Dear {p.title} {p.family_name.split()[0]},"),
            Para("We are pleased to inform you that ECFMG has reviewed your 2026 Pathways "
                 "application and that you have met the clinical skills requirement for ECFMG "
                 "Certification through Pathway 6. Your Mini-CEX evaluations, completed by "
                 "licensed physicians, were accepted."),
            Para("You have also met the communication skills requirement through OET "
                 "Medicine. Please log in to MyIntealth to review your status."),
            Para("Sincerely,"),
            Signature("Pathways Team", ("ECFMG | Intealth",)),
        ),
    )


def us_personal_statement(person: Person, variant: int = 0) -> Doc:
    """ERAS personal statement, plain prose (well under 28,000 characters)."""
    p = person
    paragraphs = (
        "The first patient I lost during my rural service year was a 58-year-old farmer who "
        "walked four hours to our health post in Acora with a blood pressure of 220/130. We "
        "had no intravenous antihypertensives, no laboratory and no ambulance until the next "
        "morning. He died of a stroke in the back of a borrowed truck on the road to Puno. "
        "That night I decided that I would spend my career learning to manage the chronic "
        "diseases that quietly kill people long before they reach a hospital.",
        "I grew up in Puno, the daughter of a schoolteacher and a market vendor, and I was "
        "the first in my family to attend university. At Universidad Nacional Mayor de San "
        "Marcos I was drawn to internal medicine because it rewards careful reasoning: "
        "listening to the whole story, examining the whole patient and thinking about how "
        "one organ's illness shapes another's. During my internship at Hospital Nacional "
        "Dos de Mayo I admitted patients with decompensated cirrhosis, tuberculosis, "
        "heart failure and diabetic emergencies, often several in one night, and I learned "
        "to stay calm, prioritize and ask for help early.",
        "After my SERUMS year I worked for eighteen months as a staff physician on the "
        "internal medicine wards. I saw how much outcomes depended on what happened after "
        "discharge, which led me to research. With Dr. Nguyễn's group in Houston I have "
        "studied blood pressure control after community health worker visits, and our "
        "retrospective cohort was published in 2025. The work taught me to formulate a "
        "question, clean a dataset honestly and present results to colleagues who disagree.",
        "My observership at Lakeshore Mercy Medical Center in Cleveland showed me the "
        "strengths of American residency training: structured supervision, daily teaching, "
        "and a culture in which a first-year resident is expected to speak up. I presented "
        "patients on rounds, wrote practice notes, and was encouraged by the attendings to "
        "read and to teach the students. I also saw the value of interpreters and "
        "culturally competent care for Spanish-speaking patients, where I could help.",
        "I am applying to internal medicine programs that value primary care and health "
        "equity, where I can develop strong clinical skills and an academic interest in "
        "hypertension and cardiometabolic disease. After training I intend to return to "
        "Peru, as my J-1 commitment requires and as I have always planned, to build a "
        "hypertension program for the Altiplano and to teach the next generation of "
        "Peruvian internists. I will bring to your program hard work, humility, and the "
        "perspective of someone who has practiced medicine where resources are scarce.",
    )
    return Doc(
        title="Personal Statement",
        author=p.full_name,
        blocks=(Heading(f"Personal Statement — {p.specialty}", level=2),
                *(Para(t) for t in paragraphs)),
    )


def statement_of_need(person: Person, variant: int = 0) -> Doc:
    """Statement of Need from the Ministry of Health, in the prescribed 22 CFR 62.27 wording,
    addressed to ECFMG, dated, signed and sealed."""
    p = person
    official = "Dra. María Elena Ñique Cárdenas"
    return Doc(
        title="Statement of Need",
        author="Ministerio de Salud del Perú",
        blocks=(
            Letterhead("Ministerio de Salud — República del Perú",
                       ("Dirección General de Personal de la Salud",
                        "Av. Salaverry 801, Jesús María, Lima 15072, Perú",
                        "Tel. +51 1 315 6600 · www.gob.pe/minsa"),
                       subtitle="Ministry of Health — Republic of Peru"),
            Para(f"Lima, {long_date(date(2026, 10, 5))}"),
            Para("Oficio N° 1874-2026-DIGEP/MINSA", size=9),
            Para("Educational Commission for Foreign Medical Graduates (ECFMG)\n"
                 "Exchange Visitor Sponsorship Program\n3624 Market Street\n"
                 "Philadelphia, PA 19104-2685\nUnited States of America"),
            Heading("Statement of Need", level=1, align="center"),
            Fields((
                ("USMLE/ECFMG ID Number", p.usmle_id),
                ("Name of Applicant for Visa", p.full_name),
            )),
            Para(f"There currently exists in {p.nationality} a need for qualified medical "
                 f"practitioners in the speciality of {p.specialty}. {p.full_name} has filed "
                 "a written assurance with the government of this country that he/she will "
                 "return to this country upon completion of training in the United States and "
                 "intends to enter the practice of medicine in the speciality for which "
                 "training is being sought."),
            Para(f"Training period: {long_date(p.training_start)} to "
                 f"{long_date(p.training_end)}."),
            Signature(official, ("Directora General, Dirección General de Personal de la "
                                 "Salud (Director General, Directorate General of Health "
                                 "Personnel)", "Official, Ministry of Health of Peru",
                                 f"Dated: {long_date(date(2026, 10, 5))}"),
                      seal="Ministerio de Salud República del Perú"),
        ),
    )


def training_contract(person: Person, variant: int = 0) -> Doc:
    """Resident Agreement of Appointment (PGY-1), signed by resident, program director, DIO."""
    p = person
    first_year_end = date(p.training_start.year + 1, 6, 30)
    return Doc(
        title="Resident Agreement of Appointment",
        author="Lakeshore Mercy Medical Center",
        blocks=(
            Letterhead("Lakeshore Mercy Medical Center",
                       ("Office of Graduate Medical Education", "1200 Lakeshore Drive",
                        "Cleveland, OH 44114",
                        "Tel. (216) 555-0100 · gme@lakeshoremercy.example.org")),
            Heading("Resident Agreement of Appointment", level=1),
            Para("This Agreement is made between Lakeshore Mercy Medical Center (the "
                 f"\"Hospital\"), sponsoring institution of the ACGME-accredited {p.specialty} "
                 f"Residency Program, and {p.full_name} (the \"Resident\"). The position "
                 "was offered and accepted outside the Main Residency Match."),
            Fields((
                ("Resident", p.full_name),
                ("Program", f"{p.specialty} Residency Program (ACGME 1403821056)"),
                ("Position", "PGY-1, categorical, full-time"),
                ("Start date", long_date(p.training_start)),
                ("End date", long_date(first_year_end)),
                ("Expected program completion", long_date(p.training_end)),
                ("Annual salary (stipend)", "USD 68,450"),
                ("Visa", "J-1, sponsored by ECFMG"),
            )),
            Heading("Terms", level=2),
            Para("1. The Hospital appoints the Resident to the position above for the term "
                 "stated, subject to the Resident obtaining ECFMG certification, J-1 visa "
                 "sponsorship and an Ohio training certificate before the start date."),
            Para("2. The Resident agrees to perform the duties of the program under "
                 "supervision, to comply with ACGME duty-hour requirements and the Hospital's "
                 "policies, and to complete the program's educational requirements."),
            Para("3. The Hospital provides the salary above, professional liability insurance, "
                 "health insurance, four weeks of paid vacation, and the benefits described in "
                 "the House Staff Manual. Reappointment is annual, based on performance."),
            Signature(p.full_name, ("Resident", f"Date: {long_date(date(2026, 11, 16))}")),
            Signature("Daniel R. Okafor, MD", (f"Program Director, {p.specialty}",
                                               f"Date: {long_date(date(2026, 11, 12))}")),
            Signature("Margaret A. Kowalski, MD, MBA",
                      ("Designated Institutional Official, Graduate Medical Education",
                       f"Date: {long_date(date(2026, 11, 12))}")),
        ),
    )


# --------------------------------------------------------------------------- factories: Canada


def pr_card_copy(person: Person, variant: int = 0) -> Doc:
    """Certified copy of the Permanent Resident Card (both sides), certified by a notary."""
    p = person
    certifier = "Jennifer L. Tremblay"
    return Doc(
        title="Certified copy — Permanent Resident Card",
        author=certifier,
        blocks=(
            Heading("Government of Canada / Gouvernement du Canada", level=3, align="center"),
            Heading("PERMANENT RESIDENT CARD / CARTE DE RÉSIDENT PERMANENT", level=2,
                    align="center"),
            Para("Front / Recto", bold=True),
            Fields((
                ("Name / Nom", p.full_name.upper()),
                ("ID No. / No ID", "0045-8812"),
                ("Nationality / Nationalité", p.country_code),
                ("Date of birth / Date de naissance", f"{p.birth_date:%Y %m %d}"),
                ("Sex / Sexe", p.sex),
                ("PR Since / RP depuis", "2025 03 18"),
                ("Expiry / Expiration", "2030 03 18"),
            )),
            Para("Back / Verso", bold=True),
            Para("This card remains the property of the Government of Canada. / Cette carte "
                 "demeure la propriété du gouvernement du Canada. Card serial RA1482937."),
            Space(10),
            Heading("Certification", level=2),
            Para("I certify this to be a true copy of the original document."),
            Fields((
                ("Original document", "Permanent Resident Card, front and back"),
                ("Holder", p.full_name),
                ("Date of certification", long_date(date(2026, 9, 14))),
                ("Certified by", f"{certifier}, Notary Public in and for the Province of Ontario"),
            )),
            Signature(certifier, ("Notary Public, Province of Ontario",
                                  "Tremblay & Singh LLP, 21 King Street West, Hamilton, "
                                  "Ontario L8P 4W7"),
                      seal="Notary Public Province of Ontario"),
        ),
    )


def _mcc_header(p: Person) -> tuple[Block, ...]:
    return (
        Letterhead("Medical Council of Canada",
                   ("Conseil médical du Canada",
                    "1021 Thomas Spratt Place, Ottawa, Ontario K1G 5L5",
                    "physiciansapply.ca")),
        Heading("Statement of Results", level=1),
    )


def mccqe1(person: Person, variant: int = 0) -> Doc:
    """MCCQE Part I Statement of Results."""
    p = person
    return Doc(
        title="MCCQE Part I Statement of Results",
        author="Medical Council of Canada",
        blocks=(
            *_mcc_header(p),
            Fields((
                ("Candidate", p.full_name),
                ("MCC ID", p.mcc_id),
                ("Examination", "Medical Council of Canada Qualifying Examination (MCCQE) "
                                "Part I"),
                ("Session", "October 2024"),
                ("Result", "Pass"),
                ("Total score", "262"),
                ("Score required to pass", "226"),
            )),
            Para("Scores are reported on a scale from 100 to 400. A Supplemental Information "
                 "Report with your subscores is available in your physiciansapply.ca account."),
            Para(f"Date issued: {long_date(date(2024, 12, 6))}"),
        ),
    )


def nac(person: Person, variant: int = 0) -> Doc:
    """NAC Examination Statement of Results."""
    p = person
    return Doc(
        title="NAC Examination Statement of Results",
        author="Medical Council of Canada",
        blocks=(
            *_mcc_header(p),
            Fields((
                ("Candidate", p.full_name),
                ("MCC ID", p.mcc_id),
                ("Examination", "National Assessment Collaboration (NAC) Examination"),
                ("Session", "September 2025"),
                ("Result", "Pass"),
                ("Total score", "79"),
                ("Pass score", "65"),
            )),
            Para("The NAC Examination assesses readiness of international medical graduates "
                 "for entry into residency in Canada. Your most recent result is the valid one."),
            Para(f"Date issued: {long_date(date(2025, 11, 14))}"),
        ),
    )


def mcc_source_verification(person: Person, variant: int = 0) -> Doc:
    """physiciansapply.ca source verification status page of the medical diploma."""
    p = person
    return Doc(
        title="Source Verification Request status",
        author="Medical Council of Canada",
        blocks=(
            Letterhead("Medical Council of Canada",
                       ("Conseil médical du Canada", "physiciansapply.ca")),
            Heading("Source Verification", level=1),
            Fields((
                ("Candidate", p.full_name),
                ("MCC candidate number", p.mcc_id),
                ("Credential", "Final medical diploma (Diplôme de docteur en médecine)"),
                ("Issuing institution", "Université Saint-Joseph de Beyrouth"),
                ("Source Verification Request submitted", long_date(date(2025, 2, 3))),
                ("Status", "Source verified"),
                ("Verified on", long_date(date(2025, 6, 20))),
            )),
            Para("The credential is stored in your Physician Credentials Repository and can "
                 "be shared with CaRMS and medical regulatory authorities from physiciansapply.ca."),
        ),
    )


def fmproc_result(person: Person, variant: int = 0) -> Doc:
    """FMProC result document for the 2027 CaRMS cycle."""
    p = person
    return Doc(
        title="FMProC result",
        author="FMProC",
        blocks=(
            Letterhead("FMProC", ("Family Medicine Professional Choices", "fmproc.com")),
            Heading("Family Medicine Professional Choices (FMProC) result", level=1),
            Fields((
                ("Candidate", p.full_name),
                ("CaRMS ID", "CA-226-KH-104"),
                ("Selection cycle", "2027 R-1 Main Residency Match"),
                ("Test window", "October 2026"),
                ("Result", "Completed; score released to Family Medicine programs"),
            )),
            Para("Upload this document to CaRMS Online and assign it to the Family Medicine "
                 "programs you apply to. It is valid for this admission cycle only."),
            Para(f"Date issued: {long_date(date(2026, 11, 6))}"),
        ),
    )


def ielts(person: Person, variant: int = 0) -> Doc:
    """IELTS Academic Test Report Form."""
    p = person
    family = p.family_name.upper()
    return Doc(
        title="IELTS Test Report Form",
        author="IELTS",
        blocks=(
            Letterhead("IELTS — International English Language Testing System",
                       ("British Council · IDP: IELTS Australia · Cambridge University Press & "
                        "Assessment",)),
            Heading("Test Report Form", level=1),
            Heading("ACADEMIC", level=2),
            Fields((
                ("Centre Number", "CA512"),
                ("Date", "20/SEP/2025"),
                ("Candidate Number", "018734"),
                ("Family Name", family),
                ("First Name(s)", p.given_names.upper()),
                ("Candidate ID", p.passport_number),
                ("Date of Birth", f"{p.birth_date:%d/%m/%Y}"),
                ("Sex (M/F)", p.sex),
                ("Country or Region of Origin", p.nationality.upper()),
                ("First Language", "ARABIC"),
            )),
            Heading("Test Results", level=2),
            Grid(("Listening", "Reading", "Writing", "Speaking", "Overall Band Score",
                  "CEFR Level"),
                 (("8.0", "7.5", "7.0", "7.5", "7.5", "C1"),)),
            Para("Test Report Form Number: 25CA018734HADK512A"),
            Para("Validation stamp · Administrator's signature. A Test Report Form is normally "
                 "accepted as evidence of English language ability for two years from the test "
                 "date."),
            Signature("Michelle Ouellet", ("Centre Administrator, Toronto IELTS Centre",)),
        ),
    )


def canada_diploma(person: Person, variant: int = 0) -> Doc:
    """The diploma in French, framed, signed by the dean and the rector."""
    p = person
    return Doc(
        title=p.degree_native,
        author=p.school,
        landscape=True,
        framed=True,
        blocks=(
            Heading("République Libanaise", level=3, align="center"),
            Heading(p.school, level=1, align="center"),
            Para(p.school_faculty, align="center", bold=True),
            Para(f"Vu les résultats des examens, sur proposition du Conseil de la "
                 f"{p.school_faculty}, le Recteur de l'{p.school} confère à", align="center"),
            Para(f"Monsieur {p.full_name}" if p.sex == "M" else f"Madame {p.full_name}",
                 align="center", bold=True, size=16),
            Para(f"né le {date_fr(p.birth_date)} à {p.birth_place}," if p.sex == "M" else
                 f"née le {date_fr(p.birth_date)} à {p.birth_place},", align="center"),
            Para(f"le {p.degree_native}", align="center", bold=True, size=18),
            Para("avec tous les droits et prérogatives qui y sont attachés.", align="center"),
            Para(f"Fait à Beyrouth, le {date_fr(p.graduation)}.", align="center"),
            Grid(("Le Doyen de la Faculté de médecine", "Le Recteur"),
                 (("Pr Georges Karam", "Pr Joseph Nasrallah"),), widths=(0.5, 0.5)),
            Para("Diplôme n° FM-2022-0318", align="center", size=8),
        ),
    )


def canada_translation(person: Person, variant: int = 0) -> Doc:
    """Certified English translation of the French diploma by an ATIO-certified translator."""
    p = person
    translator = "Nadia Bélanger-Haddad"
    return Doc(
        title=f"Certified translation — {p.degree_native}",
        author="Bélanger Translation Services Inc.",
        blocks=(
            Letterhead("Bélanger Translation Services Inc.",
                       ("Certified translation service · Service de traduction agréé",
                        "100 Main Street East, Suite 402, Hamilton, Ontario L8N 3W4",
                        "Tel. (905) 555-0119 · info@belanger-translation.example.ca")),
            Heading("Certified Translation", level=2),
            Para(f"Translation from French into English of the diploma \"{p.degree_native}\" "
                 f"issued by the {p.school} to {p.full_name}."),
            Para("LEBANESE REPUBLIC", align="center", bold=True),
            Para(p.school.upper(), align="center", bold=True),
            Para("Faculty of Medicine", align="center"),
            Para(f"In view of the examination results, on the proposal of the Council of the "
                 f"Faculty of Medicine, the Rector of the {p.school} confers upon "
                 f"Mr. {p.full_name}, born on {long_date(p.birth_date)} in Beirut, Lebanon, "
                 "the Diploma of Doctor of Medicine, with all the rights and prerogatives "
                 "attached to it.", align="center"),
            Para(f"Done in Beirut, on {long_date(p.graduation)}. [Signed] Pr Georges Karam, Dean "
                 "of the Faculty of Medicine · [Signed] Pr Joseph Nasrallah, Rector · "
                 "Diploma No. FM-2022-0318", align="center", size=9),
            Heading("Certification", level=3),
            Para(f"I, {translator}, a certified translator (French to English) and member of "
                 "the Association of Translators and Interpreters of Ontario (ATIO), certify "
                 "that the word-for-word translation is correct and that the above is a true "
                 "and accurate translation of the original document."),
            Para(f"Hamilton, {long_date(date(2026, 8, 4))}"),
            Signature(translator, ("Certified Translator, ATIO member No. 4128",
                                   "Bélanger Translation Services Inc."),
                      seal="ATIO Certified Translator"),
        ),
    )


def mspr(person: Person, variant: int = 0) -> Doc:
    """Medical Student Performance Record, signed by the dean."""
    p = person
    return Doc(
        title=f"Medical Student Performance Record — {p.full_name}",
        author=p.school,
        blocks=(
            _school_letterhead(p, "Office of the Dean (Décanat)"),
            Para(long_date(date(2026, 7, 6))),
            Heading("Medical Student Performance Record", level=1),
            Para("Fiche de rendement académique de l'étudiant en médecine", size=9),
            Fields((
                ("Student", p.full_name),
                ("Date of birth", long_date(p.birth_date)),
                ("Programme", "Doctor of Medicine (7 years)"),
                ("Dates of attendance", f"{long_date(p.school_start)} to "
                                        f"{long_date(p.graduation)}"),
                ("Degree conferred", f"{p.degree_english}, {long_date(p.graduation)}"),
            )),
            Heading("Clerkship rotations", level=2),
            Grid(("Rotation", "Weeks", "Evaluation"), (
                ("Family Medicine", "8", "Excellent"),
                ("Internal Medicine", "12", "Very good"),
                ("Pediatrics", "8", "Very good"),
                ("Obstetrics and Gynecology", "8", "Good"),
                ("Surgery", "8", "Very good"),
                ("Psychiatry", "6", "Excellent"),
                ("Emergency Medicine", "6", "Very good"),
            ), widths=(0.5, 0.15, 0.35)),
            Heading("Professionalism and activities", level=2),
            Para(f"{p.first_name} met every expectation of professional behaviour. He tutored "
                 "junior students in clinical skills, volunteered with the faculty's mobile "
                 "primary care clinic in the Bekaa valley, and was never subject to any "
                 "disciplinary action."),
            Heading("Summary", level=2),
            Para(f"{p.first_name} completed the programme in good standing and ranked in the "
                 f"top quarter of his class. The Faculty recommends him for postgraduate "
                 f"training in {p.specialty}."),
            Signature("Pr Georges Karam", ("Doyen de la Faculté de médecine / Dean, Faculty of "
                                         "Medicine", p.school),
                      seal="Faculté de médecine USJ"),
        ),
    )


def canada_transcript(person: Person, variant: int = 0) -> Doc:
    """Bilingual official transcript (Relevé de notes / Official Transcript)."""
    p = person
    years = (
        ("2014–2015", "PCEM 1", "Sciences fondamentales / Basic sciences", "14.2 / 20"),
        ("2015–2016", "PCEM 2", "Anatomie, physiologie / Anatomy, physiology", "14.8 / 20"),
        ("2016–2017", "DCEM 1", "Sémiologie, pathologie / Semiology, pathology", "15.1 / 20"),
        ("2017–2018", "DCEM 2", "Pharmacologie, médecine interne / Pharmacology, internal "
                                "medicine", "15.4 / 20"),
        ("2018–2019", "DCEM 3", "Spécialités médicales / Medical specialties", "15.0 / 20"),
        ("2019–2020", "DCEM 4", "Chirurgie, pédiatrie / Surgery, pediatrics", "15.6 / 20"),
        ("2020–2022", "Externat", "Stages cliniques / Clinical clerkships", "16.2 / 20"),
    )
    return Doc(
        title=f"Relevé de notes — Official Transcript — {p.full_name}",
        author=p.school,
        blocks=(
            _school_letterhead(p, "Service de la scolarité / Registrar"),
            Heading("Relevé de notes officiel / Official Transcript", level=1),
            Fields((
                ("Étudiant / Student", p.full_name),
                ("Matricule / Student number", "2014-MED-0427"),
                ("Programme", "Doctorat en médecine / Doctor of Medicine"),
                ("Admission", long_date(p.school_start)),
                ("Diplôme / Degree", f"{p.degree_native}, {date_fr(p.graduation)}"),
            )),
            Grid(("Année / Year", "Niveau / Level", "Enseignements / Courses",
                  "Moyenne / Average"), years, widths=(0.16, 0.14, 0.52, 0.18)),
            Para("Total : 8 années d'études, 298 semaines d'enseignement. Mention : Bien. / "
                 "Total: 8 years of study, 298 weeks of instruction. Standing: Good."),
            Para(f"Beyrouth, le {date_fr(date(2026, 6, 2))}"),
            Signature("Mme Rita Saadé", ("Responsable de la scolarité / Registrar",
                                          f"{p.school_faculty}, {p.school}"),
                      seal="Faculté de médecine USJ"),
        ),
    )


def personal_letter(person: Person, variant: int = 0) -> Doc:
    """CaRMS personal letter addressed to one program."""
    p = person
    programs = (
        ("University of Ottawa", "Department of Family Medicine", "Ottawa"),
        ("McMaster University", "Department of Family Medicine", "Hamilton"),
    )
    university, department, city = programs[variant % len(programs)]
    paragraphs = (
        f"Dear Program Director and Selection Committee of the {specialty_program(p)} at "
        f"{university},",
        "I am applying to your Family Medicine residency program because I want to practise "
        f"comprehensive, community-based primary care in Ontario, and because {university}'s "
        "program combines strong clinical teaching with training in underserved and "
        "francophone communities.",
        "I trained in Beirut at the Université Saint-Joseph, where I chose family medicine "
        "during my clerkship at the Hôtel-Dieu de France. As a general practitioner I "
        "followed families through pregnancy, childhood illnesses, chronic disease and "
        "end-of-life care, and I learned how much continuity matters. During Lebanon's "
        "economic crisis I saw patients ration insulin and antihypertensives; it taught me "
        "to practise resourceful, patient-centred medicine.",
        "Since arriving in Canada as a permanent resident I have passed the MCCQE Part I and "
        "the NAC Examination, and I completed a twelve-week observership at the Bayfront "
        "Family Health Centre in Hamilton. There I learned how Canadian family physicians "
        "work in interprofessional teams, use electronic medical records for preventive "
        "care, and advocate for their patients across the health system.",
        f"I speak English, French and Arabic, and I hope to serve newcomer and francophone "
        f"patients in {city} and in rural Ontario after residency. I would be honoured to "
        "train in your program.",
        "Sincerely,",
        p.full_name,
    )
    return Doc(
        title=f"Personal letter — {university} Family Medicine",
        author=p.full_name,
        blocks=(
            Para(p.full_name, bold=True),
            Para(", ".join(p.address)),
            Para(long_date(date(2026, 11, 2))),
            Para(f"Program Director, {specialty_program(p)}\n{department}, {university}"),
            Heading("Personal Letter", level=2),
            *(Para(t) for t in paragraphs),
        ),
    )


def specialty_program(person: Person) -> str:
    return f"{person.specialty} Residency Program"


# --------------------------------------------------------------------------- the registry

Factory = Callable[[Person, int], Content]

#: Every item of both tracks -> the factory of a realistic document for it.
ITEM_DOCUMENTS: dict[str, dict[str, Factory]] = {
    "us": {
        "passport": passport,
        "medical-diploma": us_diploma,
        "translation": us_translation,
        "transcript": us_transcript,
        "mspe": mspe,
        "usmle-step1": usmle_step1,
        "usmle-step2-ck": usmle_step2_ck,
        "usmle-step3": usmle_step3,
        "ecfmg-certificate": ecfmg_certificate,
        "oet-medicine": oet_medicine,
        "pathway": pathway,
        "letter-of-recommendation": recommendation_letter,
        "personal-statement": us_personal_statement,
        "cv": us_cv,
        "photo": photo,
        "statement-of-need": statement_of_need,
        "training-contract": training_contract,
    },
    "canada": {
        "citizenship-or-pr": pr_card_copy,
        "mccqe1": mccqe1,
        "nac": nac,
        "language-proficiency": ielts,
        "medical-diploma": canada_diploma,
        "mspr": mspr,
        "transcript": canada_transcript,
        "reference-letter": reference_letter,
        "cv": canada_cv,
        "personal-letter": personal_letter,
        "photo": photo,
        "translation": canada_translation,
        "mcc-source-verification": mcc_source_verification,
        "fmproc": fmproc_result,
    },
}

#: The suffix each item is written with when no path is given (tests, ad hoc use).
DEFAULT_SUFFIX: dict[str, str] = {"photo": ".jpg", "personal-statement": ".txt"}


def content_for(track: str, item_id: str, person: Person | None = None,
                variant: int = 0) -> Content:
    """The content (not yet a file) of a document for ``item_id`` of ``track``."""
    key = track_key(track)
    try:
        factory = ITEM_DOCUMENTS[key][item_id]
    except KeyError:
        raise ValueError(f"no document factory for item {item_id!r} of track {key!r}") from None
    return factory(person or default_person(key), variant)


def make_document(track: str, item_id: str, path: Path, person: Person | None = None,
                  variant: int = 0, *, font: str = "auto") -> Path:
    """Write a realistic document for ``item_id`` to ``path`` (format from its suffix)."""
    return render(content_for(track, item_id, person, variant), Path(path), font=font)


# --------------------------------------------------------------------------- folders


@dataclass(frozen=True)
class Entry:
    """One file of a sample folder: readable and meaningless names, item, variant."""

    readable: str
    meaningless: str
    item: str
    variant: int = 0


LAYOUTS: dict[str, tuple[Entry, ...]] = {
    "us": (
        Entry("passport.pdf", "Scan_0001.pdf", "passport"),
        Entry("diploma/titulo-medico-cirujano.pdf", "Scan_0002.pdf", "medical-diploma"),
        Entry("diploma/certified-translation-en.pdf", "Scan_0003.pdf", "translation"),
        Entry("transcript.pdf", "document(2).pdf", "transcript"),
        Entry("mspe.pdf", "document(3).pdf", "mspe"),
        Entry("exams/usmle-step1-score-report.pdf", "download.pdf", "usmle-step1"),
        Entry("exams/usmle-step2ck-score-report.pdf", "download(1).pdf", "usmle-step2-ck"),
        Entry("exams/oet-statement-of-results.pdf", "Scan_0004.pdf", "oet-medicine"),
        Entry("ecfmg-certificate.pdf", "Scan_0005.pdf", "ecfmg-certificate"),
        Entry("letters/lor-1-mueller.pdf", "letter.pdf", "letter-of-recommendation", 0),
        Entry("letters/lor-2-cardenas.pdf", "letter(1).pdf", "letter-of-recommendation", 1),
        Entry("letters/lor-3-nguyen.pdf", "letter(2).pdf", "letter-of-recommendation", 2),
        Entry("personal-statement.txt", "untitled.txt", "personal-statement"),
        Entry("cv-j1.docx", "Document1.docx", "cv"),
        Entry("photo.jpg", "IMG_2231.jpg", "photo"),
        Entry("j1/statement-of-need.pdf", "Scan_0006.pdf", "statement-of-need"),
        Entry("j1/resident-agreement.pdf", "document(4).pdf", "training-contract"),
    ),
    "canada": (
        Entry("pr-card-certified-copy.pdf", "Scan_0001.pdf", "citizenship-or-pr"),
        Entry("exams/mccqe1-statement-of-results.pdf", "download.pdf", "mccqe1"),
        Entry("exams/nac-statement-of-results.pdf", "download(1).pdf", "nac"),
        Entry("exams/ielts-test-report-form.pdf", "Scan_0002.pdf", "language-proficiency"),
        Entry("diplome-docteur-en-medecine.pdf", "Scan_0003.pdf", "medical-diploma"),
        Entry("mspr.pdf", "document(2).pdf", "mspr"),
        Entry("transcript.pdf", "document(3).pdf", "transcript"),
        Entry("letters/reference-1-whitfield.pdf", "letter.pdf", "reference-letter", 0),
        Entry("letters/reference-2-abou-jaoude.pdf", "letter(1).pdf", "reference-letter", 1),
        Entry("letters/reference-3-khoury.pdf", "letter(2).pdf", "reference-letter", 2),
        Entry("cv.pdf", "document(4).pdf", "cv"),
        Entry("personal-letter-uottawa.docx", "Document1.docx", "personal-letter"),
        Entry("photo.jpg", "IMG_2231.jpg", "photo"),
        Entry("mcc-source-verification.pdf", "Scan_0004.pdf", "mcc-source-verification"),
        Entry("exams/fmproc-result.pdf", "download(2).pdf", "fmproc"),
    ),
}

#: The committed sample folders: directory name -> track.
SAMPLE_FOLDERS = {"us-j1": "us", "canada": "canada"}


def dossier_yaml(track: str, person: Person, files: Sequence[tuple[str, str]] = ()) -> str:
    """The ``dossier.yaml`` of an applicant folder, commented like one a person would write."""
    key = track_key(track)
    p = person

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"# Applicant folder of {p.full_name} (sample made by samples/make_samples.py).",
        "schema: 1",
        f"track: {key}",
        "applicant:",
        f"  given_names: {q(p.given_names)}",
        f"  family_name: {q(p.family_name)}",
    ]
    if p.other_names:
        lines.append("  other_names: [" + ", ".join(q(n) for n in p.other_names) + "]")
    lines += [
        f"  citizenship: [{q(p.nationality)}]",
        f"  status: {p.status}",
        "medical_school:",
        f"  name: {q(p.school)}",
        f"  country: {q(p.school_country)}",
        f"  graduation_year: {p.graduation.year}",
        f"  language: {p.school_language}        # language of the school's documents",
        "training:",
        f"  specialty: {q(p.specialty)}",
        f"  start: {p.training_start.isoformat()}",
        f"  end: {p.training_end.isoformat()}",
    ]
    if key == "us":
        lines.append(f"  visa: {p.visa}")
    if p.province:
        lines.append(f"  province: {q(p.province)}   # quoted: a bare ON would be read as true")
    if key == "us" and p.ecfmg_certified is not None:
        lines.append(f"ecfmg_certified: {'true' if p.ecfmg_certified else 'false'}")
    if key == "canada":
        lines.append("language_exempt: false")
    lines += [
        "dates:                  # facts a scan may not show",
        f"  passport_expiry: {p.passport_expiry.isoformat()}",
        *p.screen_yaml,
    ]
    if files:
        lines.append("files:")
        lines += [f"  {q(name)}: {item}" for name, item in files]
    return "\n".join(lines) + "\n"


def folder_files(track: str, names: str = "readable") -> list[tuple[str, str, int]]:
    """``(relative path, item id, variant)`` of every document :func:`build_folder` writes."""
    if names not in ("readable", "meaningless"):
        raise ValueError(f"names must be readable or meaningless (got {names!r})")
    return [
        (e.readable if names == "readable" else e.meaningless, e.item, e.variant)
        for e in LAYOUTS[track_key(track)]
    ]


def build_folder(track: str, dest: Path, person: Person | None = None, *,
                 names: str = "readable", manifest: bool = False,
                 overwrite: bool = False) -> Path:
    """Write a complete applicant folder (documents + ``dossier.yaml``) to ``dest``.

    ``names="meaningless"`` names files like a phone or scanner would (``Scan_0001.pdf``,
    ``document(2).pdf``, ``IMG_2231.jpg``) so that classification must read the content;
    ``manifest=True`` adds a ``files:`` section mapping each file to its item.
    An existing non-empty ``dest`` is an error unless ``overwrite`` (which empties it first).
    """
    key = track_key(track)
    person = person or default_person(key)
    dest = Path(dest)
    entries = folder_files(key, names)
    if dest.exists() and any(dest.iterdir()):
        if not overwrite:
            raise FileExistsError(f"{dest}: not empty; pass overwrite=True to replace it")
        shutil.rmtree(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for rel, item, variant in entries:
        make_document(key, item, dest / rel, person, variant)
    files = [(rel, item) for rel, item, _ in entries] if manifest else []
    (dest / "dossier.yaml").write_text(dossier_yaml(key, person, files), encoding="utf-8")
    return dest


def build_samples(out: Path) -> list[Path]:
    """(Re)write the committed sample folders under ``out``."""
    built = []
    for name, track in SAMPLE_FOLDERS.items():
        built.append(build_folder(track, Path(out) / name, overwrite=True))
    return built


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="where to write us-j1/ and canada/ (default: beside this script)")
    args = parser.parse_args(argv)
    for folder in build_samples(args.out):
        files = [f for f in folder.rglob("*") if f.is_file()]
        size = sum(f.stat().st_size for f in files)
        sys.stdout.write(f"{folder}: {len(files)} files, {size / 1024:.0f} KB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
