"""Wrong keyboard layout: text typed on the standard Russian PC layout (ЙЦУКЕН) with the
Latin layout (QWERTY) switched on, and the other way round.

These functions only convert key by key. Whether the text really was typed in the wrong
layout is for the search engine to decide, by trying the reading against the catalog.
"""

from __future__ import annotations

# The same physical keys, in the same order: the letter rows, then the key left of «1».
_LATIN_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC_KEYS = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LATIN_SHIFTED = 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>~'
_CYRILLIC_SHIFTED = "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"

_TO_CYRILLIC = str.maketrans(_LATIN_KEYS + _LATIN_SHIFTED, _CYRILLIC_KEYS + _CYRILLIC_SHIFTED)
_TO_LATIN = str.maketrans(_CYRILLIC_KEYS + _CYRILLIC_SHIFTED, _LATIN_KEYS + _LATIN_SHIFTED)

_LATIN_KEY_SET = frozenset(_LATIN_KEYS + _LATIN_SHIFTED)
_CYRILLIC_KEY_SET = frozenset(_CYRILLIC_KEYS + _CYRILLIC_SHIFTED)
# Digits and the hyphen sit on the same keys in both layouts, so they never give a mix-up away.
_NEUTRAL = frozenset("0123456789-")


def to_cyrillic(text: str) -> str:
    """What was meant when Russian was typed with the Latin layout on.

    «djqyf b vbh» → «война и мир». Characters off the mapped keys (digits, spaces, Cyrillic
    already) are kept as they are.
    """
    return text.translate(_TO_CYRILLIC)


def to_latin(text: str) -> str:
    """What was meant when Latin was typed with the Russian layout on.

    «руддщ цщкдв» → «hello world». «б»/«ю» come back as «,»/«.», «х»/«ъ» as «[»/«]»,
    «ж»/«э» as «;»/«'» — the keys they share.
    """
    return text.translate(_TO_LATIN)


def _only_keys(text: str, keys: frozenset[str]) -> bool:
    return all(ch in keys or ch in _NEUTRAL or ch.isspace() for ch in text)


def looks_like_wrong_layout_latin(text: str) -> bool:
    """True when `to_cyrillic` is worth trying: there are Latin letters and nothing but QWERTY
    letter-row keys (digits and hyphens, which both layouts share, are let through)."""
    has_latin = any("a" <= ch.lower() <= "z" for ch in text)
    return has_latin and _only_keys(text, _LATIN_KEY_SET)


def looks_like_wrong_layout_cyrillic(text: str) -> bool:
    """True when `to_latin` is worth trying: there are Cyrillic letters and nothing but ЙЦУКЕН
    letter-row keys (digits and hyphens let through, as for the Latin check)."""
    has_cyrillic = any(ch in _CYRILLIC_KEY_SET for ch in text)
    return has_cyrillic and _only_keys(text, _CYRILLIC_KEY_SET)
