"""maxapi as the MAX transport uses it: every request paced, errors sorted, nothing logged that a
request carried.

maxapi's `Bot` holds the token (sent in the `Authorization` header), the HTTP session, the
address (`MAX_API_BASE`: a proxy, or the local MAX API of the tests) and retries 502-504 and
network errors itself. Messages go out through its `request` with the whole `NewMessageBody` the
schema asks for (text, format, attachments, link), updates come from `get_updates`, uploads
through `upload_media`. On top of it:

- the pace keeps the token's ≈30 requests a second across the whole deployment (bot/pacing.py);
- 429 pauses the pace, for every worker sharing it, and the request is tried again, longer each
  time; 503 after maxapi's own retries is tried again too;
- `attachment.not.ready` (a file just uploaded): the message is sent again after a pause;
- 403 and 404 on a message to a person (they stopped or blocked the bot, the dialog is gone):
  `RecipientUnreachable`;
- anything else: `MaxCallFailed` with the path and the HTTP status only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import ClientSession, ClientTimeout
from maxapi import Bot
from maxapi.client.default import DefaultConnectionProperties
from maxapi.enums.http_method import HTTPMethod
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions.max import InvalidToken, MaxApiError, MaxConnection
from maxapi.types.input_media import InputMediaBuffer

from bot.max.events import UPDATE_TYPES
from bot.pacing import Pacing
from db.enums import Priority
from messages.types import OutFile, RecipientUnreachable

log = logging.getLogger(__name__)

REQUESTS_PER_SECOND = 27  # under MAX's ≈30 a second per token, with room for jitter
MAX_RETRIES = 3
RATE_PAUSE = 1.0  # seconds after a 429, times the try
SERVER_PAUSE = 0.5  # seconds after a 5xx or a network error, doubled each try
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes of a photo or file a person sends
UNREACHABLE = frozenset({403, 404})
TOO_MANY_REQUESTS = 429
NOT_READY = "attachment.not.ready"  # a message with a file MAX has not finished processing
READY_PAUSE = 0.5  # seconds before sending it again, times the try
T = TypeVar("T")


class MaxCallFailed(Exception):
    """A MAX request failed for good; carries the path and the HTTP status only."""

    def __init__(self, path: str, status: int | None) -> None:
        super().__init__(f"{path}: HTTP {status}")
        self.path = path
        self.status = status


class MaxClient:
    """One bot token: MAX API requests, uploads and downloads."""

    def __init__(self, token: str, api_base: str, pace: Pacing) -> None:
        self.pace = pace
        self.bot = Bot(
            token,
            default_connection=DefaultConnectionProperties(
                timeout=60, max_retries=2, retry_backoff_factor=0.5
            ),
            auto_requests=False,
            auto_check_subscriptions=False,
        )
        self.bot.set_api_url(api_base)
        self.downloads: ClientSession | None = None

    async def call(
        self,
        path: str,
        work: Callable[[], Awaitable[T]],
        *,
        priority: Priority = Priority.REPLY,
        to_person: bool = False,
    ) -> T:
        """One request, paced and retried where MAX says to. `priority` is the caller's place
        in the token's line (a live reply before notices, notices before broadcasts);
        `to_person`: a 403/404 means this person cannot be written to."""
        status: int | None = None
        for attempt in range(MAX_RETRIES + 1):
            await self.pace.wait(priority)
            try:
                return await work()
            except MaxApiError as error:
                status = error.code
                if to_person and status in UNREACHABLE:
                    raise RecipientUnreachable() from None
                if status == TOO_MANY_REQUESTS:  # the token's rate: every worker slows down
                    await self.pace.pause(RATE_PAUSE * (attempt + 1))
                    pause = 0.0
                elif _code(error) == NOT_READY:  # an upload MAX is still processing
                    pause = READY_PAUSE * (attempt + 1)
                elif status >= 500:
                    pause = SERVER_PAUSE * 2**attempt
                else:
                    raise MaxCallFailed(path, status) from None
            except MaxConnection:
                status, pause = None, SERVER_PAUSE * 2**attempt
            except InvalidToken:
                log.error("max %s: the token was refused (401)", path)
                raise MaxCallFailed(path, 401) from None
            if attempt == MAX_RETRIES:
                break
            log.warning("max %s: HTTP %s, trying again", path, status)
            if pause:
                await asyncio.sleep(pause)
        raise MaxCallFailed(path, status)

    async def send(
        self, chat_id: int, body: dict[str, Any], *, priority: Priority = Priority.REPLY
    ) -> dict[str, Any]:
        """POST /messages to a dialog; MAX's answer ({"message": …})."""
        return await self._message(
            HTTPMethod.POST, {"chat_id": chat_id}, body, priority=priority, to_person=True
        )

    async def edit(self, message_id: str, body: dict[str, Any]) -> None:
        """PUT /messages: the message replaced (text and buttons)."""
        await self._message(HTTPMethod.PUT, {"message_id": message_id}, body)

    async def _message(
        self,
        method: HTTPMethod,
        params: dict[str, Any],
        body: dict[str, Any],
        **how: Any,
    ) -> dict[str, Any]:
        """One request to /messages with the whole NewMessageBody, through maxapi's `request`."""
        return await self.call(
            "/messages",
            lambda: self.bot.request(
                method, "/messages", is_return_raw=True, params=params, json=_complete(body)
            ),
            **how,
        )

    async def answer(self, callback_id: str, notification: str | None) -> None:
        """POST /answers: the press acknowledged, with a one-time notification if any."""
        await self.call(
            "/answers",
            lambda: self.bot.send_callback(callback_id=callback_id, notification=notification),
        )

    async def updates(self, marker: int | None, wait: int) -> dict[str, Any]:
        """GET /updates (long polling, held up to `wait` seconds): {"updates", "marker"}."""
        return await self.call(
            "/updates",
            lambda: self.bot.get_updates(
                limit=100, timeout=wait, marker=marker, types=list(UPDATE_TYPES)
            ),
        )

    async def subscribe(self, url: str, secret: str) -> None:
        """POST /subscriptions: MAX delivers our update types to `url` with the secret."""
        await self.call(
            "/subscriptions",
            lambda: self.bot.subscribe_webhook(
                url=url, update_types=list(UPDATE_TYPES), secret=secret
            ),
        )

    async def unsubscribe_all(self) -> int:
        """DELETE /subscriptions for each webhook set: while one is, MAX gives long polling
        nothing. How many there were."""
        found = await self.call("/subscriptions", self.bot.get_subscriptions)
        for subscription in found.subscriptions or ():
            url = subscription.url
            await self.call("/subscriptions", lambda url=url: self.bot.unsubscribe_webhook(url))
        return len(found.subscriptions or ())

    async def username(self) -> str | None:
        me = await self.call("/me", self.bot.get_me)
        return me.username

    async def upload(self, file: OutFile, *, priority: Priority) -> dict[str, Any]:
        """The file uploaded (POST /uploads, then the upload itself); its attachment."""
        kind = UploadType.IMAGE if file.kind == "photo" else UploadType.FILE
        media = InputMediaBuffer(file.data, file.name, type=kind)
        uploaded = await self.call(
            "/uploads", lambda: self.bot.upload_media(media), priority=priority
        )
        return uploaded.model_dump(mode="json")

    async def download(self, url: str) -> bytes:
        """A file a person sent (a photo of a barcode), at most MAX_DOWNLOAD bytes. Fetched
        without the bot's session: its `Authorization` header (the token) stays with the API."""
        if self.downloads is None or self.downloads.closed:
            self.downloads = ClientSession(timeout=ClientTimeout(total=60))
        async with self.downloads.get(url) as response:
            response.raise_for_status()
            data = bytearray()
            async for chunk in response.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > MAX_DOWNLOAD:
                    raise ValueError("the file is too large")
            return bytes(data)

    async def close(self) -> None:
        await self.bot.close_session()
        if self.downloads is not None:
            await self.downloads.close()


def _complete(body: dict[str, Any]) -> dict[str, Any]:
    """NewMessageBody as the schema has it: text, attachments and link are always present."""
    return {"text": None, "attachments": [], "link": None, **body}


def _code(error: MaxApiError) -> str | None:
    """MAX's own error code from the answer's body ({"code": …, "message": …})."""
    raw = error.raw
    code = raw.get("code") if isinstance(raw, dict) else None
    return code if isinstance(code, str) else None
