"""What every local fake of a messenger's HTTP API shares, whatever the messenger.

A fake is a real HTTP server on 127.0.0.1 (an ephemeral port), so the real client library is
exercised end to end. Subclass `FakeHttpServer`, add your routes in `add_routes` and answer in
your messenger's own words; this module knows nothing of Telegram or VK.

Public interface:

- `FakeHttpServer(*, host="127.0.0.1", strict=True)`; class attribute `api_name` names the API
  in messages ("the VK API").
  - Lifecycle: `await start()`, `await stop()`, `async with server:` (at exit, when `strict`,
    leftover violations fail the test). `base_url` ("http://127.0.0.1:PORT"), `url(path)`,
    `client` (an aiohttp ClientSession for calls from the fake to the bot, open while started),
    `spawn(coroutine)` (a background task, cancelled by `stop`).
    Hooks: `add_routes(app)` (required), `method_name(name)` (your spelling of a method, None if
    unknown; default: as given).
  - Call log: `calls: list[Call]`, `log_call(call)`, `calls_to(method)`.
  - Violations: `violations: list[str]`, `violation_report()`,
    `with expect_violations(*fragments) as seen:`.
  - Injected failures: `queue_failure(method, Failure(code, description, details), times=1)`;
    the handler calls `take_failure(method)` and, if it gets one, answers with its own error
    body (the fake decides what the code means: an HTTP status, a VK error_code, ...).
  - Holds (a slow API): `hold(method, after=0)`, `held(method)`, `release(method)`; the handler
    awaits `wait_if_held(method, key, request)`, False when the client went away meanwhile.
  - Long polls: `wake()` ends every `await sleep_until_woken(timeout)`; `closing` is True from
    `stop()` on.
  - `await wait_until(predicate, timeout=5.0, message=None)`: AssertionError with the last calls
    and the violations if it does not become true in time.
- `Call(method, params, status=200, transport="", description=None)`; `number` is its place in
  the log (1-based).
- `Failure(code, description, details=None)`.
- `Upload(name, filename, content_type, data)`: a file part of a multipart body.
- `await read_form(request, *, accept_json=False) -> Form(params, uploads, transport, problem)`:
  the query string plus an urlencoded, multipart (or, if accepted, JSON) body.
- `await read_multipart(reader) -> (params, uploads)`: the parts of any multipart body.
- `client_alive(request)`: whether the request's client still holds its connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

from aiohttp import ClientSession, MultipartReader, web

MAX_REQUEST_BYTES = 64 * 1024 * 1024  # uploads included


# Records ---------------------------------------------------------------------------------


@dataclass
class Call:
    """One request as the fake understood it: the method as the API spells it, the parameters
    (converted by the fake as far as it can), the status it answered."""

    method: str
    params: dict[str, Any]
    status: int = 200
    transport: str = ""  # how the parameters came: multipart | urlencoded | json | query | ...
    description: str | None = None  # of an error answer
    number: int = 0  # the place in the log, 1-based (set by log_call)


@dataclass(frozen=True)
class Failure:
    """An error a test asked for instead of serving a call; the fake gives it its own shape."""

    code: int  # what the fake answers with: an HTTP status, a messenger's error code
    description: str
    details: dict[str, Any] | None = None  # further fields of the error (e.g. retry_after)


@dataclass
class Upload:
    """A file part of a multipart request."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


@dataclass
class Form:
    """The parameters of a request: from the query string and the body. Values are strings,
    except those of a JSON body (as decoded)."""

    params: dict[str, Any]
    uploads: dict[str, Upload]
    transport: str  # query | urlencoded | multipart | json
    problem: str | None = None  # why the body could not be read as sent


@dataclass
class _Hold:
    """Calls of a method that wait until released (a slow or stalled API)."""

    passes: int
    released: asyncio.Event = field(default_factory=asyncio.Event)
    waiting: list[Any] = field(default_factory=list)  # the keys of the held calls


# Reading requests ------------------------------------------------------------------------


async def read_form(request: web.BaseRequest, *, accept_json: bool = False) -> Form:
    """The query string plus the body: multipart, urlencoded, or (with `accept_json`) a JSON
    object. A body that can't be read, or has another Content-Type, is named in `problem`."""
    form = Form(dict(request.query), {}, "query")
    content_type = request.content_type
    try:
        if content_type == "multipart/form-data":
            form.transport = "multipart"
            params, form.uploads = await read_multipart(await request.multipart())
            form.params.update(params)
            return form
        body = await request.read()
        if accept_json and content_type == "application/json":
            form.transport = "json"
            decoded = json.loads(body or b"{}")
            if isinstance(decoded, dict):
                form.params.update(decoded)
            else:
                form.problem = "a JSON body must be an object"
        elif body:
            form.transport = "urlencoded"
            if content_type not in ("application/x-www-form-urlencoded", ""):
                form.problem = f"unsupported Content-Type {content_type}"
            form.params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif request.method == "POST":
            form.transport = "urlencoded"
    except ValueError as error:
        form.problem = f"can't parse the request body: {error}"
    return form


async def read_multipart(reader: MultipartReader) -> tuple[dict[str, str], dict[str, Upload]]:
    """The fields (as text) and the file parts of a multipart body; nested multiparts skipped."""
    params: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    while True:
        part = await reader.next()
        if part is None:
            break
        if isinstance(part, MultipartReader):
            continue  # nested multipart: not something these APIs accept
        name = part.name or ""
        if part.filename is not None:
            data = bytes(await part.read(decode=True))
            uploads[name] = Upload(name, part.filename, part.headers.get("Content-Type"), data)
        else:
            params[name] = await part.text()
    return params, uploads


def client_alive(request: web.BaseRequest) -> bool:
    """Whether the client still holds the connection (a held or long-polling call whose client
    gave up should do nothing)."""
    transport = request.transport
    return transport is not None and not transport.is_closing()


# The server ------------------------------------------------------------------------------


class FakeHttpServer:
    """A fake API on 127.0.0.1 for tests: lifecycle, call log, violations, injected failures,
    holds; see the module docstring."""

    api_name = "the API"

    def __init__(self, *, host: str = "127.0.0.1", strict: bool = True) -> None:
        self.host = host
        self.strict = strict
        self.base_url = ""
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.closing = False
        self._failures: dict[str, deque[Failure]] = {}
        self._holds: dict[str, _Hold] = {}
        self._wakeup = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None

    # Hooks -------------------------------------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        """Add the API's routes to the app `start` serves."""
        raise NotImplementedError

    def method_name(self, name: str) -> str | None:
        """The API's spelling of a method, None if it has no such method."""
        return name

    # Lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES)
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://{self.host}:{port}"
        self._client = ClientSession()
        self.closing = False

    async def stop(self) -> None:
        self.closing = True
        self.wake()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close()
            self._client = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
        if self.strict and self.violations:
            report = self.violation_report()
            if exc is not None:
                exc.add_note(report)
                return
            raise AssertionError(report)

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return f"{self.base_url}/{path.lstrip('/')}"

    @property
    def client(self) -> ClientSession:
        """For requests from the fake to the bot (webhooks, callbacks); open while started."""
        if self._client is None:
            raise RuntimeError(f"start() the fake of {self.api_name} first")
        return self._client

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run `coroutine` in the background; `stop` cancels it if still running."""
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # Calls and violations ----------------------------------------------------------------

    def log_call(self, call: Call) -> Call:
        call.number = len(self.calls) + 1
        self.calls.append(call)
        return call

    def calls_to(self, method: str) -> list[Call]:
        """The calls of `method` (any letter case), oldest first."""
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def violation_report(self) -> str:
        lines = "\n".join(f"  - {item}" for item in self.violations)
        return f"the bot broke {self.api_name} {len(self.violations)} time(s):\n{lines}"

    @contextlib.contextmanager
    def expect_violations(self, *fragments: str) -> Iterator[list[str]]:
        """Violations are expected in this block: they are taken out of `violations` (into the
        yielded list); AssertionError if there were none, or none mentions a fragment."""
        start = len(self.violations)
        seen: list[str] = []
        yield seen
        seen.extend(self.violations[start:])
        del self.violations[start:]
        if not seen:
            raise AssertionError(f"expected a violation of {self.api_name}, none was recorded")
        for fragment in fragments:
            if not any(fragment in item for item in seen):
                raise AssertionError(f"no violation mentions {fragment!r}; recorded: {seen}")

    # Injected failures and holds -----------------------------------------------------------

    def _known(self, method: str) -> str:
        canonical = self.method_name(method)
        if canonical is None:
            raise ValueError(f"{method!r} is not a method of {self.api_name}")
        return canonical

    def queue_failure(self, method: str, failure: Failure, times: int = 1) -> None:
        """Answer the next `times` calls of `method` that reach `take_failure` with `failure`."""
        queue = self._failures.setdefault(self._known(method), deque())
        queue.extend([failure] * times)

    def take_failure(self, method: str) -> Failure | None:
        """The failure queued for this call of `method` (as `method_name` spells it), if any."""
        queue = self._failures.get(method)
        return queue.popleft() if queue else None

    def hold(self, method: str, *, after: int = 0) -> None:
        """Let `after` calls of `method` through, then keep each later one waiting (not yet
        executed) until `release`; a held call whose client has gone meanwhile does nothing."""
        self._holds[self._known(method)] = _Hold(after)

    def held(self, method: str) -> list[Any]:
        """The keys (e.g. chat ids) of the calls of `method` waiting now."""
        hold = self._holds.get(self.method_name(method) or method)
        return list(hold.waiting) if hold else []

    def release(self, method: str) -> None:
        hold = self._holds.pop(self.method_name(method) or method, None)
        if hold is not None:
            hold.released.set()

    async def wait_if_held(self, method: str, key: Any, request: web.BaseRequest | None) -> bool:
        """Wait while `method` is held (after its free passes), the call known by `key`. False
        if the client went away meanwhile: the call must then do nothing."""
        hold = self._holds.get(method)
        if hold is None:
            return True
        if hold.passes > 0:
            hold.passes -= 1
            return True
        hold.waiting.append(key)
        try:
            await hold.released.wait()
        finally:
            hold.waiting.remove(key)
        return request is None or client_alive(request)

    # Waiting -------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something changed: every `sleep_until_woken` returns now."""
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    async def sleep_until_woken(self, timeout: float) -> None:  # noqa: ASYNC109 (a poll step)
        """Sleep until `wake` is called or `timeout` seconds pass (a long poll's step)."""
        wakeup = self._wakeup
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=timeout)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 (a deadline for polling, part of the API)
        message: str | None = None,
    ) -> None:
        """Poll `predicate` every 20 ms; AssertionError after `timeout` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() >= deadline:
                what = message or getattr(predicate, "__qualname__", repr(predicate))
                recent = (
                    ", ".join(f"{call.method}→{call.status}" for call in self.calls[-8:]) or "none"
                )
                raise AssertionError(
                    f"not within {timeout} s: {what}; the last calls: {recent}; "
                    f"violations: {self.violations or 'none'}"
                )
            await asyncio.sleep(0.02)

    async def expect(self, person: Any, fragment: str, since: int = 0) -> Any:
        """Wait for a message (or an edit) to `person` (whose `messages` have a `text`)
        containing `fragment`, among those from index `since` on; the newest such message."""

        def found() -> Any:
            return next((m for m in reversed(person.messages[since:]) if fragment in m.text), None)

        try:
            await self.wait_until(lambda: found() is not None, timeout=10)
        except AssertionError:
            seen = [m.text for m in person.messages[since:]]
            raise AssertionError(f"no message with {fragment!r}; the chat has: {seen}") from None
        return found()
