"""A core `Reply` in Telegram's terms: HTML-escaped text in pieces of at most 4096 characters,
inline keyboards whose callback data is the core's opaque token (≤ 64 bytes)."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from messages.types import Button

TEXT_LIMIT = 4096  # characters of a message, counted after entity parsing
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes


def escape(text: str) -> str:
    """Catalog text is plain: «<», «&» and «>» in a title must not be read as markup."""
    return html.escape(text, quote=False)


def keyboard(rows: list[list[Button]]) -> InlineKeyboardMarkup | None:
    buttons = [[_button(b) for b in row] for row in rows if row]
    return InlineKeyboardMarkup(inline_keyboard=buttons) if buttons else None


def _button(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(text=button.label, url=button.url)
    token = button.token or ""
    if not 1 <= len(token.encode()) <= CALLBACK_DATA_LIMIT:
        raise ValueError(f"callback data of {len(token.encode())} bytes")
    return InlineKeyboardButton(text=button.label, callback_data=token)
