"""Hostile inputs by class, made from a seed: every file is reproducible from (class, seed).

Each generator writes one or more files into a folder and returns their names. Classes
(the issue's list): byte flips, truncation, xref damage, lying lengths, compression bombs;
deep nesting, page-tree, outline and object-stream loops, malformed boxes, name trees and
annotations; broken ZIPs, ZIP bombs, billion laughs, XXE, deep XML and chained styles in
DOCX; image bombs and multi-frame TIFFs; odd names, link loops, FIFOs, unreadable files;
hostile dossier.yaml. ``scale`` (1 for the test run, larger for bench/fuzz) sizes bombs.
"""

from __future__ import annotations

import functools
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"

Maker = Callable[[random.Random, Path, str, int], list[str]]


# -- seeds -------------------------------------------------------------------------------


def seeds(ext: str) -> list[Path]:
    """Seed files of one extension from samples/ and ../shared/corpus (sorted: reproducible)."""
    found = sorted((ROOT / "samples").rglob(f"*{ext}"))
    if CORPUS.is_dir():
        found += sorted(p for p in CORPUS.glob(f"*{ext}") if p.stat().st_size < 2_000_000)
    return [p for p in found if p.is_file()]


def _seed_bytes(rng: random.Random, ext: str) -> bytes:
    pool = seeds(ext)
    if not pool:
        return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page()])
    return rng.choice(pool).read_bytes()


# -- a minimal PDF writer (correct xref, so that only the chosen part is hostile) ---------


def raw_pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, root, trailer_extra, xref)
    )
    return out.getvalue()


def _stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    n = len(data) if length is None else length
    return b"<< /Length %d %s>>\nstream\n" % (n, extra) + data + b"\nendstream"


_TEXT = b"BT /F1 18 Tf 72 700 Td (Hostile input page) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _one_page(page_extra: bytes = b"", media: bytes = b"[0 0 612 792]") -> list[bytes]:
    """Objects 2.. of a one-page PDF whose catalog is object 1 (Pages 2, page 3, ...)."""
    return [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox "
        + media
        + b" /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R "
        + page_extra
        + b">>",
        _stream(_TEXT),
        _FONT,
    ]


# -- PDF classes ---------------------------------------------------------------------------


def byte_flips(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    data = bytearray(_seed_bytes(rng, ".pdf"))
    for _ in range(rng.randint(1, 40 * scale)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return _write(folder, f"{stem}.pdf", bytes(data))


def truncation(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    data = _seed_bytes(rng, rng.choice([".pdf", ".pdf", ".docx", ".jpg"]))
    ext = ".pdf" if data.startswith(b"%PDF") else (".docx" if data[:2] == b"PK" else ".jpg")
    return _write(folder, f"{stem}{ext}", data[: rng.randrange(1, max(2, len(data)))])


def xref_damage(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    data = _seed_bytes(rng, ".pdf")
    how = rng.randrange(4)
    if how == 0:  # startxref points anywhere
        cut = data.rfind(b"startxref")
        data = data[:cut] + b"startxref\n%d\n%%%%EOF\n" % rng.randrange(10**9) if cut > 0 else data
    elif how == 1:  # offsets shifted
        data = data.replace(b" 00000 n", b" 00001 n")
    elif how == 2:  # xref keyword removed
        data = data.replace(b"xref", b"xxxx")
    else:  # a huge /Size and /Prev chain to itself
        data = data.replace(b"trailer", b"trailer\n<< /Size 2147483647 /Prev 0 >>\ntrailer", 1)
    return _write(folder, f"{stem}.pdf", data)


def lying_lengths(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    length = rng.choice([0, 1, 10**9, -5, 2**63])
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page()]
    objs[3] = _stream(_TEXT, length=length)
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def compression_bomb(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    return _write(folder, f"{stem}.pdf", _compression_bomb_bytes(scale))


@functools.cache
def _compression_bomb_bytes(scale: int) -> bytes:
    # a content stream that inflates to scale x 64 MB of spaces (kB on disk); the same bytes
    # for every seed, so made once per run (it was most of the time spent making inputs)
    size = 64 * 1024 * 1024 * scale
    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    body = b"".join(comp.compress(chunk) for _ in range(size // len(chunk))) + comp.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page()]
    objs[3] = _stream(body, b"/Filter /FlateDecode ")
    return raw_pdf(objs)


def deep_nesting(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    depth = rng.choice([1000, 20_000, 100_000 * scale])
    kind = rng.choice([b"<< /A ", b"["])
    close = b">>" if kind.startswith(b"<<") else b"]"
    nested = kind * depth + b"1" + close * depth
    where = rng.choice([b"/CropBox ", b"/MediaBox ", b"/Extra "])
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page(where + nested + b" ")]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def bad_boxes(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    box = rng.choice(
        [
            b"null",
            b"[0 0 612]",
            b"[0 0 612 792 5]",
            b"(text)",
            b"[/a /b /c /d]",
            b"<< >>",
            b"[0 0 0 0]",
            b"[0 0 1e400 792]",
            b"7 0 R",
        ]
    )
    which = rng.choice([b"/MediaBox", b"/CropBox", b"/TrimBox", b"/Rotate"])
    if which == b"/MediaBox":
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page(media=box)]
    else:
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page(which + b" " + box + b" ")]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def page_tree_loop(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    how = rng.randrange(3)
    if how == 0:  # /Kids holds its own /Pages node
        pages = b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>"
        objs = [b"<< /Type /Catalog /Pages 2 0 R >>", pages, *_one_page()[1:]]
    elif how == 1:  # /Parent of the page is the page itself, no MediaBox anywhere
        objs = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 3 0 R /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 4 0 R >>",
            _stream(_TEXT),
            _FONT,
        ]
    else:  # two /Pages nodes that are each other's kids
        objs = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
            *_one_page()[1:],
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        ]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def outline_loop(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /PageMode /UseOutlines >>",
        *_one_page(),
        b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 2 >>",
        b"<< /Title (One) /Parent 6 0 R /Next 8 0 R /Dest [3 0 R /Fit] >>",
        rng.choice(
            [
                b"<< /Title (Two) /Parent 6 0 R /Next 7 0 R /Dest [3 0 R /Fit] >>",  # Next loop
                b"<< /Title (Two) /Parent 6 0 R /First 7 0 R /Dest [3 0 R /Fit] >>",  # First loop
                b"<< /Title 42 /Parent 6 0 R /Next 8 0 R >>",  # wrong types, self loop
            ]
        ),
    ]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def name_tree(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    tree = rng.choice(
        [
            b"<< /Kids [6 0 R] >>",  # a node whose kid is itself
            b"<< /Names [(a) [3 0 R /Fit] (b)] >>",  # odd pairs
            b"<< /Kids 5 >>",  # wrong type
            b"(not a tree)",
        ]
    )
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /Dests 6 0 R >> >>",
        *_one_page(b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] /Dest (a) >>] "),
        tree,
    ]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def annotations(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    annots = rng.choice(
        [
            b"/Annots << /Not /AnArray >>",
            b"/Annots [1 2 (three) null]",
            b"/Annots [<< /Subtype 5 /Rect [0 0 1] >>]",
            b"/Annots [<< /Subtype /Link /Rect (x) /A << /S /URI /URI 7 >> >>]",
            b"/Annots 3 0 R",
        ]
    )
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page(annots + b" ")]
    return _write(folder, f"{stem}.pdf", raw_pdf(objs))


def object_stream_loop(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    # an object stream that /Extends itself, holding an object the catalog points to
    inner = b"7 0 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objstm = _stream(inner, b"/Type /ObjStm /N 1 /First 4 /Extends 6 0 R ")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page(), objstm]
    data = raw_pdf(objs).replace(b"/F1 5 0 R", b"/F1 7 0 R")
    return _write(folder, f"{stem}.pdf", data)


# -- DOCX classes --------------------------------------------------------------------------

_CT = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    b'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    b'"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>%s</Types>'
)
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
    b'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="word/document.xml"/></Relationships>'
)
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(parts: dict[str, bytes], extra_ct: bytes = b"") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT % extra_ct)
        zf.writestr("_rels/.rels", _RELS)
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _body(paragraphs: bytes, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + b"<w:document "
        + _W
        + b"><w:body>"
        + paragraphs
        + b"</w:body></w:document>"
    )


def _p(text: bytes) -> bytes:
    return b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"


def broken_zip(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    data = bytearray(_seed_bytes(rng, ".docx"))
    for _ in range(rng.randint(1, 30)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return _write(folder, f"{stem}.docx", bytes(data))


def zip_sniff(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    """A ZIP with no word/document.xml whose [Content_Types].xml cannot be read: encrypted
    flag, unknown compression method, corrupt deflate stream (sniffed in the main process)."""
    name = rng.choice([f"{stem}.bin", f"{stem}", f"{stem}.zip"])
    return _write(folder, name, zip_sniff_bytes(rng.randrange(3)))


def zip_sniff_bytes(how: int) -> bytes:
    """0: encrypted flag, 1: unknown compression method, 2: corrupt deflate stream."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types>" + b"x" * 500 + b"</Types>")
    data = bytearray(buf.getvalue())
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    if how == 0:  # encrypted flag
        data[local + 6] |= 1
        data[central + 8] |= 1
    elif how == 1:  # compression method 99 (AES) / unknown
        struct.pack_into("<H", data, local + 8, 77)
        struct.pack_into("<H", data, central + 10, 77)
    else:  # corrupt deflate stream
        start = local + 30 + len("[Content_Types].xml")
        for k in range(start, start + 8):
            data[k] ^= 0xFF
    return bytes(data)


def zip_bomb(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    return _write(folder, f"{stem}.docx", _zip_bomb_bytes(scale))


@functools.cache
def _zip_bomb_bytes(scale: int) -> bytes:
    # document.xml inflates to 150 MB x scale of one repeated run (well over the ratio limit);
    # the same bytes for every seed, so made once per run
    text = _p(b"A" * 1000)
    body = _body(text * (150_000 * scale // 1))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _CT % b"")
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", body)
    return buf.getvalue()


def billion_laughs(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    ents = b'<!ENTITY l0 "ha">' + b"".join(
        b'<!ENTITY l%d "%s">' % (k, b"&l%d;" % (k - 1) * 10) for k in range(1, 10)
    )
    prolog = b"<!DOCTYPE w:document [" + ents + b"]>"
    return _write(folder, f"{stem}.docx", _docx({"word/document.xml": _body(_p(b"&l9;"), prolog)}))


def xxe(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    target = rng.choice([b"file:///etc/passwd", b"file:///dev/zero", b"http://127.0.0.1:9/x"])
    prolog = b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "' + target + b'">]>'
    return _write(folder, f"{stem}.docx", _docx({"word/document.xml": _body(_p(b"&x;"), prolog)}))


def deep_xml(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    depth = rng.choice([5000, 50_000 * scale])
    # random tag names keep it under the reader's compression-ratio limit
    tags = [b"w:x%d" % rng.randrange(10**6) for _ in range(depth)]
    nested = (
        b"".join(b"<" + t + b">" for t in tags)
        + _p(b"deep")
        + b"".join(b"</" + t + b">" for t in reversed(tags))
    )
    return _write(folder, f"{stem}.docx", _docx({"word/document.xml": _body(nested)}))


def chained_styles(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    count = 2000 * scale
    styles = b"".join(
        b'<w:style w:type="paragraph" w:styleId="s%d"><w:basedOn w:val="s%d"/></w:style>'
        % (k, k + 1)
        for k in range(count)
    ) + (b'<w:style w:type="paragraph" w:styleId="s%d"><w:basedOn w:val="s0"/></w:style>' % count)
    xml = b'<?xml version="1.0"?><w:styles ' + _W + b">" + styles + b"</w:styles>"
    para = b'<w:p><w:pPr><w:pStyle w:val="s0"/></w:pPr><w:r><w:t>styled</w:t></w:r></w:p>'
    ct = (
        b'<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.wordprocessingml.styles+xml"/>'
    )
    rels = (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )
    parts = {
        "word/document.xml": _body(para * 3),
        "word/styles.xml": xml,
        "word/_rels/document.xml.rels": rels,
    }
    return _write(folder, f"{stem}.docx", _docx(parts, ct))


# -- images ---------------------------------------------------------------------------------


def _png(width: int, height: int, depth: int, color: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, depth, color, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def png_bomb(width: int, height: int) -> bytes:
    """A black 16-bit RGB PNG, built fast: after a full flush, deflating the same block of
    rows again gives the same bytes, so one block is compressed and repeated.

    The stream is valid (one zlib header, raw deflate blocks, the checksum of the whole):
    a decoder given the memory reads a black image to the end, so what stops it is the
    memory cap or a pixel limit, never damage."""
    rows = 50
    block = (b"\x00" + b"\x00" * (width * 6)) * rows
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the header is written once
    once = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = (b"\x00" + b"\x00" * (width * 6)) * (height % rows)
    size = (1 + width * 6) * height
    adler = ((size % 65521) << 16) | 1  # Adler-32 of `size` zero bytes
    data = (
        b"\x78\xda"
        + once * (height // rows)
        + comp.compress(tail)
        + comp.flush()
        + struct.pack(">I", adler)
    )
    return _png(width, height, 16, 2, data)


def image_bomb(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    how = rng.randrange(3)
    if how == 0:  # under the pixel limit, 16-bit RGB: 600 MB decoded from < 1 MB
        w, h = 9_999, 10_000 if scale > 1 else 2_000
        return _write(folder, f"{stem}.png", png_bomb(w, h))
    if how == 1:  # header claims 100k x 100k (over the limit), no data
        return _write(folder, f"{stem}.png", _png(100_000, 100_000, 8, 2, zlib.compress(b"")))
    # a JPEG header claiming 65500 x 65500
    jpeg = _seed_bytes(rng, ".jpg")
    sof = jpeg.find(b"\xff\xc0")
    if sof > 0:
        jpeg = jpeg[: sof + 5] + struct.pack(">HH", 65500, 65500) + jpeg[sof + 9 :]
    return _write(folder, f"{stem}.jpg", jpeg)


def tiff_frames(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    from PIL import Image

    frames = rng.choice([50, 509 * scale])
    size = (64, 64) if scale == 1 else (850, 1100)
    first = Image.new("L", size, 255)
    rest = [Image.new("L", size, k % 255) for k in range(frames - 1)]
    buf = io.BytesIO()
    first.save(buf, "TIFF", save_all=True, append_images=rest, compression="tiff_lzw")
    data = bytearray(buf.getvalue())
    if rng.random() < 0.5:  # bad LZW data in some strips: libtiff complains on stderr
        for _ in range(40):
            data[rng.randrange(200, len(data))] = rng.randrange(256)
    return _write(folder, f"{stem}.tif", bytes(data))


def image_flips(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    ext = rng.choice([".jpg", ".png"])
    if ext == ".png":
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (300, 200), (200, 10, 10)).save(buf, "PNG")
        data = bytearray(buf.getvalue())
    else:
        data = bytearray(_seed_bytes(rng, ".jpg"))
    for _ in range(rng.randint(1, 30)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return _write(folder, f"{stem}{ext}", bytes(data))


# -- names, links, special files -----------------------------------------------------------


def odd_names(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    raw = rng.choice(
        [
            b"\xff\xfe\xc3-passport.pdf",
            b"cv-\xe9t\xe9.pdf",
            b"new\nline.pdf",
            b"tab\there.pdf",
            b"x" * 240 + b".pdf",
            b"\xed\xa0\x80-surrogate.pdf",
            b" leading-space.pdf",
            "caf\u00e9-\u0627\u0644\u0639\u0631\u0628\u064a\u0629-\u4e2d\u6587.pdf".encode(),
        ]
    )
    name = os.fsdecode(raw.replace(b"/", b"_"))
    (folder / name).write_bytes(raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page()]))
    return [name]


def links(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    how = rng.randrange(4)
    name = f"{stem}.pdf"
    if how == 0:
        (folder / name).symlink_to(name)  # loop.pdf -> loop.pdf
    elif how == 1:
        (folder / name).symlink_to(f"{stem}-b.pdf")
        (folder / f"{stem}-b.pdf").symlink_to(name)
        return [name, f"{stem}-b.pdf"]
    elif how == 2:
        (folder / name).symlink_to("/etc/hostname")  # outside the folder
    else:
        (folder / name).symlink_to(f"{stem}-missing.pdf")  # dangling
    return [name]


def special_files(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    how = rng.randrange(3)
    if how == 0 and hasattr(os, "mkfifo"):
        os.mkfifo(folder / f"{stem}.pdf")
        return [f"{stem}.pdf"]
    path = folder / f"{stem}.pdf"
    path.write_bytes(raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", *_one_page()]))
    if how == 1:
        path.chmod(0)  # unreadable (root still reads it)
    else:
        path.write_bytes(b"")  # empty
    return [path.name]


# -- hostile dossier.yaml -------------------------------------------------------------------


def hostile_yaml(rng: random.Random, folder: Path, stem: str, scale: int) -> list[str]:
    how = rng.randrange(6)
    path = folder / "dossier.yaml"
    if how == 0:
        path.write_text("applicant:\n  name: Test\nbirth_year: " + "9" * 5000 + "\n")
    elif how == 1:
        lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        lines += [
            f"a{k}: &a{k} [{', '.join([f'*a{k - 1}' if k > 1 else '*a'] * 9)}]" for k in range(1, 9)
        ]
        path.write_text("\n".join(lines) + "\n")
    elif how == 2:
        with open(path, "wb") as fh:  # sparse: large on disk, no time to write
            fh.truncate((5 if scale == 1 else 1024) * 1024 * 1024)
    elif how == 3:
        path.write_text("applicant: " + "[" * 20_000 + "]" * 20_000 + "\n")
    elif how == 4:
        path.write_bytes(b"\xff\xfe\x00garbage\x00" * 100)
    else:
        path.write_text(
            "applicant:\n  name: [1, {a: b}]\nfiles: 7\ntrack: !!python/object:os.system ls\n"
        )
    return []  # not a document: never in the report's documents


# -- registry -----------------------------------------------------------------------------

CLASSES: dict[str, Maker] = {
    "byte-flips": byte_flips,
    "truncation": truncation,
    "xref-damage": xref_damage,
    "lying-lengths": lying_lengths,
    "compression-bomb": compression_bomb,
    "deep-nesting": deep_nesting,
    "bad-boxes": bad_boxes,
    "page-tree-loop": page_tree_loop,
    "outline-loop": outline_loop,
    "name-tree": name_tree,
    "annotations": annotations,
    "object-stream-loop": object_stream_loop,
    "broken-zip": broken_zip,
    "zip-sniff": zip_sniff,
    "zip-bomb": zip_bomb,
    "billion-laughs": billion_laughs,
    "xxe": xxe,
    "deep-xml": deep_xml,
    "chained-styles": chained_styles,
    "image-bomb": image_bomb,
    "tiff-frames": tiff_frames,
    "image-flips": image_flips,
    "odd-names": odd_names,
    "links": links,
    "special-files": special_files,
    "hostile-yaml": hostile_yaml,
}


def make(kind: str, seed: int, folder: Path, stem: str, scale: int = 1) -> list[str]:
    """Write the input (kind, seed) into folder; the names it added (relative)."""
    return CLASSES[kind](random.Random(f"{kind}:{seed}"), folder, stem, scale)


def _write(folder: Path, name: str, data: bytes) -> list[str]:
    (folder / name).write_bytes(data)
    return [name]
