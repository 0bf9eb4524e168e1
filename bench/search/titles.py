"""Book titles that look like a school library's: «Тайна старого маяка», «Всё о динозаврах»,
«История России. Т. 2», «Английский язык. 7 класс», «The Silent Lighthouse»."""

from __future__ import annotations

import random
from collections.abc import Callable

from bench.search import vocab
from bench.search.morph import Adjective, Lexicon, Noun, Verb, lexicon

POSSESSIVE = {"м": "Мой", "ж": "Моя", "с": "Моё"}
NUMBER_WORDS = {"м": ("Два", "Три", "Четыре"), "ж": ("Две", "Три", "Четыре")}
ABOUT = ("Всё о", "Рассказы о", "Сказки о", "Книга о", "Стихи о", "Загадки о", "Правда о")
ABOUT_ONE = ("Повесть о", "Сказка о", "Песня о", "Легенда о", "Баллада о", "Слово о")
OF_PLACE = ("История", "Легенды", "Тайны", "Сказки", "Загадки", "Чудеса", "Природа", "Герои")
GEN_PREPOSITIONS = ("без", "для", "из", "до", "после", "у", "против", "вместо", "вокруг")
VOLUME_MARKS = ("Т.", "Кн.", "Ч.", "Вып.")


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def about(lead: str, words: str) -> str:
    """«Стихи о» + «орехах» → «Стихи об орехах»."""
    if lead.endswith(" о") and words[:1].lower() in "аиоуэ":
        lead += "б"
    return f"{lead} {words}"


class TitleMaker:
    """Draws titles from weighted templates; every call uses only the given random source."""

    def __init__(self, rng: random.Random, lex: Lexicon | None = None) -> None:
        self.rng = rng
        self.lex = lex or lexicon()
        templates: list[tuple[Callable[[], str], float]] = [
            (self._noun_adj_gen_noun, 12),
            (self._adj_noun, 12),
            (self._adj_noun_plural, 5),
            (self._adj_noun_gen_noun, 8),
            (self._noun_and_noun, 6),
            (self._noun_gen_noun, 9),
            (self._adventures, 3),
            (self._about_many, 4),
            (self._about_one, 3),
            (self._with_phrase, 7),
            (self._of_place, 3),
            (self._how_to, 3),
            (self._subject_did, 4),
            (self._when_they, 2),
            (self._who_did_what, 4),
            (self._long_genitives, 2),
            (self._character_and, 3),
            (self._numbered, 2),
            (self._year_title, 1),
            (self._saying, 0.3),
            (self._single_noun, 2),
            (self._possessive, 2),
            (self._number_word, 1),
            (self._noun_prep_gen, 3),
        ]
        self._templates = [t for t, _ in templates]
        self._weights = [w for _, w in templates]

    # public ---------------------------------------------------------------------------

    def russian(self) -> str:
        (template,) = self.rng.choices(self._templates, self._weights)
        title = capitalise(template())
        if self.rng.random() < 0.04:
            title += f". {self.rng.choice(VOLUME_MARKS)} {self.rng.randint(1, 4)}"
        return title

    def textbook(self) -> str:
        subject, low, high = self.rng.choice(vocab.SCHOOL_SUBJECTS)
        grade = self.rng.randint(low, high)
        title = f"{subject}. {grade} класс"
        if self.rng.random() < 0.3:
            title += f". Ч. {self.rng.randint(1, 2)}"
        return title

    def english(self) -> str:
        rng = self.rng
        noun, noun2 = rng.choice(vocab.ENGLISH_NOUNS), rng.choice(vocab.ENGLISH_NOUNS)
        adj = rng.choice(vocab.ENGLISH_ADJECTIVES)
        name = rng.choice(vocab.ENGLISH_FIRST_NAMES)
        verb = rng.choice(vocab.ENGLISH_VERBS)
        options = (
            f"The {adj} {noun}",
            f"The {noun} of the {noun2}",
            f"{name} and the {adj} {noun}",
            f"A {noun} for {name}",
            f"The {adj} {noun} of {name} {rng.choice(vocab.ENGLISH_SURNAMES)}",
            f"How to {verb} a {noun}",
            f"{adj} {noun}s",
            f"The {noun} and the {noun2}",
            f"Secrets of the {adj} {noun}",
            f"The last {noun}",
            f"{name}",
            f"Where the {noun}s are",
            f"Beyond the {adj} {noun2}",
        )
        return capitalise(rng.choice(options))

    # pieces ---------------------------------------------------------------------------

    def _noun(self, plural: bool = False) -> Noun:
        return self.rng.choice(self.lex.plural_nouns if plural else self.lex.nouns)

    def _adj(self) -> Adjective:
        return self.rng.choice(self.lex.adjectives)

    def _verb(self, transitive: bool) -> Verb:
        return self.rng.choice(self.lex.transitive if transitive else self.lex.intransitive)

    # templates ------------------------------------------------------------------------

    def _noun_adj_gen_noun(self) -> str:  # Тайна старого маяка
        n2 = self._noun()
        return f"{self._noun().nom} {self._adj().agree('gen', n2)} {n2.gen}"

    def _adj_noun(self) -> str:  # Белый клык
        n = self._noun()
        return f"{self._adj().agree('nom', n)} {n.nom}"

    def _adj_noun_plural(self) -> str:  # Алые паруса
        return f"{self._adj().agree('nom', plural=True)} {self._noun(plural=True).plural}"

    def _adj_noun_gen_noun(self) -> str:  # Последний день лета
        n = self._noun()
        return f"{self._adj().agree('nom', n)} {n.nom} {self._noun().gen}"

    def _noun_and_noun(self) -> str:  # Мальчик и собака
        return f"{self._noun().nom} и {self._noun().nom}"

    def _noun_gen_noun(self) -> str:  # Хозяин тайги
        return f"{self._noun().nom} {self._noun().gen}"

    def _adventures(self) -> str:  # Приключения Незнайки и его друзей
        rng = self.rng
        if rng.random() < 0.6:
            _, gen, gender = rng.choice(vocab.CHARACTERS)
            tail = ""
            if rng.random() < 0.3:
                tail = " и его друзей" if gender == "м" else " и её друзей"
            return f"Приключения {gen}{tail}"
        n = self._noun()
        return f"Приключения {self._adj().agree('gen', n)} {n.gen}"

    def _about_many(self) -> str:  # Всё о динозаврах
        return about(self.rng.choice(ABOUT), self._noun(plural=True).prep_plural or "")

    def _about_one(self) -> str:  # Повесть о настоящем человеке
        n = self._noun()
        return about(self.rng.choice(ABOUT_ONE), f"{self._adj().agree('prep', n)} {n.prep}")

    def _with_phrase(self) -> str:  # Звёзды над морем
        rng = self.rng
        phrase = rng.choice(vocab.PHRASES)
        roll = rng.random()
        if roll < 0.4:
            return f"{self._noun(plural=True).plural} {phrase}"
        if roll < 0.75:
            return f"{self._noun().nom} {phrase}"
        n = self._noun()
        return f"{self._adj().agree('nom', n)} {n.nom} {phrase}"

    def _of_place(self) -> str:  # История России / Легенды Крыма
        return f"{self.rng.choice(OF_PLACE)} {self.rng.choice(vocab.PLACES_GEN)}"

    def _how_to(self) -> str:  # Как приручить дракона
        n = self._noun()
        if self.rng.random() < 0.3:
            return f"Как {self._verb(True).infinitive} {self._adj().agree('acc', n)} {n.acc}"
        return f"Как {self._verb(True).infinitive} {n.acc}"

    def _subject_did(self) -> str:  # Старый маяк погас
        n = self._noun()
        verb = self._verb(False).past_for(n)
        if self.rng.random() < 0.5:
            return f"{self._adj().agree('nom', n)} {n.nom} {verb}"
        return f"{n.nom} {verb}"

    def _when_they(self) -> str:  # Когда звёзды погасли
        return f"Когда {self._noun(plural=True).plural} {self._verb(False).past['pl']}"

    def _who_did_what(self) -> str:  # Мальчик нашёл старый ключ
        who, what = self.rng.choice(self.lex.animate), self._noun()
        verb = self._verb(True).past_for(who)
        if self.rng.random() < 0.5:
            return f"{who.nom} {verb} {self._adj().agree('acc', what)} {what.acc}"
        return f"{who.nom} {verb} {what.acc}"

    def _long_genitives(self) -> str:  # Тайна старого маяка и чёрной кошки
        a, b = self._noun(), self._noun()
        return (
            f"{self._noun().nom} {self._adj().agree('gen', a)} {a.gen} "
            f"и {self._adj().agree('gen', b)} {b.gen}"
        )

    def _character_and(self) -> str:  # Незнайка на Луне / Незнайка и волшебная лампа
        name = self.rng.choice(vocab.CHARACTERS)[0]
        if self.rng.random() < 0.5:
            return f"{name} {self.rng.choice(vocab.PHRASES)}"
        n = self._noun()
        return f"{name} и {self._adj().agree('nom', n)} {n.nom}"

    def _numbered(self) -> str:  # 451 градус… / 3 мушкетёра / 101 далматинец
        rng = self.rng
        while True:
            number = rng.choice((rng.randint(2, 4), rng.randint(20, 999)))
            last, tens = number % 10, number % 100
            if 11 <= tens <= 14 or last not in (1, 2, 3, 4):
                continue
            n = self._noun()
            word = n.nom if last == 1 else n.gen
            if n.gender != "м" and last != 1:
                continue  # «2 книги» needs «две»: keep to masculine nouns
            return f"{number} {word}"

    def _year_title(self) -> str:  # 1984 / Лето 1941 года
        year = self.rng.randint(1905, 2099)
        if self.rng.random() < 0.3:
            return str(year)
        return f"{self._noun().nom} {year} года"

    def _saying(self) -> str:
        return self.rng.choice(vocab.SAYINGS)

    def _single_noun(self) -> str:  # Чучело
        return self._noun().nom

    def _possessive(self) -> str:  # Моя семья / Мой весёлый друг
        n = self._noun()
        if self.rng.random() < 0.5:
            return f"{POSSESSIVE[n.gender]} {n.nom}"
        return f"{POSSESSIVE[n.gender]} {self._adj().agree('nom', n)} {n.nom}"

    def _number_word(self) -> str:  # Три мушкетёра
        n = self._noun()
        words = NUMBER_WORDS["ж" if n.gender == "ж" else "м"]
        return f"{self.rng.choice(words)} {n.gen}"

    def _noun_prep_gen(self) -> str:  # Дом без окон / Путь до звезды
        n = self._noun()
        return f"{self._noun().nom} {self.rng.choice(GEN_PREPOSITIONS)} {n.gen}"
