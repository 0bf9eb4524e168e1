"""Running reading projects from chat: the librarian's (or, for the network, the admin's) side.

Creating is a short conversation over a draft project row, each step re-checking who acts:
title → aim → dates («1.12–25.12») → audience (buttons for the school or the network, or
classes «7Б, 7А» and grades «7» typed) → open or by invitation → the reading list, searched in
the catalog as a reader searches it («➕ 2» puts the second hit on the list; «готово») → tasks
(a question to answer or a work to submit, each «… до 20.12») → «🚀 Запустить»: the project gets
its code, its deep links and a QR for the poster. A finished project is copied with
«📋 Скопировать»: the same list and tasks, new dates (the deadlines move with them).

A project's card shows its progress by class (a curator's: their class only), switches the
leaderboard, adds curators (a librarian of the same school or a teacher with a card there, who
are in the bot already), writes to its members (the broadcast machinery, audience «project»),
and finishes it: certificates to everyone who completed it, a summary for the school's report.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from db.access import AccessDenied
from db.broadcasts import classes_of
from db.catalog import records_by_id
from db.elibrary import visible_scopes
from db.models import Library, Network, Project
from db.outbox import notify
from db.project_progress import Progress, accepted_works, by_class, finish, progress
from db.project_works import add_curator, curated_classes, curator_candidates, readers_people
from db.projects import (
    ANSWER,
    CLASSES,
    DRAFT,
    FINISHED,
    GRADES,
    INVITE,
    LINK_PREFIX,
    NETWORK,
    OPEN,
    RUNNING,
    SCHOOL,
    SUBMIT,
    Audience,
    add_book,
    add_task,
    book_ids,
    books_of,
    copy_project,
    launch,
    library_projects,
    normal_class,
    require_manager,
    set_audience,
    set_dates,
    start_project,
    tasks_of,
)
from db.stored_files import FILES, store_file
from handlers.catalog import record_line
from handlers.context import Context, desk_of
from handlers.qr import qr_png
from handlers.router import Router
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.types import MAX_BUTTONS, Button, OutFile, Reply, in_rows

router = Router("projects.desk")

HITS = 5  # search hits offered for the reading list at a time
_DATE = r"(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?"
_DATES = re.compile(rf"^\s*(?:с\s*)?{_DATE}\s*(?:[-–—]|по|до)\s*{_DATE}\s*$", re.IGNORECASE)
_DUE = re.compile(rf"^(.*?)[\s,]*до\s+{_DATE}\s*$", re.IGNORECASE | re.DOTALL)
_GRADE_TYPED = re.compile(r"^\d{1,2}$")
_CLASS_TYPED = re.compile(r"^\d{1,2}[А-Я]$")
DONE_WORDS = frozenset({"готово", "всё", "все", "хватит", "дальше"})


# Dates -----------------------------------------------------------------------------------------


def typed_date(day: str, month: str, year: str | None, today: date) -> date | None:
    """«1.12» (this school year: a date long past is next year's), «1.12.2026», «1.12.26»."""
    try:
        if year:
            full = int(year) + (2000 if len(year) == 2 else 0)
            return date(full, int(month), int(day))
        found = date(today.year, int(month), int(day))
    except ValueError:
        return None
    if (today - found).days > 180:
        found = found.replace(year=today.year + 1)
    return found


def typed_dates(text: str, today: date) -> tuple[date, date] | str:
    """The project's start and end, or the key of what is wrong with them."""
    found = _DATES.match(text)
    if found is None:
        return "format"
    starts = typed_date(*found.group(1, 2, 3), today)
    ends = typed_date(*found.group(4, 5, 6), today)
    if starts is None or ends is None:
        return "no_such_date"
    if ends < starts and not found.group(6):
        ends = ends.replace(year=ends.year + 1)
    if ends < starts:
        return "end_before_start"
    if ends < today:
        return "past"
    return starts, ends


# Who acts ------------------------------------------------------------------------------------


def _creator(ctx: Context, action: str = "project.create") -> None:
    if not (ctx.actor.librarian_of or ctx.actor.admin_of):
        raise AccessDenied(action)


async def managed(ctx: Context, project_id: Any, action: str) -> Project:
    """The project a button or an awaited input names, if the actor runs it."""
    project = await ctx.session.get(Project, int(project_id or 0))
    return require_manager(ctx.actor, project, action)


# Creating --------------------------------------------------------------------------------------


@router.command("project_new")
async def project_new(ctx: Context) -> Reply:
    """/project_new — a new project, step by step."""
    _creator(ctx)
    await ctx.expect("projects.title")
    return Reply(texts.PROJECT_ASK_TITLE)


@router.action("projects.new")
async def new_pressed(ctx: Context) -> Reply:
    return await project_new(ctx)


@router.state("projects.title")
async def title_typed(ctx: Context) -> Reply:
    _creator(ctx)
    title = ctx.text.strip()
    if not title or len(title) > 200:
        return Reply(texts.PROJECT_ASK_TITLE)
    desk = desk_of(ctx.actor)
    if desk is not None:
        project = await start_project(ctx.session, ctx.actor, title, ctx.now, library_id=desk)
    else:
        project = await start_project(
            ctx.session,
            ctx.actor,
            title,
            ctx.now,
            library_id=None,
            network_id=min(ctx.actor.admin_of),
        )
    await ctx.expect("projects.aim", project=project.id)
    return Reply(say(texts.PROJECT_ASK_AIM, title=project.title))


@router.state("projects.aim")
async def aim_typed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.state_data.get("project"), "project.create")
    project.description = ctx.text.strip()[:1000]
    await ctx.expect("projects.dates", project=project.id)
    return Reply(texts.PROJECT_ASK_DATES)


@router.state("projects.dates")
async def dates_typed(ctx: Context) -> Reply | list[Reply]:
    project = await managed(ctx, ctx.state_data.get("project"), "project.create")
    dates = typed_dates(ctx.text, ctx.today)
    if isinstance(dates, str):
        return Reply(texts.PROJECT_BAD_DATES[dates])
    await set_dates(ctx.session, project, *dates)
    if ctx.state_data.get("copy"):  # a copy has its audience, list and tasks: it starts now
        await ctx.forget_expectation()
        return await _launched(ctx, project)
    await ctx.expect("projects.audience", project=project.id)
    return _ask_audience(ctx, project)


def _ask_audience(ctx: Context, project: Project) -> Reply:
    if project.library_id is None:
        everyone = ctx.button(
            texts.BUTTON_PROJECT_NETWORK, "projects.audience", project=project.id, kind=NETWORK
        )
    else:
        everyone = ctx.button(
            texts.BUTTON_PROJECT_SCHOOL, "projects.audience", project=project.id, kind=SCHOOL
        )
    return Reply(texts.PROJECT_ASK_AUDIENCE, buttons=[[everyone]])


@router.action("projects.audience")
async def audience_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.create")
    kind = str(ctx.args.get("kind"))
    if kind not in (SCHOOL, NETWORK):
        return Reply(texts.BUTTON_STALE)
    set_audience(project, Audience(kind))
    await ctx.forget_expectation()
    return _ask_mode(ctx, project)


@router.state("projects.audience")
async def audience_typed(ctx: Context) -> Reply:
    """«7Б», «7Б, 7А» — classes; «7», «7, 8» — grades (of the project's school)."""
    project = await managed(ctx, ctx.state_data.get("project"), "project.create")
    words = [normal_class(w) for w in re.split(r"[,;\s]+", ctx.text) if w.strip()]
    if project.library_id is None or not words:
        return _ask_audience(ctx, project)
    known = await classes_of(ctx.session, project.library_id)
    if all(_CLASS_TYPED.match(w) for w in words):
        unknown = [w for w in words if w not in known]
        if unknown:
            return Reply(say(texts.PROJECT_NO_CLASS, classes=", ".join(unknown)))
        audience = Audience(CLASSES, classes=tuple(dict.fromkeys(words)))
    elif all(_GRADE_TYPED.match(w) for w in words):
        audience = Audience(GRADES, grades=tuple(sorted({int(w) for w in words})))
    else:
        return Reply(say(texts.PROJECT_BAD_AUDIENCE, typed=ctx.text.strip()))
    set_audience(project, audience)
    await ctx.forget_expectation()
    return _ask_mode(ctx, project)


def _ask_mode(ctx: Context, project: Project) -> Reply:
    buttons = [
        [ctx.button(texts.BUTTON_PROJECT_OPEN, "projects.mode", project=project.id, mode=OPEN)],
        [ctx.button(texts.BUTTON_PROJECT_INVITE, "projects.mode", project=project.id, mode=INVITE)],
    ]
    return Reply(say(texts.PROJECT_ASK_MODE, audience=audience_shown(project)), buttons=buttons)


@router.action("projects.mode")
async def mode_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.create")
    project.join_mode = INVITE if ctx.args.get("mode") == INVITE else OPEN
    await ctx.expect("projects.book", project=project.id)
    return Reply(texts.PROJECT_ASK_BOOKS, buttons=[[_books_done(ctx, project)]])


def _books_done(ctx: Context, project: Project) -> Button:
    return ctx.button(texts.BUTTON_PROJECT_BOOKS_DONE, "projects.books_done", project=project.id)


@router.state("projects.book")
async def book_typed(ctx: Context) -> Reply:
    """A title or an author: the best hits with «➕ n»; «готово» goes on to the tasks."""
    project = await managed(ctx, ctx.state_data.get("project"), "project.create")
    query = ctx.text.strip()
    if query.lower() in DONE_WORDS:
        await ctx.forget_expectation()
        return _ask_task(ctx, project)
    visible = await visible_scopes(ctx.session, ctx.actor)
    found = await ctx.services.search.search(ctx.session, query[:200], limit=HITS, visible=visible)
    ids = [hit.record_id for hit in found][:HITS]
    records = await records_by_id(ctx.session, ids)
    if not records:
        return Reply(
            say(texts.PROJECT_BOOK_NOTHING, query=query), buttons=[[_books_done(ctx, project)]]
        )
    lines = [say(texts.PROJECT_BOOK_FOUND, query=query)]
    adds = []
    for n, record_id in enumerate((i for i in ids if i in records), start=1):
        lines.append(record_line(n, records[record_id]))
        adds.append(
            ctx.button(
                say(texts.BUTTON_PROJECT_ADD_BOOK, n=n),
                "projects.add_book",
                project=project.id,
                record=record_id,
            )
        )
    return Reply("\n".join(lines), buttons=[adds, [_books_done(ctx, project)]])


@router.action("projects.add_book")
async def add_book_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.create")
    record_id = int(ctx.args.get("record") or 0)
    added = await add_book(ctx.session, project, record_id)
    books = await books_of(ctx.session, project.id)
    titles = "\n".join(f"{n}. «{r.title}»" for n, r in enumerate(books, start=1))
    template = texts.PROJECT_BOOK_ADDED if added else texts.PROJECT_BOOK_NOT_ADDED
    return Reply(say(template, n=len(books), titles=titles), buttons=[[_books_done(ctx, project)]])


@router.action("projects.books_done")
async def books_done_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.create")
    await ctx.forget_expectation()
    return _ask_task(ctx, project)


def _ask_task(ctx: Context, project: Project) -> Reply:
    buttons = [
        [
            ctx.button(
                texts.BUTTON_PROJECT_TASK_ANSWER,
                "projects.task_kind",
                project=project.id,
                kind=ANSWER,
            ),
            ctx.button(
                texts.BUTTON_PROJECT_TASK_SUBMIT,
                "projects.task_kind",
                project=project.id,
                kind=SUBMIT,
            ),
        ],
        [ctx.button(texts.BUTTON_PROJECT_LAUNCH, "projects.launch", project=project.id)],
    ]
    return Reply(texts.PROJECT_ASK_TASKS, buttons=buttons)


@router.action("projects.task_kind")
async def task_kind_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.create")
    kind = ANSWER if ctx.args.get("kind") == ANSWER else SUBMIT
    await ctx.expect("projects.task", project=project.id, kind=kind)
    return Reply(texts.PROJECT_ASK_TASK[kind])


@router.state("projects.task")
async def task_typed(ctx: Context) -> Reply:
    """«Отзыв о любимой книге до 20.12»: the task and its deadline (within the project)."""
    project = await managed(ctx, ctx.state_data.get("project"), "project.create")
    found = _DUE.match(ctx.text.strip())
    due = typed_date(*found.group(2, 3, 4), ctx.today) if found else None
    title = found.group(1).strip() if found else ""
    if due is None or not title:
        return Reply(texts.PROJECT_BAD_TASK)
    if project.ends_on and due > project.ends_on:
        return Reply(say(texts.PROJECT_TASK_AFTER_END, ends=project.ends_on))
    kind = ANSWER if ctx.state_data.get("kind") == ANSWER else SUBMIT
    task = await add_task(ctx.session, project, title, kind, due)
    await ctx.forget_expectation()
    if task is None:
        return Reply(texts.PROJECT_TOO_MANY_TASKS, buttons=_ask_task(ctx, project).buttons)
    reply = _ask_task(ctx, project)
    reply.text = say(texts.PROJECT_TASK_ADDED, title=task.title, due=due) + "\n\n" + reply.text
    return reply


@router.action("projects.launch")
async def launch_pressed(ctx: Context) -> Reply | list[Reply]:
    project = await managed(ctx, ctx.args.get("project"), "project.launch")
    await ctx.forget_expectation()
    if project.status != DRAFT:
        return Reply(texts.BUTTON_STALE)
    if not await book_ids(ctx.session, project.id) and not await tasks_of(ctx.session, project.id):
        return Reply(texts.PROJECT_EMPTY, buttons=_ask_task(ctx, project).buttons)
    return await _launched(ctx, project)


async def _launched(ctx: Context, project: Project) -> list[Reply]:
    await launch(ctx.session, ctx.actor, project)
    card = await desk_card(ctx, project)
    return [Reply(say(texts.PROJECT_LAUNCHED, title=project.title)), card, join_links(ctx, project)]


def join_links(ctx: Context, project: Project) -> Reply:
    """The project's code, its deep links and a QR of the first of them for the poster."""
    code = project.join_code or ""
    text = say(texts.PROJECT_CODE, code=code)
    links = ctx.services.deep_links(f"{LINK_PREFIX}{code}", first=ctx.incoming.messenger)
    if not links:
        return Reply(text)
    text += "".join(
        say(texts.PROJECT_CODE_LINK, messenger=texts.MESSENGER_NAMES[m], link=url)
        for m, url in links
    )
    qr = OutFile("photo", f"project-{code}.png", qr_png(links[0][1]), caption=texts.DESK_CODE_QR)
    return Reply(text, files=[qr])


# The list and a project's card -----------------------------------------------------------------


async def project_list(ctx: Context) -> Reply:
    """The projects the librarian (or admin) runs, with «➕ Новый проект»."""
    found = await library_projects(ctx.session, ctx.actor)
    lines = [texts.PROJECT_LIST_HEADER if found else texts.PROJECT_LIST_NONE]
    buttons = []
    for project in found:
        lines.append(
            say(
                texts.PROJECT_LIST_LINE,
                title=project.title,
                status=texts.PROJECT_STATUS[project.status],
            )
        )
        if project.status != DRAFT and len(buttons) < MAX_BUTTONS - 1:
            buttons.append(ctx.button(f"📂 {project.title}", "projects.card", project=project.id))
    rows = [[b] for b in buttons[:5]]
    rows.append([ctx.button(texts.BUTTON_PROJECT_NEW, "projects.new")])
    return Reply("\n".join(lines), buttons=rows)


@router.action("projects.card")
async def card_pressed(ctx: Context) -> Reply:
    project = await ctx.session.get(Project, int(ctx.args.get("project") or 0))
    if project is None:
        return Reply(texts.BUTTON_STALE)
    return await desk_card(ctx, project)


async def desk_card(ctx: Context, project: Project) -> Reply:
    """A project as its librarian sees it (a curator: their classes only; an admin: numbers,
    never a child's name)."""
    classes = await curated_classes(ctx.session, ctx.actor, project)
    manager = classes is None and (
        project.library_id in ctx.actor.librarian_of or project.network_id in ctx.actor.admin_of
    )
    if classes is not None and not classes:
        raise AccessDenied("project.progress", project.library_id)
    members = await progress(ctx.session, project, classes)
    accepted = await accepted_works(ctx.session, project.id)
    lines = [
        say(
            texts.PROJECT_CARD,
            title=project.title,
            aim=project.description or "—",
            starts=project.starts_on,
            ends=project.ends_on,
            audience=audience_shown(project),
            mode=project.join_mode,
            status=texts.PROJECT_STATUS[project.status],
            code=project.join_code or "—",
            books=len(await book_ids(ctx.session, project.id)),
            tasks=len(await tasks_of(ctx.session, project.id)),
        ),
    ]
    rows = by_class(members, accepted)
    lines.append(texts.PROJECT_BY_CLASS if rows else texts.PROJECT_NO_MEMBERS)
    for row in rows:
        lines.append(
            say(
                texts.PROJECT_CLASS_LINE,
                class_name=row.class_name,
                members=row.members,
                completed=row.completed,
                read=row.books_read,
                accepted=row.works_accepted,
            )
        )
    sees_names = project.library_id is not None and (
        project.library_id in ctx.actor.librarian_of or classes is not None
    )
    if sees_names and classes is not None:  # a curator: their class, by name
        lines += [_member_line(m) for m in members]
    if project.leaderboard and sees_names and members:
        lines.append(texts.PROJECT_LEADERS)
        lines += [f"{n}. {short_name(m)} — {m.score}" for n, m in enumerate(leaders(members), 1)]
    buttons: list[list[Button]] = []
    if manager:
        buttons = _desk_buttons(ctx, project)
    return Reply("\n".join(lines), buttons=buttons)


def _member_line(member: Progress) -> str:
    return say(
        texts.PROJECT_MEMBER_LINE,
        name=member.full_name,
        read=member.read,
        books=member.books,
        done=member.done,
        tasks=member.tasks,
    )


def _desk_buttons(ctx: Context, project: Project) -> list[list[Button]]:
    p = project.id
    if project.status == FINISHED:
        return [[ctx.button(texts.BUTTON_PROJECT_COPY, "projects.copy", project=p)]]
    board = texts.BUTTON_PROJECT_BOARD_OFF if project.leaderboard else texts.BUTTON_PROJECT_BOARD_ON
    rows = [
        [
            ctx.button(
                texts.BUTTON_PROJECT_REMIND,
                "broadcast.write",
                scope="project",
                project=p,
                whom="readers",
                class_name=None,
                grade=None,
            ),
            ctx.button(
                texts.BUTTON_PROJECT_REMIND_BEHIND,
                "broadcast.write",
                scope="behind",
                project=p,
                whom="both",
                class_name=None,
                grade=None,
            ),
        ],
        [ctx.button(board, "projects.leaderboard", project=p)],
        [
            ctx.button(texts.BUTTON_PROJECT_CODE, "projects.code", project=p),
            ctx.button(texts.BUTTON_PROJECT_FINISH, "projects.finish", project=p),
        ],
    ]
    if project.library_id is not None:
        rows.append([ctx.button(texts.BUTTON_PROJECT_CURATOR, "projects.curators", project=p)])
    if project.library_id is None:  # the network's librarians write to their own members
        rows[0] = rows[0][1:]
    return rows


def leaders(members: list[Progress], top: int = 5) -> list[Progress]:
    return sorted((m for m in members if m.score), key=lambda m: (-m.score, m.full_name))[:top]


def short_name(member: Progress) -> str:
    """«Мария С., 7Б»: the first name, the surname's initial, the class — never more."""
    words = member.full_name.split()
    name = f"{words[1]} {words[0][:1]}." if len(words) > 1 else member.full_name
    return f"{name}, {member.class_name}" if member.class_name else name


def audience_shown(project: Project) -> str:
    audience = Audience.from_stored(project.audience)
    if audience.kind == CLASSES:
        return ", ".join(audience.classes)
    if audience.kind == GRADES:
        return say(texts.PROJECT_AUDIENCE_GRADES, grades=", ".join(map(str, audience.grades)))
    return texts.PROJECT_AUDIENCE[audience.kind]


@router.action("projects.code")
async def code_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.progress")
    return join_links(ctx, project)


@router.action("projects.leaderboard")
async def leaderboard_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.leaderboard")
    project.leaderboard = not project.leaderboard
    ctx.audit(
        "project.leaderboard",
        library_id=project.library_id,
        object_type="project",
        object_id=project.id,
        on=project.leaderboard,
    )
    return await desk_card(ctx, project)


# Curators --------------------------------------------------------------------------------------


@router.action("projects.curators")
async def curators_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.curator")
    people = (await curator_candidates(ctx.session, ctx.actor, project))[:MAX_BUTTONS]
    if not people:
        return Reply(texts.PROJECT_NO_CURATORS)
    buttons = [
        ctx.button(c.name, "projects.curator_pick", project=project.id, person=c.person_id)
        for c in people
    ]
    return Reply(texts.PROJECT_PICK_CURATOR, buttons=in_rows(buttons, per_row=2))


@router.action("projects.curator_pick")
async def curator_picked(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.curator")
    audience = Audience.from_stored(project.audience)
    classes = list(audience.classes) or await classes_of(ctx.session, project.library_id or 0)
    person = int(ctx.args.get("person") or 0)
    buttons = [
        ctx.button(
            texts.BUTTON_PROJECT_WHOLE,
            "projects.curator_add",
            project=project.id,
            person=person,
            class_name=None,
        )
    ]
    buttons += [
        ctx.button(c, "projects.curator_add", project=project.id, person=person, class_name=c)
        for c in classes[: MAX_BUTTONS - 1]
    ]
    return Reply(texts.PROJECT_PICK_CURATOR_CLASS, buttons=in_rows(buttons))


@router.action("projects.curator_add")
async def curator_added(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.curator")
    class_name = ctx.args.get("class_name")
    person = int(ctx.args.get("person") or 0)
    await add_curator(
        ctx.session, ctx.actor, project, person, str(class_name) if class_name else None
    )
    shown = class_name or texts.PROJECT_WHOLE
    return Reply(say(texts.PROJECT_CURATOR_ADDED, title=project.title, scope=shown))


# Finishing and copying -------------------------------------------------------------------------


@router.action("projects.finish")
async def finish_pressed(ctx: Context) -> Reply:
    """The end: certificates (a PDF each) to those who completed it, a summary here."""
    from messages.certificates import certificate_pdf  # the certificates' own module

    project = await managed(ctx, ctx.args.get("project"), "project.finish")
    if project.status != RUNNING:
        return Reply(texts.BUTTON_STALE)
    summary = await finish(ctx.session, ctx.actor, project, ctx.now)
    for member, library_id in summary.certificates:
        library = await ctx.session.get(Library, library_id)
        assert library is not None
        pdf = certificate_pdf(nominative(member.full_name), project.title, library.name, ctx.today)
        stored = await store_file(ctx.session, "document", "certificate.pdf", pdf, ctx.now)
        text = say(texts.PROJECT_CERTIFICATE_NOTICE, title=project.title)
        for person_id in await readers_people(ctx.session, member.reader_id, parents=True):
            await notify(
                ctx.session,
                person_id,
                "project.certificate",
                text,
                f"project.certificate:{project.id}:{member.reader_id}:p{person_id}",
                not_before=after_quiet_hours(ctx.now, library),
                payload={FILES: [stored.id]},
            )
    where = await _owner_name(ctx, project)
    return Reply(
        say(
            texts.PROJECT_SUMMARY,
            title=project.title,
            school=where,
            members=summary.members,
            completed=summary.completed,
            read=summary.books_read,
            accepted=summary.works_accepted,
            starts=project.starts_on,
            ends=project.ends_on,
        ),
        buttons=[[ctx.button(texts.BUTTON_PROJECT_COPY, "projects.copy", project=project.id)]],
    )


def nominative(full_name: str) -> str:
    """«Смирнова Мария» → «Мария Смирнова», as a certificate names a child."""
    words = full_name.split()
    return f"{words[1]} {words[0]}" if len(words) > 1 else full_name


async def _owner_name(ctx: Context, project: Project) -> str:
    if project.library_id is not None:
        library = await ctx.session.get(Library, project.library_id)
        return library.short_name if library else ""
    network = await ctx.session.get(Network, project.network_id)
    return network.name if network else ""


@router.action("projects.copy")
async def copy_pressed(ctx: Context) -> Reply:
    project = await managed(ctx, ctx.args.get("project"), "project.copy")
    copy = await copy_project(ctx.session, ctx.actor, project, ctx.now)
    await ctx.expect("projects.dates", project=copy.id, copy=True)
    return Reply(say(texts.PROJECT_COPY_DATES, title=copy.title))
