"""Tell a file's format from its content (magic bytes), and the format its name promises.

Used by the scanner (to pick up files with no or an unknown extension) and by the readers
(to catch a file whose content does not match its extension). Reads a few KB, never more.
"""

from __future__ import annotations

from pathlib import Path

#: Bytes read from the start of a file to sniff it.
HEAD_BYTES = 4096

#: Extensions the tool reads -> the document format they promise.
EXTENSION_FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".png": "png",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".heic": "heic",
    ".heif": "heic",
    ".txt": "txt",
    ".md": "md",
}

#: Formats recognised by magic bytes that the readers can read.
BINARY_FORMATS = frozenset({"pdf", "docx", "jpeg", "png", "tiff", "heic"})

#: How a content kind is named in a message, for kinds the readers cannot read.
KIND_NAMES: dict[str, str] = {
    "pdf": "a PDF",
    "docx": "a Word document (DOCX)",
    "jpeg": "a JPEG image",
    "png": "a PNG image",
    "tiff": "a TIFF image",
    "txt": "plain text",
    "md": "plain text",
    "text": "plain text",
    "html": "a web page (HTML)",
    "xml": "an XML file",
    "rtf": "an RTF document",
    "zip": "a ZIP archive that is not a Word document",
    "ole": "an old Microsoft Office file (.doc/.xls/.ppt)",
    "gif": "a GIF image",
    "bmp": "a BMP image",
    "webp": "a WebP image",
    "heic": "a HEIC/HEIF photo",
    "exe": "a program",
    "gzip": "a compressed archive",
    "rar": "a RAR archive",
    "7z": "a 7-Zip archive",
    "ps": "a PostScript file",
    "binary": "data in a format this tool does not read",
}


def extension_format(path: Path | str) -> str | None:
    """The format a file's extension promises, or None for no or an unknown extension."""
    return EXTENSION_FORMATS.get(Path(path).suffix.lower())


def sniff_head(head: bytes) -> str:
    """The content kind of a file from its first bytes ("zip" is refined by sniff_file)."""
    if not head:
        return "empty"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":
        return "bmp"
    if head[:2] == b"MZ" and b"\x00" in head[:64]:
        return "exe"
    if _pdf_after_junk(head):
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heic"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        return _markup_kind(_decode_head(head)) or "text"
    if b"\x00" in head:
        return "text" if utf16_without_bom(head) else "binary"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            text = head.decode("cp1252", errors="replace")
            if _control_ratio(text) > 0.05:
                return "binary"
        else:
            text = head[: exc.start].decode("utf-8")
    if _control_ratio(text) > 0.05:
        return "binary"
    return _markup_kind(text) or "text"


def sniff_file(path: Path) -> str:
    """The content kind of a file on disk: sniff_head, with ZIPs split into docx and zip.

    Raises OSError when the file cannot be opened.
    """
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    kind = sniff_head(head)
    if kind == "zip":
        return "docx" if is_docx_zip(path) else "zip"
    return kind


def is_docx_zip(path: Path) -> bool:
    """True when the ZIP at path is a WordprocessingML package (False for any damage)."""
    import zipfile  # only for a ZIP (a warm check of a folder without one never needs it)

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "word/document.xml" in names:
                return True
            if "[Content_Types].xml" in names:
                info = zf.getinfo("[Content_Types].xml")
                if info.file_size <= 1_000_000:
                    return b"wordprocessingml.document.main" in zf.read(info)
    except Exception:  # encrypted member, unknown compression, bad deflate data, ...
        # zipfile raises RuntimeError, NotImplementedError, zlib.error and more on a hostile
        # ZIP; this runs in the main process while the folder is scanned: never a crash
        return False
    return False


_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x7fELF", "exe"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"{\\rtf", "rtf"),
    (b"%!PS", "ps"),
)

_HEIF_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"})


def _pdf_after_junk(head: bytes) -> bool:
    """A PDF header within the first KB after blanks or binary junk (readers tolerate it),
    but not a text file that merely mentions "%PDF-"."""
    at = head.find(b"%PDF-", 0, 1024)
    if at <= 0:
        return False
    junk = head[:at]
    if not junk.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return True
    try:
        junk.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in junk


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte of mostly-ASCII text is NUL, else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.6 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.6 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_head(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):
        return head[3:].decode("utf-8", errors="replace")
    return head.decode("utf-16", errors="replace")


def _markup_kind(text: str) -> str | None:
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html", "<head", "<body")) or (
        start.startswith("<") and "<html" in start[:1024]
    ):
        return "html"
    if start.startswith(("<?xml", "<svg")):
        return "html" if "<html" in start[:2048] else "xml"
    return None


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\n\r\f\v\x1b")
    return controls / len(text)
