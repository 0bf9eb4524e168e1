"""Loan rules as people meet them: the librarian changes them from the chat (and can lend
textbooks until the end of the school year again), and 🔄 is offered only for a loan that
can be renewed now."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from db.engine import Database
from db.enums import RecordKind
from db.models import LoanRule
from messages import texts
from messages.i18n import say
from tests.support.chat import Chat, ChatFactory
from tests.support.clock import Clock
from tests.support.library import linked_reader


def labels(person: Chat) -> list[str]:
    return [b.label for reply in person.replies for row in reply.buttons for b in row]


async def textbook_rule(db: Database) -> LoanRule:
    async with db.reading() as session:
        rule = await session.scalar(
            select(LoanRule).where(
                LoanRule.library_id == 1, LoanRule.kind == RecordKind.TEXTBOOK.value
            )
        )
        assert rule is not None
        return rule


async def test_textbooks_go_back_to_the_end_of_the_school_year(
    chat: ChatFactory, demo_db: Database
) -> None:
    librarian = chat("librarian")
    await librarian.send("/rule учебники дни 30")
    rule = await textbook_rule(demo_db)
    assert (rule.loan_days, rule.until_school_year_end) == (30, False)

    await librarian.send("/rule учебники дни год")
    assert librarian.text.startswith(
        say(texts.RULES_CHANGED, kind="учебники", field="дни", value=texts.RULES_YEAR_END)
    )
    assert (await textbook_rule(demo_db)).until_school_year_end

    await librarian.send("/rule учебники дни 45")  # a number of days replaces the school year
    assert not (await textbook_rule(demo_db)).until_school_year_end
    await librarian.send("/rule учебники дни до конца года")
    rule = await textbook_rule(demo_db)
    assert rule.until_school_year_end and rule.loan_days == 45

    # A textbook issued now is due at the end of the school year, Monday 31 May.
    await librarian.send("выдать 7Б комплект: Русский язык 7")
    await librarian.press("Выдать комплект")
    student = chat("student")
    await student.send("мои книги")
    assert "3. Русский язык. 7 класс (Баранов М. Т.) — вернуть до 31 мая" in student.text


async def test_the_usage_tells_how_to_go_back_to_the_school_year(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/rule учебники дни")
    assert librarian.text == texts.RULES_USAGE
    assert "/rule учебники дни год" in texts.RULES_USAGE
    await librarian.send("/rule учебники полка год")  # only the loan period can be a year
    assert librarian.text == say(texts.RULES_BAD_VALUE, field="полка", low=1, high=30)
    await librarian.send("/rules")
    assert texts.RULES_USAGE in librarian.text


async def test_renew_is_offered_only_for_a_loan_that_can_be_renewed(
    chat: ChatFactory, demo_db: Database, clock: Clock
) -> None:
    librarian, student = chat("librarian"), chat("student")
    await librarian.send("выдать 7Б комплект: Русский язык 7")
    await librarian.press("Выдать комплект")

    # 1. «Недоросль» is six days overdue, 2. «Бедная Лиза» can be renewed, 3. the textbook is
    # lent until the end of the school year.
    await student.send("мои книги")
    assert "1. ⚠️ Недоросль" in student.text and "3. Русский язык. 7 класс" in student.text
    assert "2. Бедная Лиза" in student.text
    assert labels(student) == ["🔄 2"]
    await librarian.send("/reader 1001")
    assert [label for label in labels(librarian) if "🔄" in label] == ["🔄 2"]

    # Renewed twice, the limit: no 🔄 for it any more.
    await student.press("🔄 2")
    await student.send("продли бедную лизу")
    assert student.text.startswith(say(texts.RENEWED, title="Бедная Лиза", due=date(2026, 12, 23)))
    await student.send("мои книги")
    assert labels(student) == []
    await librarian.send("/reader 1001")
    assert [label for label in labels(librarian) if "🔄" in label] == []


async def test_renew_is_not_offered_when_someone_is_waiting(chat: ChatFactory) -> None:
    librarian, student = chat("librarian"), chat("student")
    await student.send("мои книги")
    assert labels(student) == ["🔄 2"]
    classmate = await linked_reader(chat, librarian, "1062", "classmate")
    await classmate.send("хочу взять бедную лизу")
    assert "1. Бедная Лиза" in classmate.text
    await classmate.press("📌 1")
    assert "«Бедная Лиза» отправлена библиотекарю" in classmate.text
    await student.send("мои книги")
    assert labels(student) == []
    await student.send("продли бедную лизу")  # typed, it is still refused, and says why
    assert student.text == say(texts.REFUSALS["renew_wanted"], title="Бедная Лиза")


async def test_a_parent_is_offered_renew_for_each_child_where_it_can_be(
    chat: ChatFactory,
) -> None:
    parent = chat("parent")
    await parent.send("мои книги")
    # Мария's «Недоросль» (1) is overdue; her «Бедная Лиза» (2) and Илья's books can be renewed
    # unless overdue.
    assert "🔄 1" not in labels(parent) and "🔄 2" in labels(parent)
    await parent.send("продли недоросль")
    assert parent.text == say(texts.REFUSALS["renew_overdue"], title="Недоросль", days=6)
