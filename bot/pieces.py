"""What the transports share about content: long texts in pieces a messenger accepts (each cuts
with its own limit: Telegram 4096, VK 4096, MAX 4000), and the files a person sends, downloaded
before the core sees the message."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from messages.types import Attachment

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Media:
    """A photo (or an image sent as a file) in a person's message, where to fetch it."""

    kind: Literal["photo", "document"]
    url: str
    name: str | None = None


async def downloaded(
    media: tuple[Media, ...], download: Callable[[str], Awaitable[bytes]]
) -> tuple[Attachment, ...]:
    """The files fetched; one that cannot be (gone, too large) is left out and logged by the
    error's kind only."""
    files = []
    for item in media:
        try:
            data = await download(item.url)
        except Exception as error:
            log.warning("a file could not be downloaded: %s", type(error).__name__)
            continue
        files.append(Attachment(item.kind, data, item.name))
    return tuple(files)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at line breaks where possible, then at spaces;
    a single longer word is cut where it must be."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:].lstrip("\n")
    if rest or not pieces:
        pieces.append(rest)
    return [piece if piece.strip() else "…" for piece in pieces]
