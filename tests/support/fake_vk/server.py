"""A local VK API for tests, every call checked against ../shared/spec/vk.

The real vk_api client talks HTTP to it: vk_api POSTs to https://api.vk.ru/method/<name>, so the
transport gives vk_api a requests.Session that rewrites that prefix to `vk.base_url`
("http://127.0.0.1:PORT/method"). Each call is checked in the order VK checks it — the community
token (error 5), the rate (error 6: more than `rate_limit` calls within any 1.0 s), the method
(error 3), a group token's right to it (27), the parameters by the spec (100; a bad keyboard 911,
a message too long 914) — and every such answer is also a violation, which fails the test
(`running_fake_vk`, or `async with FakeVK()`), except the rate's: a correct bot meets error 6 in
production and must slow down (`rate_errors` lists them). Errors a test asks for (`fail_next`)
and what a person's choices cause (901 after `deny()`) are answered but are no violations.
`errors_given` lists every error answered, as (method, code); in `calls` a Call's status is 200
or the error_code answered.

A slow VK: `hold(method, after=n)` keeps later calls waiting until `release(method)` (a held call
whose client has gone does nothing); `download_delay` makes each file download take that long.

Events reach the bot by Bots Long Poll (longpoll.py) or, after `callback_to(url)`, by Callback
API (callback.py). People are `vk.user(...)` (people.py); what they see is `vk.messages(peer_id)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
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
from tests.support.fake_vk.callback import CallbackDelivery, CallbackPoster
from tests.support.fake_vk.conversations import BotMessage, Conversations, Press
from tests.support.fake_vk.files import FileStore
from tests.support.fake_vk.keyboard import event_answer_problems, keyboard_problems
from tests.support.fake_vk.longpoll import Drop, LongPoll
from tests.support.fake_vk.people import FakeVKUser
from tests.support.fake_vk.spec import (
    API_VERSION,
    AUTH_FAILED,
    BAD_PARAMETER,
    GROUP_AUTH_FAILED,
    INVALID_REQUEST,
    KEYBOARD_INVALID,
    TOO_MANY_REQUESTS,
    UNKNOWN_METHOD,
    Method,
    Problem,
    VkError,
    VkSpec,
    load_spec,
)

DEFAULT_TOKEN = "vk1.a.fakeCommunityTokenForFormulyarTests_0123456789abcdef"
DEFAULT_GROUP_ID = 229_000_001
FIRST_USER_ID = 700_000_001
RATE_WINDOW = 1.0  # seconds
INVALID_USER_ID = 113
GROUP = {
    "name": "Формуляр (тест)",
    "screen_name": "formulyar_test",
    "is_closed": 0,
    "type": "group",
}


class FakeVK(FakeHttpServer):
    """The VK API of one community on 127.0.0.1; see the module docstring."""

    api_name = "the VK API"

    def __init__(
        self,
        spec: VkSpec | str | Path | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        group_id: int = DEFAULT_GROUP_ID,
        rate_limit: int | None = 20,
        host: str = "127.0.0.1",
        strict: bool = True,
        now: Callable[[], int] = lambda: int(utcnow().timestamp()),
        monotonic: Callable[[], float] = time.monotonic,  # the rate's clock (seconds)
    ) -> None:
        super().__init__(host=host, strict=strict)
        self.spec = spec if isinstance(spec, VkSpec) else load_spec(spec)
        self.token = token
        self.group_id = group_id
        self.rate_limit = rate_limit
        self.root_url = ""
        self.errors_given: list[tuple[str, int]] = []
        self.rate_errors: list[str] = []  # methods refused with error 6
        self.events: list[dict[str, Any]] = []  # every event raised, redeliveries included
        self.downloads: list[str] = []  # paths of the files fetched (under /files/)
        self.download_delay = 0.0  # seconds each file download takes (a slow network)
        self._now = now
        self._monotonic = monotonic
        self._users: dict[int, FakeVKUser] = {}
        self._event_counter = 0
        self._by_event_id: dict[str, dict[str, Any]] = {}
        self._recent: deque[float] = deque()  # monotonic times of the calls within the window
        self.files = FileStore(self.url, now, group_id)
        self.conversations = Conversations(self.files, now, self.violations.append)
        self.longpoll = LongPoll(self)
        self.callback = CallbackPoster(lambda: self.client, group_id)
        self._handlers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "messages.send": self.conversations.send,
            "messages.edit": self.conversations.edit,
            "messages.sendMessageEventAnswer": self.conversations.answer,
            "messages.setActivity": lambda params: 1,
            "messages.markAsRead": lambda params: 1,
            "groups.getLongPollServer": self._long_poll_server,
            "groups.getById": self._group,
            "users.get": self._users_get,
            "photos.getMessagesUploadServer": lambda params: {
                "album_id": -64,
                "upload_url": self.files.upload_server("photo"),
                "user_id": 0,
                "group_id": self.group_id,
            },
            "photos.saveMessagesPhoto": lambda params: self.files.save_photo(
                params["photo"], params.get("server"), params.get("hash")
            ),
            "docs.getMessagesUploadServer": lambda params: {
                "upload_url": self.files.upload_server("doc")
            },
            "docs.save": lambda params: self.files.save_doc(params["file"], params.get("title")),
        }

    # Lifecycle and routes ---------------------------------------------------------------

    async def start(self) -> None:
        await super().start()
        self.root_url = self.base_url
        self.base_url = f"{self.root_url}/method"  # what VK_API_BASE points at

    def url(self, path: str) -> str:
        return f"{self.root_url}/{path.lstrip('/')}"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/method/{method}", self._handle_method)
        app.router.add_get(f"/{self.longpoll.path}", self._handle_long_poll)
        app.router.add_post("/upload/{kind}/{slot}", self._handle_upload)
        app.router.add_get("/files/{path:.+}", self._handle_file)

    def method_name(self, name: str) -> str | None:
        return name if name in self.spec.methods else None

    # The test's side --------------------------------------------------------------------

    def user(
        self, user_id: int | None = None, first_name: str = "Тест", last_name: str = "Тестов"
    ) -> FakeVKUser:
        """The person `user_id` (a new id when None), created on first use."""
        if user_id is None:
            user_id = max([FIRST_USER_ID - 1, *self._users]) + 1
        if user_id not in self._users:
            self._users[user_id] = FakeVKUser(self, user_id, first_name, last_name)
            self.conversations.peer(user_id)
        return self._users[user_id]

    def messages(self, peer_id: int) -> list[BotMessage]:
        """The bot's messages to the peer as the person sees them now (edits applied)."""
        return self.conversations.messages(peer_id)

    @property
    def duplicates_suppressed(self) -> int:
        """Repeated (peer_id, random_id) sends VK did not deliver again."""
        return self.conversations.duplicates_suppressed

    @property
    def presses(self) -> list[Press]:
        return list(self.conversations.presses.values())

    def unanswered_events(self) -> list[str]:
        """Event ids of button presses the bot has not answered with sendMessageEventAnswer."""
        return self.conversations.unanswered()

    def file_bytes(self, attachment: str) -> bytes:
        """The bytes behind "photo<owner>_<id>" / "doc<owner>_<id>" or a served file URL."""
        return self.files.file_bytes(attachment)

    def fail_next(
        self, method: str, code: int, times: int = 1, *, detail: str | None = None
    ) -> None:
        """Answer the next `times` valid calls of `method` with VK error `code` (its
        description from errors.json). Not a violation: the bot must cope."""
        self.queue_failure(method, Failure(code, detail or ""), times)

    def longpoll_fail(self, code: int) -> None:
        """The next a_check answers {"failed": code} (1, 2 or 3; see longpoll.py)."""
        self.longpoll.fail(code)

    def drop_longpoll(self, n: int = 1, *, how: str = "close") -> None:
        """The next `n` a_check requests die: "close" (no answer at all) or "502"."""
        self.longpoll.drop(n, how)

    @property
    def a_checks(self) -> int:
        return self.longpoll.a_checks

    def callback_to(self, url: str, secret: str | None = None) -> None:
        """From now on events are POSTed to `url` (Callback API) instead of Long Poll."""
        self.callback.url, self.callback.secret = url, secret

    @property
    def callback_deliveries(self) -> list[CallbackDelivery]:
        return self.callback.deliveries

    async def confirm(self, url: str, secret: str | None = None) -> str:
        """VK's confirmation request to a callback server; the text it answered."""
        return await self.callback.confirm(url, secret)

    def new_event_id(self) -> str:
        self._event_counter += 1
        return hashlib.sha1(f"vk-event-{self._event_counter}".encode()).hexdigest()

    async def deliver(
        self, event_type: str, obj: dict[str, Any], *, event_id: str | None = None
    ) -> str:
        """Raise an event (any type: message_allow, message_typing_state, …); its event_id.
        Long Poll queues it; Callback API posts it (and retries) before this returns."""
        event = {
            "group_id": self.group_id,
            "type": event_type,
            "event_id": event_id or self.new_event_id(),
            "v": API_VERSION,
            "object": obj,
        }
        self._by_event_id[event["event_id"]] = event
        await self._send_event(event)
        return event["event_id"]

    async def redeliver(self, event_id: str) -> None:
        """The same event once more, as VK does when it is not sure it was received."""
        await self._send_event(self._by_event_id[event_id])

    async def _send_event(self, event: dict[str, Any]) -> None:
        self.events.append(json.loads(json.dumps(event)))
        if self.callback.url is not None:
            await self.callback.deliver(event)
        else:
            self.longpoll.add(json.loads(json.dumps(event)))

    # Methods ----------------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        form = await read_form(request)
        name = request.match_info["method"]
        raw = {key: str(value) for key, value in form.params.items()}
        logged = {key: value for key, value in raw.items() if key != "access_token"}
        call = self.log_call(Call(name, logged, transport=form.transport))
        try:
            if form.problem is not None:
                raise VkError(INVALID_REQUEST, form.problem, violation=form.problem)
            result = await self._serve(name, raw, call, request)
        except VkError as error:
            return self._error(call, raw, error)
        except _ClientGone:
            call.status, call.description = 499, "the client went away while the call was held"
            return web.Response(status=499)
        return _json({"response": result})

    async def _serve(self, name: str, raw: dict[str, str], call: Call, request: web.Request) -> Any:
        if raw.get("access_token") != self.token:
            raise VkError(
                AUTH_FAILED,
                "invalid access_token (4)",
                violation="access_token is not the community's token",
            )
        self._count_rate(name)
        method = self.spec.methods.get(name)
        if method is None:
            raise VkError(UNKNOWN_METHOD, violation="no such method in the VK API spec")
        self._check_version(raw)
        if "group" not in method.token_types:
            raise VkError(
                GROUP_AUTH_FAILED,
                "method is unavailable with group auth.",
                violation="a community token cannot call this method",
            )
        params, problems = self.spec.convert(method, raw, self._checkers)
        call.params = params
        if problems:
            self.violations.extend(f"{name}: {problem.text}" for problem in problems[1:])
            first = problems[0]
            raise VkError(first.code, first.text, violation=first.text)
        failure = self.take_failure(name)
        if failure is not None:
            raise VkError(failure.code, failure.description or None)
        handler = self._handlers.get(name)
        if handler is None:
            raise VkError(
                1, violation=_unmodelled(method), detail="the fake does not model this method"
            )
        if not await self.wait_if_held(name, params.get("peer_id"), request):
            raise _ClientGone
        return handler(params)

    def _count_rate(self, name: str) -> None:
        if self.rate_limit is None:
            return
        now = self._monotonic()
        while self._recent and now - self._recent[0] >= RATE_WINDOW:
            self._recent.popleft()
        if len(self._recent) >= self.rate_limit:
            self.rate_errors.append(name)
            raise VkError(TOO_MANY_REQUESTS)
        self._recent.append(now)

    def _check_version(self, raw: dict[str, str]) -> None:
        if "v" not in raw:
            raise VkError(
                INVALID_REQUEST,
                "v (version) is required",
                violation="no API version (v) was passed",
            )
        if raw["v"] != API_VERSION:
            self.violations.append(
                f"v={raw['v']}: the bot pins the VK API at {API_VERSION} (the spec's version)"
            )

    @property
    def _checkers(self) -> dict[str, Callable[[str], tuple[Any, list[Problem]]]]:
        def keyboard(text: str) -> tuple[Any, list[Problem]]:
            decoded, problems = keyboard_problems(self.spec, text)
            value = text if decoded is None else decoded
            return value, [Problem(problem, KEYBOARD_INVALID) for problem in problems]

        def event_data(text: str) -> tuple[Any, list[Problem]]:
            decoded, problems = event_answer_problems(text)
            value = text if decoded is None else decoded
            return value, [Problem(problem, BAD_PARAMETER) for problem in problems]

        return {"keyboard": keyboard, "event_data": event_data}

    def _error(self, call: Call, raw: dict[str, str], error: VkError) -> web.Response:
        if error.violation is not None:
            self.violations.append(f"{call.method}: {error.violation}")
        message = self.spec.error_message(error.code, error.detail)
        call.status, call.description = error.code, message
        self.errors_given.append((call.method, error.code))
        request_params = [
            {"key": "method", "value": call.method},
            {"key": "oauth", "value": "1"},
            *({"key": k, "value": v} for k, v in raw.items() if k != "access_token"),
        ]
        body = {"error_code": error.code, "error_msg": message, "request_params": request_params}
        return _json({"error": body})

    # Methods outside messages.* -------------------------------------------------------------

    def _long_poll_server(self, params: dict[str, Any]) -> dict[str, str]:
        if params["group_id"] != self.group_id:
            raise VkError(
                BAD_PARAMETER,
                "group_id is invalid",
                violation=f"group_id {params['group_id']} is not the community "
                f"{self.group_id} whose token this is",
            )
        return self.longpoll.connection()

    def _group(self, params: dict[str, Any]) -> dict[str, Any]:
        asked = [*params.get("group_ids", []), *filter(None, [params.get("group_id")])]
        known = {str(self.group_id), GROUP["screen_name"], f"club{self.group_id}"}
        if any(item not in known for item in asked):
            raise VkError(BAD_PARAMETER, "group_ids is invalid")
        return {"groups": [{"id": self.group_id, **GROUP}], "profiles": []}

    def _users_get(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        for item in params.get("user_ids", []):
            digits = item.removeprefix("id")
            if not digits.isdigit():
                raise VkError(INVALID_USER_ID, f"user_ids {item!r} is invalid")
            person = self._users.get(int(digits))
            if person is None:  # what VK answers for an id nobody has
                found.append(
                    {
                        "id": int(digits),
                        "first_name": "DELETED",
                        "last_name": "",
                        "deactivated": "deleted",
                    }
                )
            else:
                found.append(person.profile())
        return found

    # Long Poll, uploads, files --------------------------------------------------------------

    async def _handle_long_poll(self, request: web.Request) -> web.StreamResponse:
        answer = await self.longpoll.check(dict(request.query), partial(client_alive, request))
        if isinstance(answer, Drop):
            if answer.how == "502":
                return web.Response(status=502, text="<html><h1>502 Bad Gateway</h1></html>")
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError  # nothing is answered on a dead connection
        return _json(answer)

    async def _handle_upload(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        form = await read_form(request)
        answer, problem = self.files.receive(kind, form.uploads)
        if problem is not None:
            self.violations.append(problem)
        return _json(answer)

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        served = self.files.served.get(path)
        if served is None:
            return web.Response(status=404, text="Not Found")
        self.downloads.append(path)  # as the download starts
        if self.download_delay > 0:
            await asyncio.sleep(self.download_delay)
        data, content_type = served
        return web.Response(body=data, content_type=content_type)


class _ClientGone(Exception):
    """A held call whose client went away meanwhile: it does nothing."""


def _json(payload: Any) -> web.Response:
    return web.json_response(payload, dumps=partial(json.dumps, ensure_ascii=False))


def _unmodelled(method: Method) -> str:
    return (
        f"{method.name} is in the VK API but the fake does not model it yet "
        "(add a handler in tests/support/fake_vk/server.py)"
    )


@contextlib.asynccontextmanager
async def running_fake_vk(
    spec: VkSpec | str | Path | None = None, **options: Any
) -> AsyncIterator[FakeVK]:
    """A started FakeVK; stopped at exit, where leftover violations fail the test."""
    async with FakeVK(spec, strict=True, **options) as vk:
        yield vk
