"""Write src/img_dossier/facts/months.json: month names of the languages IMG schools use most.

The names come from the Unicode CLDR, through Babel (BSD licence; a development tool only,
img-dossier does not need it at run time). Wide and abbreviated names, in the form used in a
date ("14 марта 2024", genitive) and standing alone ("март"), lower case, without a final
dot. A name that means different months in two languages is left out.

    pip install babel && python tools/make_months.py
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from babel import Locale, __version__

#: Latin-script languages with month names beside en/es/fr/pt (in dates.py already), then
#: other scripts. Chinese, Japanese and Korean dates are numeric (2024年3月14日): a pattern.
LOCALES = (
    "en", "es", "fr", "pt", "it", "de", "pl", "ro", "tr", "nl", "vi", "id",
    "ru", "uk", "bg", "sr", "el", "ar", "ar_SY", "fa", "he", "hi", "bn", "ur",
)  # fmt: skip

OUT = Path(__file__).resolve().parents[1] / "src" / "img_dossier" / "facts" / "months.json"


def main() -> None:
    months: dict[str, int] = {}
    clash: set[str] = set()
    for tag in LOCALES:
        locale = Locale.parse(tag)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    key = unicodedata.normalize("NFC", name).lower().rstrip(".").strip()
                    if not key or key.isdigit():
                        continue
                    if months.get(key, number) != number:
                        clash.add(key)
                    months[key] = number
    for key in clash:
        months.pop(key, None)
    data = {
        "source": f"Unicode CLDR via Babel {__version__} (tools/make_months.py)",
        "locales": list(LOCALES),
        "months": dict(sorted(months.items())),
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
