"""Scans and phone photos of the samples' documents: ``samples/scans/`` and the OCR accuracy set.

``python samples/make_scans.py`` (re)writes ``samples/scans/``: a folder of scans only, the
way people keep them -- a phone photo of the passport page (held sideways, EXIF-rotated,
at a slant, in uneven light), the diploma scanned to an image-only PDF, the transcript
as a black-and-white TIFF, the PR card as a JPEG scan, and a portrait photo -- with a
``dossier.yaml`` that declares no dates (the passport's expiry must be read from its
machine-readable zone).

``python samples/make_scans.py --accuracy-set DIR`` writes the accuracy set of
``bench/ocr``: client folders of scans with meaningless names, rendered at 150 and 300 dpi,
with noise, +-3 degree skew, JPEG compression, 90 degree turns and phone-style photos,
passports of many people and expiry dates, and ``truth.json`` (the item of every file and
the expiry of every passport).

Everything is deterministic (seeded); the documents come from ``make_samples.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_samples as ms

_EXIF_ORIENTATION = 0x0112


@dataclasses.dataclass(frozen=True)
class Look:
    """How a page was captured: resolution, skew, noise, compression, turn, phone or not."""

    dpi: int = 200
    skew: float = 0.0  # degrees, counter-clockwise
    noise: float = 0.0  # standard deviation of added grey noise (0-255 scale)
    quality: int = 85  # JPEG quality
    turn: int = 0  # 90/180/270: the page lies turned in the pixels (no EXIF)
    exif_turn: int = 0  # 90/270: pixels turned, EXIF orientation tag says how to show them
    phone: bool = False  # background, perspective, uneven light, slight blur
    bilevel: bool = False  # black and white (a fax-like scanner setting)


def page_image(pdf: Path, look: Look, page: int = 0) -> Image.Image:
    """Page ``page`` of ``pdf`` rendered at ``look.dpi`` in grey."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        bitmap = doc[page].render(scale=look.dpi / 72, grayscale=True)
        return bitmap.to_pil().convert("L")
    finally:
        doc.close()


def captured(image: Image.Image, look: Look, seed: int) -> Image.Image:
    """The page image as a scanner or a phone would have captured it."""
    rng = random.Random(seed)
    im = image.convert("L")
    if look.phone:
        im = _phone(im, rng)
    if look.skew:
        im = im.rotate(look.skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    if look.noise:
        im = _add_noise(im, Image.effect_noise(im.size, look.noise))
    if look.turn:
        im = im.rotate(look.turn, expand=True)
    if look.bilevel:
        im = im.point(lambda v: 255 if v > 150 else 0).convert("1")
    return im


def _add_noise(im: Image.Image, noise: Image.Image) -> Image.Image:
    """im + (noise - 128), clipped: grain around every pixel value."""
    return ImageChops.add(ImageChops.subtract(im, Image.new("L", im.size, 128)), noise, 1, 0)


def _phone(im: Image.Image, rng: random.Random) -> Image.Image:
    """A photo of the page on a table: margin of background, keystone, light falling off."""
    w, h = im.size
    pad = int(0.08 * max(w, h))
    canvas = Image.new("L", (w + 2 * pad, h + 2 * pad), rng.randint(70, 110))
    canvas.paste(im, (pad, pad))
    cw, ch = canvas.size
    k = 0.03 * cw
    # keystone: the top edge a little narrower than the bottom (the phone tilted back)
    quad = (
        -k * rng.uniform(0.6, 1.0), -k * rng.uniform(0.2, 0.5),
        -k * rng.uniform(0.0, 0.3), ch + k * rng.uniform(0.0, 0.3),
        cw + k * rng.uniform(0.0, 0.3), ch + k * rng.uniform(0.0, 0.3),
        cw + k * rng.uniform(0.6, 1.0), -k * rng.uniform(0.2, 0.5),
    )  # fmt: skip
    canvas = canvas.transform(
        canvas.size, Image.Transform.QUAD, quad, resample=Image.Resampling.BICUBIC, fillcolor=90
    )
    light = Image.linear_gradient("L").resize(canvas.size).rotate(rng.choice((0, 90, 180, 270)))
    light = light.point(lambda v: 255 - v // 4)  # 75-100% of the light across the page
    canvas = ImageChops.multiply(canvas, light)
    return canvas.filter(ImageFilter.GaussianBlur(0.6))


def save(im: Image.Image, path: Path, look: Look) -> Path:
    """Write the capture as the suffix says: .jpg (EXIF turn kept), .png, .tif, .pdf."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    exif = None
    if look.exif_turn:
        # the camera stored the pixels turned and says so in the EXIF orientation tag
        im = im.rotate(look.exif_turn, expand=True)
        exif = Image.Exif()
        exif[_EXIF_ORIENTATION] = 6 if look.exif_turn == 90 else 8  # turn 90/270 to show
    if suffix in (".jpg", ".jpeg"):
        extra: dict[str, Any] = {"exif": exif.tobytes()} if exif is not None else {}
        im.convert("L").save(path, "JPEG", quality=look.quality, dpi=(look.dpi, look.dpi), **extra)
    elif suffix == ".png":
        im.save(path, "PNG", optimize=True, dpi=(look.dpi, look.dpi))
    elif suffix in (".tif", ".tiff"):
        compression = "group4" if im.mode == "1" else "tiff_deflate"
        im.save(path, "TIFF", compression=compression, dpi=(look.dpi, look.dpi))
    elif suffix == ".pdf":
        buf = io.BytesIO()
        im.convert("L").save(buf, "JPEG", quality=look.quality)
        page = Image.open(io.BytesIO(buf.getvalue()))
        fixed = time.gmtime(datetime(2026, 11, 1, tzinfo=UTC).timestamp())  # reproducible
        page.save(path, "PDF", resolution=float(look.dpi), creationDate=fixed, modDate=fixed)
    else:
        raise ValueError(f"{path.name}: scans are written as .jpg, .png, .tif or .pdf")
    return path


def scan_document(
    track: str, item: str, path: Path, person: ms.Person, look: Look, seed: int, variant: int = 0
) -> Path:
    """Render one document of ``item`` and write a capture of its first page to ``path``."""
    with tempfile.TemporaryDirectory(prefix="make-scans-") as tmp:
        pdf = Path(tmp) / "doc.pdf"
        ms.render(_content(track, item, person, variant), pdf, font="dejavu")
        image = page_image(pdf, look)
    return save(captured(image, look, seed), path, look)


def _content(track: str, item: str, person: ms.Person, variant: int) -> Any:
    if item == "passport":
        return ms.passport(person, variant)  # a Canada applicant has a passport too
    if item == "citizenship-or-pr":
        return ms.pr_card_copy(person, variant)
    return ms.content_for(track, item, person, variant)


def portrait(path: Path, person: ms.Person) -> Path:
    """A head-and-shoulders photo (no text): what the photo item is."""
    return ms.render(ms.photo(person), path)


# -- samples/scans -------------------------------------------------------------------------

#: The files of samples/scans: name, item, how it was captured.
SCANS: tuple[tuple[str, str, Look], ...] = (
    ("IMG_4107.jpg", "passport", Look(dpi=170, skew=-2.0, quality=80, exif_turn=90, phone=True)),
    ("Scan_0002.pdf", "medical-diploma", Look(dpi=150, skew=1.5, noise=6, quality=70)),
    ("Scan_0003.tif", "transcript", Look(dpi=200, skew=-0.8, bilevel=True)),
    ("pr-card-scan.jpg", "citizenship-or-pr", Look(dpi=150, skew=0.7, noise=5, quality=75)),
)


def build_scans(dest: Path) -> Path:
    """(Re)write samples/scans: the US applicant's scans and photos, no text layers."""
    person = ms.default_person("us")
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.iterdir():
        if old.is_file():
            old.unlink()
    for n, (name, item, look) in enumerate(SCANS):
        scan_document("us", item, dest / name, person, look, seed=n)
    portrait(dest / "IMG_2231.jpg", person)
    yaml = ms.dossier_yaml("us", person).split("dates:")[0].rstrip() + "\n"
    yaml = yaml.replace(
        "(sample made by samples/make_samples.py)",
        "(scans only, made by samples/make_scans.py; no dates: the passport's expiry is read "
        "from its machine-readable zone)",
    )
    (dest / "dossier.yaml").write_text(yaml, encoding="utf-8")
    return dest


# -- the accuracy set of bench/ocr ----------------------------------------------------------

#: Captures of the accuracy set: every passport is captured each way; other documents by
#: every other one.
LOOKS: tuple[Look, ...] = (
    Look(dpi=300, quality=85),
    Look(dpi=150, quality=85),
    Look(dpi=300, skew=3.0, noise=8, quality=60),
    Look(dpi=150, skew=-3.0, noise=8, quality=50),
    Look(dpi=200, skew=2.0, turn=90, quality=70),
    Look(dpi=200, skew=-1.0, turn=270, noise=6, quality=70),
    Look(dpi=200, skew=-2.5, phone=True, quality=75),
    Look(dpi=170, skew=1.5, phone=True, exif_turn=90, quality=70),
    Look(dpi=150, skew=-1.0, noise=12, quality=40),
    Look(dpi=200, turn=180, noise=5, quality=70),
)

#: Items of the accuracy set's folders (US track) besides the passport.
OTHER_ITEMS = (
    "medical-diploma", "transcript", "mspe", "usmle-step1", "ecfmg-certificate",
    "letter-of-recommendation", "statement-of-need",
)  # fmt: skip

#: Given names (two each: the diploma's wording uses the second)
_GIVEN = ("ANA MARIA", "JOSE LUIS", "FATIMA ZAHRA", "WEI LIN", "OLUWASEUN ADE", "PRIYA DEVI",
          "MIGUEL ANGEL", "NOOR UL", "KOFI AMA", "ELENA SOFIA")  # fmt: skip
_FAMILY = ("RAMIREZ TORRES", "OKAFOR", "HADDAD", "CHEN", "ADEYEMI", "SHARMA", "KOWALSKI",
           "NGUYEN", "MENSAH", "IVANOVA")  # fmt: skip


def varied_person(n: int) -> ms.Person:
    """The US applicant with another name, passport number, birth date and expiry."""
    rng = random.Random(1000 + n)
    base = ms.default_person("us")
    given = _GIVEN[n % len(_GIVEN)].title()
    family = _FAMILY[(n * 3) % len(_FAMILY)].title()
    expiry = date(rng.randint(2024, 2036), rng.randint(1, 12), rng.randint(1, 28))
    letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
    return dataclasses.replace(
        base,
        given_names=given,
        family_name=family,
        birth_date=date(rng.randint(1975, 2000), rng.randint(1, 12), rng.randint(1, 28)),
        passport_number=f"{letters}{rng.randint(1000000, 9999999)}",
        passport_expiry=expiry,
        passport_issued=date(expiry.year - 10, expiry.month, expiry.day),
    )


def build_accuracy_set(dest: Path, folders: int = 10) -> dict[str, Any]:
    """Write ``folders`` client folders of scans (one passport each per capture) and
    ``truth.json``; return the truth."""
    truth: dict[str, Any] = {"files": {}, "expiry": {}}
    dest.mkdir(parents=True, exist_ok=True)
    for n in range(folders):
        person = varied_person(n)
        folder = dest / f"client-{n:02d}"
        folder.mkdir(exist_ok=True)
        look = LOOKS[n % len(LOOKS)]
        rel = f"client-{n:02d}/IMG_{5000 + n}.jpg"
        scan_document("us", "passport", dest / rel, person, look, seed=n)
        truth["files"][rel] = "passport"
        truth["expiry"][rel] = person.passport_expiry.isoformat()
        item = OTHER_ITEMS[n % len(OTHER_ITEMS)]
        other = LOOKS[(n + 3) % len(LOOKS)]
        suffix = ".pdf" if n % 3 == 0 else ".jpg"
        rel = f"client-{n:02d}/Scan_{n:04d}{suffix}"
        scan_document("us", item, dest / rel, person, other, seed=100 + n)
        truth["files"][rel] = item
        if n % 5 == 0:
            rel = f"client-{n:02d}/IMG_{7000 + n}.jpg"
            portrait(dest / rel, person)
            truth["files"][rel] = "photo"
        yaml = ms.dossier_yaml("us", person).split("dates:")[0].rstrip() + "\n"
        (folder / "dossier.yaml").write_text(yaml, encoding="utf-8")
    (dest / "truth.json").write_text(json.dumps(truth, indent=1), encoding="utf-8")
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "scans",
                        help="where to write the scans folder (default: samples/scans)")
    parser.add_argument("--accuracy-set", type=Path, default=None, metavar="DIR",
                        help="write the accuracy set of bench/ocr to DIR instead")
    parser.add_argument("--folders", type=int, default=10,
                        help="client folders of the accuracy set (one passport each)")
    args = parser.parse_args(argv)
    make: Callable[[], object]
    if args.accuracy_set is not None:
        make = lambda: build_accuracy_set(args.accuracy_set, args.folders)  # noqa: E731
        where = args.accuracy_set
    else:
        make = lambda: build_scans(args.out)  # noqa: E731
        where = args.out
    make()
    files = [f for f in Path(where).rglob("*") if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    sys.stdout.write(f"{where}: {len(files)} files, {size / 1024:.0f} KB\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
