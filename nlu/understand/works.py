"""The work named inside a long message, as a voice-typed request puts it:

«нам задали прочитать к пятнице у марьи ивановны капитанскую дочку а в библиотеке нет»
→ «капитанскую дочку».

Where to look, most telling first: text in quotes («Муму»); the words after «называется»,
«например» or «книга как»; the words after reading («прочитать», «выучить») or after naming a
kind of work («книжку», «повесть», «по роману»); last, a run of capitalised words that is not
a person's name. Before the title a deadline («к пятнице», «до понедельника»), a teacher
(«у Марьи Ивановны») and another kind-of-work word are stepped over; the title ends at
punctuation, a conjunction that starts a new clause («а», «но», «потому»), a pronoun («и я»,
«ничего»), a deadline, «в библиотеке», or a verb that tells something («болел», «нравится»).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlu.morph import analyzer
from nlu.normalize import normalize
from nlu.understand.slots import is_name
from nlu.understand.words import Word

_QUOTED = re.compile(r"«([^»]+)»|\"([^\"]+)\"|“([^”]+)”|„([^“”]+)[“”]")
_CLAUSE_MARK = re.compile(r"[,.!?;:()«»\"“”„]")
MAX_TITLE = 12  # words: a longer run is a sentence, not a title

AFTER = frozenset({"называется", "называеться", "например", "названием"})
READING = frozenset({"прочитать", "почитать", "читать", "прочесть", "выучить", "дочитать",
                     "перечитать", "задать"})  # fmt: skip
KINDS = frozenset({"книга", "книжка", "произведение", "роман", "повесть", "рассказ", "стих",
                   "стихотворение", "сказка", "поэма", "пьеса", "басня"})  # fmt: skip
TIME = frozenset(
    (
        "понедельник вторник среда четверг пятница суббота воскресенье неделя следующий завтра "
        "послезавтра лето каникулы выходные урок конец четверть число контрольная сочинение "
        "сентябрь октябрь ноябрь декабрь январь февраль март апрель май июнь июль август "
        "вечер утро день год"
    ).split()
)
TIME_PREPOSITIONS = frozenset({"к", "до", "на", "за", "через", "после", "в", "во", "ко"})
STOPS = frozenset(
    (
        "а но потому чтобы если который которая которую которые что это подскажите помогите "
        "пожалуйста можно есть нет просто очень тоже даже или ли как где когда ведь хотя еще "
        "также много"
    ).split()
)
PRONOUNS = frozenset("я мы ты он она оно они мне нам тебе ему ей им меня нас".split())
STEP_OVER = frozenset(
    "ее его эту этот эти мне нам срочно тоже обязательно всем классом всю целую вообще".split()
)


@lru_cache(maxsize=8192)
def _best(word: str) -> tuple[str, frozenset[str]]:
    parse = analyzer().parse(word)[0]
    return parse.normal_form.replace("ё", "е"), frozenset(parse.tag.grammemes)


def _lemma(word: Word) -> str:
    return _best(word.text)[0]


def _ends_title(word: Word, first: bool) -> bool:
    """A verb that tells something («нравится», «болел»), or where a title would start, a
    pronoun («ничего»; «Тимур и его команда» has one inside, «Мы» is capitalised): the
    sentence has moved on."""
    _, tags = _best(word.typed)
    if "VERB" in tags and "indc" in tags:
        return True
    return first and not word.capital and _pronoun(word.typed)


@lru_cache(maxsize=8192)
def _pronoun(word: str) -> bool:
    return any("NPRO" in p.tag for p in analyzer().parse(word))


def _mark_between(text: str, before: Word, after: Word) -> bool:
    return bool(_CLAUSE_MARK.search(text, before.end, after.start))


def _deadline_at(words: Sequence[Word], i: int) -> int:
    """How many words a deadline starting at i takes («к следующей неделе» → 3), or 0."""
    if words[i].typed not in TIME_PREPOSITIONS:
        return 0
    size = 1
    while i + size < len(words) and _lemma(words[i + size]) in TIME:
        size += 1
    return size if size > 1 else 0


def _teacher_at(words: Sequence[Word], i: int) -> int:
    """«у марьи ивановны», «у учительницы»: how many words, or 0."""
    if words[i].typed != "у":
        return 0
    size = 1
    while i + size < len(words) and (
        is_name(words[i + size].typed) or _lemma(words[i + size]) == "учительница"
    ):
        size += 1
    return size if size > 1 else 0


def _starts_title(words: Sequence[Word], i: int) -> bool:
    """«сказка о царе Салтане», «повесть о настоящем человеке»: a kind of work in the
    nominative followed by «о»/«про» is the title's first word, not a word before it."""
    nominative = "nomn" in _best(words[i].typed)[1]
    return nominative and _next_typed(words, i) in {"о", "об", "про"}


def _title_from(words: Sequence[Word], text: str, i: int) -> list[Word]:
    """The title that starts at i (after stepping over deadlines, a teacher and the like)."""
    while i < len(words):
        step = _deadline_at(words, i) or _teacher_at(words, i)
        if step:
            i += step
        elif words[i].typed in STEP_OVER or _lemma(words[i]) in READING:
            i += 1
        elif _lemma(words[i]) in KINDS and not _starts_title(words, i):
            i += 1
        else:
            break
    title: list[Word] = []
    for k in range(i, min(len(words), i + MAX_TITLE)):
        word = words[k]
        if title and _mark_between(text, title[-1], word):
            break
        if word.typed in STOPS or _deadline_at(words, k) or _teacher_at(words, k):
            break
        if word.typed in PRONOUNS or (word.typed == "в" and _next_lemma(words, k) == "библиотека"):
            break
        if word.typed == "и" and _next_typed(words, k) in PRONOUNS:
            break
        if _ends_title(word, first=not title):
            break
        title.append(word)
    while title and title[-1].typed in {"и", "а", "в", "на", "по"}:
        title.pop()
    return title


def _next_lemma(words: Sequence[Word], k: int) -> str:
    return _lemma(words[k + 1]) if k + 1 < len(words) else ""


def _next_typed(words: Sequence[Word], k: int) -> str:
    return words[k + 1].typed if k + 1 < len(words) else ""


def _cues(words: Sequence[Word], thorough: bool) -> list[int]:
    """Where a title may start, most telling first; the kinds of work only when `thorough`
    (in a shorter message «повесть о …» is more often the title itself)."""
    strong, reading = [], []
    for i, word in enumerate(words):
        if word.typed in AFTER or (word.typed == "как" and i and _lemma(words[i - 1]) == "книга"):
            strong.append(i + 1)
        elif _lemma(word) in READING:
            reading.append(i + 1)
        elif _lemma(word) in KINDS and thorough:
            reading.append(i if _starts_title(words, i) else i + 1)
    return strong + reading


def _capitalised(words: Sequence[Word], text: str) -> list[Word]:
    """The first run of two or more capitalised words inside a sentence, not a name."""
    run: list[Word] = []
    for k, word in enumerate(words):
        inside = k > 0 and not re.search(r"[.!?]\s*$", text[: word.start])
        if word.capital and inside and (not run or not _mark_between(text, run[-1], word)):
            run.append(word)
            continue
        if len(run) >= 2 and not all(is_name(w.typed) for w in run):
            return run
        run = []
    return run if len(run) >= 2 and not all(is_name(w.typed) for w in run) else []


def named_work(words: Sequence[Word], text: str, *, thorough: bool = True) -> str | None:
    """The title a message names, normalised, or None. Not `thorough`, only quotes and the
    words after «называется» or a reading verb count."""
    for match in _QUOTED.finditer(text):
        quoted = normalize(next(g for g in match.groups() if g))
        if quoted:
            return quoted
    for start in _cues(words, thorough):
        if start == 0:
            continue  # the message starts with the title: it is the title («Повесть о том, …»)
        title = _title_from(words, text, start)
        if title:
            return " ".join(w.typed for w in title)
    run = _capitalised(words, text) if thorough else []
    return " ".join(w.typed for w in run) if run else None
