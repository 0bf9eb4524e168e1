"""The fake VK API, proven with the real vk_api client talking HTTP to it.

vk_api is synchronous (requests); each call runs in a thread, as the transport runs it. Its
hard-coded https://api.vk.ru/method/ goes to the fake through a requests.Session that rewrites
the prefix, exactly what the transport hands vk_api for VK_API_BASE.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import jconfig
import pytest
import requests
import vk_api
from aiohttp import web
from PIL import Image
from vk_api.bot_longpoll import VkBotLongPoll
from vk_api.keyboard import VkKeyboard, VkKeyboardColor
from vk_api.upload import VkUpload

import tests.support.shared as shared
from tests.support.fake_vk import FakeVK, load_spec, running_fake_vk
from tests.support.fake_vk.spec import API_VERSION

API_PREFIX = "https://api.vk.ru/method/"
READER = 700_000_111


class ToFakeVK(requests.Session):
    """What the transport gives vk_api: its calls to api.vk.ru go to VK_API_BASE instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        if isinstance(url, str) and url.startswith(API_PREFIX):
            url = f"{self.base_url}/{url.removeprefix(API_PREFIX)}"
        return super().request(method, url, *args, **kwargs)


def client(vk: FakeVK, token: str | None = None) -> vk_api.VkApi:
    api = vk_api.VkApi(
        token=token or vk.token,
        api_version=API_VERSION,
        session=ToFakeVK(vk.base_url),
        config=jconfig.MemoryConfig,
    )
    api.RPS_DELAY = 0  # vk_api's own pause between calls is not what these tests look at
    return api


@pytest.fixture
def api(vk: FakeVK) -> vk_api.VkApi:
    return client(vk)


async def call(api: vk_api.VkApi, method: str, **params: Any) -> Any:
    return await asyncio.to_thread(api.method, method, params)


async def refused(api: vk_api.VkApi, method: str, **params: Any) -> vk_api.ApiError:
    with pytest.raises(vk_api.ApiError) as info:
        await call(api, method, **params)
    return info.value


async def long_poll(api: vk_api.VkApi, vk: FakeVK, wait: int = 0) -> VkBotLongPoll:
    return await asyncio.to_thread(VkBotLongPoll, api, vk.group_id, wait)


def inline_keyboard(*rows: list[tuple[str, str | None]], kind: str = "callback") -> str:
    """An inline keyboard of buttons (label, payload)."""
    buttons = [
        [{"action": {"type": kind, "label": label, "payload": payload}} for label, payload in row]
        for row in rows
    ]
    for row in buttons:
        for button in row:
            if button["action"]["payload"] is None:
                del button["action"]["payload"]
    return json.dumps({"inline": True, "buttons": buttons}, ensure_ascii=False)


def png(width: int = 800, height: int = 600) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, "PNG")
    return buffer.getvalue()


# Sending, keyboards, duplicates ----------------------------------------------------------


async def test_a_sent_message_reaches_the_person_with_its_buttons(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER, "Анна", "Смирнова")
    keyboard = VkKeyboard(inline=True)
    keyboard.add_callback_button("📌 Забронировать", VkKeyboardColor.PRIMARY, {"hold": 42})
    keyboard.add_line()
    keyboard.add_button("Ещё", payload={"more": 1})
    first = await call(
        api, "messages.send", peer_id=READER, random_id=1, message="Найдено: 1 книга"
    )
    second = await call(
        api,
        "messages.send",
        peer_id=READER,
        random_id=2,
        message="«Капитанская дочка»",
        keyboard=keyboard.get_keyboard(),
    )
    assert isinstance(first, int) and second > first
    assert [m.text for m in anna.messages] == ["Найдено: 1 книга", "«Капитанская дочка»"]
    assert anna.last is not None
    assert anna.last.buttons == [[("📌 Забронировать", '{"hold":42}')], [("Ещё", '{"more":1}')]]
    assert [m.conversation_message_id for m in anna.messages] == [1, 2]
    assert (anna.last.message_id, anna.last.random_id) == (second, 2)


async def test_the_same_random_id_sends_once(vk: FakeVK, api: vk_api.VkApi) -> None:
    anna = vk.user(READER)
    first = await call(api, "messages.send", peer_id=READER, random_id=77, message="Готово")
    again = await call(api, "messages.send", peer_id=READER, random_id=77, message="Готово")
    assert again == first and len(anna.messages) == 1 and vk.duplicates_suppressed == 1
    with vk.expect_violations("random_id 77 was used for another message"):
        await call(api, "messages.send", peer_id=READER, random_id=77, message="Другое")
    assert [m.text for m in anna.messages] == ["Готово"]


async def test_peer_ids_send_to_each_and_report_who_could_not_be_written_to(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna, boris = vk.user(READER), vk.user()
    boris.deny()
    answer = await call(
        api, "messages.send", peer_ids=f"{READER},{boris.user_id}", random_id=5, message="Сбор"
    )
    assert [item["peer_id"] for item in answer] == [READER, boris.user_id]
    assert answer[1]["error"]["code"] == 901 and "error" not in answer[0]
    assert [m.text for m in anna.messages] == ["Сбор"] and boris.messages == []


async def test_a_person_who_denied_messages_answers_901_and_it_is_no_violation(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    anna.deny()
    error = await refused(api, "messages.send", peer_id=READER, random_id=1, message="Привет")
    assert error.code == 901 and vk.errors_given == [("messages.send", 901)]
    anna.allow()
    await call(api, "messages.send", peer_id=READER, random_id=2, message="Привет")
    assert [m.text for m in anna.messages] == ["Привет"] and vk.violations == []


async def test_forbidding_and_allowing_messages_raise_vks_events(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    await anna.forbid_messages()
    assert anna.denied
    await anna.allow_messages()
    deny, allow = await asyncio.to_thread(poll.check)
    assert (deny.type.value, deny.object.user_id) == ("message_deny", READER)
    assert (allow.type.value, allow.object.user_id) == ("message_allow", READER)
    assert not anna.denied
    spec = load_spec()
    assert spec.check_json(deny.raw["object"], "callback_message_deny", "object") == []
    assert spec.check_json(allow.raw["object"], "callback_message_allow", "object") == []


async def test_a_held_method_waits_until_released(vk: FakeVK, api: vk_api.VkApi) -> None:
    anna = vk.user(READER)
    vk.hold("messages.send")
    sending = asyncio.create_task(
        call(api, "messages.send", peer_id=READER, random_id=1, message="Готово")
    )
    await vk.wait_until(lambda: vk.held("messages.send") == [READER])
    assert anna.messages == []
    vk.release("messages.send")
    assert isinstance(await asyncio.wait_for(sending, 5), int)
    assert [m.text for m in anna.messages] == ["Готово"]


async def test_an_edit_replaces_text_and_keyboard_and_keeps_the_history(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    keyboard = inline_keyboard([("Да", '{"yes":1}')])
    message_id = await call(
        api, "messages.send", peer_id=READER, random_id=1, message="Точно?", keyboard=keyboard
    )
    cmid = anna.messages[0].cmid
    assert await call(api, "messages.edit", peer_id=READER, cmid=cmid, message="Сделано") == 1
    assert anna.last is not None
    assert (anna.last.text, anna.last.buttons, anna.last.edited) == ("Сделано", [], True)
    await call(api, "messages.edit", peer_id=READER, message_id=message_id, message="Итог")
    assert [v.text for v in anna.last.history] == ["Точно?", "Сделано"]
    error = await refused(api, "messages.edit", peer_id=READER, cmid=99, message="?")
    assert error.code == 104 and vk.violations == []  # the bot must cope; not its bug per se


# Long Poll ---------------------------------------------------------------------------------


async def test_long_poll_delivers_a_message_as_vk_describes_it(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER, "Анна")
    poll = await long_poll(api, vk)
    event_id = await anna.write("капитанская дочка", ref="invite", ref_source="qr")
    [event] = await asyncio.to_thread(poll.check)
    assert event.raw["event_id"] == event_id and event.group_id == vk.group_id
    assert event.from_user and event.message.text == "капитанская дочка"
    assert event.message.peer_id == event.message.from_id == READER
    assert (event.message.ref, event.message.ref_source) == ("invite", "qr")
    assert "callback" in event.client_info.button_actions and event.client_info.inline_keyboard
    spec = load_spec()
    assert spec.check_json(event.raw["object"], "callback_message_object", "object") == []
    envelope = {key: value for key, value in event.raw.items() if key != "object"}
    assert spec.check_json(envelope, "callback_base", "event") == []


async def test_a_check_waits_for_the_next_event(vk: FakeVK, api: vk_api.VkApi) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk, wait=5)
    waiting = asyncio.create_task(asyncio.to_thread(poll.check))
    await vk.wait_until(lambda: vk.a_checks == 1)
    await anna.write("привет")
    [event] = await asyncio.wait_for(waiting, 5)
    assert event.message.text == "привет"


async def test_a_client_coming_back_with_an_older_ts_gets_the_events_again(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    start = poll.ts
    await anna.write("один")
    await anna.write("два")
    assert [e.message.text for e in await asyncio.to_thread(poll.check)] == ["один", "два"]
    assert await asyncio.to_thread(poll.check) == []
    restarted = await long_poll(api, vk)
    restarted.ts = start  # as stored before the restart
    assert [e.message.text for e in await asyncio.to_thread(restarted.check)] == ["один", "два"]


async def test_a_redelivered_event_keeps_its_id_under_a_new_number(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    event_id = await anna.write("привет")
    await asyncio.to_thread(poll.check)
    await vk.redeliver(event_id)
    [again] = await asyncio.to_thread(poll.check)
    assert again.raw["event_id"] == event_id and len(vk.longpoll.events) == 2


async def test_long_poll_failures_are_answered_as_vk_answers_them(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    await anna.write("потеряно")
    vk.longpoll_fail(1)
    assert await asyncio.to_thread(poll.check) == []
    assert poll.ts == str(vk.longpoll.next_ts)  # history lost: go on from the new ts

    old_key = poll.key
    vk.longpoll_fail(2)
    await anna.write("после ключа")
    assert await asyncio.to_thread(poll.check) == []  # vk_api asks for a new key, keeps its ts
    assert poll.key != old_key
    stale = {"act": "a_check", "key": old_key, "ts": poll.ts, "wait": 0}
    answer = await asyncio.to_thread(requests.get, poll.server, params=stale, timeout=5)
    assert answer.json() == {"failed": 2}
    assert [e.message.text for e in await asyncio.to_thread(poll.check)] == ["после ключа"]

    vk.longpoll_fail(3)
    assert await asyncio.to_thread(poll.check) == []
    assert vk.calls_to("groups.getLongPollServer")[-1].status == 200
    assert vk.violations == []


async def test_dropped_long_poll_requests_die_without_an_answer(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    await anna.write("привет")
    vk.drop_longpoll(1)
    with pytest.raises(requests.ConnectionError):
        await asyncio.to_thread(poll.check)
    vk.drop_longpoll(1, how="502")
    with pytest.raises(requests.JSONDecodeError):
        await asyncio.to_thread(poll.check)
    assert [e.message.text for e in await asyncio.to_thread(poll.check)] == ["привет"]
    assert vk.a_checks == 3


async def test_a_long_poll_key_never_issued_is_a_violation(vk: FakeVK, api: vk_api.VkApi) -> None:
    poll = await long_poll(api, vk)
    poll.key = "forged"
    with vk.expect_violations("was never issued"):
        assert await asyncio.to_thread(poll.check) == []


# Buttons -----------------------------------------------------------------------------------


async def test_a_press_raises_message_event_and_its_answer_shows_a_snackbar(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    keyboard = inline_keyboard([("📌 Забронировать", '{"hold":42}')])
    await call(api, "messages.send", peer_id=READER, random_id=1, message="?", keyboard=keyboard)
    event_id = await anna.press("Забронировать")
    [event] = await asyncio.to_thread(poll.check)
    assert event.type.value == "message_event" and event.raw["event_id"] == event_id
    assert event.object.payload == {"hold": 42}  # decoded, as VK sends it
    assert event.object.conversation_message_id == anna.messages[0].cmid
    assert vk.unanswered_events() == [event_id]
    answer = {
        "event_id": event.object.event_id,
        "user_id": READER,
        "peer_id": READER,
        "event_data": json.dumps({"type": "show_snackbar", "text": "Книга ждёт вас"}),
    }
    assert await call(api, "messages.sendMessageEventAnswer", **answer) == 1
    assert anna.snackbars == ["Книга ждёт вас"] and vk.unanswered_events() == []
    with vk.expect_violations("answered twice"):
        assert (await refused(api, "messages.sendMessageEventAnswer", **answer)).code == 100


async def test_a_snackbar_longer_than_90_characters_is_refused(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    await call(
        api,
        "messages.send",
        peer_id=READER,
        random_id=1,
        message="?",
        keyboard=inline_keyboard([("Да", "{}")]),
    )
    await anna.press("Да")
    [press] = vk.presses
    answer = json.dumps({"type": "show_snackbar", "text": "я" * 91})
    with vk.expect_violations("91 characters (at most 90)"):
        error = await refused(
            api,
            "messages.sendMessageEventAnswer",
            event_id=press.answer_id,
            user_id=READER,
            peer_id=READER,
            event_data=answer,
        )
    assert error.code == 100 and vk.unanswered_events() == [press.event_id]


async def test_a_text_button_sends_its_label_with_the_payload(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    keyboard = inline_keyboard([("Ещё", '{"more":1}')], kind="text")
    await call(api, "messages.send", peer_id=READER, random_id=1, message="?", keyboard=keyboard)
    await anna.press("Ещё")
    await anna.press_payload('{"forged":true}', cmid=1)
    [text, forged] = await asyncio.to_thread(poll.check)
    assert (text.message.text, text.message.payload) == ("Ещё", '{"more":1}')
    assert (forged.object.payload, forged.object.conversation_message_id) == ({"forged": True}, 1)
    with pytest.raises(AssertionError, match="no button 'Нет'"):
        await anna.press("Нет")


# Files -------------------------------------------------------------------------------------


async def test_uploaded_photos_and_documents_are_attached_as_their_bytes(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    anna = vk.user(READER)
    upload = VkUpload(api)
    [photo] = await asyncio.to_thread(upload.photo_messages, io.BytesIO(png()), READER)
    document = io.BytesIO(b"ISBN;title\n")
    document.name = "list.csv"
    saved = await asyncio.to_thread(upload.document_message, document, "Список.csv", None, READER)
    photo_ref = f"photo{photo['owner_id']}_{photo['id']}"
    doc_ref = f"doc{saved['doc']['owner_id']}_{saved['doc']['id']}"
    await call(
        api, "messages.send", peer_id=READER, random_id=1, attachment=f"{photo_ref},{doc_ref}"
    )
    assert anna.last is not None
    assert [media.data for media in anna.last.attachments] == [png(), b"ISBN;title\n"]
    assert vk.file_bytes(doc_ref) == b"ISBN;title\n" and saved["doc"]["title"] == "Список.csv"
    largest = max(photo["sizes"], key=lambda size: size["width"])
    fetched = await asyncio.to_thread(requests.get, largest["url"], timeout=5)
    assert fetched.content == png()


async def test_what_people_send_is_served_at_its_url(vk: FakeVK, api: vk_api.VkApi) -> None:
    anna = vk.user(READER)
    poll = await long_poll(api, vk)
    await anna.send_photo(png(1200, 900), text="обложка")
    await anna.send_document(b"%PDF-1.4", "Отчёт.pdf")
    [photo, document] = await asyncio.to_thread(poll.check)
    [attachment] = photo.message.attachments
    assert attachment["type"] == "photo" and photo.message.text == "обложка"
    largest = max(attachment["photo"]["sizes"], key=lambda size: size["width"])
    assert (largest["width"], largest["height"]) == (1200, 900)
    fetched = await asyncio.to_thread(requests.get, largest["url"], timeout=5)
    assert fetched.content == png(1200, 900)
    doc = document.message.attachments[0]["doc"]
    assert (doc["title"], doc["ext"]) == ("Отчёт.pdf", "pdf")
    assert (await asyncio.to_thread(requests.get, doc["url"], timeout=5)).content == b"%PDF-1.4"


async def test_a_file_that_is_no_image_cannot_become_a_photo(vk: FakeVK, api: vk_api.VkApi) -> None:
    vk.user(READER)
    upload = VkUpload(api)
    with vk.expect_violations("not an image"):
        with pytest.raises(vk_api.ApiError):
            await asyncio.to_thread(upload.photo_messages, io.BytesIO(b"text"), READER)


# Other methods, errors, rate ---------------------------------------------------------------


async def test_users_and_the_community_are_described(vk: FakeVK, api: vk_api.VkApi) -> None:
    vk.user(READER, "Анна", "Смирнова")
    [anna] = await call(api, "users.get", user_ids=str(READER))
    assert (anna["first_name"], anna["last_name"]) == ("Анна", "Смирнова")
    group = await call(api, "groups.getById", group_id=str(vk.group_id))
    assert group["groups"][0]["id"] == vk.group_id


async def test_errors_asked_for_are_answered_and_are_no_violations(
    vk: FakeVK, api: vk_api.VkApi
) -> None:
    vk.user(READER)
    vk.fail_next("messages.send", 10, times=2)
    for _ in range(2):
        error = await refused(api, "messages.send", peer_id=READER, random_id=1, message="?")
        assert error.code == 10 and error.error["error_msg"] == "Internal server error"
    await call(api, "messages.send", peer_id=READER, random_id=1, message="?")
    assert vk.errors_given == [("messages.send", 10)] * 2 and vk.violations == []
    with pytest.raises(ValueError, match="not a method"):
        vk.fail_next("messages.sendFast", 9)


async def test_more_than_the_rate_limit_within_a_second_answers_error_6() -> None:
    now = [100.0]
    async with running_fake_vk(rate_limit=3, monotonic=lambda: now[0]) as vk:
        vk.user(READER)
        api = client(vk)
        api.error_handlers.pop(6)  # vk_api would sleep and retry by itself
        for random_id in (1, 2, 3):
            now[0] += 0.1
            await call(api, "messages.send", peer_id=READER, random_id=random_id, message="?")
        error = await refused(api, "messages.send", peer_id=READER, random_id=4, message="?")
        assert error.code == 6 and vk.rate_errors == ["messages.send"]
        now[0] += 0.81  # the first call is now more than a second ago
        await call(api, "messages.send", peer_id=READER, random_id=4, message="?")
        assert "access_token" not in vk.calls[-1].params  # the token is not kept in the log


async def test_a_wrong_token_is_refused(vk: FakeVK) -> None:
    with vk.expect_violations("not the community's token"):
        error = await refused(client(vk, token="vk1.a.stolen"), "users.get", user_ids="1")
    assert error.code == 5


def _rows(count: int, per_row: int) -> list[list[tuple[str, str | None]]]:
    return [[(f"{r}.{c}", "{}") for c in range(per_row)] for r in range(count)]


BAD_CALLS = [
    pytest.param("messages.sendFast", {}, 3, "no such method", id="unknown method"),
    pytest.param("messages.send", {"colour": "red"}, 100, "unknown parameter", id="unknown"),
    pytest.param("messages.send", {"peer_id": "Анна"}, 100, "not integer", id="wrong type"),
    pytest.param("messages.send", {"dont_parse_links": "true"}, 100, "0 or 1", id="boolean"),
    pytest.param("messages.send", {"message": "я" * 9001}, 914, "9001 characters", id="long"),
    pytest.param("messages.send", {"random_id": None}, 100, "no random_id", id="no random_id"),
    pytest.param("messages.send", {"intent": "spam"}, 100, "not one of", id="enum"),
    pytest.param("messages.send", {"peer_id": 42}, 901, "no person the test created", id="peer"),
    pytest.param("messages.send", {"message": ""}, 100, "neither message", id="empty"),
    pytest.param("messages.send", {"attachment": "photo1_2"}, 100, "never uploaded", id="file"),
    pytest.param(
        "messages.send", {"keyboard": "{buttons: []"}, 911, "not valid JSON", id="keyboard JSON"
    ),
    pytest.param(
        "messages.send",
        {"keyboard": json.dumps({"inline": True})},
        911,
        "keyboard.buttons is required",
        id="keyboard shape",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard(*_rows(3, 4))},
        911,
        "12 buttons",
        id="11+ buttons",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard(*_rows(1, 5))},
        911,
        "at most 4 a row",
        id="5 a row",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard(*_rows(7, 1))},
        911,
        "7 rows",
        id="7 rows",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard([("я" * 41, "{}")])},
        911,
        "41 characters (at most 40)",
        id="label",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard([("Да", json.dumps({"t": "x" * 250}))])},
        911,
        "(at most 255)",
        id="payload length",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard([("Да", "hold=42")])},
        911,
        "payload is not valid JSON",
        id="payload JSON",
    ),
    pytest.param(
        "messages.send",
        {"keyboard": inline_keyboard([("Да", "{}")], kind="teleport")},
        911,
        "is not one of",
        id="button type",
    ),
    pytest.param(
        "messages.sendMessageEventAnswer",
        {"event_id": "never", "user_id": READER, "peer_id": READER},
        100,
        "never issued",
        id="event",
    ),
    pytest.param("messages.edit", {"peer_id": READER}, 100, "no message named", id="edit"),
    pytest.param("messages.getChat", {"chat_ids": "1"}, 27, "community token", id="user-only"),
    pytest.param("messages.getHistory", {"peer_id": READER}, 1, "does not model", id="unmodelled"),
    pytest.param("groups.getLongPollServer", {"group_id": 1}, 100, "not the community", id="grp"),
    pytest.param("photos.saveMessagesPhoto", {"photo": "x"}, 100, "upload server", id="save"),
]


@pytest.mark.parametrize(("method", "changes", "code", "fragment"), BAD_CALLS)
async def test_a_bad_call_is_refused_with_vks_error_and_fails_the_test(
    vk: FakeVK, api: vk_api.VkApi, method: str, changes: dict[str, Any], code: int, fragment: str
) -> None:
    vk.user(READER)
    params: dict[str, Any] = {}
    if method == "messages.send":
        params = {"peer_id": READER, "random_id": 1, "message": "Привет"}
    params = {key: value for key, value in {**params, **changes}.items() if value is not None}
    with vk.expect_violations(fragment):
        error = await refused(api, method, **params)
    assert error.code == code
    assert error.error["error_msg"].startswith(load_spec().errors[code])
    assert vk.errors_given == [(method, code)]


# Callback API ------------------------------------------------------------------------------


@pytest.fixture
async def callback_server() -> AsyncIterator[tuple[str, list[dict[str, Any]], list[str]]]:
    """A community's callback server: the URL, the bodies it got, the answers it will give
    (then "ok")."""
    received: list[dict[str, Any]] = []
    answers: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        if body["type"] == "confirmation":
            return web.Response(text="a1b2c3d4")
        return web.Response(text=answers.pop(0) if answers else "ok")

    app = web.Application()
    app.router.add_post("/vk", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/vk", received, answers
    finally:
        await runner.cleanup()


async def test_callback_api_posts_events_retries_until_ok_and_confirms(
    vk: FakeVK, callback_server: tuple[str, list[dict[str, Any]], list[str]]
) -> None:
    url, received, answers = callback_server
    assert await vk.confirm(url) == "a1b2c3d4"
    assert received == [{"type": "confirmation", "group_id": vk.group_id}]
    vk.callback_to(url, secret="s3cret")
    vk.callback.retry_pause = 0.0
    answers.extend(["error", "not ok"])
    event_id = await vk.user(READER).write("привет")
    assert [d.body for d in vk.callback_deliveries] == ["a1b2c3d4", "error", "not ok", "ok"]
    body = received[-1]
    assert (body["type"], body["event_id"], body["v"]) == ("message_new", event_id, API_VERSION)
    assert (body["group_id"], body["secret"]) == (vk.group_id, "s3cret")
    assert body["object"]["message"]["text"] == "привет"
    await vk.redeliver(event_id)
    assert received[-1]["event_id"] == event_id and len(received) == 5
    assert vk.longpoll.events == []


# The spec --------------------------------------------------------------------------------


def test_methods_outside_the_shipped_spec_are_marked_so() -> None:
    spec = load_spec()
    assert spec.version == API_VERSION
    assert spec.methods["messages.send"].in_shipped_spec
    outside = sorted(name for name, method in spec.methods.items() if not method.in_shipped_spec)
    assert outside == [
        "docs.getMessagesUploadServer",
        "docs.save",
        "groups.getById",
        "groups.getLongPollServer",
        "photos.getMessagesUploadServer",
        "photos.saveMessagesPhoto",
        "users.get",
    ]


def test_without_the_shared_folder_the_fake_skips_or_fails_under_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(shared, "SHARED", tmp_path / "no-shared-here")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"spec/vk is absent"):
        FakeVK()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        FakeVK()


async def test_violations_left_at_the_end_fail_the_test() -> None:
    with pytest.raises(AssertionError, match=r"broke the VK API 1 time\(s\)"):
        async with running_fake_vk() as vk:
            await refused(client(vk), "messages.sendFast")
