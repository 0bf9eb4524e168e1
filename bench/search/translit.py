"""Russian in Latin letters, the ways people write it: ICAO (passports), BGN/PCGN,
GOST 7.79 system B without apostrophes, and informal chat spelling."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

SCHEMES = ("icao", "bgn_pcgn", "gost_7_79_b", "informal")

_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip

TABLES: dict[str, dict[str, str]] = {
    # ICAO Doc 9303, as in Russian passports since 2013.
    "icao": _COMMON | {"ъ": "ie"},
    # BGN/PCGN, written in plain ASCII (no ë, no primes for ъ and ь).
    "bgn_pcgn": _COMMON | {"ё": "yo", "й": "y", "ю": "yu", "я": "ya"},
    # GOST 7.79-2000 system B without the apostrophes it uses for ъ, ь, ы and э.
    "gost_7_79_b": _COMMON
    | {"ё": "yo", "й": "j", "х": "x", "ц": "cz", "щ": "shh", "ю": "yu", "я": "ya"},
    # How people type in chats.
    "informal": _COMMON | {"й": "y", "х": "h", "ц": "c", "щ": "sch", "ю": "yu", "я": "ya"},
}

_VOWELS = "аеёиоуыэюяъь"


def _local_transliterate(text: str, scheme: str) -> str:
    table = TABLES[scheme]
    out = []
    for i, char in enumerate(text):
        lower = char.lower()
        if lower not in table:
            out.append(char)
            continue
        latin = table[lower]
        if lower == "е" and scheme == "bgn_pcgn":
            before = text[i - 1].lower() if i else " "
            if not before.isalpha() or before in _VOWELS or before == "й":
                latin = "ye"  # BGN/PCGN: ye at the start of a word and after vowels
        if lower == "ц" and scheme == "gost_7_79_b":
            after = text[i + 1].lower() if i + 1 < len(text) else ""
            if after in ("е", "и", "ы", "й"):
                latin = "c"
        if char.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def _project_transliterate() -> Callable[[str, str], str] | None:
    if importlib.util.find_spec("nlu.translit") is None:
        return None
    from nlu import translit

    return getattr(translit, "transliterate", None)


transliterate: Callable[[str, str], str] = _project_transliterate() or _local_transliterate
TRANSLIT_SOURCE = (
    "nlu.translit.transliterate" if transliterate is not _local_transliterate else "bench (local)"
)
