"""What one read may cost: time, memory, pixels, bytes, a DOCX's unpacked size."""

from __future__ import annotations

import sys
from dataclasses import dataclass

#: Worker processes one pool may run at once. Windows waits on at most 63 handles at a time
#: (Python 3.11 and 3.12), and a busy worker takes two (its pipe and its process handle).
WINDOWS_MAX_JOBS = 30
MAX_JOBS = WINDOWS_MAX_JOBS if sys.platform == "win32" else 256


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
    ocr: bool = True  # read scans (image-only PDF pages, photos) by OCR
    ocr_pages: int = 2  # pages of a scan read by OCR (classification needs the first ones)
    ocr_memory_mb: int = 1024  # more address space for a worker that loads the OCR engine
    more_pages: int = 12  # most pages read of one document when its item asks for more

    @property
    def worker_memory_mb(self) -> int:
        """The address-space cap of a reader worker (the OCR engine's models need room)."""
        return self.memory_mb + (self.ocr_memory_mb if self.ocr else 0)


DEFAULT_LIMITS = Limits()
