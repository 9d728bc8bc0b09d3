"""Issue 11: pack obeys every portal rule check knows. For each rule of each portal in the
checklists, a document that breaks it goes into ``dossier pack``; the rule as ``dossier
check`` judges it (checking.rules) passes on what pack wrote, or pack refuses the document
(not written, the manifest says why, exit 1) when it cannot be fixed."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document as Docx
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject
from reportlab.lib.pagesizes import A4, letter
from reportlab.pdfgen.canvas import Canvas

from img_dossier.checking import rules
from img_dossier.cli import cli
from img_dossier.config.checklist import Checklist, Item, builtin_ids, load
from img_dossier.errors import ExitCode
from img_dossier.model import SourceFile
from img_dossier.output.pack import packable
from img_dossier.readers import read_one

CHECKLISTS = Path(__file__).resolve().parents[2] / "checklists"
NAME = "Lucia Fernanda Quispe Mamani"


def _checklists() -> list[Checklist]:
    return [load(p.stem) for p in sorted(CHECKLISTS.glob("*.yaml")) if p.stem in builtin_ids()]


def _lines(item: Item) -> list[str]:
    evidence = list(item.evidence[0]) if item.evidence else [item.title]
    return [
        *evidence,
        f"Name: {NAME}",
        "This document concerns the medical training of the applicant named above, a",
        "physician who completed medical school and clinical rotations at the hospital.",
    ]


def _pdf(path: Path, item: Item, size: tuple[float, float] = letter) -> None:
    c = Canvas(str(path), pagesize=size)
    y = size[1] - 72
    for line in _lines(item):
        c.drawString(60, y, line)
        y -= 16
    c.showPage()
    c.save()


def _big_pdf(path: Path, item: Item, over: int) -> None:
    side = int((over * 1.2 / 3) ** 0.5) + 1  # random pixels: 3 bytes each, incompressible
    noise = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    png = path.with_suffix(".noise.png")
    noise.save(png)
    c = Canvas(str(path), pagesize=letter)
    c.drawImage(str(png), 60, 200, 480, 480)
    y = 740
    for line in _lines(item):
        c.drawString(60, y, line)
        y -= 16
    c.showPage()
    c.save()
    png.unlink()
    assert path.stat().st_size > over


def _docx(path: Path, item: Item) -> None:
    doc = Docx()
    for line in _lines(item):
        doc.add_paragraph(line)
    doc.save(str(path))


def _encrypted(path: Path, item: Item) -> None:
    _pdf(path, item)
    writer = PdfWriter(clone_from=PdfReader(path))
    writer.encrypt("secret")
    with path.open("wb") as fh:
        writer.write(fh)


def _signed(path: Path, item: Item) -> None:
    _pdf(path, item)
    writer = PdfWriter(clone_from=PdfReader(path))
    sig = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Sig"),
            NameObject("/T"): TextStringObject("Signature1"),
            NameObject("/V"): DictionaryObject({NameObject("/Type"): NameObject("/Sig")}),
        }
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(sig)])}
    )
    with path.open("wb") as fh:
        writer.write(fh)


def _photo(path: Path, size: tuple[int, int], fmt: str = "JPEG", noise: bool = False) -> None:
    if noise:
        im = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        im = Image.new("RGB", size, (120, 140, 160))
    im.save(path, fmt)


#: One document per rule that breaks it: (file suffix, writer, fixable). ``spec`` is the
#: portal's rules, ``item`` the item whose document it is.
Breaker = Callable[[Path, Item, dict[str, Any]], None]


def _formats(path: Path, item: Item, spec: dict[str, Any]) -> None:
    if "pdf" in spec["formats"]:
        _docx(path, item)
    else:
        _photo(path, (500, 700), "TIFF" if "png" in spec["formats"] else "PNG")


def _suffix_formats(spec: dict[str, Any]) -> str:
    if "pdf" in spec["formats"]:
        return ".docx"
    return ".tiff" if "png" in spec["formats"] else ".png"


def _max_bytes(path: Path, item: Item, spec: dict[str, Any]) -> None:
    if "pdf" in spec["formats"]:
        _big_pdf(path, item, int(spec["max_bytes"]))
    else:
        side = int((spec["max_bytes"] / 0.4) ** 0.5)  # noise JPEG: well over the limit
        _photo(path, (max(side, 500), max(int(side * 1.4), 700)), noise=True)
        assert path.stat().st_size > spec["max_bytes"]


CASES: dict[str, tuple[Callable[[dict[str, Any]], str], Breaker, bool]] = {
    "formats": (_suffix_formats, _formats, True),
    "max_bytes": (lambda s: ".pdf" if "pdf" in s["formats"] else ".jpg", _max_bytes, True),
    "encryption": (lambda s: ".pdf", lambda p, i, s: _encrypted(p, i), False),
    "digital_signatures": (lambda s: ".pdf", lambda p, i, s: _signed(p, i), False),
    "page_size_pt": (lambda s: ".pdf", lambda p, i, s: _pdf(p, i, A4), True),
    "forbidden_filename_chars": (lambda s: "|1.pdf", lambda p, i, s: _pdf(p, i), True),
    "aspect": (lambda s: ".jpg", lambda p, i, s: _photo(p, (600, 600)), True),
    "min_pixels": (lambda s: ".jpg", lambda p, i, s: _photo(p, (200, 280)), False),
}

#: Rules pack has nothing to make for, and why.
NOT_PACKED = {
    "max_chars": "the personal statement is typed into MyERAS, not uploaded as a file",
}


def _portal_cases() -> list[tuple[str, str, str]]:
    """(checklist id, portal id, rule) for every rule check knows of every packable portal,
    each portal spec once (a checklist that extends another repeats its portals)."""
    seen: set[tuple[str, str]] = set()
    out = []
    for checklist in _checklists():
        ids = packable(checklist)
        for pid, spec in checklist.portals.items():
            if pid not in ids:
                continue
            for key in rules._PORTAL_KEYS:
                if key in spec and key not in NOT_PACKED and (pid, key) not in seen:
                    seen.add((pid, key))
                    out.append((checklist.id, pid, key))
    return out


def test_every_portal_rule_has_a_round_trip_case() -> None:
    """Fails when a checklist gains a portal rule (or check a rule type) with no case."""
    keys = set(rules._PORTAL_KEYS)
    for checklist in _checklists():
        for spec in checklist.portals.values():
            keys |= {k for k in spec if k in rules._PORTAL_KEYS}
    assert keys <= set(CASES) | set(NOT_PACKED), sorted(keys - set(CASES) - set(NOT_PACKED))
    cased = {key for _, _, key in _portal_cases()}
    used = {
        k
        for c in _checklists()
        for pid, spec in c.portals.items()
        if pid in packable(c)
        for k in spec
        if k in rules._PORTAL_KEYS and k not in NOT_PACKED
    }
    assert used <= cased
    assert len(_portal_cases()) >= 10


def test_portals_pack_cannot_fill_are_refused_as_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "dossier.yaml").write_text("schema: 1\ntrack: us\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["pack", str(folder), "--portal", "eras-personal-statement", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == ExitCode.USAGE  # not among the --portal choices
    assert "not a portal of checklist us-eras that pack can fill" in result.output


def _item_for(checklist: Checklist, spec: dict[str, Any]) -> Item:
    for item_id in spec["items"]:
        item = checklist.item(item_id)
        if item is not None and item_id != "translation":
            return item
    raise AssertionError("portal without an item")


@pytest.mark.parametrize(("checklist_id", "pid", "key"), _portal_cases())
def test_pack_round_trip(tmp_path: Path, checklist_id: str, pid: str, key: str) -> None:
    checklist = load(checklist_id)
    spec = dict(checklist.portals[pid])
    item = _item_for(checklist, spec)
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "dossier.yaml").write_text(
        f"schema: 1\ntrack: {checklist_id}\n"
        "applicant: {given_names: Lucia Fernanda, family_name: Quispe Mamani}\n"
        "medical_school: {language: en}\n",
        encoding="utf-8",
    )
    suffix, breaker, fixable = CASES[key]
    stem = item.names[0].replace(" ", "-") if item.names else item.id
    path = folder / f"{stem}{suffix(spec)}"
    breaker(path, item, spec)
    out = tmp_path / "up"
    result = CliRunner().invoke(
        cli, ["pack", str(folder), "--portal", pid, "-o", str(out), "--json"]
    )
    assert result.exit_code in (ExitCode.OK, ExitCode.INCOMPLETE), result.output
    manifest = json.loads(result.stdout)
    mine = [s for s in manifest["slots"] if s["portal"] == pid and s["item"] == item.id]
    assert mine, manifest["slots"]
    if not fixable:
        assert result.exit_code == ExitCode.INCOMPLETE
        refused = [s for s in mine if s["status"] != "packed"]
        reasons = [s["message"] for s in refused] + [r["reason"] for r in manifest["refused"]]
        assert refused and all(s["file"] is None for s in refused)
        assert any(path.name in r or item.title in r for r in reasons), reasons
        assert not list(out.glob(f"{mine[0]['slot']}_*")) if out.exists() else True
        return
    (slot,) = [s for s in mine if s["status"] == "packed"]
    written = out / slot["file"]
    doc = read_one(SourceFile(written, slot["file"], written.stat().st_size))
    broken = rules._portal_checks(doc, pid, spec)
    assert broken == [], (key, slot["actions"], broken)
    # and the source broke the rule before pack fixed it
    source = read_one(SourceFile(path, path.name, path.stat().st_size))
    assert rules._portal_checks(source, pid, {k: spec[k] for k in ("title", key) if k in spec})
