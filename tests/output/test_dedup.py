"""pack's lossless step merges identical objects with the installed pypdf (it did not:
a deprecated keyword raised, and a catch-all hid it)."""

from __future__ import annotations

import os
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, StreamObject

from img_dossier.output.shrink import Floors, fit_pdf


def _twice_the_same_stream() -> bytes:
    """Two pages whose content streams are equal but separate objects (as a merge makes)."""
    payload = b"% " + os.urandom(60_000).hex().encode() + b"\n"
    writer = PdfWriter()
    for _ in range(2):
        page = writer.add_blank_page(612, 792)
        stream = StreamObject()
        stream.set_data(payload)
        page[NameObject("/Contents")] = writer._add_object(stream)
    buf = BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_identical_objects_are_merged_when_a_pdf_must_shrink() -> None:
    data = _twice_the_same_stream()
    fitted = fit_pdf(data, len(data) - 1, Floors())
    assert fitted.fits
    reader = PdfReader(BytesIO(fitted.data))
    first, second = (page.get("/Contents") for page in reader.pages)
    assert first.idnum == second.idnum, "the two equal streams are still two objects"
    # one copy of the payload left (compressed), not two
    assert len(fitted.data) < 0.4 * len(data)
