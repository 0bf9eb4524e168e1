"""A local MAX Bot API for tests, every request checked against ../shared/spec/max.

The real maxapi client talks HTTP to it: `bot.set_api_url(fake.base_url)`. Each request is
checked in this order — the token (the `Authorization` header maxapi sends, or the spec's
`access_token` query; else 401 verify.token), the rate (more than `rate_limit` calls within
any 1.0 s: 429 too.many.requests), the path, method, parameters and JSON body by openapi-core
(spec.py; 400 proto.payload, 404/405 for an unknown path) and MAX's rules outside the schema
(limits.py; 400) — and each refusal is also a violation, which fails the test
(`running_fake_max`, or `async with FakeMax()`), except the rate's: a correct bot meets 429
in production and must slow down (`rate_errors` lists them). What a test asks for
(`fail_next`) and what a person's choices cause (403 chat.denied after `block()`) are answered
but are no violations. `errors_given` lists every error answered, as (path, status).

MAX's error body is {"code": …, "message": …}. A person who stopped the bot is answered 403
{"code": "chat.denied", "message": "Key: error.dialog.suspended, args: [<chat_id>,]."}: what
MAX answers, as bots in the wild record it (the spec names no code for it).

A slow MAX: `hold(path, after=n)` keeps later calls of that path waiting until
`release(path)`; `download_delay` makes each file download take that long.

Updates reach the bot by long polling or a webhook subscription (updates.py); people are
`fake.user(...)` (people.py); their dialogs and the bot's messages are in chats.py; uploads
and served files in files.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from db.clock import utcnow
from tests.support.fake_http import Call, Failure, FakeHttpServer, client_alive, read_form
from tests.support.fake_max.chats import Chats, Dialog, MaxMessage, Press, buttons_of
from tests.support.fake_max.files import FileStore, Uploaded
from tests.support.fake_max.limits import message_problems, subscription_url_problem
from tests.support.fake_max.people import FakeMaxUser
from tests.support.fake_max.spec import MaxSpec, check_request, load_spec
from tests.support.fake_max.updates import LongPoll, WebhookDelivery, WebhookPoster, wanted

DEFAULT_TOKEN = "max.fakeBotTokenForFormulyarTests_0123456789abcdef"
BOT_USER_ID = 990_000_001
BOT_USERNAME = "formulyar_test_bot"
BOT_NAME = "Формуляр"
FIRST_USER_ID = 10_000_001
FIRST_CHAT_ID = 70_000_001
RATE_WINDOW = 1.0  # seconds
ERROR_CODES = {
    400: "proto.payload",
    401: "verify.token",
    403: "access.denied",
    404: "not.found",
    405: "method.not.allowed",
    429: "too.many.requests",
    500: "internal.error",
    502: "bad.gateway",
    503: "service.unavailable",
    504: "gateway.timeout",
}


class MaxError(Exception):
    """An error answer: HTTP status, MAX's code and message; `violation` when the bot was
    wrong (None when MAX would refuse a correct bot too)."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        violation: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = message
        self.violation = violation
        self.headers = headers or {}


Handler = Callable[[dict[str, Any], dict[str, Any], Any], Any]


class FakeMax(FakeHttpServer):
    """The MAX Bot API of one bot on 127.0.0.1; see the module docstring."""

    api_name = "the MAX Bot API"

    def __init__(
        self,
        spec: MaxSpec | str | Path | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        rate_limit: int | None = 30,
        host: str = "127.0.0.1",
        strict: bool = True,
        now: Callable[[], int] = lambda: int(utcnow().timestamp() * 1000),  # ms
        monotonic: Callable[[], float] = time.monotonic,  # the rate's clock (seconds)
    ) -> None:
        super().__init__(host=host, strict=strict)
        self.spec = spec if isinstance(spec, MaxSpec) else load_spec(spec)
        self.token = token
        self.rate_limit = rate_limit
        self.bot_user_id = BOT_USER_ID
        self.bot_username = BOT_USERNAME
        self.errors_given: list[tuple[str, int]] = []
        self.rate_errors: list[str] = []  # paths refused with 429 by the rate
        self.updates: list[dict[str, Any]] = []  # every update raised, redeliveries excluded
        self.subscriptions: list[dict[str, Any]] = []  # url, secret, update_types, time
        self.uploads: list[Uploaded] = []  # files the bot uploaded, in order
        self.downloads: list[str] = []  # names of the files fetched (under /files/)
        self.download_delay = 0.0  # seconds each file download takes
        self.actions: list[tuple[int, str]] = []  # (chat_id, action) of POST /chats/…/actions
        self._now = now
        self._monotonic = monotonic
        self._recent: deque[float] = deque()
        self._users: dict[int, FakeMaxUser] = {}
        self.chats = Chats()
        self.files = FileStore(self.url)
        self.longpoll = LongPoll(self)
        self.webhook = WebhookPoster(lambda: self.client)  # attempts, retry_pause
        self._handlers: dict[str, Handler] = {
            "GET /me": lambda query, path, body: self.bot_info(),
            "GET /subscriptions": self._subscriptions_get,
            "POST /subscriptions": self._subscribe,
            "DELETE /subscriptions": self._unsubscribe,
            "POST /messages": self._send,
            "PUT /messages": self._edit_message,
            "DELETE /messages": self._delete_message,
            "GET /messages/{messageId}": self._get_message,
            "POST /answers": self._answer,
            "POST /uploads": lambda query, path, body: self.files.endpoint(query["type"]),
            "POST /chats/{chatId}/actions": self._action,
            "GET /chats/{chatId}": self._chat,
        }

    # Routes -----------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_post("/upload/{slot}", self._handle_upload)
        app.router.add_get("/files/{name}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_api)

    def method_name(self, name: str) -> str | None:
        """A path as the spec writes it ("/messages", "/chats/{chatId}/actions"); a leading
        HTTP method ("POST /messages") is allowed and dropped."""
        path = name.split(" ", 1)[-1]
        return path if path in self.spec.document["paths"] else None

    # The test's side --------------------------------------------------------------------

    def now_ms(self) -> int:
        return self._now()

    def user(self, first_name: str = "Аня", last_name: str = "Иванова") -> FakeMaxUser:
        """A new person with a dialog with the bot."""
        number = len(self._users)
        dialog = self.chats.open(FIRST_USER_ID + number, FIRST_CHAT_ID + number)
        person = FakeMaxUser(self, dialog, first_name, last_name)
        self._users[person.user_id] = person
        return person

    def fail_next(
        self,
        path: str,
        status: int,
        times: int = 1,
        *,
        retry_after: int | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next `times` valid calls of `path` ("/messages", "/answers", …) with
        HTTP `status` and MAX's error body (`code` defaults by status: 429
        too.many.requests, 403 access.denied, …; e.g. code="attachment.not.ready" with 400).
        Not a violation: the bot must cope."""
        details: dict[str, Any] = {"code": code or ERROR_CODES.get(status, "error")}
        if retry_after is not None:
            details["retry_after"] = retry_after
        self.queue_failure(path, Failure(status, message or details["code"], details), times)

    def calls_to(self, method: str) -> list[Call]:
        """The calls of "METHOD /template" ("POST /messages"), or of a path with any method
        ("/updates", "/chats/{chatId}/actions")."""
        if method.startswith("/"):
            return [call for call in self.calls if call.method.split(" ", 1)[-1] == method]
        return super().calls_to(method)

    def unanswered_callbacks(self) -> list[str]:
        """callback_ids of presses the bot never answered with POST /answers."""
        return self.chats.unanswered()

    @property
    def presses(self) -> list[Press]:
        return list(self.chats.presses.values())

    @property
    def deliveries(self) -> list[WebhookDelivery]:
        """Every webhook POST and its answer."""
        return self.webhook.deliveries

    def file_bytes(self, url_or_token: str) -> bytes:
        """The bytes behind an attachment's payload.url or token."""
        stored = self.files.by_token.get(url_or_token)
        if stored is None:
            stored = self.files.served.get(url_or_token.rsplit("/files/", 1)[-1])
        if stored is None:
            raise KeyError(f"no file {url_or_token!r}")
        return stored.data

    def bot_info(self) -> dict[str, Any]:
        """GET /me: the bot as BotInfo."""
        return {
            "user_id": self.bot_user_id,
            "first_name": BOT_NAME,
            "last_name": None,
            "username": self.bot_username,
            "is_bot": True,
            "last_activity_time": self.now_ms(),
            "name": BOT_NAME,
            "description": "Школьная библиотека (тест)",
        }

    def message_object(self, message: MaxMessage) -> dict[str, Any]:
        """A bot's message as MAX's Message object."""
        attachments = [copy.deepcopy(item) for item in message.attachments]
        keyboard = message.keyboard()
        if keyboard is not None:
            attachments.append(keyboard)
        sender = {key: value for key, value in self.bot_info().items() if key != "description"}
        return {
            "sender": sender,
            "recipient": {
                "chat_id": message.chat_id,
                "chat_type": "dialog",
                "user_id": message.user_id,
            },
            "timestamp": message.timestamp,
            "body": {
                "mid": message.message_id,
                "seq": message.seq,
                "text": message.text,
                "attachments": attachments,
                "markup": [],
            },
        }

    def register_press(
        self, callback_id: str, person: FakeMaxUser, payload: str | None, mid: str | None
    ) -> Press:
        press = Press(callback_id, person.user_id, person.chat_id, payload, mid)
        self.chats.presses[callback_id] = press
        return press

    # Updates ----------------------------------------------------------------------------

    async def raise_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Raise an update (checked against the spec first). Long polling queues it; a
        webhook gets it POSTed once before this returns, retried in the background if the
        bot's server did not answer 200 (wait for `deliveries` to see the retries)."""
        self._self_check("UpdateByType", update, f"update {update.get('update_type')}")
        self.updates.append(copy.deepcopy(update))
        subscriptions = [s for s in self.subscriptions if wanted(s, update)]
        if self.subscriptions:
            for subscription in subscriptions:
                await self.webhook.deliver(subscription, update, self.spawn)
        else:
            self.longpoll.add(copy.deepcopy(update))
        return update

    def raise_later(self, update: dict[str, Any]) -> None:
        """Raise an update from synchronous code (queued now, or POSTed in the background)."""
        if self.subscriptions:
            self.spawn(self.raise_update(update))
            return
        self._self_check("UpdateByType", update, f"update {update.get('update_type')}")
        self.updates.append(copy.deepcopy(update))
        self.longpoll.add(copy.deepcopy(update))

    async def redeliver(self, update: dict[str, Any]) -> int:
        """The same update once more, as MAX does when unsure it was received: POSTed once to
        the (first) subscription that wants it, its HTTP status returned (0: no connection).
        In long-polling mode it is queued again and 0 is returned."""
        for subscription in self.subscriptions:
            if wanted(subscription, update):
                return (await self.webhook.post(subscription, update)).status
        self.longpoll.add(copy.deepcopy(update))
        return 0

    def _self_check(self, schema: str, instance: Any, what: str) -> None:
        for problem in self.spec.self_check(schema, instance):
            self.violations.append(
                f"the fake itself sent an invalid {what} (a bug in tests/support/fake_max): "
                f"{problem}"
            )

    # The API ----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        logged: dict[str, Any] = {k: v for k, v in request.query.items() if k != "access_token"}
        call = self.log_call(
            Call(f"{request.method} {request.path}", logged, transport="json" if body else "query")
        )
        try:
            self._check_token(request)
            self._count_rate(request.path)
            checked = check_request(self.spec, request, body)
            if checked.operation is not None:
                call.method = checked.operation
            call.params = {**{k: v for k, v in checked.query.items()}, **checked.path}
            if checked.body is not None:
                call.params["body"] = checked.body
            if checked.problems:
                self.violations.extend(f"{call.method}: {p}" for p in checked.problems[1:])
                first = checked.problems[0]
                raise MaxError(checked.status, first, violation=first)
            assert checked.operation is not None
            if request.method in ("POST", "PUT") and checked.operation.endswith(" /messages"):
                self._check_rules(checked.body)
            template = checked.operation.split(" ", 1)[1]
            failure = self.take_failure(template)
            if failure is not None:
                raise _injected(failure)
            if template == "/updates":
                answer = await self.longpoll.answer(
                    checked.query, partial(client_alive, request), lambda: bool(self.subscriptions)
                )
            else:
                handler = self._handlers.get(checked.operation)
                if handler is None:
                    raise MaxError(
                        500,
                        "not modelled",
                        violation=f"{checked.operation} is in the MAX Bot API but the fake does "
                        "not model it yet (add a handler in tests/support/fake_max/server.py)",
                    )
                key = checked.query.get("user_id") or checked.query.get("chat_id")
                if not await self.wait_if_held(template, key, request):
                    call.status, call.description = 499, "the client went away while held"
                    return web.Response(status=499)
                answer = handler(checked.query, checked.path, checked.body)
        except MaxError as error:
            return self._error(call, error)
        schema = self.spec.answer_schema(checked.operation)
        if schema is not None:
            self._self_check(schema, answer, f"answer to {checked.operation}")
        return _json(answer)

    def _check_token(self, request: web.Request) -> None:
        given = request.headers.get("Authorization") or request.query.get("access_token")
        if given == self.token:
            return
        what = "no token (Authorization header or access_token)" if not given else "a wrong token"
        raise MaxError(401, "Invalid access_token", code="verify.token", violation=what)

    def _count_rate(self, path: str) -> None:
        if self.rate_limit is None:
            return
        now = self._monotonic()
        while self._recent and now - self._recent[0] >= RATE_WINDOW:
            self._recent.popleft()
        if len(self._recent) >= self.rate_limit:
            self.rate_errors.append(path)
            raise MaxError(429, "Too many requests")
        self._recent.append(now)

    def _check_rules(self, body: Any) -> None:
        problems = message_problems(body)
        if problems:
            self.violations.extend(problems[1:])
            raise MaxError(400, problems[0], violation=problems[0])

    def _error(self, call: Call, error: MaxError) -> web.Response:
        if error.violation is not None:
            self.violations.append(f"{call.method}: {error.violation}")
        call.status, call.description = error.status, f"{error.code}: {error.message}"
        self.errors_given.append((call.method.split(" ", 1)[-1], error.status))
        body = {"code": error.code, "message": error.message}
        self._self_check("Error", body, "error")
        return _json(body, status=error.status, headers=error.headers)

    # Messages ---------------------------------------------------------------------------

    def _dialog_for(self, query: dict[str, Any]) -> Dialog:
        targets = [name for name in ("user_id", "chat_id") if query.get(name) is not None]
        if len(targets) != 1:
            given = ", ".join(targets) or "none"
            raise MaxError(
                400,
                "user_id or chat_id required",
                violation=f"exactly one of user_id, chat_id names the recipient; given: {given}",
            )
        name = targets[0]
        table = self.chats.by_user if name == "user_id" else self.chats.by_chat
        dialog = table.get(int(query[name]))
        if dialog is None:
            raise MaxError(
                404,
                "Chat not found",
                code="chat.not.found",
                violation=f"{name}={query[name]} is nobody the test created (fake.user(...))",
            )
        if dialog.blocked:
            raise MaxError(
                403,
                f"Key: error.dialog.suspended, args: [{dialog.chat_id},].",
                code="chat.denied",
            )
        return dialog

    def _send(self, query: dict[str, Any], path: dict[str, Any], body: Any) -> dict[str, Any]:
        dialog = self._dialog_for(query)
        body = body or {}
        attachments = body.get("attachments") or []
        if not body.get("text") and not attachments:
            raise MaxError(
                400,
                "text or attachments required",
                violation="a message with no text and nothing attached",
            )
        media, files = self._resolve(attachments)
        message = MaxMessage(
            message_id=self.chats.new_mid(),
            chat_id=dialog.chat_id,
            user_id=dialog.user_id,
            seq=dialog.next_seq(),
            text=body.get("text") or "",
            format=body.get("format"),
            buttons=buttons_of(attachments),
            attachments=media,
            files=files,
            timestamp=self.now_ms(),
            notify=body.get("notify", True) is not False,
        )
        self.chats.add(dialog, message)
        return {"message": self.message_object(message)}

    def _resolve(
        self, attachments: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[bytes]]:
        """Request attachments → (what the person sees, the uploaded bytes); the keyboard is
        taken apart by buttons_of."""
        media: list[dict[str, Any]] = []
        files: list[bytes] = []
        for item in attachments:
            kind, payload = item.get("type"), item.get("payload") or {}
            if kind == "inline_keyboard":
                continue
            token = payload.get("token")
            photos = payload.get("photos")
            if token is None and isinstance(photos, dict) and photos:
                token = next(iter(photos.values())).get("token")
            if token is None and kind == "image" and payload.get("url"):
                media.append(self.files.external_image(payload["url"]))
                continue
            stored = self.files.by_token.get(token) if token else None
            if stored is None or stored.kind != kind:
                problem = (
                    f"attachments: {kind} token {token!r} was never given by an upload"
                    if stored is None
                    else f"attachments: token {token!r} is a {stored.kind}'s, attached as {kind}"
                )
                raise MaxError(400, "attachments.payload.token: invalid", violation=problem)
            media.append(self.files.attachment(stored))
            files.append(stored.data)
        return media, files

    def _message(self, mid: Any) -> MaxMessage:
        message = self.chats.by_mid.get(str(mid))
        if message is None:
            raise MaxError(
                404,
                f"Invalid message_id: {mid}",
                violation=f"message {mid} is no message of the bot",
            )
        return message

    def _apply_edit(self, message: MaxMessage, body: dict[str, Any]) -> None:
        before = message.version()
        if "text" in body and body["text"] is not None:
            message.text = body["text"]
        if "format" in body:
            message.format = body["format"]
        if body.get("attachments") is not None:
            message.attachments, message.files = self._resolve(body["attachments"])
            message.buttons = buttons_of(body["attachments"])
        if message.version() != before:
            message.history.append(before)

    def _edit_message(
        self, query: dict[str, Any], path: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        message = self._message(query["message_id"])
        self._apply_edit(message, body or {})
        return {"success": True}

    def _delete_message(
        self, query: dict[str, Any], path: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        message = self._message(query["message_id"])
        dialog = self.chats.by_chat[message.chat_id]
        dialog.messages.remove(message)
        del self.chats.by_mid[message.message_id]
        return {"success": True}

    def _get_message(
        self, query: dict[str, Any], path: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        return self.message_object(self._message(path["messageId"]))

    def _answer(self, query: dict[str, Any], path: dict[str, Any], body: Any) -> dict[str, Any]:
        callback_id = query["callback_id"]
        press = self.chats.presses.get(callback_id)
        if press is None:
            raise MaxError(
                400,
                "callback_id: Callback identifier is invalid",
                violation=f"callback_id {callback_id!r} was never given in a message_callback",
            )
        if press.answered:
            raise MaxError(
                400,
                "callback_id: Callback identifier is invalid",
                violation=f"callback {callback_id} answered twice",
            )
        body = body or {}
        if body.get("message") is not None:
            self._check_rules(body["message"])
            if press.message_id is None or press.message_id not in self.chats.by_mid:
                raise MaxError(
                    404,
                    "Message not found",
                    violation=f"callback {callback_id} has no message to edit",
                )
            self._apply_edit(self.chats.by_mid[press.message_id], body["message"])
        press.answered += 1
        notification = body.get("notification")
        if notification:
            press.notification = notification
            self.chats.by_chat[press.chat_id].notifications.append(notification)
        return {"success": True}

    # Chats, subscriptions ----------------------------------------------------------------

    def _known_chat(self, chat_id: int) -> Dialog:
        dialog = self.chats.by_chat.get(chat_id)
        if dialog is None:
            raise MaxError(
                404,
                "Chat not found",
                code="chat.not.found",
                violation=f"chat {chat_id} is no dialog",
            )
        return dialog

    def _action(self, query: dict[str, Any], path: dict[str, Any], body: Any) -> dict[str, Any]:
        dialog = self._known_chat(int(path["chatId"]))
        self.actions.append((dialog.chat_id, body["action"]))
        return {"success": True}

    def _chat(self, query: dict[str, Any], path: dict[str, Any], body: Any) -> dict[str, Any]:
        dialog = self._known_chat(int(path["chatId"]))
        person = self._users[dialog.user_id]
        return {
            "chat_id": dialog.chat_id,
            "type": "dialog",
            "status": "active",
            "title": None,
            "icon": None,
            "last_event_time": self.now_ms(),
            "participants_count": 2,
            "is_public": False,
            "description": None,
            "dialog_with_user": person.profile(),
        }

    def _subscriptions_get(
        self, query: dict[str, Any], path: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        listed = [
            {"url": s["url"], "time": s["time"], "update_types": s["update_types"] or None}
            for s in self.subscriptions
        ]
        return {"subscriptions": listed}

    def _subscribe(self, query: dict[str, Any], path: dict[str, Any], body: Any) -> dict[str, Any]:
        problem = subscription_url_problem(body["url"])
        if problem is not None:
            raise MaxError(400, problem, violation=problem)
        self.subscriptions[:] = [s for s in self.subscriptions if s["url"] != body["url"]]
        self.subscriptions.append(
            {
                "url": body["url"],
                "secret": body.get("secret"),
                "update_types": list(body.get("update_types") or []),
                "time": self.now_ms(),
            }
        )
        self.wake()  # a waiting GET /updates answers nothing now
        return {"success": True}

    def _unsubscribe(
        self, query: dict[str, Any], path: dict[str, Any], body: Any
    ) -> dict[str, Any]:
        before = len(self.subscriptions)
        self.subscriptions[:] = [s for s in self.subscriptions if s["url"] != query["url"]]
        if len(self.subscriptions) == before:
            return {"success": False, "message": f"no subscription for {query['url']}"}
        return {"success": True}

    # Uploads and files --------------------------------------------------------------------

    async def _handle_upload(self, request: web.Request) -> web.Response:
        form = await read_form(request)
        slot = request.match_info["slot"]
        call = self.log_call(Call("POST upload", {"slot": slot}, transport=form.transport))
        if form.transport != "multipart":
            problem = f"upload: a multipart/form-data body is expected, got {form.transport}"
            self.violations.append(problem)
            call.status = 400
            return _json({"code": "proto.payload", "message": problem}, status=400)
        status, answer, problem = self.files.receive(slot, form.uploads)
        if problem is not None:
            self.violations.append(problem)
        elif status == 200:
            token = (
                answer["token"]
                if "token" in answer
                else next(iter(answer["photos"].values()))["token"]
            )
            self.uploads.append(self.files.by_token[token])
        call.status = status
        return _json(answer, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        stored = self.files.served.get(name)
        if stored is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(name)
        if self.download_delay > 0:
            await asyncio.sleep(self.download_delay)
        return web.Response(
            body=stored.data,
            content_type=stored.content_type,
            headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'},
        )


def _injected(failure: Failure) -> MaxError:
    details = failure.details or {}
    headers = {}
    if details.get("retry_after") is not None:
        headers["Retry-After"] = str(details["retry_after"])
    return MaxError(failure.code, failure.description, code=details.get("code"), headers=headers)


def _json(
    payload: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        payload, status=status, headers=headers, dumps=partial(json.dumps, ensure_ascii=False)
    )


@contextlib.asynccontextmanager
async def running_fake_max(
    spec: MaxSpec | str | Path | None = None, **options: Any
) -> AsyncIterator[FakeMax]:
    """A started FakeMax; stopped at exit, where leftover violations fail the test."""
    options.setdefault("strict", True)
    async with FakeMax(spec, **options) as fake:
        yield fake
