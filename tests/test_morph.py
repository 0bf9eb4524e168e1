"""People's names declined and their gender guessed (nlu.morph, on pymorphy3)."""

from __future__ import annotations

import pytest

from nlu.morph import decline_given_name, decline_name, given_name, guess_gender, lower_first


@pytest.mark.parametrize(
    ("name", "gender"),
    [
        ("Смирнова Мария", "f"),
        ("Алексеев Кирилл", "m"),
        ("Петров Иван Сергеевич", "m"),
        ("Петрова Ксения", "f"),
        ("Кузнецова Алёна", "f"),
        ("Кузнецова Алена", "f"),
        ("Иванов Никита", "m"),  # a man's name ending in -а
        ("Толстой Лев", "m"),
        ("Смирнова Саша", "f"),  # the surname decides for a Саша
        ("Смирнов Женя", "m"),
        ("Белых Саша", None),  # neither word tells
        ("Шевченко Женя", None),
        ("Шевченко Оксана", "f"),
        ("Дюма Александр", "m"),
        ("Шмидт Анна", "f"),
        ("Ким Виктор", "m"),
        ("Римская-Корсакова Анна", "f"),
        ("Белых Саша Игоревна", "f"),  # the patronymic tells
        ("Белых Саша Игоревич", "m"),
        ("Мамедов Ахмед Рашид оглы", "m"),
        ("Иванова Никита", None),  # contradicting words: rather none than a wrong one
        ("Нгуен Ань", None),  # nothing pymorphy knows
        ("", None),
    ],
)
def test_gender_is_guessed_from_the_given_name_surname_and_patronymic(
    name: str, gender: str | None
) -> None:
    assert guess_gender(name) == gender


@pytest.mark.parametrize(
    ("name", "case", "declined"),
    [
        ("Смирнова Мария", "gent", "Смирновой Марии"),
        ("Смирнова Мария", "datv", "Смирновой Марии"),
        ("Смирнова Мария", "accs", "Смирнову Марию"),
        ("Смирнова Мария", "ablt", "Смирновой Марией"),
        ("Смирнова Мария", "loct", "Смирновой Марии"),
        ("Смирнова Мария", "nomn", "Смирнова Мария"),
        ("Алексеев Кирилл", "gent", "Алексеева Кирилла"),
        ("Алексеев Кирилл", "datv", "Алексееву Кириллу"),
        ("Алексеев Кирилл", "accs", "Алексеева Кирилла"),
        ("Алексеев Кирилл", "ablt", "Алексеевым Кириллом"),
        ("Алексеев Кирилл", "loct", "Алексееве Кирилле"),
        ("Петров Иван Сергеевич", "gent", "Петрова Ивана Сергеевича"),
        ("Петров Иван Сергеевич", "ablt", "Петровым Иваном Сергеевичем"),
        ("Петрова Ксения Андреевна", "accs", "Петрову Ксению Андреевну"),
        ("Петрова Ксения", "accs", "Петрову Ксению"),
        ("Толстой Лев", "gent", "Толстого Льва"),  # a vowel that drops out
        ("Иванов Никита", "datv", "Иванову Никите"),
        ("Кузнецова Алёна", "gent", "Кузнецовой Алёны"),
        ("Кузнецова Алена", "gent", "Кузнецовой Алены"),  # written without ё, stays so
        ("Семенов Семен", "datv", "Семенову Семену"),
        ("Тхоржевская Юлия", "gent", "Тхоржевской Юлии"),  # a surname pymorphy only predicts
        ("Зюзюкин Пётр", "ablt", "Зюзюкиным Петром"),
        # Indeclinable and foreign surnames are not mangled.
        ("Белых Саша", "gent", "Белых Саши"),
        ("Дюма Александр", "gent", "Дюма Александра"),
        ("Шевченко Оксана", "datv", "Шевченко Оксане"),
        ("Шевченко Тарас", "datv", "Шевченко Тарасу"),
        ("Гюго Виктор", "ablt", "Гюго Виктором"),
        # A woman's surname ending in a consonant does not decline; a man's does.
        ("Шмидт Анна", "gent", "Шмидт Анны"),
        ("Шмидт Отто", "gent", "Шмидта Отто"),
        ("Кравец Ольга", "datv", "Кравец Ольге"),
        ("Кравец Олег", "datv", "Кравцу Олегу"),
        ("Ким Виктор", "gent", "Кима Виктора"),
        ("Ким Айгуль", "gent", "Ким Айгуль"),
        ("Жук Анна", "datv", "Жук Анне"),
        ("Жук Павел", "datv", "Жуку Павлу"),
        ("Бах Елена", "ablt", "Бах Еленой"),
        ("Огородник Мария", "gent", "Огородник Марии"),
        ("Цой Виктор", "gent", "Цоя Виктора"),
        ("Головня Никита", "datv", "Головне Никите"),  # a man's surname in -я declines
        ("Бойко Полина", "gent", "Бойко Полины"),
        ("Сорокина Любовь", "gent", "Сорокиной Любови"),
        ("Пугачёва Алла Борисовна", "datv", "Пугачёвой Алле Борисовне"),
        # Hyphenated surnames decline part by part.
        ("Римская-Корсакова Анна", "gent", "Римской-Корсаковой Анны"),
        ("Петров-Водкин Кузьма", "ablt", "Петровым-Водкиным Кузьмой"),
        ("Чернова-Петрова Анна-Мария", "datv", "Черновой-Петровой Анне-Марии"),
        # Words pymorphy does not know stay as they are.
        ("Нгуен Ань", "gent", "Нгуен Ань"),
        ("Мамедов Ахмед Рашид оглы", "gent", "Мамедова Ахмеда Рашид оглы"),
        # Gender unknown: a word declines only where either gender declines it alike.
        ("Белых Женя", "datv", "Белых Жене"),
        # Capitalisation as stored.
        ("СМИРНОВА МАРИЯ", "gent", "СМИРНОВОЙ МАРИИ"),
        ("смирнова мария", "gent", "смирновой марии"),
        ("Мария", "gent", "Марии"),
        ("  Смирнова   Мария ", "gent", "Смирновой Марии"),
        ("", "gent", ""),
    ],
)
def test_names_are_declined(name: str, case: str, declined: str) -> None:
    assert decline_name(name, case) == declined


def test_a_known_gender_decides_the_forms() -> None:
    assert decline_name("Белых Саша", "gent", gender="f") == "Белых Саши"
    assert decline_name("Шмидт Саша", "gent", gender="f") == "Шмидт Саши"
    assert decline_name("Шмидт Саша", "gent", gender="m") == "Шмидта Саши"
    assert decline_name("Шмидт Саша", "gent") == "Шмидт Саши"  # unsure: the surname stays


def test_the_given_name_alone() -> None:
    assert given_name("Смирнова Мария") == "Мария"
    assert given_name("Петров Иван Сергеевич") == "Иван"
    assert given_name("Мария") == "Мария"
    assert decline_given_name("Смирнова Мария", "gent") == "Марии"
    assert decline_given_name("Смирнова Саша", "datv") == "Саше"
    assert decline_given_name("Иванов Лев", "accs") == "Льва"
    assert decline_given_name("Ким Айгуль", "gent") == "Айгуль"
    assert decline_given_name("Нгуен Ань", "gent") == "Ань"


def test_an_unknown_case_is_refused() -> None:
    with pytest.raises(ValueError):
        decline_name("Смирнова Мария", "genitive")
    with pytest.raises(ValueError):
        decline_given_name("Смирнова Мария", "vocative")


@pytest.mark.parametrize(
    ("text", "lowered"),
    [
        ("Нет свободных экземпляров", "нет свободных экземпляров"),
        ("Порвал учебник.", "порвал учебник"),
        ("ВПР на следующей неделе", "ВПР на следующей неделе"),
        ("Пушкин не по возрасту", "Пушкин не по возрасту"),
        ("Москва далеко", "Москва далеко"),
        ("уже строчная", "уже строчная"),
        ("Нет экземпляров...", "нет экземпляров..."),
        ("", ""),
    ],
)
def test_lower_first_keeps_abbreviations_and_proper_names(text: str, lowered: str) -> None:
    assert lower_first(text) == lowered


def test_a_character_the_unicode_database_cannot_name_is_no_crash() -> None:
    """pymorphy3 asks each character's Unicode name; a Tangut ideograph has none in Python's
    database, and a message with one once crashed the search («𗀀», found by the fuzzer)."""
    from nlu.morph import analyzer
    from nlu.understand.words import lemmas

    assert "𗀀" in lemmas("𗀀")
    assert analyzer().parse("книги")[0].normal_form == "книга"
