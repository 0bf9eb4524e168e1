"""The console: a first-class third messenger for demos, tests and everyday development.

Each line typed (or read from a script on stdin) is one message. Buttons of the last reply are
numbered; typing that number — or the label in square brackets, «[Одобрить]» — presses it.
«/as NAME» switches to another persona (each persona is its own console account); lines
starting with «#» are comments in scripts; «/quit» (or «/exit») ends the chat, typed or in a
script.

`ConsolePort` is the console's outgoing port: the outbox delivers notices to console accounts
through it, printed as notices (and, for the persona at the keyboard, with buttons to press).
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from db.enums import Messenger, Priority
from messages import texts
from messages.i18n import say
from messages.port import Address, Menu
from messages.types import Button, Incoming, RecipientUnreachable, Reply

QUIT = ("/quit", "/exit", "выход")  # end the chat, typed or in a script
PRESS_BY_LABEL = re.compile(r"^\[(.+)\]$")
SWITCH_PERSONA = re.compile(r"^/as\s+(\S+)$")

Handle = Callable[[Incoming], Awaitable[list[Reply]]]
# New notices since the last call: (persona or "", text). The outbox is sent by jobs; the
# console shows what would be sent, so a demo shows the whole story.
Notices = Callable[[], Awaitable[list[tuple[str, str]]]]


@dataclass(slots=True)
class ConsoleChat:
    """Turns console lines into events and replies into text; keeps the last buttons."""

    handle: Handle
    persona: str
    out: TextIO = field(default_factory=lambda: sys.stdout)
    files_dir: Path = Path("data/console-files")
    buttons: list[Button] = field(default_factory=list)
    notices: Notices | None = None

    async def send_line(self, line: str) -> None:
        line = line.strip()
        if not line or line.startswith("#"):
            return
        switch = SWITCH_PERSONA.match(line)
        if switch:
            self.persona = switch.group(1)
            self.buttons = []
            self._print(f"— теперь вы: {self.persona}")
            return
        button = self._pressed(line)
        if button is not None and button.url is not None:
            self._print(f"(ссылка: {button.url})")
            return
        incoming = Incoming(
            messenger=Messenger.CONSOLE,
            user_id=self.persona,
            chat_id=self.persona,
            text=None if button else line,
            button=button.token if button else None,
        )
        for reply in await self.handle(incoming):
            self.show(reply)
        if self.notices is not None:
            for persona, text in await self.notices():
                self._print(say(texts.CONSOLE_NOTICE, persona=persona or "—", text=text))

    def _pressed(self, line: str) -> Button | None:
        if line.isdigit() and 1 <= int(line) <= len(self.buttons):
            return self.buttons[int(line) - 1]
        by_label = PRESS_BY_LABEL.match(line)
        if by_label:
            wanted = by_label.group(1).strip().casefold()
            for button in self.buttons:
                if button.label.casefold() == wanted:
                    return button
            for button in self.buttons:  # «[Подробнее]» presses the first such button
                if wanted in button.label.casefold():
                    return button
        return None

    def show(self, reply: Reply, prefix: str = "бот> ") -> None:
        if reply.notice and reply.notice != reply.text:
            self._print(f"({reply.notice})")
        self._print(reply.text, prefix=prefix)
        for file in reply.files:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            path = self.files_dir / file.name
            path.write_bytes(file.data)
            self._print(f"📎 {file.name} ({len(file.data)} байт) → {path}")
        self.buttons = [b for row in reply.buttons for b in row]
        _print_buttons(self.out, reply.buttons)

    def _print(self, text: str, prefix: str = "") -> None:
        _print(self.out, text, prefix)


@dataclass(slots=True)
class ConsolePort:
    """The console's outgoing port: a notice is printed for the persona it is for, and kept in
    `delivered` (address, reply, key). When that persona is the one at the keyboard (`chat`),
    its buttons become theirs to press. Personas in `unreachable` stand for people who blocked
    the bot."""

    out: TextIO = field(default_factory=lambda: sys.stdout)
    chat: ConsoleChat | None = None
    delivered: list[tuple[Address, Reply, str | None]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)
    messenger: Messenger = Messenger.CONSOLE

    async def deliver(
        self,
        address: Address,
        reply: Reply,
        *,
        key: str | None = None,
        edit: str | None = None,
        priority: Priority = Priority.REPLY,
    ) -> None:
        if address.chat_id in self.unreachable:
            raise RecipientUnreachable(address.chat_id)
        self.delivered.append((address, reply, key))
        notice = say(texts.CONSOLE_NOTICE, persona=address.chat_id, text=reply.text)
        if self.chat is not None and self.chat.persona == address.chat_id:
            self.chat.show(replace(reply, text=notice), prefix="")
            return
        _print(self.out, notice)
        _print_buttons(self.out, reply.buttons, numbered=False)

    def deep_link(self, payload: str) -> str | None:
        return None

    async def set_menu(self, address: Address, menu: Menu) -> None:
        return None


def _print(out: TextIO, text: str, prefix: str = "") -> None:
    pad = " " * len(prefix)
    for i, line in enumerate(text.splitlines() or [""]):
        print(f"{prefix if i == 0 else pad}{line}", file=out)
    out.flush()


def _print_buttons(out: TextIO, rows: list[list[Button]], *, numbered: bool = True) -> None:
    """Buttons under a message: numbered where typing the number presses them."""
    number = 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number if numbered else '·'}] {button.label}")
        _print(out, "  ".join(cells), prefix="     ")


async def run_script(chat: ConsoleChat, lines: Iterable[str]) -> None:
    """Drive the chat from a script: each line is echoed, then answered; «/quit» ends it."""
    for raw in lines:
        line = raw.rstrip("\n")
        if line.strip() and not line.lstrip().startswith("#"):
            print(f"{chat.persona}> {line.strip()}", file=chat.out)
        if _is_quit(line):
            return
        await chat.send_line(line)


async def run_interactive(chat: ConsoleChat, greeting: str) -> None:
    print(greeting, file=chat.out)
    while True:
        try:
            line = await asyncio.to_thread(input, f"{chat.persona}> ")
        except (EOFError, KeyboardInterrupt):
            print(file=chat.out)
            return
        if _is_quit(line):
            return
        await chat.send_line(line)


def _is_quit(line: str) -> bool:
    return line.strip().casefold() in QUIT
