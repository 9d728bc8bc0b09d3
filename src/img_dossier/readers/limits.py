"""What one read may cost: time, memory, pixels, bytes, a DOCX's unpacked size."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0  # wall clock per file
    memory_mb: int = 1024  # address-space cap of a worker process
    text_pages: int = 3  # pages whose text is extracted for classification
    max_pixels: int = 100_000_000  # image pixel bomb limit
    max_bytes: int = 200 * 1024 * 1024
    max_zip_bytes: int = 200 * 1024 * 1024  # uncompressed total of a DOCX
    max_zip_ratio: int = 200
    max_zip_members: int = 10_000  # parts in a DOCX


DEFAULT_LIMITS = Limits()
