"""Link codes typed as a message: «7X32FYEX», «7x32-fyex», «код: 7X32 FYEX», «мой код …».

A link code is eight characters of the code alphabet (no 0/O/1/I/L), with at least two digits
and two letters, often split 4+4. A message shaped like one is read as a code, so that a
mistyped code is refused as a code rather than searched for as a title: eight Latin letters and
digits with two of each, or eight capitals of the code alphabet. After the word «код» («мой
код», «вот код», «код привязки») anything of Latin letters and digits is a code.
"""

from __future__ import annotations

import re

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_SHAPE = re.compile(r"^[A-Za-z0-9]{4}[\s-]?[A-Za-z0-9]{4}$")
CODE_WORD = re.compile(
    r"^(?:(?:вот|мой|наш|это|вот\s+мой)\s+)?код(\s+привязки)?(\s*[:—-]\s*|\s+)(?P<code>.+)$",
    re.IGNORECASE,
)
CODE_AFTER_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\s-]*$")
# Cyrillic letters that look like Latin ones, as typed with the Russian layout on
LOOKALIKES = str.maketrans("АВЕКМНОРСТУХаеокмнорстух", "ABEKMHOPCTYXAEOKMHOPCTYX")


def link_code(text: str) -> str | None:
    """The code in a message shaped like a link code (upper case, no separators), else None."""
    raw = text.strip()
    after_word = CODE_WORD.match(raw)
    if after_word:
        code = after_word.group("code").translate(LOOKALIKES)
        if CODE_AFTER_WORD.match(code):
            return "".join(ch for ch in code if ch.isalnum()).upper()
        return None
    if not CODE_SHAPE.match(raw):
        return None
    code = "".join(ch for ch in raw if ch.isalnum())
    digits = sum(ch.isdigit() for ch in code)
    in_alphabet = code.isupper() and all(ch in CODE_ALPHABET for ch in code)
    if 2 <= digits <= len(code) - 2 or in_alphabet:
        return code.upper()
    return None
