"""A core `Reply` in VK's terms: plain text in pieces of at most 4096 characters, and an inline
keyboard of callback buttons whose payload carries the core's opaque token.

VK shows message text as it is (no markup to escape). The core's keyboards already keep within
VK's inline limits (messages/types.py: 6 rows, 4 a row, 10 buttons, labels of 40 characters);
the payload, a JSON object, stays within VK's 255 characters.
"""

from __future__ import annotations

import json
from typing import Any

from messages.types import Button

TEXT_LIMIT = 4096  # characters of one message
PAYLOAD_LIMIT = 255  # characters of a button's payload
SNACKBAR_LIMIT = 90  # characters of the toast answering a press
_TOKEN = "b"  # the payload's one key: {"b": "<token>"}


def keyboard(rows: list[list[Button]]) -> str | None:
    """The inline keyboard's JSON, or None for a reply without buttons."""
    buttons = [[_button(b) for b in row] for row in rows if row]
    return json.dumps({"inline": True, "buttons": buttons}, ensure_ascii=False) if buttons else None


EMPTY_KEYBOARD = json.dumps({"inline": True, "buttons": []})  # an edit that removes the buttons


def _button(button: Button) -> dict[str, Any]:
    if button.url is not None:
        return {"action": {"type": "open_link", "link": button.url, "label": button.label}}
    payload = json.dumps({_TOKEN: button.token or ""}, ensure_ascii=False)
    if len(payload) > PAYLOAD_LIMIT:
        raise ValueError(f"a payload of {len(payload)} characters")
    return {"action": {"type": "callback", "label": button.label, "payload": payload}}


def token_of(payload: Any) -> str:
    """The core's token in a pressed button's payload (VK gives it as an object, or as the
    JSON text); "" for anything that is not one of ours, which the core answers as stale."""
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return ""
    token = payload.get(_TOKEN) if isinstance(payload, dict) else None
    return token if isinstance(token, str) else ""


def snackbar(text: str) -> str:
    """messages.sendMessageEventAnswer's `event_data`: a short toast over the chat."""
    if len(text) > SNACKBAR_LIMIT:
        text = text[: SNACKBAR_LIMIT - 1] + "…"
    return json.dumps({"type": "show_snackbar", "text": text}, ensure_ascii=False)
