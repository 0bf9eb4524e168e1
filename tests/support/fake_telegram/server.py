"""FakeTelegram: the Bot API's methods on a local server, each call checked against the spec.

A call is read (fake_http), converted and checked by the spec's types (spec) and Telegram's
limits (limits), then served: a known chat, an injected failure, a blocked chat, a hold, then the
method's handler (or a plausible result of its declared type for methods the fake does not
model). Updates to the bot are the other half (updates).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import mimetypes
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from aiohttp import web

from db.clock import utcnow
from tests.support.fake_http import Call, Failure, Upload, read_form
from tests.support.fake_telegram.chats import BotMessage, ChatState, same_markup
from tests.support.fake_telegram.entities import parse_entities, trim
from tests.support.fake_telegram.errors import (
    BAD_QUERY,
    FAILURE_DESCRIPTIONS,
    NOT_MODIFIED,
    ApiError,
    error_payload,
    error_response,
)
from tests.support.fake_telegram.files import FileStore, nominal_sizes, photo_size
from tests.support.fake_telegram.limits import check_limits
from tests.support.fake_telegram.people import FakeUser
from tests.support.fake_telegram.rates import SendRates
from tests.support.fake_telegram.spec import SpecValidator, Unknown, fatal, load_spec
from tests.support.fake_telegram.updates import UpdateDelivery

DEFAULT_TOKEN = "123456789:AAHfakeTokenForFormulyarTests_0123456"
BOT_USERNAME = "formulyar_test_bot"
SEND_LIKE = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})


@dataclass
class _Callback:
    """A callback query a person made: answered at most once."""

    user_id: int
    answered: bool = False


class FakeTelegram(UpdateDelivery):
    """A Telegram Bot API on 127.0.0.1 for tests; see the package docstring."""

    api_name = "the Telegram Bot API"

    def __init__(
        self,
        spec: dict[str, Any] | str | Path | None = None,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        now: Callable[[], float] = lambda: utcnow().timestamp(),
        webhook_timeout: float = 10.0,
        strict: bool = True,
        rate_limits: bool = False,
    ) -> None:
        super().__init__(host=host, strict=strict, now=now, webhook_timeout=webhook_timeout)
        if not isinstance(spec, dict):
            spec = load_spec(spec)
        self.spec = spec
        self.validator = SpecValidator(spec)
        self.token = token
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Формуляр (тест)",
            "username": BOT_USERNAME,
        }
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/
        self.download_delay = 0.0  # seconds each file download takes (a slow network)
        # Telegram's sending rates (rates.py), kept only when asked: tests send in bursts
        self.rates = SendRates() if rate_limits else None
        # (scope type, chat_id, language_code) → commands; scope type "chat_member:<user>" too
        self.commands: dict[tuple[str, int | None, str], list[dict[str, Any]]] = {}
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, ChatState] = {}
        self.files = FileStore()
        self._callbacks: dict[str, _Callback] = {}
        self._callback_counter = 0
        self._handlers: dict[str, Callable[[dict[str, Any], dict[str, Any]], Any]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "sendPhoto": self._send_photo,
            "sendDocument": self._send_document,
            "sendMediaGroup": self._send_media_group,
            "getFile": self._get_file,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendChatAction": self._send_chat_action,
        }

    # What the shared server asks of it -------------------------------------------------

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)

    def method_name(self, name: str) -> str | None:
        """The spec's spelling of a method (Telegram ignores the case of method names)."""
        return self.validator.method_name(name)

    # The test's side --------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Тест",
        *,
        language_code: str | None = "ru",
        username: str | None = None,
    ) -> FakeUser:
        """The person `user_id` (created on first use) and their private chat with the bot."""
        if user_id not in self._users:
            self._users[user_id] = FakeUser(self, user_id, first_name, language_code, username)
            chat = {"id": user_id, "type": "private", "first_name": first_name}
            if username:
                chat["username"] = username
            self._chats[user_id] = ChatState(chat=chat)
        return self._users[user_id]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` valid calls of `method` with this error."""
        parameters = None
        if status == 429:
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        description = description or FAILURE_DESCRIPTIONS.get(status, f"Error {status}")
        self.queue_failure(method, Failure(status, description, parameters), times)

    def block(self, chat_id: int) -> None:
        """The person blocked the bot: sends to the chat answer 403."""
        self._chat_state(chat_id).blocked = True

    def unblock(self, chat_id: int) -> None:
        self._chat_state(chat_id).blocked = False

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in the chat as the person sees them now (edits applied)."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [chat.bot_messages[key] for key in sorted(chat.bot_messages)]

    def my_commands(self, chat_id: int | None = None, language_code: str = "") -> list[dict] | None:
        """The commands set for a chat scope (or the default scope), None if never set."""
        key = (
            ("default", None, language_code)
            if chat_id is None
            else ("chat", chat_id, language_code)
        )
        return self.commands.get(key)

    def file_data(self, file_id: str) -> bytes:
        return self.files.by_id[file_id].data

    # HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        form = await read_form(request, accept_json=True)
        raw, files, transport, problem = form.params, form.uploads, form.transport, form.problem
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self.log_call(Call(name, raw, 401, transport, "Unauthorized"))
            return error_response(401, "Unauthorized")
        if problem is not None:
            self.violations.append(f"{name}: {problem}")
            self.log_call(Call(name, raw, 400, transport, f"Bad Request: {problem}"))
            return error_response(400, f"Bad Request: {problem}")
        status, payload = await self._dispatch(name, raw, files, transport, request)
        return web.json_response(
            payload, status=status, dumps=partial(json.dumps, ensure_ascii=False)
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        stored = self.files.by_path.get(path)
        if request.match_info["token"] != self.token or stored is None:
            return error_response(404, "Not Found")
        self.downloads.append(path)  # as the download starts
        if self.download_delay > 0:
            await asyncio.sleep(self.download_delay)
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    async def _dispatch(
        self,
        name: str,
        raw: dict[str, Any],
        files: dict[str, Upload],
        transport: str,
        request: web.BaseRequest | None,
    ) -> tuple[int, dict[str, Any]]:
        method = self.validator.method_name(name)
        if method is None:
            self.violations.append(f"{name}: no such method in the Bot API spec")
            self.log_call(Call(name, raw, 404, transport, "Not Found: method not found"))
            return 404, error_payload(404, "Not Found: method not found")
        params, problems = self.validator.convert_params(method, raw, files)
        call = self.log_call(Call(method, params, 200, transport))
        ctx: dict[str, Any] = {"method": method, "request": request, "files": files}
        if not fatal(problems):
            problems += check_limits(method, self.validator.fields(method), params, ctx)
        self.violations.extend(
            f"{method}: {problem}"
            + (" (Telegram ignores it)" if isinstance(problem, Unknown) else "")
            for problem in problems
        )
        try:
            if fatal(problems):
                raise ApiError(400, f"Bad Request: {fatal(problems)[0]}")
            ctx["chat"] = self._target_chat(method, params)
            failure = self.take_failure(method)
            if failure is not None:
                raise ApiError(failure.code, failure.description, parameters=failure.details)
            if ctx["chat"] is not None and ctx["chat"].blocked and self._is_send(method):
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if self.rates is not None and ctx["chat"] is not None and self._is_send(method):
                wait = self.rates.take(ctx["chat"].chat["id"], time.monotonic())
                if wait:
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {wait}",
                        parameters={"retry_after": wait},
                    )
            chat_id = params.get("chat_id")
            key = chat_id if isinstance(chat_id, int) else None
            if not await self.wait_if_held(method, key, request):
                raise ApiError(499, "the client went away while the call was held")
            handler = self._handlers.get(method, self._generic)
            result = await handler(params, ctx)
        except ApiError as error:
            if error.violation:
                self.violations.append(error.violation)
            call.status, call.description = error.status, error.description
            return error.status, error_payload(error.status, error.description, error.parameters)
        answer: dict[str, Any] = {"ok": True, "result": result}
        if ctx.get("description"):
            answer["description"] = ctx["description"]
        return 200, answer

    # Before a method runs --------------------------------------------------------------

    def _target_chat(self, method: str, params: dict[str, Any]) -> ChatState | None:
        if "chat_id" not in params:
            return None
        chat_id = params["chat_id"]
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(
                400,
                "Bad Request: chat not found",
                violation=f"{method}: chat_id {chat_id!r} is not a known chat "
                "(a chat exists once tg.user(...) made it)",
            )
        return chat

    @staticmethod
    def _is_send(method: str) -> bool:
        return method.startswith("send") or method in SEND_LIKE

    # Method handlers -------------------------------------------------------------------

    async def _get_me(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _send_message(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat = ctx["chat"]
        self._check_reply(chat, params)
        text, entities = ctx["text"]
        message = self._new_message(
            chat,
            "text",
            params,
            text=text,
            entities=entities,
            source=params["text"],
        )
        return self.message_object(message)

    async def _edit_message_text(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        if "text" not in ctx:
            raise ApiError(
                400,
                "Bad Request: text must be non-empty",
                violation="editMessageText: no text to set",
            )
        message = self._message_to_edit("editMessageText", params, ctx)
        if message is None:
            return True
        if message.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = ctx["text"]
        markup = params.get("reply_markup")
        if (
            text == message.text
            and entities == message.entities
            and same_markup(markup, message.reply_markup)
        ):
            raise ApiError(400, NOT_MODIFIED)
        message.text, message.entities, message.source = text, entities, params["text"]
        message.parse_mode = params.get("parse_mode")
        message.edit(markup, int(self._now()))
        return self.message_object(message)

    async def _edit_message_caption(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        message = self._message_to_edit("editMessageCaption", params, ctx)
        if message is None:
            return True
        if message.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = ctx.get("caption", (None, []))
        markup = params.get("reply_markup")
        if (
            caption == message.caption
            and entities == message.entities
            and same_markup(markup, message.reply_markup)
        ):
            raise ApiError(400, NOT_MODIFIED)
        message.caption, message.entities = caption, entities
        message.source, message.parse_mode = params.get("caption"), params.get("parse_mode")
        message.edit(markup, int(self._now()))
        return self.message_object(message)

    async def _edit_message_reply_markup(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        message = self._message_to_edit("editMessageReplyMarkup", params, ctx)
        if message is None:
            return True
        markup = params.get("reply_markup")
        if same_markup(markup, message.reply_markup):
            raise ApiError(400, NOT_MODIFIED)
        message.edit(markup, int(self._now()))
        return self.message_object(message)

    async def _delete_message(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat: ChatState = ctx["chat"]
        message_id = params["message_id"]
        if chat.bot_messages.pop(message_id, None) is None:
            if chat.user_messages.pop(message_id, None) is None:
                raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _answer_callback_query(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        query_id = params["callback_query_id"]
        state = self._callbacks.get(query_id)
        if state is None:
            raise ApiError(
                400,
                BAD_QUERY,
                violation=f"answerCallbackQuery: unknown callback_query_id {query_id!r}",
            )
        if state.answered:
            raise ApiError(
                400,
                BAD_QUERY,
                violation=f"answerCallbackQuery: callback query {query_id} answered twice",
            )
        state.answered = True
        self._users[state.user_id].answers.append(params.get("text"))
        return True

    async def _send_photo(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat = ctx["chat"]
        self._check_reply(chat, params)
        photo = params["photo"]
        file_name = None
        if isinstance(photo, Upload):
            sizes, data = self.files.store_photo(photo.data, "AgACAgIAAxkDAAIB")
            file_name = photo.filename
        else:
            stored = self.files.known("sendPhoto", "photo", photo)
            data = stored.data if stored else None
            sizes = [photo_size(stored)] if stored else nominal_sizes(photo)
        caption, entities = ctx.get("caption", (None, []))
        message = self._new_message(
            chat,
            "photo",
            params,
            caption=caption,
            entities=entities,
            source=params.get("caption"),
            file=data,
            file_name=file_name,
            media={"photo": sizes},
        )
        return self.message_object(message)

    async def _send_document(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat = ctx["chat"]
        self._check_reply(chat, params)
        document = params["document"]
        if isinstance(document, Upload):
            mime = mimetypes.guess_type(document.filename or "")[0] or "application/octet-stream"
            stored = self.files.store(
                document.data, "BQACAgIAAxkDAAIC", "documents", document.filename, mime
            )
        else:
            stored = self.files.known("sendDocument", "document", document)
        caption, entities = ctx.get("caption", (None, []))
        described: dict[str, Any] = {"file_id": "BQACAgIAAxkDAAICurl", "file_unique_id": "url"}
        if stored is not None:
            described = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.data),
            }
            if stored.file_name:
                described["file_name"] = stored.file_name
            if stored.mime_type:
                described["mime_type"] = stored.mime_type
        message = self._new_message(
            chat,
            "document",
            params,
            caption=caption,
            entities=entities,
            source=params.get("caption"),
            file=stored.data if stored else None,
            file_name=stored.file_name if stored else None,
            media={"document": described},
        )
        return self.message_object(message)

    async def _send_media_group(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat = ctx["chat"]
        results = []
        for item in params["media"]:
            media = item.get("media", "")
            key = media.removeprefix("attach://") if media.startswith("attach://") else None
            upload = ctx["files"].get(key) if key else None
            caption = item.get("caption")
            if isinstance(caption, str):
                with contextlib.suppress(ValueError):
                    caption = trim(*parse_entities(caption, item.get("parse_mode")))[0]
            message = self._new_message(
                chat,
                str(item.get("type", "media")),
                {},
                caption=caption,
                source=item.get("caption"),
                file=upload.data if upload else None,
                file_name=upload.filename if upload else None,
            )
            results.append(self.message_object(message))
        return results

    async def _get_file(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        stored = self.files.by_id.get(params["file_id"])
        if stored is None:
            raise ApiError(
                400,
                "Bad Request: invalid file_id",
                violation=f"getFile: unknown file_id {params['file_id']!r}",
            )
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def _set_my_commands(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        key = self._scope_key("setMyCommands", params)
        self.commands[key] = [dict(command) for command in params["commands"]]
        return True

    async def _delete_my_commands(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        self.commands.pop(self._scope_key("deleteMyCommands", params), None)
        return True

    async def _get_my_commands(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        return copy.deepcopy(self.commands.get(self._scope_key("getMyCommands", params), []))

    async def _send_chat_action(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        return True

    async def _generic(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        """Any other method of the spec: a plausible result of its declared return type."""
        method = ctx["method"]
        returns = self.validator.returns(method)
        chat = ctx.get("chat")
        if "Message" in returns and self._is_send(method) and chat is not None:
            upload = next((value for value in params.values() if isinstance(value, Upload)), None)
            caption, entities = ctx.get("caption", (None, []))
            kind = method.removeprefix("send")
            message = self._new_message(
                chat,
                kind[:1].lower() + kind[1:],
                params,
                caption=caption,
                entities=entities,
                source=params.get("caption"),
                file=upload.data if upload else None,
                file_name=upload.filename if upload else None,
            )
            return self.message_object(message)
        first = returns[0] if returns else "Boolean"
        if first == "MessageId" and chat is not None:
            chat.next_message_id += 1
            return {"message_id": chat.next_message_id - 1}
        if first == "Boolean" or "Boolean" in returns:
            return True
        result = self.validator.placeholder(first)
        if first == "ChatFullInfo" and chat is not None:
            result.update(chat.chat)
        return result

    # Messages, and updates from people -------------------------------------------------

    def _chat_state(self, chat_id: int) -> ChatState:
        if chat_id not in self._chats:
            raise KeyError(f"chat {chat_id} is unknown: create it with tg.user({chat_id})")
        return self._chats[chat_id]

    def _new_message(
        self, chat: ChatState, kind: str, params: dict[str, Any], **content: Any
    ) -> BotMessage:
        """A message the bot sends now (`content`: see ChatState.add_bot_message)."""
        return chat.add_bot_message(kind, params, int(self._now()), **content)

    def message_object(self, message: BotMessage) -> dict[str, Any]:
        """The Message object Telegram sends for a bot message, as it is now."""
        return self._chats[message.chat_id].message_object(message, self.bot_user)

    def _message_to_edit(
        self, method: str, params: dict[str, Any], ctx: dict[str, Any]
    ) -> BotMessage | None:
        if params.get("inline_message_id") is not None:
            return None
        chat: ChatState | None = ctx["chat"]
        if chat is None or "message_id" not in params:
            raise ApiError(
                400,
                "Bad Request: message identifier is not specified",
                violation=f"{method}: needs chat_id and message_id (or inline_message_id)",
            )
        message = chat.bot_messages.get(params["message_id"])
        if message is None:
            if params["message_id"] in chat.user_messages:
                raise ApiError(
                    400,
                    "Bad Request: message can't be edited",
                    violation=f"{method}: message {params['message_id']} is the person's own",
                )
            raise ApiError(400, "Bad Request: message to edit not found")
        return message

    def _check_reply(self, chat: ChatState, params: dict[str, Any]) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or reply.get("allow_sending_without_reply"):
            return
        message_id = reply.get("message_id")
        if message_id not in chat.bot_messages and message_id not in chat.user_messages:
            raise ApiError(400, "Bad Request: message to be replied not found")

    def _scope_key(self, method: str, params: dict[str, Any]) -> tuple[str, int | None, str]:
        scope = params.get("scope") or {"type": "default"}
        language = params.get("language_code") or ""
        kind = scope.get("type", "default")
        chat_id = scope.get("chat_id")
        if chat_id is not None:
            if not isinstance(chat_id, int) or chat_id not in self._chats:
                raise ApiError(
                    400,
                    "Bad Request: chat not found",
                    violation=f"{method}: scope chat_id {chat_id!r} is not a known chat",
                )
        if kind == "chat_member":
            kind = f"chat_member:{scope.get('user_id')}"
        return kind, chat_id, language

    def _user_message(self, user: FakeUser, content: dict[str, Any]) -> dict[str, Any]:
        """The Message of a person's text or photo, kept in their chat (for FakeUser)."""
        chat = self._chats[user.chat_id]
        message = {
            "message_id": chat.next_message_id,
            "from": dict(user.user),
            "chat": dict(chat.chat),
            "date": int(self._now()),
            **content,
        }
        chat.next_message_id += 1
        chat.user_messages[message["message_id"]] = message
        return copy.deepcopy(message)

    def _callback(self, user: FakeUser, data: str, message_id: int) -> dict[str, Any]:
        """The CallbackQuery of a person's button press, awaiting its answer (for FakeUser)."""
        chat = self._chats[user.chat_id]
        self._callback_counter += 1
        query_id = str(4_000_000_000_000_000 + self._callback_counter)
        self._callbacks[query_id] = _Callback(user.user_id)
        bot_message = chat.bot_messages.get(message_id)
        if bot_message is not None:
            message = self.message_object(bot_message)
        else:  # what Telegram sends for a message the bot can no longer see
            message = {"chat": dict(chat.chat), "message_id": message_id, "date": 0}
        return {
            "id": query_id,
            "from": dict(user.user),
            "message": message,
            "chat_instance": str(-1_000_000_000 - user.chat_id),
            "data": data,
        }


@contextlib.asynccontextmanager
async def running_fake_telegram(
    spec: dict[str, Any] | str | Path | None = None, **options: Any
) -> AsyncIterator[FakeTelegram]:
    """A started FakeTelegram; stopped at exit, where leftover violations fail the test.

    In a conftest::

        @pytest.fixture
        async def tg():
            async with running_fake_telegram() as fake:
                yield fake
    """
    async with FakeTelegram(spec, strict=True, **options) as tg:
        yield tg
