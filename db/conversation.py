"""Conversation state per account: what the bot waits for next, and button tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.clock import utcnow
from db.models import ButtonToken, ConversationState

TOKEN_BYTES = 9  # 12 url-safe characters: short enough for any messenger's payload limit
# A button older than this is stale: it says so when pressed, and the daily round deletes it.
BUTTON_TTL = timedelta(days=30)


async def get_state(session: AsyncSession, account_id: int) -> ConversationState | None:
    return await session.get(ConversationState, account_id)


async def set_state(
    session: AsyncSession, account_id: int, state: str, data: dict[str, Any] | None = None
) -> None:
    current = await session.get(ConversationState, account_id)
    if current is None:
        session.add(ConversationState(account_id=account_id, state=state, data=data or {}))
    else:
        current.state = state
        current.data = data or {}


async def clear_state(session: AsyncSession, account_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.account_id == account_id)
    )


def new_button_token(
    session: AsyncSession, account_id: int, action: str, args: dict[str, Any]
) -> str:
    """Keep a button's meaning on the server and hand out an opaque token for it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ButtonToken(token=token, account_id=account_id, action=action, args=args))
    return token


async def resolve_button_token(
    session: AsyncSession, account_id: int, token: str
) -> ButtonToken | None:
    """The button behind a token, only if it was given to this very account within
    `BUTTON_TTL`."""
    if not token or len(token) > 16:
        return None
    found = await session.get(ButtonToken, token)
    if found is None or found.account_id != account_id:
        return None
    if found.created_at <= utcnow() - BUTTON_TTL:
        return None
    return found
