"""A genre or topic asked for: the subject (nlu.subjects) and the words that narrow it.

nlu.subjects finds «сказки пушкина», «что-нибудь про войну», «детективы для подростков». Many
titles start with a genre word, though — «Приключения Тома Сойера», «Сказка о царе Салтане»,
«Волшебник Изумрудного города» — and a title must stay a search. So the words that narrow a
subject are accepted only when they are what narrows a genre in a child's words: an author
(«пушкина», «агаты кристи»), a describing word («русские народные», «древней»), a place
(«греции»), a form («рассказы про школу») or another subject; and a message with words that
ask for nothing («я, робот») must ask for books in so many words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache, lru_cache

from nlu.morph import analyzer
from nlu.normalize import normalize
from nlu.subjects import ABOUT, FILLER, SUBJECTS, TABLE, find_subject
from nlu.understand.words import Word, lemmas

MAX_NARROWING = 3
# Words that describe a genre rather than name a book (lemmas).
DESCRIBING = frozenset(
    (
        "русский народный зарубежный современный короткий длинный новый старый интересный "
        "легкий детский взрослый добрый грустный веселый смешной страшный древний "
        "советский известный классный лучший хороший небольшой большой японский английский "
        "французский американский греческий славянский"
    ).split()
)
FORMS = frozenset("рассказ повесть роман стихотворение поэма пьеса книга книжка история".split())
# Words that ask for books; without one, a pronoun or a conjunction beside a genre word is
# more likely part of a title.
ASKING = frozenset(
    (
        "книга книжка книжечка нибудь то почитать читать прочитать хотеть хочу есть посоветовать "
        "найти дать показать про о об обо для подборка список какой какие что"
    ).split()
)
# Subjects whose word starts titles with a hero's name: «Приключения Тома Сойера», «… Шерлока
# Холмса», «… Чиполлино» — a name after them is a title, not an author.
TITLE_STARTS = frozenset({"приключения"})
NEUTRAL = frozenset("я мы мне нам а и или еще там тоже у вы ты".split())


@lru_cache(maxsize=8192)
def _parses(word: str) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(
        (p.normal_form.replace("ё", "е"), frozenset(p.tag.grammemes))
        for p in analyzer().parse(word)
    )


def _describes(word: str) -> bool:
    if not analyzer().word_is_known(word):
        return False  # pymorphy guesses an unknown word's kind from its ending
    return any(
        lemma in DESCRIBING or lemma in FORMS or "Geox" in tags for lemma, tags in _parses(word)
    )


def _author(words: Sequence[str]) -> bool:
    """«пушкина», «агаты кристи»: a surname in the genitive, maybe after given names."""
    if not words or not all(len(w) > 2 and analyzer().word_is_known(w) for w in words):
        return False  # pymorphy takes any unknown word for a possible surname
    *given, surname = words
    return _named(surname, "Surn") and all(_named(w, "Name") for w in given)


def _named(word: str, kind: str) -> bool:
    """A name of that kind in the genitive singular."""
    return any({kind, "gent", "sing"} <= tags for _, tags in _parses(word))


def _narrowing(key: str, rest: Sequence[str]) -> str | None:
    """The query the leftover words make, as the person wrote them («сказки пушкина» →
    «пушкина»: the browse header quotes it, and the search reads any form), or None when they
    look like the rest of a title."""
    if not rest:
        return ""
    if len(rest) > MAX_NARROWING:
        return None
    if key not in TITLE_STARTS and _author(rest):
        return " ".join(rest)
    if all(_describes(w) or lemmas(w) & _topic_words() for w in rest):
        return " ".join(rest)  # «русские народные», «древней греции», «стихи про природу»
    return None


@cache
def subject_words() -> frozenset[str]:
    """Every word of the subject table's phrases (for typo correction)."""
    return frozenset(
        w for phrases in SUBJECTS.values() for p in phrases for w in normalize(p).split()
    )


Phrases = dict[str, tuple[tuple[frozenset[str], ...], ...]]


def _index(phrases: Iterable[str]) -> Phrases:
    """Each phrase as the lemma sets of its content words, filed under its first one's lemmas."""
    index: dict[str, list[tuple[frozenset[str], ...]]] = {}
    for phrase in phrases:
        content = tuple(
            lemmas(w) for w in normalize(phrase).split() if w not in FILLER and w not in ABOUT
        )
        for lemma in content[0] if content else ():
            index.setdefault(lemma, []).append(content)
    return {lemma: tuple(found) for lemma, found in index.items()}


@cache
def _genres() -> Phrases:
    return _index(w for subject in TABLE.values() for w in subject.words)


@cache
def _topics() -> Phrases:
    return _index(t for subject in TABLE.values() for t in subject.topics)


def _present(index: Phrases, forms: frozenset[str]) -> bool:
    return any(
        all(word & forms for word in phrase)
        for lemma in forms & index.keys()
        for phrase in index[lemma]
    )


@cache
def _topic_words() -> frozenset[str]:
    """The lemmas of every word of every phrase, genre or topic: words that narrow a genre."""
    return frozenset(
        lemma
        for phrase in (*_genres().values(), *_topics().values())
        for words in phrase
        for word in words
        for lemma in word
    )


def _may_name_subject(words: Sequence[Word]) -> bool:
    """Cheap: the words of a genre phrase, or of a topic after «про» or among words that only
    ask for books. nlu.subjects decides; this spares it the many messages that name none."""
    forms = frozenset().union(*(w.forms for w in words))
    if _present(_genres(), forms):
        return True
    if not _present(_topics(), forms):
        return False
    return bool(forms & ABOUT) or sum(not (w.forms & FILLER) for w in words) <= 1


def browse(words: Sequence[Word]) -> dict[str, str] | None:
    """{"subject": key, "query": narrowing words} when the message asks for a genre or topic."""
    if not _may_name_subject(words):
        return None
    texts = [w.text for w in words]
    found = find_subject(texts)
    if found is None:
        return None
    query = _narrowing(found.key, found.rest)
    if query is None:
        return None
    if any(t in NEUTRAL for t in texts) and not any(w.forms & ASKING for w in words):
        return None
    return {"subject": found.key, "query": query} if query else {"subject": found.key}
