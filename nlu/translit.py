"""Russian in Latin letters: transliteration by several schemes, and the way back.

`transliterate` renders Cyrillic text by one of the `SCHEMES`. `to_cyrillic_variants` reads one
Latin word back into the Cyrillic spellings it most plausibly stands for, whatever scheme (or
none) the person followed. The search engine tries those readings against the catalog.

The way back is a small lattice search: each stretch of Latin letters has a few readings with
a cost (rule priority), every boundary that splits a known digraph costs something, and a hand
list of rare Cyrillic letter pairs adds a plausibility penalty. Cheapest readings come first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial
from operator import itemgetter

# ---------------------------------------------------------------------------------------------
# Cyrillic → Latin
# ---------------------------------------------------------------------------------------------

_CYR_VOWELS = frozenset("аеёиоуыэюя")
_CYR_LETTERS = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")

# Letters every scheme here renders alike.
_SHARED = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "ч": "ch", "ш": "sh", "э": "e", "ы": "y",
}  # fmt: skip

# Per scheme, the letters where the schemes part ways: ё й х ц щ ъ ь ю я.
_OWN = {
    "gost_7_79_b": ("yo", "j", "x", "cz", "shh", "", "", "yu", "ya"),
    "icao": ("e", "i", "kh", "ts", "shch", "ie", "", "iu", "ia"),
    "bgn_pcgn": ("yo", "y", "kh", "ts", "shch", '"', "'", "yu", "ya"),
    "scientific": ("jo", "j", "h", "c", "shch", '"', "'", "ju", "ja"),
    "informal": ("e", "y", "h", "c", "sch", "", "", "yu", "ya"),
}

# A context rule sees the previous letter, the letter and the next one (lower case, "" at a
# word edge) and returns a rendering that overrides the table, or None.
_Rule = Callable[[str, str, str], str | None]


def _gost_rule(prev: str, ch: str, nxt: str) -> str | None:
    """ГОСТ 7.79-2000 Б writes ц as «c» before и, е, ы, й (as «cz» elsewhere)."""
    return "c" if ch == "ц" and nxt in ("и", "е", "ы", "й") else None


def _bgn_rule(prev: str, ch: str, nxt: str) -> str | None:
    """BGN/PCGN writes е as «ye» at a word start and after a vowel, й, ъ or ь."""
    if ch == "е" and (prev == "" or prev in _CYR_VOWELS or prev in ("й", "ъ", "ь")):
        return "ye"
    return None


def _informal_rule(prev: str, ch: str, nxt: str) -> str | None:
    """In chats a word-final «ый» tends to come out as «yi» rather than «yy»."""
    return "i" if ch == "й" and prev == "ы" and nxt == "" else None


_RULES: dict[str, _Rule | None] = {
    "gost_7_79_b": _gost_rule,
    "icao": None,
    "bgn_pcgn": _bgn_rule,
    "scientific": None,
    "informal": _informal_rule,
}


def _table(scheme: str) -> dict[str, str]:
    own = dict(zip("ёйхцщъьюя", _OWN[scheme], strict=True))
    return {**_SHARED, **own}


def _neighbour(low: str, i: int) -> str:
    return low[i] if 0 <= i < len(low) and low[i] in _CYR_LETTERS else ""


def _render(text: str, table: dict[str, str], rule: _Rule | None) -> str:
    # character by character, so that positions in `low` and `text` stay aligned («İ» and co.)
    low = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    out: list[str] = []
    for i, ch in enumerate(low):
        latin = table.get(ch)
        if latin is None:
            out.append(text[i])
            continue
        if rule is not None:
            special = rule(_neighbour(low, i - 1), ch, _neighbour(low, i + 1))
            latin = latin if special is None else special
        out.append(latin.capitalize() if text[i] != ch else latin)
    return "".join(out)


def _scheme(name: str) -> Callable[[str], str]:
    return partial(_render, table=_table(name), rule=_RULES[name])


SCHEMES: dict[str, Callable[[str], str]] = {name: _scheme(name) for name in _OWN}
"""Cyrillic → Latin by name. All output is plain ASCII apart from kept non-letters.

- ``gost_7_79_b``: ГОСТ 7.79-2000 system B (щ→shh, ц→cz / c before и е ы й, х→x, й→j,
  ё→yo, ю→yu, я→ya). For search its apostrophes and backticks are dropped: ы→y (not y'),
  э→e (not e`), ь and ъ → nothing.
- ``icao``: Russian passports since 2013 (Doc 9303): й→i, ц→ts, х→kh, щ→shch, ю→iu, я→ia,
  ъ→ie, ь→nothing, ё and э → e.
- ``bgn_pcgn``: й→y, ц→ts, х→kh, щ→shch, ё→yo, ю→yu, я→ya, ь→', ъ→", е→ye at a word start
  and after a vowel, й, ъ, ь. ASCII only, so ё is «yo» rather than «ë».
- ``scientific``: ISO 9 / scientific transliteration in ASCII: х→h, ц→c, ч→ch, ш→sh, щ→shch,
  ж→zh, й→j, ё→jo, ю→ju, я→ja, ь→', ъ→".
- ``informal``: what Russian teenagers type in chats: х→h, ц→c, щ→sch, й→y («voyna»,
  «tolstoy»), ю→yu, я→ya, ё and э → e, ь and ъ → nothing, «ий» at a word end → «iy» and
  «ый» → «yi».

Upper-case letters come out capitalised («Щ» → «Shch»); other characters are kept.
"""


def transliterate(text: str, scheme: str) -> str:
    """Render Cyrillic `text` in Latin letters by the named scheme (see `SCHEMES`)."""
    try:
        render = SCHEMES[scheme]
    except KeyError:
        known = ", ".join(SCHEMES)
        raise ValueError(f"unknown transliteration scheme {scheme!r}; known: {known}") from None
    return render(text)


# ---------------------------------------------------------------------------------------------
# Latin → Cyrillic
# ---------------------------------------------------------------------------------------------

# Context of a stretch of Latin letters inside the word, as bit flags.
_START = 1  # the stretch opens the word
_END = 2  # the stretch closes the word
_AFTER_VOWEL = 4  # after a Latin vowel, or after an apostrophe (a sign letter)
_AFTER_CONS = 8  # after a Latin consonant
_AFTER_I = 16  # right after «i»
_BEFORE_VOWEL = 32  # before a Latin vowel
_BEFORE_FRONT = 64  # before e, i, y or j (where c is read as ц)
_BEFORE_CONS = 128  # before a Latin consonant
_BEFORE_EI = 256  # before e or i (where a dropped ь may hide: «sobache» ← собачье)
_BEFORE_BACK = 512  # before a, o or u (c as ц «carevna», a shade dearer before o: «cosmos»)

_LATIN_VOWELS = frozenset("aeiouy")
_SIGN_MARKS = frozenset("'\"`")

# A reading: (Cyrillic, cost, flags it needs, flags it must not have).
_Reading = tuple[str, float, int, int]


def _r(cyr: str, cost: float = 0.0, need: int = 0, avoid: int = 0) -> _Reading:
    return (cyr, cost, need, avoid)


_READINGS: dict[str, tuple[_Reading, ...]] = {
    # single letters with a single reading
    **{
        lat: (_r(cyr),)
        for lat, cyr in zip("abdfgklmnoprstuvzwq", "абдфгклмнопрстувзвк", strict=True)
    },
    "h": (_r("х"),),
    "e": (_r("е"), _r("э", 0.5, _START), _r("э", 1.0, _AFTER_VOWEL)),
    "i": (_r("и", 0.0, 0, _AFTER_VOWEL), _r("и", 0.5), _r("й", 0.2, _AFTER_VOWEL, _BEFORE_VOWEL)),
    "y": (
        _r("ы", 0.0, 0, _AFTER_VOWEL),
        _r("ы", 1.0),
        _r("й", 0.0, _AFTER_VOWEL, _BEFORE_VOWEL),
        _r("й", 1.0),
        _r("ий", 0.6, _END | _AFTER_CONS),
        _r("ый", 0.8, _END | _AFTER_CONS),
    ),
    "j": (_r("й"), _r("ж", 1.2, _BEFORE_VOWEL)),
    "c": (
        _r("ц", 0.0, _BEFORE_FRONT),
        _r("к", 1.0, _BEFORE_FRONT),
        _r("ц", 0.4, 0, _BEFORE_FRONT | _BEFORE_BACK),
        _r("ц", 0.35, _BEFORE_BACK),
        _r("к", 0.4, 0, _BEFORE_FRONT),
    ),
    "x": (_r("х", 0.0, _START), _r("кс", 0.8, _START), _r("х", 0.2, 0, _START), _r("кс", 0.4)),
    "'": (_r("ь"), _r("ъ", 0.8)),
    "`": (_r("ь"),),
    '"': (_r("ъ"),),
    "ë": (_r("ё"),),
    # consonant digraphs and trigraphs
    "sh": (_r("ш"),),
    "ch": (_r("ч"),),
    "zh": (_r("ж"),),
    "kh": (_r("х"),),
    "ts": (_r("ц"),),
    "tz": (_r("ц", 0.2),),
    "tc": (_r("ц", 0.8),),
    "cz": (_r("ц"),),
    "ck": (_r("к", 0.5),),
    "qu": (_r("кв"),),
    "tch": (_r("ч", 0.6),),
    "sch": (_r("щ"),),
    "shh": (_r("щ"),),
    "shch": (_r("щ"),),
    # iotated vowels
    "ya": (_r("я"), _r("ья", 0.5, _AFTER_CONS), _r("ъя", 0.9, _AFTER_CONS)),
    "ja": (_r("я"), _r("ья", 0.6, _AFTER_CONS), _r("ъя", 0.9, _AFTER_CONS)),
    "ia": (
        _r("я", 0.2, 0, _END),
        _r("я", 0.4, _END),
        _r("ия", 0.2, _END | _AFTER_CONS),
        _r("ья", 0.6, _AFTER_CONS),
        _r("я", 0.0, _AFTER_I),
    ),
    "yu": (_r("ю"), _r("ью", 0.5, _AFTER_CONS), _r("ъю", 0.9, _AFTER_CONS)),
    "ju": (_r("ю"), _r("ью", 0.6, _AFTER_CONS), _r("ъю", 0.9, _AFTER_CONS)),
    "iu": (_r("ю", 0.3), _r("ью", 0.7, _AFTER_CONS)),
    "yo": (
        _r("ё"),
        _r("йо", 0.5, 0, _AFTER_CONS),
        _r("ьо", 0.9, _AFTER_CONS),
        _r("ъё", 0.9, _AFTER_CONS),
        _r("е", 0.8),
    ),
    "jo": (_r("ё"), _r("йо", 0.6), _r("ъё", 0.9, _AFTER_CONS), _r("е", 0.8)),
    "ye": (
        _r("е", 0.0, 0, _AFTER_CONS),
        _r("э", 0.6, _START),
        _r("ые", 0.2, _AFTER_CONS),
        _r("ье", 0.5, _AFTER_CONS),
        _r("е", 0.6, _AFTER_CONS),
        _r("ъе", 0.9, _AFTER_CONS),
    ),
    "je": (
        _r("е", 0.0, 0, _AFTER_CONS),
        _r("э", 0.6, _START),
        _r("ье", 0.6, _AFTER_CONS),
        _r("ъе", 0.9, _AFTER_CONS),
        _r("е", 0.6, _AFTER_CONS),
    ),
    # word-final «-ий» / «-ый» in their many spellings
    "iy": (_r("ий", 0.0, _END), _r("ый", 0.4, _END)),
    "ij": (_r("ий", 0.0, _END), _r("ый", 0.5, _END)),
    "ii": (_r("ий", 0.0, _END), _r("ии", 0.3, _END), _r("ый", 0.6, _END)),
    "yi": (_r("ый", 0.0, _END), _r("ий", 0.5, _END)),
    "yy": (_r("ый", 0.0, _END),),
    "yj": (_r("ый", 0.0, _END),),
    # ГОСТ 7.79 Б typed with its marks
    "y'": (_r("ы"),),
    "e`": (_r("э"),),
    "``": (_r("ъ"),),
}

_LONGEST = max(len(piece) for piece in _READINGS)

# What it costs to cut through a digraph, i.e. read its letters apart («ts» as т+с).
_CUT: dict[str, float] = {
    "sh": 2.0, "ch": 2.5, "zh": 2.5, "kh": 2.0, "ts": 0.8, "tz": 1.2, "cz": 2.0, "ck": 0.0,
    "qu": 0.5, "sch": 0.8, "shh": 2.0, "shch": 3.0, "ya": 1.0, "ja": 1.0, "ia": 0.4,
    "yu": 1.0, "ju": 1.0, "iu": 0.5, "yo": 1.0, "jo": 1.0, "ye": 0.5, "je": 1.0,
    "iy": 1.0, "ij": 1.0, "ii": 0.3, "yi": 1.0, "yy": 1.0, "yj": 1.0,
    "y'": 0.5, "e`": 0.5, "``": 0.5,
}  # fmt: skip

# A ь that the scheme dropped may hide after a consonant: cost by place and letter.
_SOFT_AT_END = {
    "л": 0.7, "т": 0.7, "н": 0.8, "р": 0.9, "с": 1.0, "з": 1.0, "д": 1.0, "в": 1.1,
    "м": 1.1, "п": 1.1, "б": 1.1, "ф": 1.2, "ч": 1.0, "ш": 1.0, "ж": 1.1, "щ": 1.1,
}  # fmt: skip
_SOFT_BEFORE_EI = 1.1
_SOFT_BEFORE_CONS = {"л": 1.0, "н": 1.3, "р": 1.3, "с": 1.3, "т": 1.3, "д": 1.3, "з": 1.3}

_CONSONANTS = frozenset("бвгджзйклмнпрстфхцчшщ")
_SIGNS = frozenset("ьъ")


# Single pairs, on top of the classes in `_pair_penalties`.
_RARE_PAIRS = {
    "шч": 3.0, "щч": 3.0, "чщ": 3.0, "чш": 3.0, "шщ": 3.0, "щш": 3.0, "жщ": 3.0,
    "кх": 1.5, "зх": 1.5, "цх": 1.5, "хх": 1.5, "цт": 1.0, "сх": 0.8, "цо": 0.1, "кк": 0.5,
    "ыы": 2.0, "ээ": 2.0, "юю": 2.0, "яя": 2.0, "ёё": 2.0,
}  # fmt: skip


def _pair_penalties() -> dict[str, float]:
    """Penalties for Cyrillic letter pairs that Russian spelling rarely or never has.

    Keys are two characters; «^» stands for the word start and «$» for its end.
    """
    pen: dict[str, float] = {}

    def put(firsts: str | frozenset[str], seconds: str | frozenset[str], value: float) -> None:
        for a in firsts:
            for b in seconds:
                pen[a + b] = max(pen.get(a + b, 0.0), value)

    put("^", "ыьъ", 3.0)
    put(_CYR_VOWELS | {"й"} | _SIGNS, _SIGNS, 3.0)
    put(_CYR_VOWELS, "ы", 2.0)
    put("й", "ы", 3.0)
    put("й", "аеиуэюя", 1.2)
    put("й", "о", 0.6)
    put(_CONSONANTS - {"й"}, "й", 2.0)
    put("жшчщ", "ыяю", 1.5)
    put("кгх", "ыяюё", 0.8)
    put(_CONSONANTS, "э", 1.2)
    put("ц", "яюё", 1.0)
    put("ь", "аоуыэ", 1.2)
    put("ъ", "аоуыиэ", 2.0)
    put("ъ", _CONSONANTS, 2.0)
    put("ъ", "$", 2.0)
    for pair, value in _RARE_PAIRS.items():
        put(pair[0], pair[1], value)
    return pen


def _by_second_letter(pen: dict[str, float]) -> dict[str, dict[str, float]]:
    """The same penalties keyed the other way: result[b][a] is the penalty of «a» before «b»."""
    after: dict[str, dict[str, float]] = {"$": {}}
    for pair, value in pen.items():
        after.setdefault(pair[1], {})[pair[0]] = value
    return after


_PAIR = _pair_penalties()
_AFTER = _by_second_letter(_PAIR)
_NOTHING: dict[str, float] = {}


def _inner_penalty(cyr: str) -> float:
    return sum(_PAIR.get(cyr[i : i + 2], 0.0) for i in range(len(cyr) - 1))


def _context(prev: str, nxt: str) -> int:
    """Flags for a stretch between `prev` and `nxt` ("" at a word edge)."""
    flags = 0
    if not prev:
        flags |= _START
    elif prev in _LATIN_VOWELS or prev in _SIGN_MARKS:
        flags |= _AFTER_VOWEL
    elif prev.isalpha():
        flags |= _AFTER_CONS
    if prev == "i":
        flags |= _AFTER_I
    if not nxt:
        return flags | _END
    if nxt in _LATIN_VOWELS:
        flags |= _BEFORE_VOWEL
    elif nxt.isalpha():
        flags |= _BEFORE_CONS
    if nxt in "eiyj":
        flags |= _BEFORE_FRONT
    if nxt in "ei":
        flags |= _BEFORE_EI
    if nxt in "aou":
        flags |= _BEFORE_BACK
    return flags


def _soft_sign_cost(last: str, flags: int) -> float | None:
    if flags & _END:
        return _SOFT_AT_END.get(last)
    if flags & _BEFORE_EI and last in _SOFT_AT_END:
        return _SOFT_BEFORE_EI
    if flags & _BEFORE_CONS:
        return _SOFT_BEFORE_CONS.get(last)
    return None


# A reading ready for the search: (Cyrillic, cost, penalties by the letter before it, last letter).
_Option = tuple[str, float, dict[str, float], str]


@lru_cache(maxsize=16384)
def _options(piece: str, prev: str, nxt: str) -> tuple[_Option, ...]:
    """The readings of one stretch between two letters, cheapest per spelling, ь-variants added."""
    flags = _context(prev, nxt)
    best: dict[str, float] = {}
    for cyr, cost, need, avoid in _READINGS.get(piece, ()):
        if flags & need == need and not flags & avoid:
            cost += _inner_penalty(cyr)
            if cost < best.get(cyr, float("inf")):
                best[cyr] = cost
    for cyr, cost in list(best.items()):
        soft = _soft_sign_cost(cyr[-1], flags)
        if soft is not None and cyr + "ь" not in best:
            best[cyr + "ь"] = cost + soft
    ranked = sorted(best.items(), key=itemgetter(1))
    return tuple((cyr, cost, _AFTER.get(cyr[0], _NOTHING), cyr[-1]) for cyr, cost in ranked)


# An edge of the lattice: (length in Latin letters, Cyrillic, cost, penalties by the letter
# before, last letter).
_Edge = tuple[int, str, float, dict[str, float], str]
# A boundary inside a stretch, and what cutting through it there costs: (offset, penalty).
_Cut = tuple[int, float]


@lru_cache(maxsize=16384)
def _step(prev: str, ahead: str) -> tuple[tuple[_Edge, ...], tuple[_Cut, ...]]:
    """The readings of every stretch that starts after `prev` ("" at the word start).

    `ahead` is the rest of the word, cut to one letter more than the longest stretch, so
    that the letter after each stretch is known. Memoised: words share most of their steps.
    """
    edges: list[_Edge] = []
    cuts = [0.0] * _LONGEST
    for length in range(min(len(ahead), _LONGEST), 0, -1):
        piece = ahead[:length]
        if piece not in _READINGS:
            continue
        options = _options(piece, prev, ahead[length : length + 1])
        edges.extend((length, *option) for option in options)
        if options:
            for inside in range(1, length):
                cuts[inside] = max(cuts[inside], _CUT.get(piece, 0.0))
    if not edges:  # digits, hyphens, letters we do not know: kept as they are
        edges.append((1, ahead[0], 0.0, _NOTHING, ahead[0]))
    return tuple(edges), tuple((offset, cut) for offset, cut in enumerate(cuts) if cut)


def _lattice(word: str) -> tuple[list[tuple[_Edge, ...]], list[float]]:
    """Every reading of every stretch, by start position, and the cost of each boundary."""
    edges: list[tuple[_Edge, ...]] = []
    cuts = [0.0] * (len(word) + 1)
    for start in range(len(word)):
        here, inside = _step(word[start - 1 : start], word[start : start + _LONGEST + 1])
        edges.append(here)
        for offset, cut in inside:
            cuts[start + offset] = max(cuts[start + offset], cut)
    return edges, cuts


_MARGIN = 2.0  # partial readings this much dearer than the best one at their place are dropped

# A partial reading: (cost so far, Cyrillic so far, its last letter or «^» when empty).
_Partial = tuple[float, str, str]


def _survivors(beam: list[_Partial], width: int) -> list[_Partial]:
    """The cheapest distinct partial readings at one place, within the margin of the best."""
    if len(beam) == 1:
        return beam
    beam.sort(key=itemgetter(0))
    ceiling = beam[0][0] + _MARGIN
    seen: set[str] = set()
    kept: list[_Partial] = []
    for item in beam:
        if item[0] > ceiling or len(kept) == width:
            break
        if item[1] not in seen:
            seen.add(item[1])
            kept.append(item)
    return kept


@lru_cache(maxsize=16384)
def _ranked(word: str, limit: int) -> tuple[str, ...]:
    """Beam search over the lattice, left to right, keeping `limit` readings at each place."""
    n = len(word)
    edges, cuts = _lattice(word)
    beams: list[list[_Partial]] = [[] for _ in range(n + 1)]
    beams[0].append((0.0, "", "^"))
    for start in range(n):
        if not beams[start]:
            continue
        alive = _survivors(beams[start], limit)
        cut = cuts[start]
        for length, cyr, cost, after, tail in edges[start]:
            base = cost + cut
            target = beams[start + length]
            for score, text, last in alive:
                target.append((score + base + after.get(last, 0.0), text + cyr, tail))
    closing = _AFTER["$"]
    finished = [(score + closing.get(last, 0.0), text) for score, text, last in beams[n]]
    finished.sort(key=itemgetter(0))
    return tuple(dict.fromkeys(text for _, text in finished))[:limit]


MAX_WORD = 40
"""The longest Latin word read back. The longest Russian words run to about 35 letters
(«превысокомногорассмотрительствующий», 39 letters in BGN/PCGN); anything longer is not a
word, and reading it would cost memory and time for nothing (the beam search keeps whole
partial readings, so its memory grows with the square of the word's length)."""


def to_cyrillic_variants(word: str, limit: int = 8) -> list[str]:
    """The plausible Cyrillic spellings of one Latin word, most plausible first.

    Any scheme above is understood, and looser spellings besides («x» as х or кс, «c» as ц or
    к, «i» as и or й, a dropped ь restored). At most `limit` spellings, no duplicates. Results
    are memoised, so repeated query words cost a dictionary look-up. A word longer than
    `MAX_WORD` letters has no readings.
    """
    word = word.strip()
    if len(word) > MAX_WORD:  # before lower(): a huge word is not even copied
        return []
    word = word.lower()
    if not word or limit <= 0:
        return []
    return list(_ranked(word, limit))
