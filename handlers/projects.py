"""Reading projects for students, parents and curators (/projects).

A student sees the running projects open to them and the ones they are in, joins with a
button, with the code («/projects КОД») or with the poster's deep link («/start p_КОД»), and in
a project sees their progress («прочитано 1 из 2, заданий сдано 0 из 1»), marks a book read
(a returned copy of a project's book is marked by itself: db.project_progress.read_on_return),
answers a question and submits a work: a text, a photo, a document or a link. Each work goes to the
librarians of the student's school and to the curators of their class through the outbox, with
«✅ Принять» and «↩ Вернуть»; an accepted work may go into the e-library with a scope the
reviewer picks. A parent sees each child's projects and progress. The librarian's side (creating,
progress, finishing) is handlers/projects_desk.py, included here.

Button arguments are untrusted: each press re-checks the card is the presser's own (or their
child's, to look) and the reviewer may review that work (db.project_works.require_reviewer).
"""

from __future__ import annotations

import math
import re
from typing import Any

from db.access import AccessDenied, Card
from db.enums import AccessScope
from db.models import Library, Person, Project, ProjectTask, ProjectWork, Reader
from db.outbox import notify
from db.project_progress import mark_read, member_progress, progress, reads_of
from db.project_works import (
    curated_projects,
    latest_works,
    readers_people,
    require_reviewer,
    review,
    reviewers,
    submit_work,
    task_done,
)
from db.projects import (
    ACCEPTED,
    ANSWER,
    INVITE,
    LINK_PREFIX,
    RETURNED,
    RUNNING,
    SUBMITTED,
    books_of,
    by_code,
    is_member,
    join,
    may_join,
    open_to,
    projects_of_reader,
    tasks_of,
)
from db.stored_files import FILES, MAX_BYTES, store_file
from handlers import projects_desk
from handlers.context import Context
from handlers.projects_desk import leaders, short_name
from handlers.router import LIBRARIAN, PARENT, READER, Router
from messages import texts
from messages.i18n import say
from messages.notices import after_quiet_hours
from messages.quiet import quiet_until
from messages.types import MAX_BUTTONS, Button, Reply, in_rows
from nlu.morph import given_name

router = Router("projects")
router.include(projects_desk.router)

_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
MEGABYTE = 1024 * 1024
# Where an accepted work may go: the e-library's scopes, as the reviewer's buttons say them.
PUBLISH_SCOPES = (
    AccessScope.NETWORK,
    AccessScope.LIBRARY,
    AccessScope.PROJECT,
    AccessScope.PRIVATE,
)


@router.command("projects", "project", menus=(READER, PARENT, LIBRARIAN))
async def projects(ctx: Context) -> Reply | list[Reply]:
    """/projects — the librarian's projects; a student's, open to them; a parent's children's.
    «/projects КОД» joins with a code."""
    if ctx.text.strip():
        return await join_by_code(ctx, ctx.text)
    if ctx.actor.librarian_of or ctx.actor.admin_of:
        return await projects_desk.project_list(ctx)
    replies: list[Reply] = []
    for card in ctx.actor.cards:
        replies.append(await _open_to(ctx, card))
    if ctx.actor.children:
        replies.append(await _children(ctx))
    curated = await curated_projects(ctx.session, ctx.actor.person_id)
    if curated:
        buttons = [
            [ctx.button(f"📂 {p.title}", "projects.card", project=p.id)] for p in curated[:5]
        ]
        replies.append(Reply(texts.PROJECT_CURATED, buttons=buttons))
    return replies or Reply(texts.PROJECT_NOT_LINKED)


async def _open_to(ctx: Context, card: Card) -> Reply:
    found = await open_to(ctx.session, card)
    if not found:
        return Reply(texts.PROJECT_NONE_OPEN)
    lines = [texts.PROJECT_OPEN_HEADER]
    buttons: list[list[Button]] = []
    for project in found[:MAX_BUTTONS]:
        if await is_member(ctx.session, project.id, card.reader_id):
            lines.append(await _progress_line(ctx, project, card.reader_id))
            buttons.append(
                [
                    ctx.button(
                        f"📖 {project.title}",
                        "projects.view",
                        project=project.id,
                        reader=card.reader_id,
                    )
                ]
            )
        else:
            lines.append(say(texts.PROJECT_OPEN_LINE, title=project.title, ends=project.ends_on))
            buttons.append(
                [
                    ctx.button(
                        f"➕ {project.title}",
                        "projects.join",
                        project=project.id,
                        reader=card.reader_id,
                    )
                ]
            )
    return Reply("\n".join(lines), buttons=buttons[:5])


async def _children(ctx: Context) -> Reply:
    """A parent's view: each child's projects and progress."""
    lines: list[str] = []
    buttons: list[list[Button]] = []
    for child in ctx.actor.children:
        found = await projects_of_reader(ctx.session, child.reader_id)
        name = given_name(child.full_name)
        if not found:
            lines.append(say(texts.PROJECT_CHILD_NONE, name=name))
            continue
        lines.append(say(texts.PROJECT_CHILD_HEADER, name=name))
        for project in found:
            lines.append(await _progress_line(ctx, project, child.reader_id))
            if len(buttons) < 5:
                buttons.append(
                    [
                        ctx.button(
                            f"{name}: {project.title}",
                            "projects.view",
                            project=project.id,
                            reader=child.reader_id,
                        )
                    ]
                )
    return Reply("\n".join(lines), buttons=buttons)


# Joining -------------------------------------------------------------------------------------


async def join_by_link(ctx: Context, payload: str) -> Reply | list[Reply]:
    """A poster's deep link: «/start p_КОД»."""
    return await join_by_code(ctx, payload.removeprefix(LINK_PREFIX))


async def join_by_code(ctx: Context, code: str) -> Reply | list[Reply]:
    project = await by_code(ctx.session, code)
    if project is None or project.status != RUNNING:
        return Reply(say(texts.PROJECT_NO_CODE, code=code.strip()[:20]))
    for card in ctx.actor.cards:
        if await may_join(ctx.session, project, card):
            return await _joined(ctx, project, card, by_code=True)
    ctx.audit(
        "project.join",
        refused=True,
        library_id=project.library_id,
        object_type="project",
        object_id=project.id,
    )
    if not ctx.actor.cards:
        return Reply(texts.PROJECT_JOIN_NOT_LINKED)
    return Reply(say(texts.PROJECT_JOIN_NOT_FOR_YOU, title=project.title))


@router.action("projects.join")
async def join_pressed(ctx: Context) -> Reply | list[Reply]:
    project = await ctx.session.get(Project, int(ctx.args.get("project") or 0))
    card = ctx.actor.own_card(int(ctx.args.get("reader") or 0))
    if project is None or card is None:
        raise AccessDenied("project.join")
    if project.join_mode == INVITE:
        raise AccessDenied("project.join", project.library_id)
    return await _joined(ctx, project, card, by_code=False)


async def _joined(ctx: Context, project: Project, card: Card, *, by_code: bool) -> list[Reply]:
    new = await join(ctx.session, ctx.actor, project, card, ctx.now, by_code=by_code)
    text = texts.PROJECT_JOINED if new else texts.PROJECT_ALREADY_IN
    return [Reply(say(text, title=project.title)), await member_view(ctx, project, card.reader_id)]


# A member's view -------------------------------------------------------------------------------


@router.action("projects.view")
async def view_pressed(ctx: Context) -> Reply:
    project = await ctx.session.get(Project, int(ctx.args.get("project") or 0))
    reader_id = int(ctx.args.get("reader") or 0)
    if project is None or ctx.actor.card_in_scope(reader_id) is None:
        raise AccessDenied("project.view")
    return await member_view(ctx, project, reader_id)


async def member_view(ctx: Context, project: Project, reader_id: int) -> Reply:
    """The project as its member (or their parent) sees it: progress, the list, the tasks;
    for the member, buttons to mark a book read and to hand a task in."""
    if not await is_member(ctx.session, project.id, reader_id):
        raise AccessDenied("project.view", project.library_id)
    own = ctx.actor.own_card(reader_id) is not None and project.status == RUNNING
    shown = await member_progress(ctx.session, project, reader_id)
    assert shown is not None
    lines = [
        say(
            texts.PROJECT_VIEW,
            title=project.title,
            aim=project.description or "—",
            starts=project.starts_on,
            ends=project.ends_on,
            read=shown.read,
            books=shown.books,
            done=shown.done,
            tasks=shown.tasks,
        ),
    ]
    read = await reads_of(ctx.session, project.id, reader_id)
    buttons: list[Button] = []
    for n, record in enumerate(await books_of(ctx.session, project.id), start=1):
        mark = "✅" if record.id in read else "▫️"
        lines.append(f"{mark} {n}. «{record.title}»")
        if own and record.id not in read:
            buttons.append(
                ctx.button(
                    say(texts.BUTTON_PROJECT_READ, n=n),
                    "projects.read",
                    project=project.id,
                    record=record.id,
                    reader=reader_id,
                )
            )
    works = await latest_works(ctx.session, project.id, reader_id)
    tasks = await tasks_of(ctx.session, project.id)
    if tasks:
        lines.append(texts.PROJECT_TASKS_HEADER)
    for n, task in enumerate(tasks, start=1):
        work = works.get(task.id)
        state = work.status if work else "none"
        if task_done(task, work):
            state = ACCEPTED
        lines.append(
            say(
                texts.PROJECT_TASK_LINE,
                n=n,
                title=task.title,
                due=task.due_on,
                state=texts.PROJECT_WORK_STATE[state],
            )
        )
        if work is not None and work.status == RETURNED and work.comment:
            lines.append(say(texts.PROJECT_WORK_COMMENT, comment=work.comment))
        if own and not task_done(task, work) and (work is None or work.status == RETURNED):
            label = (
                texts.BUTTON_PROJECT_ANSWER if task.kind == ANSWER else texts.BUTTON_PROJECT_SUBMIT
            )
            buttons.append(
                ctx.button(say(label, n=n), "projects.submit", task=task.id, reader=reader_id)
            )
    if project.leaderboard and project.library_id is not None:
        top = leaders(await progress(ctx.session, project))[:3]
        if top:
            lines.append(texts.PROJECT_LEADERS)
            lines += [f"{n}. {short_name(m)} — {m.score}" for n, m in enumerate(top, 1)]
    return Reply("\n".join(lines), buttons=in_rows(buttons[:MAX_BUTTONS]))


async def _own_member(ctx: Context, project_id: int, reader_id: int, action: str) -> Project:
    """The project, if the presser's own card is a member of it and it runs."""
    project = await ctx.session.get(Project, project_id)
    if (
        project is None
        or ctx.actor.own_card(reader_id) is None
        or not await is_member(ctx.session, project.id, reader_id)
    ):
        raise AccessDenied(action)
    return project


@router.action("projects.read")
async def read_pressed(ctx: Context) -> list[Reply]:
    reader_id = int(ctx.args.get("reader") or 0)
    project = await _own_member(ctx, int(ctx.args.get("project") or 0), reader_id, "project.read")
    record = int(ctx.args.get("record") or 0)
    await mark_read(ctx.session, project.id, reader_id, record, ctx.now, "mark")
    return [Reply(texts.PROJECT_READ_MARKED), await member_view(ctx, project, reader_id)]


# Answers and works ---------------------------------------------------------------------------


@router.action("projects.submit")
async def submit_pressed(ctx: Context) -> Reply:
    task = await ctx.session.get(ProjectTask, int(ctx.args.get("task") or 0))
    reader_id = int(ctx.args.get("reader") or 0)
    if task is None:
        raise AccessDenied("project.submit")
    await _own_member(ctx, task.project_id, reader_id, "project.submit")
    await ctx.expect("projects.work", task=task.id, reader=reader_id)
    return Reply(
        say(texts.PROJECT_SEND_WORK[task.kind], title=task.title, max_mb=MAX_BYTES // MEGABYTE)
    )


@router.state("projects.work", files=True)
async def work_sent(ctx: Context) -> Reply:
    """An answer (a text), or a work: a text, a link, a photo or a document."""
    task = await ctx.session.get(ProjectTask, int(ctx.state_data.get("task") or 0))
    reader_id = int(ctx.state_data.get("reader") or 0)
    if task is None:
        raise AccessDenied("project.submit")
    project = await _own_member(ctx, task.project_id, reader_id, "project.submit")
    attachment = ctx.incoming.attachments[0] if ctx.incoming.attachments else None
    text = ctx.text.strip()
    if attachment is None and not text:
        return Reply(
            say(texts.PROJECT_SEND_WORK[task.kind], title=task.title, max_mb=MAX_BYTES // MEGABYTE)
        )
    file_id = None
    if attachment is not None:
        if task.kind == ANSWER:
            return Reply(texts.PROJECT_ANSWER_IS_TEXT)
        if len(attachment.data) > MAX_BYTES or not attachment.data:
            size = f"{math.ceil(len(attachment.data) * 10 / MEGABYTE) / 10:.1f}".replace(".", ",")
            return Reply(say(texts.PROJECT_FILE_TOO_BIG, size=size, max_mb=MAX_BYTES // MEGABYTE))
        name = attachment.name or (
            "photo.png" if attachment.data.startswith(b"\x89PNG") else "photo.jpg"
        )
        stored = await store_file(ctx.session, attachment.kind, name, attachment.data, ctx.now)
        file_id, kind = stored.id, attachment.kind
    elif _LINK.match(text) and task.kind != ANSWER:
        kind = "link"
    else:
        kind = "text"
    await ctx.forget_expectation()
    work = await submit_work(
        ctx.session,
        ctx.actor,
        task,
        reader_id,
        ctx.now,
        kind=kind,
        text=text or None if kind != "link" else None,
        file_id=file_id,
        link=text if kind == "link" else None,
    )
    await _tell_reviewers(ctx, project, work)
    return Reply(say(texts.PROJECT_WORK_SENT[task.kind], title=task.title))


async def _tell_reviewers(ctx: Context, project: Project, work: ProjectWork) -> None:
    """The school's librarians and the class's curators hear of the work, with its file and
    the buttons to accept or return it, after their quiet hours."""
    author = await ctx.session.get(Reader, work.reader_id)
    assert author is not None
    library = await ctx.session.get(Library, author.library_id)
    assert library is not None
    content = work.text or work.link or texts.PROJECT_WORK_FILE[work.kind]
    text = say(
        texts.PROJECT_WORK_NOTICE,
        title=project.title,
        task=work.title,
        name=author.full_name,
        class_name=author.class_name or "—",
        content=content,
    )
    payload: dict[str, Any] = {
        "buttons": [
            [
                {
                    "label": texts.BUTTON_PROJECT_ACCEPT,
                    "action": "projects.accept",
                    "args": {"work": work.id},
                },
                {
                    "label": texts.BUTTON_PROJECT_RETURN,
                    "action": "projects.return",
                    "args": {"work": work.id},
                },
            ]
        ],
    }
    if work.file_id is not None:
        payload[FILES] = [work.file_id]
    for person in await reviewers(ctx.session, project, author):
        await notify(
            ctx.session,
            person.id,
            "project.work",
            text,
            f"project.work:{work.id}:p{person.id}",
            not_before=_after_quiet(ctx, person, library),
            payload=payload,
        )


def _after_quiet(ctx: Context, person: Person, library: Library) -> Any:
    start, end = person.quiet_from_hour, person.quiet_to_hour
    if start is None or end is None:
        start, end = library.quiet_from_hour, library.quiet_to_hour
    return quiet_until(ctx.now, library.timezone, start, end)


# Reviewing -----------------------------------------------------------------------------------


@router.action("projects.accept")
async def accept_pressed(ctx: Context) -> Reply:
    """Accepted: the author hears of it; the reviewer may put it into the e-library."""
    work = await ctx.session.get(ProjectWork, int(ctx.args.get("work") or 0))
    if work is not None and work.status == ACCEPTED:
        await require_reviewer(ctx.session, ctx.actor, work, "project.accept")
        return Reply(texts.PROJECT_ALREADY_REVIEWED)
    work, project, author = await review(
        ctx.session, ctx.actor, int(ctx.args.get("work") or 0), True, ctx.now
    )
    await _tell_author(ctx, work, project, author, texts.PROJECT_ACCEPTED_NOTICE)
    buttons = [
        ctx.button(
            texts.PROJECT_SCOPE_BUTTONS[scope], "projects.publish", work=work.id, scope=scope.value
        )
        for scope in PUBLISH_SCOPES
    ]
    return Reply(
        say(texts.PROJECT_ACCEPTED, name=author.full_name, task=work.title),
        buttons=in_rows(buttons, per_row=2),
    )


@router.action("projects.publish")
async def publish_pressed(ctx: Context) -> Reply:
    """The accepted work into the e-library, seen as far as the scope chosen."""
    from db.elibrary import publish_work  # the e-library's own module

    work = await ctx.session.get(ProjectWork, int(ctx.args.get("work") or 0))
    work, _project, _author = await require_reviewer(
        ctx.session, ctx.actor, work, "project.publish"
    )
    scope = AccessScope(str(ctx.args.get("scope")))
    if work.status != ACCEPTED or scope not in PUBLISH_SCOPES:
        return Reply(texts.BUTTON_STALE)
    if work.record_id is not None:
        return Reply(texts.PROJECT_ALREADY_PUBLISHED)
    await publish_work(ctx.session, ctx.actor, work.id, scope, ctx.now)
    return Reply(say(texts.PROJECT_PUBLISHED, scope=texts.PROJECT_SCOPE_BUTTONS[scope]))


@router.action("projects.return")
async def return_pressed(ctx: Context) -> Reply:
    work = await ctx.session.get(ProjectWork, int(ctx.args.get("work") or 0))
    work, _project, _author = await require_reviewer(ctx.session, ctx.actor, work, "project.return")
    if work.status != SUBMITTED:
        return Reply(texts.PROJECT_ALREADY_REVIEWED)
    await ctx.expect("projects.comment", work=work.id)
    return Reply(texts.PROJECT_ASK_COMMENT)


@router.state("projects.comment")
async def comment_typed(ctx: Context) -> Reply:
    comment = ctx.text.strip()[:1000]
    if not comment:
        return Reply(texts.PROJECT_ASK_COMMENT)
    work, project, author = await review(
        ctx.session, ctx.actor, int(ctx.state_data.get("work") or 0), False, ctx.now, comment
    )
    await ctx.forget_expectation()
    await _tell_author(ctx, work, project, author, texts.PROJECT_RETURNED_NOTICE)
    return Reply(say(texts.PROJECT_RETURNED, name=author.full_name, task=work.title))


async def _tell_author(
    ctx: Context, work: ProjectWork, project: Project, author: Reader, template: str
) -> None:
    library = await ctx.session.get(Library, author.library_id)
    assert library is not None
    text = say(template, title=project.title, task=work.title, comment=work.comment or "")
    for person_id in await readers_people(ctx.session, author.id, parents=False):
        await notify(
            ctx.session,
            person_id,
            "project.review",
            text,
            f"project.review:{work.id}:{work.status}:p{person_id}",
            not_before=after_quiet_hours(ctx.now, library),
            payload={"reader_id": author.id},
        )


async def _progress_line(ctx: Context, project: Project, reader_id: int) -> str:
    """«Title»: read N of M, tasks done K of L — a member's line in a list of projects."""
    shown = await member_progress(ctx.session, project, reader_id)
    assert shown is not None
    return say(
        texts.PROJECT_MINE_LINE,
        title=project.title,
        read=shown.read,
        books=shown.books,
        done=shown.done,
        tasks=shown.tasks,
    )
