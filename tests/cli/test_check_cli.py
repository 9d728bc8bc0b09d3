"""`dossier check` end to end: exit codes, text and JSON a user sees, colour rules."""

from __future__ import annotations

import functools
import importlib.util
import json
import shutil
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from reportlab.pdfgen import canvas

from img_dossier.checking.pipeline import load_context
from img_dossier.checking.verify import needs_translation
from img_dossier.cli import cli
from img_dossier.errors import ExitCode

CHECKLIST = {
    "schema": 1,
    "id": "mini",
    "title": "Mini checklist",
    "version": "2026.1",
    "track": "us",
    "languages": ["en"],
    "items": [
        {
            "id": "passport",
            "title": "Passport",
            "required": True,
            "source": "test",
            "names": ["passport"],
            "evidence": [["Passport", "Nationality"]],
            "advice": "Scan the photo page of your passport.",
        },
        {
            "id": "letter-of-recommendation",
            "title": "Letters of recommendation",
            "required": True,
            "min": 2,
            "source": "test",
            "names": ["lor", "letter"],
            "evidence": [["Dear Program Director"]],
        },
        {
            "id": "statement-of-need",
            "title": "Statement of Need",
            "required": True,
            "when": {"visa": ["J-1"]},
            "source": "test",
            "names": ["statement of need"],
            "evidence": [["Statement of Need", "Ministry of Health"]],
        },
        {
            "id": "photo",
            "title": "Photo",
            "required": False,
            "source": "test",
            "names": ["photo"],
        },
    ],
}


def pdf(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path))
    y = 800
    for line in lines:
        c.drawString(72, y, line)
        y -= 16
    c.showPage()
    c.save()
    return path


def write_profile(folder: Path, **extra: Any) -> None:
    data: dict[str, Any] = {
        "schema": 1,
        "track": "../mini.yaml",
        "applicant": {"given_names": "Lucia Fernanda", "family_name": "Quispe Mamani"},
        "medical_school": {"language": "en"},
        "training": {"visa": "J-1"},
    }
    data.update(extra)
    (folder / "dossier.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A complete applicant folder checked against a small checklist beside it."""
    (tmp_path / "mini.yaml").write_text(yaml.safe_dump(CHECKLIST), encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    write_profile(docs)
    pdf(docs / "passport.pdf", "PASSPORT", "Nationality: Peru", "Surname: QUISPE MAMANI")
    pdf(docs / "letters" / "lor-garcia.pdf", "Dear Program Director,", "I recommend Dr Quispe.")
    pdf(docs / "Scan_0001.pdf", "Dear Program Director,", "It is a pleasure to recommend her.")
    pdf(docs / "son.pdf", "Statement of Need", "Ministry of Health of Peru", "Lucia Quispe")
    (docs / "notes.xyz").write_text("my notes", encoding="utf-8")
    return docs


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, ["check", *args], env=env, catch_exceptions=False)


def test_complete_folder_exits_0_with_a_readable_report(folder: Path) -> None:
    result = run(str(folder))
    assert result.exit_code == ExitCode.OK, result.output
    text = result.stdout
    assert "Applicant:  Lucia Fernanda Quispe Mamani" in text
    assert "ok: Letters of recommendation (Scan_0001.pdf, letters/lor-garcia.pdf)" in text
    assert text.rstrip().splitlines()[-1] == "Complete: 3 of 3 required items ok"


def test_missing_document_exits_1_naming_the_item(folder: Path) -> None:
    (folder / "son.pdf").unlink()
    result = run(str(folder))
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "MISSING: Statement of Need" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == (
        "Incomplete: 2 of 3 required items ok; missing: Statement of Need"
    )


def test_json_has_the_interface_shape(folder: Path) -> None:
    result = run(str(folder), "--json", "--as-of", "2026-11-29")
    assert result.exit_code == ExitCode.OK
    data = json.loads(result.stdout)  # nothing but JSON on stdout
    assert list(data) == [
        "schema_version",
        "tool",
        "folder",
        "checklist",
        "as_of",
        "applicant",
        "complete",
        "summary",
        "items",
        "documents",
        "ignored",
        "notes",
        "steps",
    ]
    assert data["schema_version"] == 1
    assert data["tool"] == {"name": "img-dossier", "version": "0.1.0"}
    assert data["folder"] == str(folder)
    assert data["checklist"] == {"id": "mini", "title": "Mini checklist", "version": "2026.1"}
    assert data["as_of"] == "2026-11-29"
    assert data["applicant"] == {"name": "Lucia Fernanda Quispe Mamani"}
    assert data["complete"] is True
    assert data["summary"] == {
        "required": 3, "ok": 3, "missing": 0, "problems": 0, "ocr_pages": 0
    }  # fmt: skip
    assert [i["id"] for i in data["items"]] == [i["id"] for i in CHECKLIST["items"]]
    for item in data["items"]:
        assert set(item) == {
            "id",
            "title",
            "required",
            "status",
            "documents",
            "messages",
            "problems",
        }
        assert isinstance(item["required"], bool)
        assert isinstance(item["documents"], list) and isinstance(item["messages"], list)
    lor = data["items"][1]
    assert lor["status"] == "ok"
    assert lor["documents"] == ["Scan_0001.pdf", "letters/lor-garcia.pdf"]
    assert data["items"][3]["status"] == "optional-missing"
    docs = {d["path"]: d for d in data["documents"]}
    assert set(docs) == {"Scan_0001.pdf", "letters/lor-garcia.pdf", "passport.pdf", "son.pdf"}
    for d in docs.values():
        assert set(d) == {
            "path",
            "format",
            "bytes",
            "pages",
            "sha256",
            "item",
            "classified_by",
            "evidence",
            "facts",
            "problems",
        }
        assert d["format"] == "pdf" and d["pages"] == 1
        assert isinstance(d["bytes"], int) and len(d["sha256"]) == 64
        assert isinstance(d["facts"], dict) and isinstance(d["evidence"], list)
    assert docs["Scan_0001.pdf"]["classified_by"] == "content"
    assert docs["Scan_0001.pdf"]["evidence"] == ["Dear Program Director"]
    assert docs["passport.pdf"]["classified_by"] == "filename"
    assert data["ignored"] == ["notes.xyz"]


def test_json_of_an_incomplete_folder(folder: Path) -> None:
    (folder / "passport.pdf").unlink()
    result = run(str(folder), "--json")
    assert result.exit_code == ExitCode.INCOMPLETE
    data = json.loads(result.stdout)
    assert data["complete"] is False
    assert data["summary"]["missing"] == 1
    passport = data["items"][0]
    assert (passport["id"], passport["status"]) == ("passport", "missing")
    assert passport["documents"] == []


def test_manifest_and_ignore_from_dossier_yaml(folder: Path) -> None:
    pdf(folder / "IMG_2231.pdf", "nothing recognisable here")
    write_profile(folder, files={"IMG_2231.pdf": "photo", "notes.xyz": "ignore"})
    data = json.loads(run(str(folder), "--json").stdout)
    docs = {d["path"]: d for d in data["documents"]}
    assert docs["IMG_2231.pdf"]["item"] == "photo"
    assert docs["IMG_2231.pdf"]["evidence"] == ["dossier.yaml files: IMG_2231.pdf"]
    assert data["ignored"] == ["notes.xyz"]
    assert data["items"][3]["status"] == "ok"


def test_unclassified_file_is_reported_with_the_hint(folder: Path) -> None:
    pdf(folder / "document(2).pdf", "Some unrelated text about the weather.")
    result = run(str(folder))
    assert result.exit_code == ExitCode.OK  # an unknown file does not block
    assert "Not recognised (1)" in result.stdout
    assert "document(2).pdf: could not tell which document this is" in result.stdout


def test_undecided_condition_is_a_note(folder: Path) -> None:
    write_profile(folder, training={})
    result = run(str(folder))
    assert "training.visa is not set in dossier.yaml: assumed required: Statement of Need" in (
        result.stdout
    )


def test_track_option_overrides_dossier_yaml(folder: Path, tmp_path: Path) -> None:
    other = dict(CHECKLIST, id="other", title="Other", items=CHECKLIST["items"][:1])
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(other), encoding="utf-8")
    data = json.loads(run(str(folder), "--json", "--track", str(tmp_path / "other.yaml")).stdout)
    assert data["checklist"]["id"] == "other"
    assert [i["id"] for i in data["items"]] == ["passport"]


def test_missing_folder_is_exit_3(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope"), "--track", "us")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""
    assert f"{tmp_path / 'nope'}: no such folder" in result.stderr


def test_a_file_instead_of_a_folder_is_exit_3(tmp_path: Path) -> None:
    (tmp_path / "f.pdf").write_bytes(b"%PDF-1.4")
    result = run(str(tmp_path / "f.pdf"), "--track", "us")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "not a folder" in result.stderr


def test_bad_dossier_yaml_is_exit_3_naming_the_field(folder: Path) -> None:
    write_profile(folder, training={"start": "next july"})
    result = run(str(folder), "--json")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert result.stdout == ""
    assert 'dossier.yaml: training.start: not a date (got "next july")' in result.stderr


def test_unknown_item_in_files_is_exit_3_listing_the_ids(folder: Path) -> None:
    write_profile(folder, files={"x.pdf": "pasport"})
    result = run(str(folder))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert 'files.x.pdf: unknown item id "pasport"' in result.stderr
    assert "passport" in result.stderr.split("pasport", 1)[1]


def test_malformed_yaml_is_exit_3(folder: Path) -> None:
    (folder / "dossier.yaml").write_text("track: [us\n", encoding="utf-8")
    result = run(str(folder))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "dossier.yaml: not valid YAML" in result.stderr


def test_no_track_anywhere_is_exit_3_telling_what_to_do(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "--track us" in result.stderr and "dossier init" in result.stderr


def test_bad_as_of_is_a_usage_error(folder: Path) -> None:
    assert run(str(folder), "--as-of", "tomorrow").exit_code == ExitCode.USAGE


def test_quiet_prints_what_blocks_and_the_result(folder: Path) -> None:
    (folder / "son.pdf").unlink()
    result = run(str(folder), "-q")
    assert result.exit_code == ExitCode.INCOMPLETE
    assert "MISSING: Statement of Need" in result.stdout
    assert "Applicant:" not in result.stdout and "Ok (" not in result.stdout


def test_no_colour_when_not_a_terminal(folder: Path) -> None:
    (folder / "son.pdf").unlink()
    assert "\033[" not in run(str(folder)).stdout


class _Terminal:
    def isatty(self) -> bool:
        return True


def _fake_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from img_dossier.cli import options

    terminal = types.SimpleNamespace(stdout=_Terminal(), stderr=_Terminal())
    monkeypatch.setattr(options, "sys", terminal)


def test_colour_on_a_terminal(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / "son.pdf").unlink()
    monkeypatch.delenv("NO_COLOR", raising=False)
    _fake_terminal(monkeypatch)
    assert "\033[31m" in run(str(folder)).stdout


def test_no_colour_with_no_color_even_on_a_terminal(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "son.pdf").unlink()
    _fake_terminal(monkeypatch)
    assert "\033[" not in run(str(folder), env={"NO_COLOR": "1"}).stdout


def test_source_documents_are_not_modified(folder: Path) -> None:
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    run(str(folder))
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after


def test_run_check_is_public_api(folder: Path) -> None:
    import img_dossier

    run_ = img_dossier.run_check(folder)
    assert "run_check" in img_dossier.__all__
    assert run_.report.complete
    assert run_.checklist.id == "mini"
    assert run_.profile.applicant.family_name == "Quispe Mamani"


# --- the sample folders shipped with the tool -------------------------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_NAMES = ("us-j1", "canada")


def _copy(src: Path, tmp_path: Path) -> Path:
    dest = tmp_path / src.name
    shutil.copytree(src, dest)
    return dest


def _required_items(sample: str) -> list[str]:
    """The items a sample's dossier.yaml makes required (decided without reading documents)."""
    folder = SAMPLES / sample
    if not (folder / "dossier.yaml").is_file():
        return []
    checklist, profile = load_context(folder)
    variables = dict(profile.conditions())
    variables["needs_translation"] = needs_translation(checklist, profile, [])
    return [
        i.id
        for i in checklist.items
        if i.required and all(c.decide(variables) is not False for c in i.when)
    ]


def _sample(sample: str) -> Path:
    folder = SAMPLES / sample
    if not (folder / "dossier.yaml").is_file():
        pytest.skip(f"sample folder {sample} not built yet")
    return folder


@functools.cache
def _baseline(sample: str) -> dict[str, Any]:
    """`check --json` of an untouched sample folder (computed once per test run)."""
    result = run(str(_sample(sample)), "--json", "--jobs", "1")
    assert result.exit_code == ExitCode.OK, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_sample_folder_is_complete(sample: str) -> None:
    result = run(str(_sample(sample)), "--jobs", "1")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout.rstrip().splitlines()[-1].startswith("Complete: ")
    data = _baseline(sample)
    assert data["complete"] is True
    assert not [d["path"] for d in data["documents"] if d["item"] is None]


@pytest.mark.parametrize("sample", SAMPLE_NAMES)
def test_sample_folder_is_complete_even_with_strict(sample: str) -> None:
    assert run(str(_sample(sample)), "--strict", "--jobs", "1").exit_code == ExitCode.OK


@pytest.mark.parametrize(
    ("sample", "item"),
    [(s, i) for s in SAMPLE_NAMES for i in _required_items(s)]
    or [pytest.param("us-j1", "passport", marks=pytest.mark.skip("samples not built yet"))],
)
def test_removing_a_required_document_makes_the_sample_incomplete(
    sample: str, item: str, tmp_path: Path
) -> None:
    folder = _copy(_sample(sample), tmp_path)
    found = next(i for i in _baseline(sample)["items"] if i["id"] == item)
    assert found["status"] in ("ok", "expiring", "unverified") and found["documents"]
    for rel in found["documents"]:
        (folder / rel).unlink()
    after = run(str(folder), "--json", "--jobs", "1")
    assert after.exit_code == ExitCode.INCOMPLETE
    data = json.loads(after.stdout)
    assert data["complete"] is False
    assert next(i for i in data["items"] if i["id"] == item)["status"] == "missing"
    text = run(str(folder), "--jobs", "1")
    assert text.exit_code == ExitCode.INCOMPLETE
    assert f"MISSING: {found['title']}" in text.stdout
    assert found["title"] in text.stdout.rstrip().splitlines()[-1]


def _make_samples() -> types.ModuleType:
    """The samples' document factory (samples/make_samples.py), imported by path."""
    path = SAMPLES / "make_samples.py"
    if not path.is_file():
        pytest.skip("samples/make_samples.py not written yet")
    spec = importlib.util.spec_from_file_location("make_samples", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_samples", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("track", ["us", "canada"])
def test_meaningless_file_names_are_classified_by_content(track: str, tmp_path: Path) -> None:
    """Scan_0001.pdf, document(2).pdf, ...: at least 90% of the documents with text right."""
    samples = _make_samples()
    folder = samples.build_folder(track, tmp_path / track, names="meaningless")
    expected = {rel: item for rel, item, _variant in samples.folder_files(track, "meaningless")}
    data = json.loads(run(str(folder), "--json", "--jobs", "1").stdout)
    with_text = {
        d["path"]: d["item"]
        for d in data["documents"]
        if d["path"] in expected
        and d["format"] in ("pdf", "docx", "txt", "md")
        and not any(p["code"] == "no-text" for p in d["problems"])
    }
    assert len(with_text) >= 10
    right = sum(1 for rel, item in with_text.items() if item == expected[rel])
    wrong = {rel: (expected[rel], item) for rel, item in with_text.items() if item != expected[rel]}
    print(f"{track}: {right} of {len(with_text)} classified right by content; wrong: {wrong}")
    assert all(d["classified_by"] == "content" for d in data["documents"] if d["path"] in with_text)
    assert right / len(with_text) >= 0.9, wrong


CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def test_real_world_corpus_is_checked_without_a_crash() -> None:
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not present")
    result = run(str(CORPUS), "--track", "us", "--json", "--as-of", "2026-11-29")
    assert result.exit_code == ExitCode.INCOMPLETE
    data = json.loads(result.stdout)
    docs = {d["path"]: d for d in data["documents"]}
    pdfs = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.pdf")}
    assert pdfs <= set(docs)
    encrypted = next(p for p in docs if p.startswith("005-"))
    assert "encrypted" in {p["code"] for p in docs[encrypted]["problems"]}
    damaged = docs[next(p for p in docs if p.startswith("017-"))]
    assert damaged["pages"] or "damaged" in {p["code"] for p in damaged["problems"]}
    unknown = [d for d in docs.values() if d["item"] is None]
    assert len(unknown) > len(docs) / 2  # none of them is an application document
    assert all("unclassified" in {p["code"] for p in d["problems"]} for d in unknown)


def test_a_link_out_of_the_folder_is_reported_not_followed(folder: Path, tmp_path: Path) -> None:
    secret = pdf(tmp_path / "elsewhere" / "passport.pdf", "PASSPORT", "Nationality: Peru")
    (folder / "passport.pdf").unlink()
    (folder / "passport.pdf").symlink_to(secret)
    result = run(str(folder), "--json")
    assert result.exit_code == ExitCode.INCOMPLETE
    data = json.loads(result.stdout)
    doc = next(d for d in data["documents"] if d["path"] == "passport.pdf")
    assert (doc["format"], doc["bytes"]) == (None, 0)
    assert [p["code"] for p in doc["problems"]] == ["outside-folder"]
    assert doc["problems"][0]["severity"] == "error"
    passport = data["items"][0]
    assert passport["status"] == "invalid"
    assert "outside the folder" in passport["messages"][0]


def test_without_dossier_yaml_the_track_option_is_enough(folder: Path, tmp_path: Path) -> None:
    (folder / "dossier.yaml").unlink()
    result = run(str(folder), "--track", str(tmp_path / "mini.yaml"), "--json")
    assert result.exit_code == ExitCode.OK
    data = json.loads(result.stdout)
    assert data["applicant"] == {"name": None}
    assert data["notes"] == [
        "training.visa is not set in dossier.yaml: assumed required: Statement of Need; "
        "set training.visa to J-1, H-1B or none"
    ]
    assert data["items"][2]["status"] == "ok"  # assumed required, and present


def test_the_tools_own_outputs_are_left_out_silently(folder: Path) -> None:
    from pypdf import PdfWriter

    from img_dossier.model import OWN_OUTPUT_KEY

    writer = PdfWriter(clone_from=str(folder / "passport.pdf"))
    writer.add_metadata({OWN_OUTPUT_KEY: "dossier"})
    with open(folder / "quispe-dossier.pdf", "wb") as fh:
        writer.write(fh)
    data = json.loads(run(str(folder), "--json").stdout)
    assert "quispe-dossier.pdf" not in {d["path"] for d in data["documents"]}
    assert "quispe-dossier.pdf" not in data["ignored"]
    assert data["items"][0]["documents"] == ["passport.pdf"]


def test_a_dossier_yaml_that_is_not_a_mapping_is_exit_3(folder: Path) -> None:
    (folder / "dossier.yaml").write_text("- passport.pdf\n- lor.pdf\n", encoding="utf-8")
    result = run(str(folder))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "dossier.yaml: must be a mapping" in result.stderr


def test_unknown_track_is_exit_3(folder: Path) -> None:
    result = run(str(folder), "--track", "mars")
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "unknown checklist or track 'mars'" in result.stderr


def test_a_dossier_yaml_that_is_a_folder_is_bad_input_naming_it(tmp_path: Path) -> None:
    (tmp_path / "dossier.yaml").mkdir()
    result = run(str(tmp_path))
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "dossier.yaml: not a file" in result.stderr
