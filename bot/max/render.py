"""A core `Reply` in MAX's terms (../shared/spec/max/max-bot-api.json): HTML-escaped text in
pieces of at most 4000 characters, an inline keyboard of callback buttons whose payload is the
core's opaque token.

MAX formats `html` texts with its own short list of tags; the core's texts and catalog data are
plain, so every «<», «>» and «&» is escaped and no tag of ours is ever sent. A piece is cut so
that it is within the limit after escaping. The core's keyboards already keep within the
strictest messenger's rules (messages/types.py: 6 rows, 4 a row, labels of 40 characters), far
inside MAX's (128 characters a label, 1024 a payload).
"""

from __future__ import annotations

import html
from typing import Any

from maxapi.types.attachments.attachment import ButtonsPayload
from maxapi.types.attachments.buttons.callback_button import CallbackButton
from maxapi.types.attachments.buttons.link_button import LinkButton

from bot.pieces import split_text
from messages.types import Button

TEXT_LIMIT = 4000  # characters of NewMessageBody.text
PAYLOAD_LIMIT = 1024  # characters of a callback button's payload
LABEL_LIMIT = 128  # characters of a button's text
NOTIFICATION_LIMIT = 200  # characters of a press's one-time notification (kept short, a toast)
FORMAT = "html"


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def pieces(text: str) -> list[str]:
    """The text in escaped pieces of at most TEXT_LIMIT characters each."""
    limit = TEXT_LIMIT
    while True:
        escaped = [escape(piece) for piece in split_text(text, limit)]
        if all(len(piece) <= TEXT_LIMIT for piece in escaped):
            return escaped
        limit = limit * 9 // 10  # «&» became «&amp;»: cut the raw text shorter


# How long a label MAX shows whole, by how many buttons share its row (the schema's advice).
SHOWN_WHOLE = {1: 20, 2: 10, 3: 5, 4: 3}


def keyboard(rows: list[list[Button]]) -> list[dict[str, Any]]:
    """The message's attachments for its buttons: one inline keyboard, or none."""
    buttons = [[_button(b) for b in part] for row in rows if row for part in _shown_whole(row)]
    if not buttons:
        return []
    return [ButtonsPayload(buttons=buttons).pack().model_dump(mode="json", exclude_none=True)]


def _shown_whole(row: list[Button]) -> list[list[Button]]:
    """The row as it is where every label fits its share of the width; else split into rows of
    fewer buttons (one a row at worst), so «📌 1 … 📌 4» stay side by side and longer labels
    are not cut to «Только В…» on a phone."""
    for per_row in range(len(row), 1, -1):
        if all(len(b.label) <= SHOWN_WHOLE.get(per_row, 3) for b in row):
            return [row[i : i + per_row] for i in range(0, len(row), per_row)]
    return [[button] for button in row]


def _button(button: Button) -> CallbackButton | LinkButton:
    label = button.label if len(button.label) <= LABEL_LIMIT else button.label[:127] + "…"
    if button.url is not None:
        return LinkButton(text=label, url=button.url)
    token = button.token or ""
    if not 1 <= len(token) <= PAYLOAD_LIMIT:
        raise ValueError(f"a payload of {len(token)} characters")
    return CallbackButton(text=label, payload=token)


def notification(text: str) -> str:
    return text if len(text) <= NOTIFICATION_LIMIT else text[: NOTIFICATION_LIMIT - 1] + "…"
