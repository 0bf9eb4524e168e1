"""Questions to the librarian: a reader or a parent asks their school's librarian from the chat;
a librarian of that school answers; the answer goes back to the person who asked.

Who may do what, checked here at the moment it is done:

- a reader asks the library of their own card, a parent the library of a child's card — no
  other library; at most `MAX_OPEN` questions without an answer at a time per person;
- a librarian sees and answers the questions of their own library only;
- a question is answered once: two librarians answering at once, the first answer stands.

A question and its answer are personal data: they are shown to the person who asked and to
their school's librarians, never logged, and erased with the reader (`forget_questions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.access import AccessDenied, Actor, require_librarian
from db.audit import audit
from db.enums import RoleName
from db.models import (
    Account,
    ConversationState,
    GuardianLink,
    Library,
    OutboxMessage,
    Person,
    Question,
    Reader,
    Role,
)

MAX_OPEN = 5  # questions without an answer one person may have at a time
QUESTION_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked, as the library's desk knows them: the asker's own cards there, or (for a
    parent) their children's cards there. Either may be empty once a card is gone."""

    readers: tuple[Reader, ...]
    as_parent: bool


@dataclass(frozen=True, slots=True)
class Asked:
    """A question taken: None for `question` when the person already has `open` questions
    without an answer (MAX_OPEN), and nothing was stored."""

    question: Question | None
    library: Library
    open: int
    librarians: tuple[Person, ...] = ()


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question as its library's librarian sees it."""

    question: Question
    library: Library
    asker: Asker


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer given: `done` False when the question already had an answer (it is kept, and
    `view.question` shows it)."""

    view: QuestionView
    done: bool


def libraries_to_ask(actor: Actor) -> list[int]:
    """The libraries a person may ask: their own cards' first, then their children's."""
    cards = actor.cards + actor.children
    return list(dict.fromkeys(card.library_id for card in cards))


async def open_questions_count(session: AsyncSession, person_id: int) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(Question)
            .where(Question.person_id == person_id, Question.answer.is_(None))
        )
        or 0
    )


async def ask_librarian(
    session: AsyncSession, actor: Actor, library_id: int, text: str, now: datetime
) -> Asked:
    """Store a question to the librarians of one of the actor's libraries (the account it
    came from is kept with it); `Asked.librarians` are the people to tell."""
    if actor.person_id is None or library_id not in libraries_to_ask(actor):
        raise AccessDenied("question.ask", library_id)
    library = await session.get(Library, library_id)
    assert library is not None
    waiting = await open_questions_count(session, actor.person_id)
    if waiting >= MAX_OPEN:
        return Asked(None, library, waiting)
    question = Question(
        library_id=library_id,
        person_id=actor.person_id,
        account_id=actor.account_id,
        text=text.strip()[:QUESTION_LENGTH],
        asked_at=now,
    )
    session.add(question)
    await session.flush()
    audit(
        session,
        actor,
        "question.ask",
        library_id=library_id,
        object_type="question",
        object_id=question.id,
    )
    return Asked(question, library, waiting + 1, tuple(await librarians_of(session, library_id)))


async def librarians_of(session: AsyncSession, library_id: int) -> list[Person]:
    return list(
        (
            await session.scalars(
                select(Person)
                .join(Role, Role.person_id == Person.id)
                .where(Role.role == RoleName.LIBRARIAN, Role.library_id == library_id)
                .order_by(Person.id)
            )
        ).unique()
    )


async def asker_at(session: AsyncSession, person_id: int, library_id: int) -> Asker:
    """The asker's own cards at the library, or else their children's there."""
    own = tuple(
        await session.scalars(
            select(Reader)
            .join(Role, Role.reader_id == Reader.id)
            .where(
                Role.person_id == person_id,
                Role.role == RoleName.READER,
                Reader.library_id == library_id,
            )
            .order_by(Reader.id)
        )
    )
    if own:
        return Asker(own, as_parent=False)
    children = tuple(
        await session.scalars(
            select(Reader)
            .join(GuardianLink, GuardianLink.reader_id == Reader.id)
            .where(GuardianLink.parent_person_id == person_id, Reader.library_id == library_id)
            .order_by(Reader.id)
        )
    )
    return Asker(children, as_parent=bool(children))


async def question_for_librarian(
    session: AsyncSession, actor: Actor, question_id: int, action: str = "question.view"
) -> QuestionView | None:
    """A question of the librarian's own library (AccessDenied for another's; None if there is
    no such question)."""
    question = await session.get(Question, question_id)
    if question is None:
        return None
    require_librarian(actor, question.library_id, action)
    return await _view(session, question)


async def unanswered(
    session: AsyncSession, actor: Actor, library_id: int, limit: int
) -> tuple[list[QuestionView], int]:
    """The library's questions without an answer, oldest first (at most `limit`), and how
    many there are in all."""
    require_librarian(actor, library_id, "question.list")
    waiting = (Question.library_id == library_id) & Question.answer.is_(None)
    total = await session.scalar(select(func.count()).select_from(Question).where(waiting)) or 0
    questions = await session.scalars(
        select(Question).where(waiting).order_by(Question.asked_at, Question.id).limit(limit)
    )
    return [await _view(session, q) for q in questions], total


async def answer_question(
    session: AsyncSession, actor: Actor, question_id: int, text: str, now: datetime
) -> Answered | None:
    """Answer a question of the librarian's own library, once (None: no such question)."""
    view = await question_for_librarian(session, actor, question_id, "question.answer")
    if view is None:
        return None
    claimed = await session.execute(
        update(Question)
        .where(Question.id == question_id, Question.answer.is_(None))
        .values(answer=text.strip()[:QUESTION_LENGTH], answered_at=now, answered_by=actor.person_id)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(view.question)
    done = claimed.rowcount == 1
    if done:
        audit(
            session,
            actor,
            "question.answer",
            library_id=view.library.id,
            object_type="question",
            object_id=question_id,
        )
    return Answered(view, done)


async def _view(session: AsyncSession, question: Question) -> QuestionView:
    library = await session.get(Library, question.library_id)
    assert library is not None
    return QuestionView(
        question, library, await asker_at(session, question.person_id, question.library_id)
    )


async def forget_questions(session: AsyncSession, reader: Reader) -> int:
    """Erase the questions a reader leaving the school is behind, and their notices (sent or
    not) from the outbox: the questions the reader's own accounts asked at the reader's
    library, and their parents' there — unless the person still has another card or child
    at that library to ask about; a question they were still asking (waiting in the
    conversation for the school to be chosen) goes too. Returns how many questions were
    erased."""
    readers_people = select(Role.person_id).where(
        Role.role == RoleName.READER, Role.reader_id == reader.id
    )
    parents = select(GuardianLink.parent_person_id).where(GuardianLink.reader_id == reader.id)
    people = set(await session.scalars(readers_people)) | set(await session.scalars(parents))
    gone = [p for p in people if not await _other_card_at(session, p, reader)]
    if not gone:
        return 0
    # A question still being asked (a parent choosing the school) waits in the conversation.
    accounts = select(Account.id).where(Account.person_id.in_(gone))
    await session.execute(
        delete(ConversationState)
        .where(ConversationState.account_id.in_(accounts), ConversationState.state.like("ask.%"))
        .execution_options(synchronize_session=False)
    )
    ids = list(
        await session.scalars(
            select(Question.id).where(
                Question.person_id.in_(gone), Question.library_id == reader.library_id
            )
        )
    )
    if not ids:
        return 0
    await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.payload["question_id"].as_integer().in_(ids))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(Question).where(Question.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return len(ids)


async def _other_card_at(session: AsyncSession, person_id: int, reader: Reader) -> bool:
    """Whether the person has a card of their own or a child's at the reader's library besides
    this reader's."""
    own = select(Role.id).join(Reader, Reader.id == Role.reader_id)
    own = own.where(Role.person_id == person_id, Role.role == RoleName.READER)
    child = select(GuardianLink.id).join(Reader, Reader.id == GuardianLink.reader_id)
    child = child.where(GuardianLink.parent_person_id == person_id)
    for query in (own, child):
        found = await session.scalar(
            query.where(Reader.library_id == reader.library_id, Reader.id != reader.id).limit(1)
        )
        if found is not None:
            return True
    return False
