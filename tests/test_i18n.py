from datetime import date, datetime

import pytest

from handlers.i18n import plural, say


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


def test_every_catalogue_template_renders() -> None:
    """No template in the catalogue has a broken field or plural spec."""
    import string

    from handlers import texts

    def templates():
        for name, value in vars(texts).items():
            if name.isupper() and isinstance(value, str):
                yield name, value
            elif name.isupper() and isinstance(value, dict):
                for key, item in value.items():
                    yield f"{name}[{key}]", item

    for name, template in templates():
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        values = {f: 3 for f in fields}
        for f in fields:
            if "{" + f + ":date" in template or "{" + f + ":datetime" in template:
                values[f] = datetime(2026, 12, 5, 10, 0)
        assert say(template, **values), name
