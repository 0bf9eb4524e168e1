"""vk_api as the VK transport uses it: every call off the event loop, paced, retried where VK
says to, and never logged with what it carried.

vk_api is synchronous and writes VK's public address into each call; the client gives it a
requests session that sends calls to `VK_API_BASE` instead (a proxy, or the local VK API of the
tests). vk_api's own pacing (3 calls a second, one at a time, for user tokens) and its own
endless retry of error 6 are switched off: the transport's pace keeps the community token's
≈20 requests a second across the whole deployment (bot/pacing.py), and errors are handled here:

- 6 (too many requests): the pace is paused, for every worker sharing it, and the call tried
  again, waiting longer each time; 9 (flood control): wait and try again, longer each time;
- 10 (VK's internal error) and network errors: try again after a short, growing pause;
- 901 and 902 (the person does not allow messages from the community): `RecipientUnreachable`;
- 911 (VK refused our keyboard): a bug; logged as an error and raised, never retried;
- anything else: `VkCallFailed` with the method and the code only.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

import requests
import vk_api
from vk_api.exceptions import ApiError, ApiHttpError

from bot.pacing import Pacing
from db.enums import Priority
from messages.types import RecipientUnreachable

log = logging.getLogger(__name__)

API_VERSION = "5.199"
PUBLIC_METHODS = "https://api.vk.ru/method/"  # where vk_api sends every call
REQUESTS_PER_SECOND = 17  # under a community token's limit of 20, with room for jitter
TIMEOUT = 30.0  # seconds for one HTTP request (vk_api sets none)
MAX_RETRIES = 3
RATE_PAUSE = 1.0  # seconds after error 6 or 9 (VK counts requests per second), times the try
SERVER_PAUSE = 0.5  # seconds after error 10 or a network error, doubled each try
MAX_DOWNLOAD = 20 * 1024 * 1024  # bytes of a photo or document a person sends
UNREACHABLE = frozenset({901, 902})
TOO_MANY_REQUESTS = 6
SLOW_DOWN = frozenset({TOO_MANY_REQUESTS, 9})
TRY_AGAIN = frozenset({10})
KEYBOARD_REFUSED = 911
T = TypeVar("T")


class VkCallFailed(Exception):
    """A VK call failed for good; carries the method and VK's error code only."""

    def __init__(self, method: str, code: int | None) -> None:
        super().__init__(f"{method}: error {code}")
        self.method = method
        self.code = code


class KeyboardRefused(VkCallFailed):
    """VK's error 911: a keyboard we built breaks VK's rules. A bug in the transport."""


class RoutedSession(requests.Session):
    """A requests session that sends vk_api's method calls to `api_base`, with a timeout."""

    def __init__(self, api_base: str) -> None:
        super().__init__()
        self.api_base = api_base.rstrip("/") + "/"

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, str) and url.startswith(PUBLIC_METHODS):
            url = self.api_base + url[len(PUBLIC_METHODS) :]
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(method, url, *args, **kwargs)


def random_id(key: str | None) -> int:
    """messages.send's `random_id`: derived from the delivery key, so a retried delivery is the
    same message to VK and is never shown twice; random where nothing is retried."""
    if key is None:
        return secrets.randbelow(2**31 - 2) + 1
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF or 1


class VkClient:
    """One community token: VK API calls, uploads and downloads, each in a worker thread."""

    def __init__(self, token: str, api_base: str, pace: Pacing, *, workers: int = 8) -> None:
        self.pace = pace
        self.http = RoutedSession(api_base)
        self.vk = vk_api.VkApi(token=token, api_version=API_VERSION, session=self.http)
        self.vk.RPS_DELAY = 0  # our pace keeps the rate
        self.vk.lock = contextlib.nullcontext()  # calls go side by side; the pace spaces them
        self.vk.error_handlers.pop(6, None)  # it retried error 6 forever, outside our pace
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="vk")

    async def call(self, method: str, *, priority: Priority = Priority.REPLY, **params: Any) -> Any:
        """One API method; VK's `response` on success. `priority` is the caller's place in
        the token's line (a live reply before notices, notices before broadcasts)."""
        values = {k: v for k, v in params.items() if v is not None}
        for attempt in range(MAX_RETRIES + 1):
            await self.pace.wait(priority)
            try:
                return await self._thread(partial(self.vk.method, method, values))
            except ApiError as error:
                code = error.code
                if code in UNREACHABLE:
                    raise RecipientUnreachable() from None
                if code == KEYBOARD_REFUSED:
                    log.error("vk %s: VK refused our keyboard (error 911)", method)
                    raise KeyboardRefused(method, code) from None
                if code == TOO_MANY_REQUESTS:  # the token's rate: every worker slows down
                    await self.pace.pause(RATE_PAUSE * (attempt + 1))
                    pause = 0.0
                elif code in SLOW_DOWN:
                    pause = RATE_PAUSE * (attempt + 1)
                elif code in TRY_AGAIN:
                    pause = SERVER_PAUSE * 2**attempt
                else:
                    raise VkCallFailed(method, code) from None
            except (requests.RequestException, ApiHttpError, ValueError) as error:
                code = None
                pause = SERVER_PAUSE * 2**attempt
                log.warning("vk %s: %s", method, type(error).__name__)
            if attempt == MAX_RETRIES:
                break
            log.warning("vk %s: error %s, trying again", method, code)
            if pause:
                await asyncio.sleep(pause)
        raise VkCallFailed(method, code)

    async def upload_photo(self, peer_id: int, name: str, data: bytes) -> str:
        """A picture for a message to `peer_id`; its attachment string («photo…_…»)."""
        server = await self.call("photos.getMessagesUploadServer", peer_id=peer_id)
        sent = await self._post_file(server["upload_url"], "photo", name, data)
        saved = await self.call(
            "photos.saveMessagesPhoto",
            photo=sent["photo"],
            server=sent["server"],
            hash=sent["hash"],
        )
        return f"photo{saved[0]['owner_id']}_{saved[0]['id']}"

    async def upload_document(self, peer_id: int, name: str, data: bytes) -> str:
        """A file for a message to `peer_id`; its attachment string («doc…_…»)."""
        server = await self.call("docs.getMessagesUploadServer", type="doc", peer_id=peer_id)
        sent = await self._post_file(server["upload_url"], "file", name, data)
        saved = await self.call("docs.save", file=sent["file"], title=name)
        doc = saved["doc"]
        return f"doc{doc['owner_id']}_{doc['id']}"

    async def download(self, url: str) -> bytes:
        """A file a person sent (a photo of a barcode), at most MAX_DOWNLOAD bytes."""

        def fetch() -> bytes:
            with self.http.get(url, stream=True) as response:
                response.raise_for_status()
                data = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    data += chunk
                    if len(data) > MAX_DOWNLOAD:
                        raise ValueError("the file is too large")
                return bytes(data)

        return await self._thread(fetch)

    async def _post_file(self, url: str, field: str, name: str, data: bytes) -> dict[str, Any]:
        def post() -> dict[str, Any]:
            response = self.http.post(url, files={field: (name, data)})
            response.raise_for_status()
            return response.json()

        try:
            return await self._thread(post)
        except (requests.RequestException, ValueError) as error:
            raise VkCallFailed("upload", None) from error

    async def _thread(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, work)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.http.close()
