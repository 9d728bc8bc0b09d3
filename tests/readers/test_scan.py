"""Scanning a folder: sorted, junk skipped silently, unread files listed, links never escape."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from img_dossier.cli import cli
from img_dossier.errors import BadInputError, ExitCode
from img_dossier.readers.scan import scan

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    return buf.getvalue()


def zip_with(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in names:
            zf.writestr(name, "<x/>")
    return buf.getvalue()


def make(folder: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder


def rels(folder: Path) -> list[str]:
    return [f.rel for f in scan(folder).files]


def test_files_are_listed_recursively_sorted_with_posix_rel_paths(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "z.pdf": PDF,
            "b/letter.docx": b"x",
            "a/deep/er/transcript.PDF": PDF,
            "a/photo.JPG": b"x",
            "cv.md": b"# CV",
            "notes.txt": b"n",
            "scan.tiff": b"x",
            "scan2.tif": b"x",
            "p.png": b"x",
            "p.jpeg": b"x",
        },
    )
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == [
        "a/deep/er/transcript.PDF",
        "a/photo.JPG",
        "b/letter.docx",
        "cv.md",
        "notes.txt",
        "p.jpeg",
        "p.png",
        "scan.tiff",
        "scan2.tif",
        "z.pdf",
    ]
    first = found.files[0]
    assert first.path == tmp_path / "a" / "deep" / "er" / "transcript.PDF"
    assert first.path.is_absolute() and first.size == len(PDF)
    assert found.ignored == () and found.outside == ()
    assert scan(tmp_path) == found  # deterministic


def test_junk_is_skipped_silently(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "passport.pdf": PDF,
            ".DS_Store": b"x",
            ".hidden.pdf": PDF,
            ".git/config.pdf": PDF,
            "sub/.cache/x.pdf": PDF,
            "Thumbs.db": b"x",
            "sub/thumbs.db": b"x",
            "desktop.ini": b"x",
            "~$letter.docx": b"x",
            "dossier.yaml": b"schema: 1\n",
            "__pycache__/a.pdf": PDF,
        },
    )
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["passport.pdf"]
    assert found.ignored == ()


def test_files_the_tool_does_not_read_are_listed_as_ignored(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "cv.pdf": PDF,
            "grades.xlsx": zip_with("xl/workbook.xml"),
            "all.zip": zip_with("a.txt"),
            "setup.exe": b"MZ\x90\x00" + b"\x00" * 60,
            "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100,
            "README": b"just text, no extension",
            "sub/dossier.yaml": b"schema: 1\n",
            "data.bin": bytes(range(256)),
        },
    )
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["cv.pdf"]
    assert found.ignored == (
        "README",
        "all.zip",
        "data.bin",
        "grades.xlsx",
        "old.doc",
        "setup.exe",
        "sub/dossier.yaml",
    )


def test_files_without_a_known_extension_are_taken_by_their_content(tmp_path: Path) -> None:
    make(
        tmp_path,
        {
            "Scan_0001": PDF,
            "IMG_2041.scan": jpeg(),
            "letter.bak": zip_with("[Content_Types].xml", "word/document.xml"),
            "empty-noext": b"",
        },
    )
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["IMG_2041.scan", "Scan_0001", "letter.bak"]
    assert found.ignored == ("empty-noext",)


def test_a_symlink_out_of_the_folder_is_never_followed(tmp_path: Path) -> None:
    folder, outside = tmp_path / "client", tmp_path / "other"
    make(folder, {"cv.pdf": PDF})
    make(outside, {"secret.pdf": PDF, "dir/inner.pdf": PDF})
    (folder / "secret.pdf").symlink_to(outside / "secret.pdf")
    (folder / "docs").symlink_to(outside / "dir")
    (folder / "dangling.pdf").symlink_to(tmp_path / "nowhere.pdf")
    found = scan(folder)
    assert [f.rel for f in found.files] == ["cv.pdf"]
    assert found.outside == (
        ("dangling.pdf", str(tmp_path / "nowhere.pdf")),
        ("docs", str(outside / "dir")),
        ("secret.pdf", str(outside / "secret.pdf")),
    )


def test_a_relative_link_climbing_out_is_outside(tmp_path: Path) -> None:
    folder = make(tmp_path / "client", {"a/cv.pdf": PDF})
    make(tmp_path, {"shadow.pdf": PDF})
    (folder / "a" / "up.pdf").symlink_to(Path("..") / ".." / "shadow.pdf")
    found = scan(folder)
    assert [f.rel for f in found.files] == ["a/cv.pdf"]
    assert [rel for rel, _ in found.outside] == ["a/up.pdf"]


def test_links_inside_are_followed_once_without_loops(tmp_path: Path) -> None:
    make(tmp_path, {"letters/lor1.pdf": PDF, "letters/lor2.pdf": PDF, "cv.pdf": PDF})
    (tmp_path / "letters" / "again").symlink_to(tmp_path / "letters")  # a loop
    (tmp_path / "root-loop").symlink_to(tmp_path)
    (tmp_path / "all-letters").symlink_to(tmp_path / "letters")
    (tmp_path / "copy-of-cv.pdf").symlink_to(tmp_path / "cv.pdf")
    made = make(tmp_path / "real", {"only-here.pdf": PDF})
    (tmp_path / "a-link").symlink_to(made)
    found = scan(tmp_path)
    # Each real file once, under its own path when it has one.
    assert [f.rel for f in found.files] == [
        "cv.pdf",
        "letters/lor1.pdf",
        "letters/lor2.pdf",
        "real/only-here.pdf",
    ]
    assert found.outside == ()


def test_a_file_reached_only_through_an_inside_link_is_read_there(tmp_path: Path) -> None:
    folder = make(tmp_path / "client", {".archive/diploma.pdf": PDF})
    (folder / "diploma.pdf").symlink_to(folder / ".archive" / "diploma.pdf")
    found = scan(folder)
    assert [f.rel for f in found.files] == ["diploma.pdf"]
    assert found.files[0].path.resolve() == (folder / ".archive" / "diploma.pdf").resolve()


def test_special_files_are_ignored_not_opened(tmp_path: Path) -> None:
    make(tmp_path, {"cv.pdf": PDF})
    os.mkfifo(tmp_path / "pipe.pdf")  # opening it would block forever
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["cv.pdf"]
    assert found.ignored == ("pipe.pdf",)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their permissions")
def test_an_unreadable_subfolder_is_listed_not_fatal(tmp_path: Path) -> None:
    make(tmp_path, {"cv.pdf": PDF, "private/x.pdf": PDF})
    (tmp_path / "private").chmod(0)
    try:
        found = scan(tmp_path)
    finally:
        (tmp_path / "private").chmod(0o755)
    assert [f.rel for f in found.files] == ["cv.pdf"]
    assert found.ignored == ("private/",)


def test_a_missing_folder_is_bad_input_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(BadInputError, match="nope: no such folder"):
        scan(missing)
    file = make(tmp_path, {"cv.pdf": PDF}) / "cv.pdf"
    with pytest.raises(BadInputError, match="not a folder") as info:
        scan(file)
    assert info.value.exit_code == ExitCode.BAD_INPUT


def test_check_of_a_missing_folder_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "nope"), "--track", "us"])
    assert result.exit_code == ExitCode.BAD_INPUT
    assert "nope" in result.output


def test_the_folder_itself_may_be_a_link(tmp_path: Path) -> None:
    real = make(tmp_path / "real", {"cv.pdf": PDF})
    (tmp_path / "alias").symlink_to(real)
    found = scan(tmp_path / "alias")
    assert [f.rel for f in found.files] == ["cv.pdf"]
    assert found.outside == ()


def test_a_subfolder_that_cannot_be_listed_is_listed_as_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make(tmp_path, {"cv.pdf": PDF, "private/x.pdf": PDF, "public/y.pdf": PDF})
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str] | str) -> object:
        if Path(path).name == "private":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = scan(tmp_path)
    assert [f.rel for f in found.files] == ["cv.pdf", "public/y.pdf"]
    assert found.ignored == ("private/",)
