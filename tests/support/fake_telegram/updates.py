"""How updates reach the bot: queued for getUpdates, or POSTed to the webhook if one is set.

What Telegram considers done is kept in `acknowledged`: an update the webhook answered 2xx, or
one a later getUpdates offset confirmed. Webhook deliveries not answered 2xx stay
`unacknowledged`, and `retry_unacknowledged()` delivers them again as Telegram retries (the
update_id unchanged). A second getUpdates while one is waiting ends the first with 409, as two
bot instances polling would; getUpdates while a webhook is set answers 409 too.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientError, ClientTimeout, MultipartReader, web

from tests.support.fake_http import FakeHttpServer, Upload, client_alive, read_multipart
from tests.support.fake_telegram.errors import FAILURE_DESCRIPTIONS, WEBHOOK_ACTIVE, ApiError

# Updates Telegram sends only when asked for them by name in allowed_updates.
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class WebhookDelivery:
    """One POST of an update to the webhook."""

    update_id: int
    status: int  # 0: the webhook could not be reached
    secret: str | None
    error: str | None = None


@dataclass
class _Queued:
    """An update waiting for getUpdates; `sent` once a getUpdates returned it."""

    update: dict[str, Any]
    sent: bool = False


@dataclass
class _Poll:
    """The getUpdates request waiting now."""

    request: web.BaseRequest | None
    terminated: bool = False


class UpdateDelivery(FakeHttpServer):
    """The half of the fake Telegram that sends updates to the bot; FakeTelegram serves the
    methods and routes a webhook's answer (a method call) back through `_dispatch`."""

    def __init__(
        self, *, host: str, strict: bool, now: Callable[[], float], webhook_timeout: float
    ) -> None:
        super().__init__(host=host, strict=strict)
        self.webhook_timeout = webhook_timeout
        self._now = now
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.allowed_updates: list[str] | None = None
        self.dropped_updates: list[dict[str, Any]] = []  # not wanted by allowed_updates
        self._pending: list[_Queued] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._next_update_id = 1
        self._poll: _Poll | None = None
        self._last_webhook_error: tuple[int, str] | None = None
        # Acknowledged updates: a webhook delivery answered 2xx, or confirmed by a getUpdates
        # offset past them. Webhook deliveries not yet acknowledged wait for a retry.
        self.acknowledged: set[int] = set()
        self._unacknowledged: dict[int, dict[str, Any]] = {}
        self._posting: set[int] = set()

    async def _dispatch(
        self,
        name: str,
        raw: dict[str, Any],
        files: dict[str, Upload],
        transport: str,
        request: web.BaseRequest | None,
    ) -> tuple[int, dict[str, Any]]:
        """Serve a Bot API call: the HTTP status and the JSON answer (FakeTelegram does)."""
        raise NotImplementedError

    # The test's side --------------------------------------------------------------------

    async def deliver(self, update: dict[str, Any]) -> int:
        """An update from Telegram: to the webhook if one is set, else queued for getUpdates."""
        update = self._numbered(update)
        if not self._wanted(update):
            self.dropped_updates.append(update)
            return update["update_id"]
        if self.webhook_url:
            await self._post_update(update, self.webhook_secret)
        else:
            self._pending.append(_Queued(update))
            self.wake()
        return update["update_id"]

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None) -> int:
        """POST an update to the webhook with exactly this secret header (None: no header);
        the HTTP status the bot answered (0 if it could not be reached)."""
        if not self.webhook_url:
            raise AssertionError("no webhook is set (the bot has not called setWebhook)")
        return await self._post_update(self._numbered(update), secret, track=False)

    async def redeliver(self, update_id: int) -> None:
        """The same update once more, as Telegram does when a webhook answer was lost."""
        update = copy.deepcopy(self._history[update_id])
        if self.webhook_url:
            await self._post_update(update, self.webhook_secret)
        else:
            self._pending.append(_Queued(update))
            self.wake()

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued for getUpdates and not yet confirmed by an offset."""
        return [entry.update for entry in self._pending]

    @property
    def unacknowledged(self) -> list[int]:
        """Update ids delivered to the webhook and not yet answered 2xx."""
        return sorted(self._unacknowledged)

    async def retry_unacknowledged(self) -> int:
        """Deliver the unacknowledged webhook updates once more, as Telegram retries them: one
        chat's in order (a chat stops at its first failure), chats at once. Updates whose
        delivery is in progress are left alone. The number still unacknowledged."""
        by_chat: dict[Any, list[dict[str, Any]]] = {}
        for update_id in sorted(self._unacknowledged):
            if update_id not in self._posting:
                update = self._unacknowledged[update_id]
                by_chat.setdefault(_update_chat(update), []).append(update)

        async def chat(updates: list[dict[str, Any]]) -> None:
            for update in updates:
                if not 200 <= await self._post_update(update, self.webhook_secret) < 300:
                    return

        if self.webhook_url:
            await asyncio.gather(*(chat(updates) for updates in by_chat.values()))
        return len(self._unacknowledged)

    # Methods ---------------------------------------------------------------------------

    async def _get_updates(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_ACTIVE)
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"]) or None
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            if offset < 0:
                self._pending = self._pending[offset:]
            else:
                kept = []
                for entry in self._pending:
                    if entry.sent and entry.update["update_id"] < offset:
                        self.acknowledged.add(entry.update["update_id"])
                    else:
                        kept.append(entry)
                self._pending = kept
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = max(0, int(params.get("timeout") or 0))
        request = ctx.get("request")
        previous = self._poll
        if previous is not None and previous.request is not None and client_alive(previous.request):
            previous.terminated = True
            self.violations.append(
                "getUpdates: two getUpdates requests at once (two bot instances polling?)"
            )
        poll = _Poll(request)
        self._poll = poll
        self.wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, FAILURE_DESCRIPTIONS[409])
                if self.webhook_url:
                    raise ApiError(409, WEBHOOK_ACTIVE)
                ready = self._pending[:limit]
                remaining = deadline - loop.time()
                if ready or remaining <= 0 or self.closing:
                    for entry in ready:
                        entry.sent = True
                    return [copy.deepcopy(entry.update) for entry in ready]
                if request is not None and not client_alive(request):
                    return []
                await self.sleep_until_woken(min(remaining, 0.1))
        finally:
            if self._poll is poll:
                self._poll = None

    async def _set_webhook(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        url = params["url"]
        if not url:
            return await self._delete_webhook(params, ctx)
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"]) or None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._last_webhook_error = None
        self.wake()
        if self._pending:
            pending, self._pending = [entry.update for entry in self._pending], []
            self.spawn(self._flush_to_webhook(pending))
        ctx["description"] = "Webhook was set"
        return True

    async def _delete_webhook(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        ctx["description"] = (
            "Webhook was deleted" if self.webhook_url else "Webhook is already deleted"
        )
        self.webhook_url = None
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self._last_webhook_error:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

    # Delivery ---------------------------------------------------------------------------

    def _numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._history[update["update_id"]] = copy.deepcopy(update)
        return update

    def _wanted(self, update: dict[str, Any]) -> bool:
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            return True
        if self.allowed_updates:
            return kinds[0] in self.allowed_updates
        return kinds[0] not in NOT_SENT_BY_DEFAULT

    async def _flush_to_webhook(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            await self._post_update(update, self.webhook_secret)

    async def _post_update(
        self, update: dict[str, Any], secret: str | None, *, track: bool = True
    ) -> int:
        assert self.webhook_url, "set a webhook first"
        update_id = update["update_id"]
        if track:
            self._posting.add(update_id)
            if update_id not in self.acknowledged:
                self._unacknowledged[update_id] = copy.deepcopy(update)
        try:
            status = await self._post_update_once(update, secret)
        finally:
            if track:
                self._posting.discard(update_id)
        if track and 200 <= status < 300:
            self.acknowledged.add(update_id)
            self._unacknowledged.pop(update_id, None)
        return status

    async def _post_update_once(self, update: dict[str, Any], secret: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        delivery = WebhookDelivery(update["update_id"], 0, secret)
        try:
            async with self.client.post(
                self.webhook_url,
                data=body,
                headers=headers,
                timeout=ClientTimeout(total=self.webhook_timeout),
            ) as response:
                delivery.status = response.status
                if 200 <= response.status < 300:
                    await self._webhook_reply(response)
                else:
                    delivery.error = f"Wrong response from the webhook: {response.status}"
        except (ClientError, TimeoutError) as error:
            delivery.error = f"Connection failed: {type(error).__name__}: {error}"
        self.webhook_deliveries.append(delivery)
        if delivery.error:
            self._last_webhook_error = (int(self._now()), delivery.error)
        return delivery.status

    async def _webhook_reply(self, response: Any) -> None:
        """A method call in the webhook's answer, as Telegram executes it."""
        if response.content_type == "multipart/form-data":
            raw, files = await read_multipart(MultipartReader(response.headers, response.content))
        elif response.content_type == "application/json":
            try:
                decoded = json.loads(await response.read() or b"{}")
            except ValueError:
                return
            if not isinstance(decoded, dict):
                return
            raw, files = decoded, {}
        else:
            return
        method = raw.pop("method", None)
        if method:
            await self._dispatch(str(method), raw, files, "webhook-reply", None)


def _update_chat(update: dict[str, Any]) -> Any:
    """The chat an update belongs to (retries keep one chat's updates in order)."""
    if "message" in update:
        return update["message"].get("chat", {}).get("id")
    if "callback_query" in update:
        return update["callback_query"].get("from", {}).get("id")
    return None
