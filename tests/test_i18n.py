import re
import string
from datetime import date, datetime
from types import SimpleNamespace

import pytest

from messages import texts
from messages.i18n import PersonName, Select, person, plural, say

MARIA = PersonName("Смирнова Мария", "f")
KIRILL = PersonName("Алексеев Кирилл", "m")
SASHA = PersonName("Белых Саша")  # nobody can tell: texts take a form that fits both
PEOPLE = (MARIA, KIRILL, SASHA, PersonName("Петров Иван Сергеевич", "m"))


@pytest.mark.parametrize(
    ("n", "form"),
    [
        (0, "книг"),
        (1, "книга"),
        (2, "книги"),
        (4, "книги"),
        (5, "книг"),
        (11, "книг"),
        (12, "книг"),
        (14, "книг"),
        (21, "книга"),
        (22, "книги"),
        (25, "книг"),
        (101, "книга"),
        (111, "книг"),
        (112, "книг"),
        (1001, "книга"),
    ],
)
def test_russian_plural_forms(n: int, form: str) -> None:
    assert plural(n, "книга", "книги", "книг") == form
    assert say("{n} {n:книга|книги|книг}", n=n) == f"{n} {form}"


def test_dates_read_as_russian() -> None:
    assert say("до {d:date}", d=date(2026, 12, 5)) == "до 5 декабря"
    assert say("{d:datetime}", d=datetime(2026, 3, 1, 8, 5)) == "1 марта, 08:05"


def test_a_plural_spec_needs_three_forms() -> None:
    with pytest.raises(ValueError):
        say("{n:книга|книги}", n=3)


def test_names_are_declined_in_templates() -> None:
    assert say("для {r:gent}", r=MARIA) == "для Смирновой Марии"
    assert say("от {r:gent}", r=KIRILL) == "от Алексеева Кирилла"
    assert (
        say("блокируем {r:accs}", r=PersonName("Петрова Ксения", "f")) == "блокируем Петрову Ксению"
    )
    assert say("{r:datv}, {r:ablt}, {r:loct}", r=KIRILL) == (
        "Алексееву Кириллу, Алексеевым Кириллом, Алексееве Кирилле"
    )
    assert say("{r}", r=MARIA) == "Смирнова Мария"
    assert say("{r:nomn}", r=MARIA) == "Смирнова Мария"
    assert say("для {r:gent}", r=SASHA) == "для Белых Саши"
    assert say("для {r:gent}", r=PersonName("Шевченко Оксана", "f")) == "для Шевченко Оксаны"


def test_the_given_name_alone() -> None:
    assert say("{r:given}", r=MARIA) == "Мария"
    assert say("книги {r:given gent}", r=MARIA) == "книги Марии"
    assert say("книги {r:given gent}", r=PersonName("Толстой Лев", "m")) == "книги Льва"


def test_texts_agree_with_the_gender() -> None:
    template = "{r} {r:m/f:заблокирован|заблокирована}"
    assert say(template, r=MARIA) == "Смирнова Мария заблокирована"
    assert say(template, r=KIRILL) == "Алексеев Кирилл заблокирован"
    # Two forms: the masculine one when unsure — for words agreeing with «читатель» and such.
    assert say("{r:m/f:Записан новый читатель|Записана новая читательница}", r=SASHA) == (
        "Записан новый читатель"
    )
    # Three forms: the third when unsure, written to fit both.
    unsure = "{r:m/f/?:||Читатель }{r} {r:m/f:заблокирован|заблокирована}"
    assert say(unsure, r=SASHA) == "Читатель Белых Саша заблокирован"
    assert say(unsure, r=MARIA) == "Смирнова Мария заблокирована"
    assert say("у {r:m/f/?:него|неё|ребёнка}", r=SASHA) == "у ребёнка"


def test_a_stored_gender_wins_and_a_missing_one_is_guessed() -> None:
    assert say("{r:m/f/?:он|она|?}", r=PersonName("Белых Саша", "f")) == "она"
    assert say("{r:gent}", r=PersonName("Шмидт Саша", "m")) == "Шмидта Саши"
    assert say("{r:gent}", r=PersonName("Шмидт Саша")) == "Шмидт Саши"
    assert say("{r:m/f/?:он|она|?}", r=PersonName("Смирнова Мария")) == "она"
    assert say("{r:m/f/?:он|она|?}", r=PersonName("Иванов Никита")) == "он"


def test_a_plain_string_is_taken_as_a_name() -> None:
    """Refusals raised in db/ carry the name as a string: it still declines."""
    assert say("У {name:gent} уже", name="Смирнова Мария") == "У Смирновой Марии уже"
    assert say("{name:m/f:он|она}", name="Алексеев Кирилл") == "он"


def test_a_person_from_a_reader_row() -> None:
    reader = SimpleNamespace(full_name="Смирнова Мария", gender="f", card_number="1001")
    assert person(reader) == MARIA
    assert str(person(reader)) == "Смирнова Мария"
    assert person(SimpleNamespace(full_name="Белых Саша")) == SASHA


def test_zero_gets_its_own_wording() -> None:
    template = "{late:0:с просрочкой не продлить|при просрочке до {late} {late:дня|дней|дней}}"
    assert say(template, late=0) == "с просрочкой не продлить"
    assert say(template, late=1) == "при просрочке до 1 дня"
    assert say(template, late=5) == "при просрочке до 5 дней"
    assert say(template, late="0") == "с просрочкой не продлить"


def test_a_number_with_its_word() -> None:
    assert say("{n:#день|дня|дней}", n=1) == "1 день"
    assert say("{n:#день|дня|дней}", n="14") == "14 дней"
    # Not a number: printed as it is («до конца учебного года» in place of a number of days).
    assert say("срок {n:#день|дня|дней}", n="до конца учебного года") == (
        "срок до конца учебного года"
    )


def test_a_value_mapped_to_its_wording() -> None:
    template = "{kind:map:все=все книги|книги=все книги}"
    assert say(template, kind="все") == "все книги"
    assert say(template, kind="книги") == "все книги"
    assert say(template, kind="учебники") == "учебники"  # not in the map: as it is


def test_a_template_selected_by_a_value() -> None:
    entry = Select("field", {"максимум": "не больше {value}", "*": "{field} = {value}"})
    assert say(entry, field="максимум", value=2) == "не больше 2"
    assert say(entry, field="полка", value=3) == "полка = 3"
    with pytest.raises(ValueError):
        Select("field", {"максимум": "не больше {value}"})  # no "*" for the rest


def test_text_after_a_colon_starts_in_lower_case() -> None:
    template = "отклонили: {reason:lower}."
    assert say(template, reason="Нет свободных экземпляров") == (
        "отклонили: нет свободных экземпляров."
    )
    assert say(template, reason="Порвал учебник.") == "отклонили: порвал учебник."
    assert say(template, reason="ВПР на носу") == "отклонили: ВПР на носу."


@pytest.mark.parametrize(
    ("template", "values"),
    [
        ("{r:m/f:он}", {"r": MARIA}),
        ("{r:m/f/?:он|она}", {"r": MARIA}),
        ("{r:genitive}", {"r": MARIA}),
        ("{r:given dative}", {"r": MARIA}),
        ("{n:0:ноль}", {"n": 0}),
        ("{n:#день|дня}", {"n": 2}),
        ("{k:map:все}", {"k": "все"}),
    ],
)
def test_broken_specs_are_refused(template: str, values: dict) -> None:
    with pytest.raises(ValueError):
        say(template, **values)


# The catalogue ------------------------------------------------------------------------------

PERSON_SPEC = re.compile(r"^(nomn|gent|datv|accs|ablt|loct|given( \w+)?|m/f(/\?)?:.*)$", re.S)


def _templates():
    for name, value in vars(texts).items():
        if name.isupper() and isinstance(value, str):
            yield name, value
        elif name.isupper() and isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):
                    yield f"{name}[{key}]", item
        elif name.isupper() and isinstance(value, tuple):
            for key, item in enumerate(value):
                if isinstance(item, str):
                    yield f"{name}[{key}]", item


def _values(template: str, who: PersonName) -> dict:
    values: dict = {}
    for _, field, spec, _ in string.Formatter().parse(template):
        if not field:
            continue
        spec = spec or ""
        if spec in ("date", "datetime"):
            values[field] = datetime(2026, 12, 5, 10, 0)
        elif PERSON_SPEC.match(spec):
            values[field] = who
        elif spec == "lower":
            values[field] = "Причина"
        else:
            values.setdefault(field, 3)
    return values


def test_every_catalogue_template_renders() -> None:
    """No template in the catalogue has a broken field or spec, whoever it speaks of."""
    for name, template in _templates():
        for who in PEOPLE:
            assert say(template, **_values(template, who)), name
        zero = {k: 0 if v == 3 else v for k, v in _values(template, SASHA).items()}
        assert say(template, **zero), name


def test_no_text_puts_gender_in_brackets() -> None:
    """«заблокирован(а)» is not Russian a teacher would pass: texts agree with the gender."""
    bracketed = re.compile(r"\w\((а|ла|ая|ь|на)\)")
    assert [n for n, t in _templates() if bracketed.search(t)] == []


def test_no_name_after_a_preposition_stays_in_the_nominative() -> None:
    nominative = re.compile(
        r"(?i)\b(для|от|у|к|с|со|о|об|про|за|без|при|ждёт|блокируем)\s+\{(reader|name|child)\}"
    )
    assert [n for n, t in _templates() if nominative.search(t)] == []


def test_a_title_after_a_preposition_has_a_noun_before_it() -> None:
    """«заявка на книгу «Капитанская дочка»», not «заявка на «Капитанская дочка»»."""
    bare = re.compile(
        r"(?i)\b(на|для|от|без|у|в|о|об|к|с|по|из|про|за|при|экземпляров)\s+«\{title\}"
    )
    assert [n for n, t in _templates() if bare.search(t)] == []


def test_no_capital_letter_after_a_colon() -> None:
    """After a colon a sentence goes on in lower case (quoted titles and names aside)."""
    capital = re.compile(r":\s+[А-ЯЁ]")
    unquoted = re.compile(r"«[^»]*»")
    assert [n for n, t in _templates() if capital.search(unquoted.sub("«»", t))] == []
    # Reasons are typed by people or picked from buttons, with a capital: {reason:lower}.
    assert [n for n, t in _templates() if re.search(r":\s*\{reason\}", t)] == []


def test_a_place_in_the_queue_does_not_guess_the_readers_gender() -> None:
    """«вы в очереди 3-й» is wrong for a girl: «под номером 3» fits everyone."""
    assert [n for n, t in _templates() if re.search(r"\{position\}-й", t)] == []


def test_a_verb_before_a_number_agrees_with_it() -> None:
    """«Нашлась 1 запись», «Выдан 21 экземпляр» — not «нашлось 1 запись»."""
    assert say(texts.SEARCH_HEADER, total=1, query="x").startswith("Нашлась 1 запись ")
    assert say(texts.SEARCH_HEADER, total=21, query="x").startswith("Нашлась 21 запись ")
    assert say(texts.SEARCH_HEADER, total=3, query="x").startswith("Нашлось 3 записи ")
    assert say(texts.SEARCH_HEADER, total=7, query="x").startswith("Нашлось 7 записей ")
    assert say(texts.SET_DONE, issued=1, class_name="7Б") == "Выдан 1 экземпляр ученикам 7Б."
    assert say(texts.SET_DONE, issued=23, class_name="7Б") == "Выдано 23 экземпляра ученикам 7Б."
    assert "просрочена 1 книга" in say(texts.DESK_APPROVED_OVERDUE, n=1)
    assert "просрочено 5 книг" in say(texts.DESK_APPROVED_OVERDUE, n=5)
