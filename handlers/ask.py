"""«Спросить библиотекаря»: a reader or a parent writes a question from the chat (/ask, or in
their own words); every librarian of their school gets it through the outbox with ✍️ to
answer; the answer goes back to the person through the outbox.

The answer is a notice to the person who asked, not to the one messenger account the question
came from (kept in `Question.account_id`): the outbox delivers a person's notices to each of
their accounts, or to the messenger they chose with /via (db/outbox.py), and has no way to
aim one notice at one account. So someone who asked from VK reads the answer in VK and in
their other messengers too — or only where /via told notices to go.

Nothing about other readers is visible: a reader or a parent only ever hears their own
answers; a librarian sees questions of their own library only, naming the asker as the desk
knows them (name, class, card; for a parent, their child at that school). Question texts
never reach the log (see messages/safe_log.py): they travel in the rows and notices only.
"""

from __future__ import annotations

from datetime import datetime

from db.access import AccessDenied
from db.conversation import get_state
from db.models import Library, Person, Question
from db.outbox import REPLY_TO, notify
from db.questions import (
    MAX_OPEN,
    Asker,
    QuestionView,
    answer_question,
    ask_librarian,
    asker_at,
    libraries_to_ask,
    open_questions_count,
    question_for_librarian,
    unanswered,
)
from handlers.context import Context
from handlers.router import LIBRARIAN, PARENT, READER, Router
from messages import texts
from messages.i18n import class_label, person, say
from messages.notices import after_quiet_hours
from messages.quiet import quiet_until
from messages.types import Button, Reply, in_rows
from nlu.morph import given_name
from nlu.normalize import ascii_int, normalize

router = Router("ask")
desk = Router("ask_desk", staff_only=True)  # the librarian's part: the list and the answers
router.include(desk)

QUESTIONS_SHOWN = 5  # one ✍️ each, and «Все вопросы» stays within the strictest keyboard
QUOTED = 80  # characters of the question quoted back above its answer


# The reader's or the parent's side ------------------------------------------------------------


@router.command("ask", menus=(READER, PARENT))
async def ask_command(ctx: Context) -> Reply:
    """/ask TEXT, or /ask and the question in the next message."""
    return await ask(ctx, ctx.text)


@router.intent("ask_librarian")
async def ask_asked(ctx: Context) -> Reply:
    """«спроси библиотекаря, есть ли …»: the question is the `question` slot, not the words
    that ask to pass it on."""
    return await ask(ctx, str(ctx.args.get("question", "")))


@router.state("ask.question")
async def question_typed(ctx: Context) -> Reply:
    library = ctx.state_data.get("library")
    await ctx.forget_expectation()  # asked for again below if the message held no question
    return await ask(ctx, ctx.text, int(library) if library else None)


async def ask(ctx: Context, question: str, library_id: int | None = None) -> Reply:
    """Take a question: ask for it if there is none yet, ask which school when the person has
    two, and refuse kindly past MAX_OPEN questions waiting for an answer."""
    libraries = libraries_to_ask(ctx.actor)
    if not libraries or ctx.actor.person_id is None:
        return Reply(texts.ASK_STAFF if ctx.actor.librarian_of else texts.ASK_NOT_LINKED)
    if library_id is not None and library_id not in libraries:
        raise AccessDenied("question.ask", library_id)
    waiting = await open_questions_count(ctx.session, ctx.actor.person_id)
    if waiting >= MAX_OPEN:
        return Reply(say(texts.ASK_TOO_MANY, n=waiting))
    if library_id is None and len(libraries) == 1:
        library_id = libraries[0]
    question = question.strip()
    if not question:
        await ctx.expect("ask.question", library=library_id)
        if library_id is None:
            return Reply(texts.ASK_WRITE_ANY)
        library = await ctx.session.get(Library, library_id)
        assert library is not None
        return Reply(say(texts.ASK_WRITE, library=library.short_name))
    if library_id is None:
        await ctx.expect("ask.which", question=question)
        return Reply(texts.ASK_WHICH, buttons=in_rows(_library_buttons(ctx, libraries), 1))
    return await _send(ctx, library_id, question)


def _library_buttons(ctx: Context, libraries: list[int]) -> list[Button]:
    """One button a school: «Гимназия №2 — Илья» (a parent sees whose school it is)."""
    buttons = []
    for library_id in libraries:
        cards = [c for c in ctx.actor.cards + ctx.actor.children if c.library_id == library_id]
        name = cards[0].library_name
        children = [given_name(c.full_name) for c in cards if c in ctx.actor.children]
        label = (
            say(texts.BUTTON_ASK_LIBRARY, library=name, children=", ".join(children))
            if children
            else name
        )
        buttons.append(ctx.button(label, "ask.to", library=library_id))
    return buttons


@router.action("ask.to")
async def library_chosen(ctx: Context) -> Reply:
    """A school chosen for the question waiting in the conversation (or, if it is gone, the
    question asked for again)."""
    state = await get_state(ctx.session, ctx.account.id)
    question = str(state.data.get("question", "")) if state and state.state == "ask.which" else ""
    if question:
        await ctx.forget_expectation()
    return await ask(ctx, question, int(ctx.args["library"]))


@router.state("ask.which")
async def library_typed(ctx: Context) -> Reply:
    """The school typed instead of pressed: «гимназия», «Илья», «2» — one that fits is taken;
    anything else gets the choice again."""
    libraries = libraries_to_ask(ctx.actor)
    if not libraries:  # unlinked meanwhile: said so, and nothing waits any more
        await ctx.forget_expectation()
        return await ask(ctx, "")
    typed = set(normalize(ctx.text).split())
    fitting = [
        library_id
        for library_id in libraries
        if typed & _names_of(ctx, library_id)  # a school's name or a child's there
    ]
    if len(fitting) != 1:
        return Reply(texts.ASK_WHICH, buttons=in_rows(_library_buttons(ctx, libraries), 1))
    await ctx.forget_expectation()
    return await ask(ctx, str(ctx.state_data.get("question", "")), fitting[0])


def _names_of(ctx: Context, library_id: int) -> set[str]:
    cards = [c for c in ctx.actor.cards + ctx.actor.children if c.library_id == library_id]
    words = set(normalize(cards[0].library_name).split()) if cards else set()
    return words | {normalize(given_name(c.full_name)) for c in cards}


async def _send(ctx: Context, library_id: int, text: str) -> Reply:
    """Store the question and tell every librarian of the school (a question is addressed to
    them: /notify's switch is about requests, and does not silence it), each after their own
    quiet hours."""
    asked = await ask_librarian(ctx.session, ctx.actor, library_id, text, ctx.now)
    if asked.question is None:
        return Reply(say(texts.ASK_TOO_MANY, n=asked.open))
    question, library = asked.question, asked.library
    asker = await asker_at(ctx.session, question.person_id, library.id)
    notice = say(texts.QUESTION_NOTICE, id=question.id, who=_who(asker), text=question.text)
    told = 0
    for librarian in asked.librarians:
        if librarian.id == ctx.actor.person_id:
            continue  # a teacher who is also the librarian asked themselves
        told += await notify(
            ctx.session,
            librarian.id,
            "question.new",
            notice,
            f"question:{question.id}:p{librarian.id}",
            not_before=_librarians_morning(ctx, librarian, library),
            payload=_payload(question),
        )
    template = texts.ASK_SENT if told else texts.ASK_SAVED
    return Reply(say(template, library=library.short_name))


def _payload(question: Question) -> dict[str, object]:
    """The question the notice is about (erasure finds it by this), and its buttons as
    actions (made into tokens per account on delivery, authorised again when pressed)."""
    answer = {
        "label": texts.BUTTON_ANSWER,
        "action": "ask.answer",
        "args": {"question": question.id},
    }
    every = {"label": texts.BUTTON_QUESTIONS, "action": "ask.list", "args": {}}
    return {"question_id": question.id, "buttons": [[answer, every]]}


def _librarians_morning(ctx: Context, librarian: Person, library: Library) -> datetime:
    """Now, or the end of the librarian's own quiet hours (the library's if they set none)."""
    start, end = librarian.quiet_from_hour, librarian.quiet_to_hour
    if start is None or end is None:
        start, end = library.quiet_from_hour, library.quiet_to_hour
    return quiet_until(ctx.now, library.timezone, start, end)


def _who(asker: Asker) -> str:
    """The asker as the desk knows them: «Смирнова Мария, 7Б (формуляр № 1001)», or «родителя:
    …» with their child at that school."""
    if not asker.readers:
        return texts.QUESTION_FROM_UNKNOWN
    readers = ", ".join(
        say(
            texts.QUESTION_FROM_READER,
            reader=person(reader),
            class_name=class_label(reader),
            card=reader.card_number,
        )
        for reader in asker.readers
    )
    return say(texts.QUESTION_FROM_PARENT, readers=readers) if asker.as_parent else readers


# The librarian's side -----------------------------------------------------------------------


@desk.command("questions", menus=(LIBRARIAN,), audited_as="question.list")
async def questions_command(ctx: Context) -> Reply:
    return await questions_page(ctx)


@desk.action("ask.list", audited_as="question.list")
async def questions_pressed(ctx: Context) -> Reply:
    return await questions_page(ctx)


async def questions_page(ctx: Context, prefix: str = "") -> Reply:
    """The desk's questions without an answer, oldest first, each with ✍️."""
    views, total = await unanswered(ctx.session, ctx.actor, ctx.desk, QUESTIONS_SHOWN)
    library = await ctx.session.get(Library, ctx.desk)
    assert library is not None
    blocks = [prefix] if prefix else []
    if not views:
        blocks.append(say(texts.QUESTIONS_NONE, library=library.short_name))
        return Reply("\n\n".join(blocks))
    blocks.append(say(texts.QUESTIONS_HEADER, library=library.short_name, n=total))
    blocks += [
        say(
            texts.QUESTIONS_LINE,
            id=view.question.id,
            when=ctx.local(view.question.asked_at),
            who=_who(view.asker),
            text=view.question.text,
        )
        for view in views
    ]
    if total > len(views):
        blocks.append(say(texts.QUESTIONS_MORE, n=total - len(views)))
    blocks.append(texts.QUESTIONS_HOW)
    buttons = [
        ctx.button(
            say(texts.BUTTON_ANSWER_N, id=view.question.id), "ask.answer", question=view.question.id
        )
        for view in views
    ]
    return Reply("\n\n".join(blocks), buttons=in_rows(buttons))


@desk.action("ask.answer", audited_as="question.answer")
async def answer_pressed(ctx: Context) -> Reply:
    """✍️: the question again, and the next message is the answer."""
    return await _ask_for_answer(ctx, int(ctx.args["question"]))


@desk.command("answer", audited_as="question.answer")
async def answer_command(ctx: Context) -> Reply:
    """/answer 12 TEXT answers at once; /answer 12 asks for the text."""
    number, _, text = ctx.text.partition(" ")
    question_id = ascii_int(number.lstrip("№#"))
    if question_id is None:
        return Reply(texts.ANSWER_USAGE)
    if not text.strip():
        return await _ask_for_answer(ctx, question_id)
    return await _answer(ctx, question_id, text)


@desk.state("ask.answer", audited_as="question.answer")
async def answer_typed(ctx: Context) -> Reply:
    question_id = int(ctx.state_data["question"])
    if not ctx.text.strip():
        return await _ask_for_answer(ctx, question_id)
    await ctx.forget_expectation()
    return await _answer(ctx, question_id, ctx.text)


async def _ask_for_answer(ctx: Context, question_id: int) -> Reply:
    view = await question_for_librarian(ctx.session, ctx.actor, question_id, "question.answer")
    if view is None:
        return Reply(say(texts.ANSWER_NO_QUESTION, id=question_id))
    if view.question.answer is not None:
        return _already(ctx, view)
    await ctx.expect("ask.answer", question=question_id)
    return Reply(
        say(texts.ANSWER_WRITE, id=question_id, who=_who(view.asker), text=view.question.text)
    )


async def _answer(ctx: Context, question_id: int, text: str) -> Reply:
    answered = await answer_question(ctx.session, ctx.actor, question_id, text, ctx.now)
    if answered is None:
        return Reply(say(texts.ANSWER_NO_QUESTION, id=question_id))
    if not answered.done:
        return _already(ctx, answered.view)
    question, library = answered.view.question, answered.view.library
    await notify(
        ctx.session,
        question.person_id,
        "question.answer",
        say(
            texts.ANSWER_NOTICE,
            library=library.short_name,
            question=_quoted(question.text),
            answer=question.answer,
        ),
        f"answer:{question.id}",
        not_before=after_quiet_hours(ctx.now, library),
        payload={"question_id": question.id, REPLY_TO: question.account_id},
    )
    return await questions_page(ctx, prefix=say(texts.ANSWER_SENT, id=question.id))


def _already(ctx: Context, view: QuestionView) -> Reply:
    question = view.question
    when = ctx.local(question.answered_at) if question.answered_at else ctx.local_now
    return Reply(say(texts.ANSWER_ALREADY, id=question.id, when=when, answer=question.answer))


def _quoted(text: str) -> str:
    """The question as it is quoted above its answer: its first QUOTED characters."""
    text = " ".join(text.split())
    return text if len(text) <= QUOTED else text[: QUOTED - 1].rstrip() + "…"
