"""The fake Telegram Bot API, proven with the real aiogram client talking HTTP to it."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import EditMessageText, TelegramMethod
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web

import tests.support.shared as shared
from tests.support.fake_telegram import (
    FakeTelegram,
    load_spec,
    parse_html,
    parse_markdown_v2,
    running_fake_telegram,
)

READER = 1001


@pytest.fixture
def spec() -> dict[str, Any]:
    return load_spec()  # skips (fails under CI=true) without ../shared


@pytest.fixture
async def tg(spec: dict[str, Any]) -> AsyncIterator[FakeTelegram]:
    async with running_fake_telegram(spec) as fake:
        yield fake


class LocalSession(AiohttpSession):
    """aiogram's own session, unchanged but for close(): aiogram waits 250 ms there for SSL
    connections to wind down, and on plain HTTP to 127.0.0.1 there are none."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def make_bot(tg: FakeTelegram, token: str | None = None, **options: Any) -> Bot:
    session = LocalSession(api=TelegramAPIServer.from_base(tg.base_url))
    return Bot(token or tg.token, session=session, **options)


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(tg)
    yield bot
    await bot.session.close()


def keyboard(*labels: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in labels
        ]
    )


def png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


# The basics -------------------------------------------------------------------------------


async def test_get_me_answers_the_test_bot_and_a_wrong_token_is_unauthorized(
    tg: FakeTelegram, bot: Bot
) -> None:
    me = await bot.get_me()
    assert me.username == "formulyar_test_bot"
    assert me.is_bot and me.id == tg.bot_user["id"]

    stranger = make_bot(tg, token="42:AAnotTheRightTokenAtAll_000000000000")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await stranger.get_me()
    finally:
        await stranger.session.close()
    assert [call.status for call in tg.calls] == [200, 401]


async def test_send_message_with_a_keyboard_appears_in_the_chat(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER, "Аня")
    sent = await bot.send_message(
        READER,
        "Книга <b>найдена</b>",
        parse_mode="HTML",
        reply_markup=keyboard(("Взять", "take:1"), ("Отмена", "cancel")),
        disable_notification=False,
    )
    assert sent.chat.id == READER and sent.from_user and sent.from_user.is_bot
    assert sent.text == "Книга найдена"
    assert sent.entities and sent.entities[0].type == "bold"
    assert sent.reply_markup and sent.reply_markup.inline_keyboard[1][0].callback_data == "cancel"

    [message] = tg.messages(READER)
    assert reader.last == message
    assert (message.message_id, message.kind, message.text) == (sent.message_id, "text", sent.text)
    assert message.source == "Книга <b>найдена</b>" and message.parse_mode == "HTML"
    assert message.buttons == [
        [{"text": "Взять", "callback_data": "take:1"}],
        [{"text": "Отмена", "callback_data": "cancel"}],
    ]
    call = tg.calls_to("sendMessage")[0]
    # Converted by the spec's types: chat_id an Integer, the markup an object, False a Boolean.
    assert call.params["chat_id"] == READER
    assert call.params["disable_notification"] is False
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Взять"


async def test_edits_are_applied_and_an_identical_edit_is_refused(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.user(READER)
    sent = await bot.send_message(READER, "Шаг 1", reply_markup=keyboard(("Дальше", "next")))

    edited = await bot.edit_message_text(
        "Шаг 2", chat_id=READER, message_id=sent.message_id, reply_markup=keyboard(("Ещё", "more"))
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    [message] = tg.messages(READER)
    assert (message.text, message.edited) == ("Шаг 2", True)
    assert message.buttons == [[{"text": "Ещё", "callback_data": "more"}]]

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Шаг 2",
            chat_id=READER,
            message_id=sent.message_id,
            reply_markup=keyboard(("Ещё", "more")),
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("?", chat_id=READER, message_id=999)

    # An edit without reply_markup takes the keyboard away, as Telegram does.
    await bot.edit_message_text("Шаг 2", chat_id=READER, message_id=sent.message_id)
    assert tg.messages(READER)[0].buttons == []
    assert tg.violations == []  # those refusals are Telegram's answers, not the bot's mistakes


# Limits ------------------------------------------------------------------------------------


async def test_a_text_over_4096_characters_is_refused_and_recorded(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.user(READER)
    with tg.expect_violations() as seen, pytest.raises(TelegramBadRequest, match="too long"):
        await bot.send_message(READER, "я" * 4500)
    assert seen == ["sendMessage: message is too long: text is 4500 characters (max 4096)"]
    assert tg.messages(READER) == []

    await bot.send_message(READER, "я" * 4096)  # the limit itself is fine
    assert len(tg.messages(READER)) == 1


async def test_callback_data_over_64_bytes_is_refused(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    with tg.expect_violations("65 bytes"), pytest.raises(TelegramBadRequest, match="BUTTON_DATA"):
        await bot.send_message(READER, "x", reply_markup=keyboard(("a", "d" * 65)))
    # Bytes, not characters: 33 Cyrillic letters are 66 bytes.
    with tg.expect_violations("66 bytes"), pytest.raises(TelegramBadRequest):
        await bot.send_message(READER, "x", reply_markup=keyboard(("a", "ж" * 33)))
    await bot.send_message(READER, "x", reply_markup=keyboard(("a", "ж" * 32)))
    assert tg.messages(READER)[0].buttons[0][0]["callback_data"] == "ж" * 32


async def test_an_inline_button_needs_exactly_one_action(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    both = InlineKeyboardButton(text="two", callback_data="a", url="https://example.org")
    with tg.expect_violations("exactly one action"), pytest.raises(TelegramBadRequest):
        await bot.send_message(
            READER, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[both]])
        )


async def test_html_is_parsed_as_telegram_does(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    for broken, fragment in [
        ("1 < 2", 'unexpected "<"'),
        ("Tom & Jerry", 'unescaped "&"'),
        ("<b>bold", 'start tag "b"'),
        ("<b><i>x</b></i>", "unmatched end tag"),
        ("line<br>break", 'unsupported start tag "br"'),
    ]:
        with (
            tg.expect_violations("can't parse entities", fragment),
            pytest.raises(TelegramBadRequest, match="can't parse entities"),
        ):
            await bot.send_message(READER, broken, parse_mode="HTML")

    sent = await bot.send_message(
        READER, "1 &lt; 2 &amp;&amp; <i>Tom &quot;&#38;&quot; Jerry</i>", parse_mode="HTML"
    )
    assert sent.text == '1 < 2 && Tom "&" Jerry'
    assert tg.messages(READER)[-1].entities == [{"type": "italic", "offset": 9, "length": 13}]

    # The limit counts the visible text: markup and escapes are free, escaped characters count once.
    await bot.send_message(READER, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(READER, "&lt;" * 4096, parse_mode="HTML")
    with tg.expect_violations("4097 characters"), pytest.raises(TelegramBadRequest):
        await bot.send_message(READER, "&lt;" * 4097, parse_mode="HTML")
    # Without a parse_mode the same characters are plain text.
    await bot.send_message(READER, "1 < 2 & <b>")
    assert tg.messages(READER)[-1].text == "1 < 2 & <b>"


def test_the_markup_parsers_directly() -> None:
    text, entities = parse_html(
        '<a href="https://x.org/?a=1&amp;b=2">ссылка</a> <pre><code class="language-py">'
        "x = 1</code></pre> <tg-spoiler>🙈</tg-spoiler>"
    )
    assert text == "ссылка x = 1 🙈"
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 6, "url": "https://x.org/?a=1&b=2"},
        {"type": "pre", "offset": 7, "length": 5, "language": "py"},
        {"type": "spoiler", "offset": 13, "length": 2},  # UTF-16: the emoji is two units
    ]
    text, entities = parse_markdown_v2(r"*Книга* _найдена_\. Срок: 12\-05\!")
    assert text == "Книга найдена. Срок: 12-05!"
    assert [entity["type"] for entity in entities] == ["bold", "italic"]


async def test_markdown_v2_wants_reserved_characters_escaped(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    with tg.expect_violations("character '.' is reserved"), pytest.raises(TelegramBadRequest):
        await bot.send_message(READER, "Готово.", parse_mode="MarkdownV2")
    await bot.send_message(READER, r"Готово\.", parse_mode="MarkdownV2")
    assert tg.messages(READER)[-1].text == "Готово."


async def test_a_caption_over_1024_characters_is_refused(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    with tg.expect_violations("caption is 1025 characters"), pytest.raises(TelegramBadRequest):
        await bot.send_photo(READER, BufferedInputFile(b"jpeg", "a.jpg"), caption="ы" * 1025)


async def test_a_chat_nobody_opened_is_not_found(tg: FakeTelegram, bot: Bot) -> None:
    with (
        tg.expect_violations("not a known chat"),
        pytest.raises(TelegramBadRequest, match="chat not found"),
    ):
        await bot.send_message(777, "hello?")


# Wrong types and unknown methods -----------------------------------------------------------


async def test_a_value_of_the_wrong_type_is_a_violation(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    sent = await bot.send_message(READER, "текст")
    # aiogram validates its models, so build the method unvalidated: the request is still
    # encoded by aiogram's own session, as the bot would send it.
    wrong = EditMessageText.model_construct(chat_id=READER, message_id="x", text="новый")
    with tg.expect_violations("message_id must be Integer"), pytest.raises(TelegramBadRequest):
        await bot(wrong)
    assert tg.messages(READER)[0].text == "текст"

    # The same, as JSON and as a query string: nested objects are checked field by field.
    url = f"{tg.base_url}/bot{tg.token}/editMessageText"
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": 5}]]}
    body = {
        "chat_id": READER,
        "message_id": sent.message_id,
        "text": "новый",
        "reply_markup": markup,
    }
    async with aiohttp.ClientSession() as http:
        with tg.expect_violations("callback_data must be String"):
            async with http.post(url, json=body) as response:
                assert response.status == 400
                assert (await response.json())["ok"] is False
        query = {"chat_id": str(READER), "message_id": str(sent.message_id), "text": "новый"}
        async with http.get(url, params=query) as response:
            assert response.status == 200, await response.text()
    assert tg.messages(READER)[0].text == "новый"
    assert [call.transport for call in tg.calls_to("editMessageText")] == [
        "urlencoded",
        "json",
        "query",
    ]


class SendTelepathy(TelegramMethod[bool]):
    __returning__ = bool
    __api_method__ = "sendTelepathy"

    chat_id: int


async def test_unknown_method_and_unknown_parameter(tg: FakeTelegram, bot: Bot) -> None:
    with tg.expect_violations("sendTelepathy: no such method"), pytest.raises(TelegramNotFound):
        await bot(SendTelepathy(chat_id=READER))
    async with aiohttp.ClientSession() as http:
        with tg.expect_violations("no such method"):
            async with http.post(f"{tg.base_url}/bot{tg.token}/sendTelepathy") as response:
                assert response.status == 404
                assert await response.json() == {
                    "ok": False,
                    "error_code": 404,
                    "description": "Not Found: method not found",
                }
    # aiogram 3.31 still sends the deprecated disable_web_page_preview with this default:
    # Telegram ignores it, the fake serves the request and records the violation.
    tg.user(READER)
    old_style = make_bot(tg, default=DefaultBotProperties(link_preview_is_disabled=True))
    try:
        with tg.expect_violations("unknown parameter 'disable_web_page_preview'"):
            await old_style.send_message(READER, "ссылка https://example.org")
    finally:
        await old_style.session.close()
    assert tg.messages(READER)[0].text == "ссылка https://example.org"


async def test_methods_are_case_insensitive_and_others_are_answered_true(
    tg: FakeTelegram, bot: Bot
) -> None:
    tg.user(READER)
    assert await bot.set_my_description("Школьная библиотека") is True
    chat = await bot.get_chat(READER)  # a placeholder ChatFullInfo over the known chat
    assert (chat.id, chat.type) == (READER, "private")
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{tg.base_url}/bot{tg.token}/GETME") as response:
            assert (await response.json())["result"]["username"] == "formulyar_test_bot"
    assert [call.method for call in tg.calls] == ["setMyDescription", "getChat", "getMe"]


# Failures a correct bot must handle -------------------------------------------------------


async def test_flood_control_429_raises_retry_after(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    tg.fail_next("sendMessage", retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(READER, "привет")
        assert caught.value.retry_after == 7
        assert "retry after 7" in caught.value.message
    await bot.send_message(READER, "привет")
    assert [call.status for call in tg.calls_to("sendMessage")] == [429, 429, 200]
    assert len(tg.messages(READER)) == 1 and tg.violations == []


async def test_a_blocked_chat_answers_403(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    tg.block(READER)
    assert reader.blocked
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(READER, "напоминание")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(READER, "typing")
    tg.unblock(READER)
    await bot.send_message(READER, "напоминание")
    assert [message.text for message in reader.messages] == ["напоминание"]


# Updates: long polling and webhooks ---------------------------------------------------------


async def test_get_updates_long_polls_and_honours_offset(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER, "Аня")
    loop = asyncio.get_running_loop()
    started = loop.time()
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    update_id = await reader.send("/start abc")
    [update] = await polling
    assert loop.time() - started < 2, "the long poll should return as soon as an update arrives"
    assert update.update_id == update_id
    assert update.message and update.message.text == "/start abc"
    assert update.message.entities and update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start")
    assert update.message.from_user and update.message.from_user.first_name == "Аня"

    # Not confirmed yet: the same update again; confirmed by offset: gone.
    assert [item.update_id for item in await bot.get_updates(timeout=0)] == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []

    # A long poll with nothing to say ends after its timeout with [].
    started = loop.time()
    assert await bot.get_updates(offset=update_id + 1, timeout=1) == []
    assert 0.9 <= loop.time() - started < 2

    await reader.send("раз")
    await reader.send("два")
    first = await bot.get_updates(offset=update_id + 1, limit=1, timeout=0)
    assert [item.message.text for item in first if item.message] == ["раз"]


async def test_an_aiogram_dispatcher_serves_a_conversation(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    dispatcher = Dispatcher()
    router = Router()

    @router.message()
    async def on_message(message: Message) -> None:
        await message.answer(f"Нашла: {message.text}", reply_markup=keyboard(("Взять", "take")))

    @router.callback_query()
    async def on_callback(query: CallbackQuery) -> None:
        await query.answer("Записала")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Книга ваша")

    dispatcher.include_router(router)
    polling = asyncio.create_task(
        dispatcher.start_polling(
            bot,
            handle_signals=False,
            close_bot_session=False,
            allowed_updates=["message", "callback_query"],
            polling_timeout=25,
        )
    )
    try:
        await reader.send("Каштанка")
        await tg.wait_until(
            lambda: reader.last is not None and reader.last.text == "Нашла: Каштанка"
        )
        await reader.press("Взять")
        await tg.wait_until(lambda: reader.answers == ["Записала"])
        await tg.wait_until(lambda: reader.last is not None and reader.last.edited)
        assert reader.last and (reader.last.text, reader.last.buttons) == ("Книга ваша", [])
        assert tg.allowed_updates == ["message", "callback_query"]
    finally:
        await dispatcher.stop_polling()
        await polling


async def test_two_pollers_at_once_conflict(tg: FakeTelegram, bot: Bot) -> None:
    with tg.expect_violations("two getUpdates requests at once"):
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert await bot.get_updates(timeout=0) == []
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
            await first


async def test_a_webhook_gets_posts_with_the_secret_header(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        update = await request.json()
        received.append((secret, update))
        if secret != "s3cret-Token_1":
            return web.Response(status=401, text="Unauthorized")
        text = update.get("message", {}).get("text")
        if text == "эхо":  # answer with a method call in the webhook's response, as bots may
            chat = update["message"]["chat"]["id"]
            return web.json_response({"method": "sendMessage", "chat_id": chat, "text": "эхо!"})
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        early = await reader.send("до вебхука")  # queued; goes to the webhook once it is set
        assert await bot.set_webhook(url, secret_token="s3cret-Token_1") is True
        assert (tg.webhook_url, tg.webhook_secret) == (url, "s3cret-Token_1")
        await tg.wait_until(lambda: len(received) == 1, message="the queued update to arrive")
        assert received[0][0] == "s3cret-Token_1"
        assert received[0][1]["update_id"] == early
        assert received[0][1]["message"]["text"] == "до вебхука"

        update_id = await reader.send("привет")
        assert received[-1][0] == "s3cret-Token_1"
        assert received[-1][1]["update_id"] == update_id
        await tg.redeliver(update_id)
        assert [update["update_id"] for _, update in received[-2:]] == [update_id, update_id]

        assert await tg.post_to_webhook({"message": {"text": "x"}}, secret="wrong") == 401
        assert await tg.post_to_webhook({"message": {"text": "x"}}, secret=None) == 401
        assert received[-1][0] is None

        await reader.send("эхо")
        assert reader.last and reader.last.text == "эхо!"
        assert tg.calls[-1].transport == "webhook-reply"

        info = await bot.get_webhook_info()
        assert info.url == url and info.pending_update_count == 0
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates(timeout=0)
        assert await bot.delete_webhook(drop_pending_updates=True) is True
        assert tg.webhook_url is None and await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_the_bot_answers_a_pressed_button(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    await bot.send_message(READER, "Старое", reply_markup=keyboard(("Взять", "take:old")))
    await bot.send_message(
        READER, "Новое", reply_markup=keyboard(("Взять книгу", "take:new"), ("Нет", "no"))
    )
    with pytest.raises(AssertionError, match="Взять книгу"):
        await reader.press("Продлить")

    await reader.press("Взять")
    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query and query.data == "take:new"
    assert query.message and query.message.message_id == reader.messages[-1].message_id
    assert await bot.answer_callback_query(query.id, text="Готово") is True
    assert reader.answers == ["Готово"]
    with tg.expect_violations("answered twice"), pytest.raises(TelegramBadRequest):
        await bot.answer_callback_query(query.id)

    await reader.press_data("take:999999", message_id=12345)  # forged, on a message long gone
    [update] = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    forged = update.callback_query
    assert forged and forged.data == "take:999999"
    assert forged.message and forged.message.date == 0  # an InaccessibleMessage
    with tg.expect_violations("200"), pytest.raises(TelegramBadRequest):
        await bot.answer_callback_query(forged.id, text="ы" * 201)
    assert reader.answers == ["Готово"]


# Files ----------------------------------------------------------------------------------------


async def test_send_photo_and_document_store_the_uploaded_bytes(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    image = png(640, 480)
    sent = await bot.send_photo(
        READER, BufferedInputFile(image, "обложка.png"), caption="<b>Обложка</b>", parse_mode="HTML"
    )
    assert sent.photo and [size.width for size in sent.photo] == [90, 320, 640]
    assert sent.caption == "Обложка"
    photo = reader.last
    assert photo and (photo.kind, photo.file, photo.file_name) == ("photo", image, "обложка.png")
    assert photo.caption == "Обложка" and photo.entities == [
        {"type": "bold", "offset": 0, "length": 7}
    ]
    upload = tg.calls_to("sendPhoto")[0].params["photo"]
    assert upload.data == image and upload.filename == "обложка.png"

    report = "№;Название\n1;Азбука\n".encode()
    document = await bot.send_document(READER, BufferedInputFile(report, "Отчёт.csv"))
    assert document.document and document.document.file_name == "Отчёт.csv"
    assert reader.last and (reader.last.kind, reader.last.file) == ("document", report)

    # A file_id Telegram gave back can be sent again; an invented one cannot.
    await bot.send_document(READER, document.document.file_id)
    assert reader.last and reader.last.file == report
    with tg.expect_violations("neither a known file_id"), pytest.raises(TelegramBadRequest):
        await bot.send_photo(READER, "AgACinvented")


async def test_a_users_photo_can_be_fetched_back(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER)
    image = png(1000, 800)
    await reader.send_photo(image, caption="штрихкод")
    await reader.send_photo(b"not really a jpeg")
    first, second = await bot.get_updates(timeout=0)
    assert first.message and first.message.photo and first.message.caption == "штрихкод"
    assert 2 <= len(first.message.photo) <= 3
    largest = first.message.photo[-1]
    assert (largest.width, largest.height) == (1000, 800)
    file = await bot.get_file(largest.file_id)
    assert file.file_path and file.file_size == len(image)
    downloaded = await bot.download(largest)
    assert downloaded is not None and downloaded.read() == image
    thumbnail = await bot.download(first.message.photo[0])
    assert thumbnail is not None and thumbnail.read() != image  # a real, smaller picture

    assert second.message and second.message.photo
    fallback = await bot.download(second.message.photo[-1])
    assert fallback is not None and fallback.read() == b"not really a jpeg"
    assert len(tg.downloads) == 3
    with tg.expect_violations("unknown file_id"), pytest.raises(TelegramBadRequest):
        await bot.get_file("nope")


# Commands and chat actions ----------------------------------------------------------------


async def test_commands_are_kept_per_scope_and_checked(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    default = [BotCommand(command="start", description="Начать")]
    librarian = [*default, BotCommand(command="issue", description="Выдать книгу")]
    await bot.set_my_commands(default, scope=BotCommandScopeDefault())
    await bot.set_my_commands(librarian, scope=BotCommandScopeChat(chat_id=READER))
    assert tg.my_commands() == [{"command": "start", "description": "Начать"}]
    assert [item["command"] for item in tg.my_commands(READER) or []] == ["start", "issue"]
    got = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=READER))
    assert [command.command for command in got] == ["start", "issue"]

    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=READER))
    assert tg.my_commands(READER) is None
    assert await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=READER)) == []

    for bad, fragment in [
        ([BotCommand(command="Start", description="x")], "BOT_COMMAND_INVALID"),
        ([BotCommand(command="start", description="x" * 257)], "257 characters"),
        ([BotCommand(command=f"c{i}", description="x") for i in range(101)], "too many"),
    ]:
        with tg.expect_violations(fragment), pytest.raises(TelegramBadRequest):
            await bot.set_my_commands(bad)
    with tg.expect_violations("scope chat_id"), pytest.raises(TelegramBadRequest):
        await bot.set_my_commands(default, scope=BotCommandScopeChat(chat_id=5))


async def test_chat_actions_are_checked(tg: FakeTelegram, bot: Bot) -> None:
    tg.user(READER)
    assert await bot.send_chat_action(READER, "upload_photo") is True
    with tg.expect_violations("wrong parameter action"), pytest.raises(TelegramBadRequest):
        await bot.send_chat_action(READER, "dancing")


# The fake itself --------------------------------------------------------------------------------


async def test_what_the_fake_sends_matches_the_spec(tg: FakeTelegram, bot: Bot) -> None:
    reader = tg.user(READER, username="anya")
    await bot.send_message(READER, "<b>x</b>", parse_mode="HTML", reply_markup=keyboard(("a", "b")))
    await bot.send_photo(READER, BufferedInputFile(png(400, 300), "p.png"), caption="c")
    await bot.send_document(READER, BufferedInputFile(b"doc", "d.txt"))
    await reader.send("/help")
    await reader.send_photo(png(200, 100))
    await reader.press("a")
    await reader.press_data("forged", message_id=99)
    assert len(tg.pending_updates) == 4
    for update in tg.pending_updates:
        assert tg.validator.check_value(update, ["Update"], "update") == []
    results = []
    async with aiohttp.ClientSession() as http:
        for method, params in [
            ("getMe", {}),
            ("getWebhookInfo", {}),
            ("getFile", {"file_id": tg.pending_updates[1]["message"]["photo"][-1]["file_id"]}),
        ]:
            async with http.post(f"{tg.base_url}/bot{tg.token}/{method}", json=params) as answer:
                results.append((await answer.json())["result"])
    assert tg.validator.check_value(results[0], ["User"], "getMe") == []
    assert tg.validator.check_value(results[1], ["WebhookInfo"], "info") == []
    assert tg.validator.check_value(results[2], ["File"], "file") == []
    for message in tg.messages(READER):
        assert tg.validator.check_value(tg.message_object(message), ["Message"], "message") == []
    # The validator is able to fail, too.
    assert tg.validator.check_value({"message_id": "1"}, ["Message"], "m") == [
        "m.message_id must be Integer, got '1'",
        "m.date is required in Message",
        "m.chat is required in Message",
    ]


async def test_leftover_violations_fail_the_test(spec: dict[str, Any]) -> None:
    with pytest.raises(AssertionError, match="sendMessage: message text is empty"):
        async with running_fake_telegram(spec) as fake:
            fake.user(READER)
            async with aiohttp.ClientSession() as http:
                url = f"{fake.base_url}/bot{fake.token}/sendMessage"
                async with http.post(url, data={"chat_id": str(READER), "text": "  "}) as answer:
                    assert answer.status == 400


async def test_wait_until_says_what_it_waited_for(tg: FakeTelegram) -> None:
    with pytest.raises(AssertionError, match=r"not within 0\.1 s: the bot to reply"):
        await tg.wait_until(lambda: False, timeout=0.1, message="the bot to reply")


def test_without_the_shared_folder_the_spec_skips_or_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(shared, "SHARED", tmp_path / "no-shared-here")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"spec/telegram-bot-api\.json is absent"):
        load_spec()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        load_spec()
