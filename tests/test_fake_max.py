"""The fake MAX Bot API, proven with the real maxapi client talking HTTP to it.

maxapi's Bot is pointed at the fake with `set_api_url`; everything else is maxapi as a bot
runs it: its requests (Authorization header, JSON bodies, multipart uploads), its parsing of
the answers and of the updates the fake raises.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from maxapi import Bot, Dispatcher
from maxapi.enums.upload_type import UploadType
from maxapi.exceptions.max import InvalidToken, MaxApiError
from maxapi.methods.types.getted_updates import process_update_request
from maxapi.types.attachments.buttons import CallbackButton, LinkButton
from maxapi.types.input_media import InputMediaBuffer
from maxapi.types.updates.message_callback import MessageForCallback
from maxapi.types.updates.message_created import MessageCreated
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder
from PIL import Image

import tests.support.shared as shared
from tests.support.fake_max import SECRET_HEADER, FakeMax, load_spec, running_fake_max


@pytest.fixture
async def fake() -> AsyncIterator[FakeMax]:
    shared.shared_path("spec", "max", "max-bot-api.json")  # skips (fails under CI) if absent
    async with running_fake_max() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeMax) -> AsyncIterator[Bot]:
    client = Bot(fake.token)
    client.set_api_url(fake.base_url)
    client.after_input_media_delay = 0.0  # maxapi waits 2 s after an upload by default
    yield client
    await client.close_session()


def keyboard(*buttons: CallbackButton | LinkButton) -> object:
    builder = InlineKeyboardBuilder()
    builder.row(*buttons)
    return builder.as_markup()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


async def raw(fake: FakeMax, method: str, path: str, **kwargs: object) -> tuple[int, dict]:
    """A request maxapi would refuse to make (it checks some limits itself)."""
    headers = {"Authorization": fake.token}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.url(path), headers=headers, **kwargs) as response,
    ):
        return response.status, await response.json()


# Sending -------------------------------------------------------------------------------------


async def test_a_sent_message_is_recorded_and_seen_by_the_person(fake: FakeMax, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.user_id, me.username, me.is_bot) == (fake.bot_user_id, "formulyar_test_bot", True)
    anya = fake.user()
    await anya.start()

    sent = await bot.send_message(
        user_id=anya.user_id,
        text="<b>Книга</b> ждёт вас",
        format="html",
        attachments=[keyboard(CallbackButton(text="Взять", payload="take:1"))],
    )

    assert sent is not None and sent.message.body.mid == anya.last.message_id
    assert anya.last.message_id.startswith("mid.")
    assert (anya.last.text, anya.last.format) == ("<b>Книга</b> ждёт вас", "html")
    assert anya.last.labels() == ["Взять"]
    assert anya.last.buttons[0][0].payload == "take:1"
    assert [call.method for call in fake.calls][-1] == "POST /messages"
    assert len(fake.calls_to("/messages")) == 1
    assert fake.calls_to("POST /messages")[-1].params["user_id"] == anya.user_id

    await bot.send_message(chat_id=anya.chat_id, text="По chat_id тоже")
    assert [m.text for m in anya.messages][-1] == "По chat_id тоже"


async def test_bad_bodies_are_answered_400_and_are_violations(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    with fake.expect_violations("4001 characters, at most 4000"):
        status, body = await raw(
            fake, "POST", f"/messages?user_id={anya.user_id}", json={"text": "я" * 4001}
        )
    assert (status, body["code"]) == (400, "proto.payload")

    too_long = CallbackButton(text="Взять", payload="p" * 1025)
    with fake.expect_violations("1025 characters, at most 1024"), pytest.raises(MaxApiError):
        await bot.send_message(user_id=anya.user_id, text="x", attachments=[keyboard(too_long)])

    with fake.expect_violations("<div> is not a tag MAX keeps"), pytest.raises(MaxApiError):
        await bot.send_message(user_id=anya.user_id, text="<div>a</div>", format="html")
    with fake.expect_violations("<i> is never closed"), pytest.raises(MaxApiError):
        await bot.send_message(user_id=anya.user_id, text="<b>a</b><i>b", format="html")

    eight = [CallbackButton(text=str(n), payload=str(n)) for n in range(8)]
    with fake.expect_violations("8 buttons, at most 7"), pytest.raises(MaxApiError):
        await bot.send_message(user_id=anya.user_id, text="x", attachments=[keyboard(*eight)])

    with fake.expect_violations("no such path"):
        status, _ = await raw(fake, "GET", "/nowhere")
    assert status == 404
    with fake.expect_violations("nobody the test created"), pytest.raises(MaxApiError):
        await bot.send_message(user_id=1, text="кому?")
    assert anya.messages == []
    assert ("/messages", 400) in fake.errors_given


async def test_a_wrong_token_is_401(fake: FakeMax) -> None:
    stranger = Bot("not-the-token")
    stranger.set_api_url(fake.base_url)
    try:
        with fake.expect_violations("a wrong token"), pytest.raises(InvalidToken):
            await stranger.get_me()
    finally:
        await stranger.close_session()
    assert fake.errors_given == [("/me", 401)]


# Updates -------------------------------------------------------------------------------------


async def test_long_polling_answers_with_a_moving_marker(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    await anya.write("Есть Дюма?")

    first = await bot.get_updates(timeout=0)
    assert [u["message"]["body"]["text"] for u in first["updates"]] == ["Есть Дюма?"]
    again = await bot.get_updates(timeout=0, marker=first["marker"])
    assert (again["updates"], again["marker"]) == ([], first["marker"])

    waiting = asyncio.create_task(bot.get_updates(timeout=5, marker=first["marker"]))
    await fake.wait_until(lambda: fake.longpoll.requests == 3)
    await anya.write("А Жюль Верн?")
    second = await waiting
    assert [u["message"]["body"]["text"] for u in second["updates"]] == ["А Жюль Верн?"]
    assert second["marker"] > first["marker"]

    parsed = await process_update_request(events=second, bot=bot)  # as maxapi's polling does
    assert isinstance(parsed[0], MessageCreated)
    assert parsed[0].get_ids() == (anya.chat_id, anya.user_id)
    assert parsed[0].chat is not None and parsed[0].chat.chat_id == anya.chat_id  # GET /chats/…


async def test_maxapi_polling_handles_what_people_do(fake: FakeMax, bot: Bot) -> None:
    dispatcher = Dispatcher()
    seen: list[str] = []

    @dispatcher.message_created()
    async def on_message(event: MessageCreated) -> None:
        seen.append(event.message.body.text or "")
        await event.message.answer(f"Ищу «{event.message.body.text}»")

    anya = fake.user()
    polling = asyncio.create_task(dispatcher.start_polling(bot))
    try:
        await anya.write("Дюма")
        await fake.wait_until(lambda: anya.last is not None)
    finally:
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 5)
    assert seen == ["Дюма"]
    assert anya.last is not None and anya.last.text == "Ищу «Дюма»"


async def test_a_webhook_is_posted_with_the_secret_and_retried_until_200(
    fake: FakeMax, bot: Bot
) -> None:
    received: list[tuple[str | None, dict]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.Response(status=200 if len(received) >= 3 else 500)

    app = web.Application()
    app.router.add_post("/max", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/max"
    fake.webhook.retry_pause = 0.01
    try:
        with pytest.warns(UserWarning, match="HTTPS"):  # maxapi's; MAX wants https, tests http
            await bot.subscribe_webhook(url, secret="formulyar-secret-1", update_types=None)
        assert [s["url"] for s in fake.subscriptions] == [url]
        anya = fake.user()
        update = await anya.write("Привет")  # returns after the first POST
        await fake.wait_until(lambda: any(d.ok for d in fake.deliveries))

        assert [d.status for d in fake.deliveries] == [500, 500, 200]
        assert [d.attempt for d in fake.deliveries] == [1, 2, 3]
        assert {secret for secret, _ in received} == {"formulyar-secret-1"}
        assert received[-1][1] == update
        polled = await bot.get_updates(timeout=0)
        assert polled["updates"] == []  # a subscription is active: nothing by long polling

        assert await fake.redeliver(update) == 200
        assert len(received) == 4

        with (
            fake.expect_violations("https://"),
            pytest.raises(MaxApiError),
            pytest.warns(UserWarning),
        ):
            await bot.subscribe_webhook("http://example.org/max")
        await bot.unsubscribe_webhook(url)
        assert fake.subscriptions == []
    finally:
        await runner.cleanup()


async def test_a_webhook_that_never_answers_200_is_tried_attempts_times(fake: FakeMax) -> None:
    async def down(request: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/max", down)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/max"
    fake.webhook.attempts, fake.webhook.retry_pause = 3, 0.01
    fake.subscriptions.append({"url": url, "secret": None, "update_types": [], "time": 0})
    try:
        await fake.user().write("Есть кто?")
        await fake.wait_until(lambda: len(fake.deliveries) == 3)
        await runner.cleanup()
        await fake.user("Петя", "Сидоров").write("А сейчас?")  # the server is gone
        await fake.wait_until(lambda: len(fake.deliveries) == 6)
    finally:
        await runner.cleanup()
    assert [d.status for d in fake.deliveries] == [503, 503, 503, 0, 0, 0]
    assert fake.deliveries[-1].error is not None and not fake.deliveries[-1].secret_sent


# Errors a test asks for, the rate ----------------------------------------------------------


async def test_fail_next_answers_429_once_and_is_no_violation(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    fake.fail_next("/messages", 429, retry_after=3)
    with pytest.raises(MaxApiError) as refused:
        await bot.send_message(user_id=anya.user_id, text="раз")
    assert refused.value.code == 429
    assert refused.value.raw["code"] == "too.many.requests"
    await bot.send_message(user_id=anya.user_id, text="два")
    assert [m.text for m in anya.messages] == ["два"]
    assert fake.errors_given == [("/messages", 429)]
    assert fake.violations == []


async def test_more_than_the_rate_is_refused_429() -> None:
    shared.shared_path("spec", "max", "max-bot-api.json")
    ticks = iter([0.0, 0.1, 0.2, 1.15, 1.2])
    async with running_fake_max(rate_limit=2, monotonic=lambda: next(ticks)) as fake:
        client = Bot(fake.token)
        client.set_api_url(fake.base_url)
        try:
            await client.get_me()
            await client.get_me()
            with pytest.raises(MaxApiError) as refused:
                await client.get_me()  # the third within one second
            assert refused.value.code == 429
            await client.get_me()  # 1.15: the first call has left the window
        finally:
            await client.close_session()
        assert fake.rate_errors == ["/me"]


async def test_a_person_who_stopped_the_bot_is_403_chat_denied(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    await anya.start("card-42")
    assert fake.updates[-1]["payload"] == "card-42"
    anya.block()
    with pytest.raises(MaxApiError) as refused:
        await bot.send_message(user_id=anya.user_id, text="Напоминание")
    assert (refused.value.code, refused.value.raw["code"]) == (403, "chat.denied")
    assert fake.updates[-1]["update_type"] == "bot_stopped"
    assert fake.violations == []


# Presses, uploads, files ---------------------------------------------------------------------


async def test_a_press_is_answered_once_and_the_message_edited(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    await bot.send_message(
        user_id=anya.user_id,
        text="Три мушкетёра",
        attachments=[keyboard(CallbackButton(text="Забронировать", payload="hold:7"))],
    )
    with pytest.raises(AssertionError, match="Забронировать"):
        await anya.press("Вернуть")
    callback_id = await anya.press("Забронировать")
    assert fake.unanswered_callbacks() == [callback_id]
    press = fake.updates[-1]
    assert press["callback"]["payload"] == "hold:7"
    assert press["message"]["body"]["mid"] == anya.last.message_id

    await bot.send_callback(
        callback_id,
        message=MessageForCallback(text="Забронировано до 5 декабря", attachments=[]),
        notification="Готово",
    )
    assert fake.unanswered_callbacks() == []
    assert anya.notifications == ["Готово"]
    assert (anya.last.text, anya.last.labels(), anya.last.edited) == (
        "Забронировано до 5 декабря",
        [],
        True,
    )
    assert anya.last.history[0].text == "Три мушкетёра"
    with fake.expect_violations("answered twice"), pytest.raises(MaxApiError):
        await bot.send_callback(callback_id, notification="Ещё раз")
    forged = await anya.press_payload("hold:999")
    assert fake.chats.presses[forged].payload == "hold:999"
    await bot.send_callback(forged, notification="Устарело")


async def test_an_upload_round_trip(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    picture = png()
    await bot.send_message(
        user_id=anya.user_id,
        text="Обложка",
        attachments=[InputMediaBuffer(picture, filename="cover", type=UploadType.IMAGE)],
    )
    assert anya.last is not None and anya.last.files == [picture]
    assert [upload.kind for upload in fake.uploads] == ["image"]
    url = anya.last.attachments[0]["payload"]["url"]
    assert await bot.download_bytes(url) == picture

    report = b"%PDF-1.4 fake report"
    await bot.send_message(
        user_id=anya.user_id,
        attachments=[InputMediaBuffer(report, filename="report", type=UploadType.FILE)],
    )
    assert anya.last.files == [report]
    assert anya.last.attachments[0]["type"] == "file"

    with fake.expect_violations("never given by an upload"):
        status, _ = await raw(
            fake,
            "POST",
            f"/messages?user_id={anya.user_id}",
            json={"attachments": [{"type": "image", "payload": {"token": "forged"}}]},
        )
    assert status == 400


async def test_a_persons_photo_is_served_for_the_bot_to_download(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    picture = png()
    update = await anya.send_photo(picture, "Штрихкод")
    attachment = update["message"]["body"]["attachments"][0]
    assert attachment["type"] == "image"
    assert await bot.download_bytes(attachment["payload"]["url"]) == picture
    assert len(fake.downloads) == 1
    parsed = await process_update_request(events={"updates": [update]}, bot=bot)
    assert parsed[0].message.body.attachments[0].payload.url == attachment["payload"]["url"]


async def test_typing_goes_to_a_known_dialog(fake: FakeMax, bot: Bot) -> None:
    anya = fake.user()
    await bot.send_action(chat_id=anya.chat_id)
    assert fake.actions == [(anya.chat_id, "typing_on")]


# The fake checks itself --------------------------------------------------------------------


def test_the_self_check_catches_an_update_maxapi_could_not_parse() -> None:
    spec = load_spec()
    good = {
        "update_type": "bot_stopped",
        "timestamp": 1,
        "chat_id": 5,
        "user": {
            "user_id": 1,
            "first_name": "Аня",
            "username": None,
            "is_bot": False,
            "last_activity_time": 1,
            "name": "Аня",
        },
    }
    assert spec.self_check("UpdateByType", good) == []
    bad = {**good, "chat_id": "пять"}
    assert spec.self_check("UpdateByType", bad) != []
    unknown = {**good, "update_type": "nonsense"}
    assert spec.self_check("UpdateByType", unknown) != []
