"""Where a letter comes from, read from its letterhead and signature block.

A US state with a ZIP code, a Canadian province with a postal code, or a hospital or
university line naming a US state, a Canadian province or one of their large cities says
"US" or "CA"; otherwise the first country named there, or None.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..lazyre import Lazy

_US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont",
    "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming", "PR": "Puerto Rico",
}  # fmt: skip
_PROVINCES = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland", "NS": "Nova Scotia", "NT": "Northwest Territories", "NU": "Nunavut",
    "ON": "Ontario", "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan",
    "YT": "Yukon",
}  # fmt: skip
_US_CITIES = (
    "New York|Boston|Chicago|Philadelphia|Baltimore|Houston|Dallas|Los Angeles|San Francisco|"
    "Seattle|Atlanta|Miami|Cleveland|Pittsburgh|Detroit|Rochester|Nashville|St\\.? Louis|"
    "Minneapolis|Denver|Phoenix|San Diego|Ann Arbor|New Haven|Durham|Bethesda"
)
_CA_CITIES = (
    "Toronto|Montr[ée]al|Vancouver|Ottawa|Calgary|Edmonton|Winnipeg|Halifax|Hamilton|"
    "Kingston|London, Ontario|Saskatoon|Regina|Qu[ée]bec City|Sherbrooke|St\\.? John'?s|Victoria"
)
_COUNTRIES = (
    "Peru|Perú|Mexico|México|Colombia|Argentina|Chile|Bolivia|Ecuador|Venezuela|Brazil|Brasil|"
    "Cuba|Dominican Republic|Guatemala|Honduras|Nicaragua|Costa Rica|Panama|Paraguay|Uruguay|"
    "Spain|España|Portugal|France|Germany|Italy|United Kingdom|England|Ireland|Poland|Romania|"
    "Ukraine|Russia|Turkey|Egypt|Nigeria|Ghana|Kenya|Ethiopia|Sudan|South Africa|Morocco|"
    "Algeria|Tunisia|Lebanon|Jordan|Syria|Iraq|Iran|Saudi Arabia|Israel|Pakistan|India|"
    "Bangladesh|Nepal|Sri Lanka|China|Japan|Korea|Philippines|Vietnam|Indonesia|Malaysia|"
    "Thailand|Australia|New Zealand|Grenada|Dominica|Sint Maarten|Antigua|Saint Lucia|"
    "Cayman Islands|Caribbean|Haiti|Jamaica|Trinidad"
)

_US_ZIP = Lazy(
    r"\b(?:"
    + "|".join(_US_STATES)
    + "|"
    + "|".join(_US_STATES.values())
    + r")\.?,?\s+\d{5}(?:-\d{4})?\b"
)
_CA_POSTAL = Lazy(
    r"\b(?:" + "|".join(_PROVINCES) + "|" + "|".join(_PROVINCES.values()) + r"|Québec)\.?,?\s+"
    r"[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d\b"
)
_INSTITUTION = Lazy(
    r"(?i)\b(?:university|universit[ée]|hospital|h[ôo]pital|medical center|medical centre|"
    r"health|clinic|college|school of medicine|faculty of medicine)\b"
)
_US_PLACE = Lazy(
    r"\b(?:"
    + "|".join(_US_STATES.values())
    + "|"
    + _US_CITIES
    + r"|Johns Hopkins|Mayo Clinic|Harvard|"
    r"Yale|Stanford|Cornell|Columbia University|Duke|Emory|Vanderbilt)\b"
)
_CA_PLACE = Lazy(
    r"\b(?:" + "|".join(_PROVINCES.values()) + "|" + _CA_CITIES + r"|McGill|McMaster|Dalhousie|"
    r"Queen's University|Western University|Memorial University|Laval|Canada)\b"
)
_COUNTRY = Lazy(r"\b(" + _COUNTRIES + r")\b")


@dataclass(frozen=True)
class Origin:
    """``country`` is "US", "CA", another country's name, or None when nothing says."""

    country: str | None
    evidence: str | None

    def describe(self) -> str:
        names = {"US": "the United States", "CA": "Canada"}
        if self.country is None:
            return "no address found"
        where = names.get(self.country, self.country)
        return f"{where} ({self.evidence})" if self.evidence else where


def _blocks(text: str) -> str:
    """The letterhead (first lines) and the signature block (last lines)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) <= 30:
        return "\n".join(lines)
    return "\n".join(lines[:12] + lines[-18:])


def letter_origin(text: str) -> Origin:
    """Where a letter seems to come from (see the module docstring)."""
    block = _blocks(text)
    for pattern, country in ((_US_ZIP, "US"), (_CA_POSTAL, "CA")):
        m = pattern.search(block)
        if m:
            return Origin(country, " ".join(m.group().split()))
    for line in block.splitlines():
        if _INSTITUTION.search(line):
            ca = _CA_PLACE.search(line)
            us = _US_PLACE.search(line)
            if ca and not (us and us.start() < ca.start()):
                return Origin("CA", line[:80])
            if us:
                return Origin("US", line[:80])
    m = _COUNTRY.search(block)
    if m:
        return Origin(m.group(1), " ".join(_line_of(block, m.start()).split())[:80])
    return Origin(None, None)


def _line_of(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end != -1 else len(text)]
