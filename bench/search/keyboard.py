"""Keyboards: the Russian ЙЦУКЕН layout on QWERTY keys (wrong-layout typing) and the keys
next to each other (typos)."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable

RU_ROWS = ("йцукенгшщзхъ", "фывапролджэ", "ячсмитьбю")
EN_ROWS = ("qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,.")
RU_SHIFTED = "ЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮЁ"
EN_SHIFTED = 'QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>~'

_TO_LATIN = str.maketrans("".join(RU_ROWS) + "ё" + RU_SHIFTED, "".join(EN_ROWS) + "`" + EN_SHIFTED)


def _local_to_latin(text: str) -> str:
    """What Cyrillic text becomes when typed with the English layout on."""
    return text.translate(_TO_LATIN)


def _project_to_latin() -> Callable[[str], str] | None:
    if importlib.util.find_spec("nlu.layout") is None:
        return None
    from nlu import layout

    return getattr(layout, "to_latin", None)


to_latin: Callable[[str], str] = _project_to_latin() or _local_to_latin
LAYOUT_SOURCE = "nlu.layout.to_latin" if to_latin is not _local_to_latin else "bench (local)"


def _neighbours(rows: tuple[str, ...]) -> dict[str, str]:
    """Keys around each key of a staggered keyboard: left, right, and the two above and below."""
    found: dict[str, str] = {}
    for r, row in enumerate(rows):
        for c, key in enumerate(row):
            near = []
            for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < len(rows) and 0 <= cc < len(rows[rr]) and rows[rr][cc].isalpha():
                    near.append(rows[rr][cc])
            found[key] = "".join(near)
    return found


NEIGHBOURS = _neighbours(RU_ROWS) | _neighbours((EN_ROWS[0], "asdfghjkl", "zxcvbnm"))
NEIGHBOURS["ё"] = NEIGHBOURS["е"]


def neighbour(rng: random.Random, char: str) -> str:
    """A key next to `char` (same case), or `char` itself if it is not a letter key."""
    near = NEIGHBOURS.get(char.lower(), "")
    if not near:
        return char
    pick = rng.choice(near)
    return pick.upper() if char.isupper() else pick


EDITS = ("insert", "delete", "substitute", "transpose")


def typo(rng: random.Random, word: str) -> str:
    """`word` with one realistic edit; never the word itself."""
    for _ in range(50):
        edit = rng.choice(EDITS)
        i = rng.randrange(len(word))
        if edit == "insert":
            changed = word[: i + 1] + neighbour(rng, word[i]) + word[i + 1 :]
        elif edit == "delete":
            changed = word[:i] + word[i + 1 :]
        elif edit == "substitute":
            changed = word[:i] + neighbour(rng, word[i]) + word[i + 1 :]
        else:
            if i == len(word) - 1:
                i -= 1
            changed = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if changed != word and changed:
            return changed
    return word[:-1]
