"""VK's events and keyboards as the transport reads and writes them, without the network."""

from __future__ import annotations

import json

from bot.vk.client import random_id
from bot.vk.events import parse
from bot.vk.render import PAYLOAD_LIMIT, keyboard, snackbar, token_of
from messages.types import MAX_LABEL, Button


def _message_new(**message: object) -> dict[str, object]:
    body = {"id": 7, "date": 0, "from_id": 501, "peer_id": 501, "text": "", **message}
    return {
        "type": "message_new",
        "event_id": "e1",
        "v": "5.199",
        "group_id": 1,
        "object": {"message": body, "client_info": {"button_actions": ["callback"]}},
    }


def test_a_message_with_a_deep_link_ref_is_a_link_code() -> None:
    event = parse(_message_new(text="Начать", ref="K7Q2M9"))
    assert event is not None
    assert (event.kind, event.text, event.user_id, event.peer_id) == (
        "message",
        "/start K7Q2M9",
        501,
        501,
    )


def test_the_start_button_of_a_new_conversation_is_start() -> None:
    event = parse(_message_new(text="Начать", payload='{"command":"start"}'))
    assert event is not None and event.text == "/start"


def test_group_conversations_and_other_communities_are_not_answered() -> None:
    assert parse(_message_new(peer_id=2_000_000_001)) is None
    assert parse(_message_new(from_id=-5, peer_id=-5)) is None
    assert parse({"type": "message_new", "object": {}}) is None  # no event_id
    assert parse({"type": "wall_post_new", "event_id": "x", "object": {"id": 1}}) is None
    assert parse("not an event") is None


def test_the_largest_photo_size_and_image_documents_are_taken() -> None:
    photo = {
        "type": "photo",
        "photo": {
            "sizes": [
                {"type": "s", "url": "http://x/s.jpg", "width": 75, "height": 50},
                {"type": "w", "url": "http://x/w.jpg", "width": 1280, "height": 960},
                {"type": "m", "url": "http://x/m.jpg", "width": 130, "height": 87},
            ]
        },
    }
    image = {"type": "doc", "doc": {"url": "http://x/d", "ext": "PNG", "title": "scan.png"}}
    text_doc = {"type": "doc", "doc": {"url": "http://x/t", "ext": "txt", "title": "a.txt"}}
    event = parse(_message_new(attachments=[photo, image, text_doc]))
    assert event is not None
    assert [(m.kind, m.url) for m in event.media] == [
        ("photo", "http://x/w.jpg"),
        ("document", "http://x/d"),
    ]


def test_a_press_carries_our_token_and_a_forged_one_carries_nothing() -> None:
    press = {
        "type": "message_event",
        "event_id": "e2",
        "v": "5.199",
        "group_id": 1,
        "object": {
            "user_id": 501,
            "peer_id": 501,
            "event_id": "press-1",
            "payload": {"b": "tok123"},
            "conversation_message_id": 12,
        },
    }
    event = parse(press)
    assert event is not None
    assert (event.kind, event.button, event.press_id, event.message) == (
        "press",
        "tok123",
        "press-1",
        12,
    )
    assert token_of('{"b": "tok123"}') == "tok123"
    for forged in ({"cmd": "delete_all"}, "not json", '{"b": 5}', None, [1, 2]):
        assert token_of(forged) == ""


def test_keyboards_fit_vk_and_carry_tokens_in_json_payloads() -> None:
    rows = [
        [Button("📖 1", token="a" * 12), Button("📖 2", token="b" * 12)],
        [Button("x" * MAX_LABEL, token="c" * 12), Button("Сайт", url="https://example.org")],
    ]
    drawn = json.loads(keyboard(rows) or "")
    assert drawn["inline"] is True
    first = drawn["buttons"][0][0]["action"]
    assert first["type"] == "callback" and json.loads(first["payload"]) == {"b": "a" * 12}
    assert drawn["buttons"][1][1]["action"] == {
        "type": "open_link",
        "link": "https://example.org",
        "label": "Сайт",
    }
    assert all(
        len(b["action"].get("payload", "")) <= PAYLOAD_LIMIT
        for row in drawn["buttons"]
        for b in row
    )
    assert keyboard([]) is None


def test_a_snackbar_is_cut_to_vks_90_characters() -> None:
    data = json.loads(snackbar("к" * 200))
    assert data["type"] == "show_snackbar" and len(data["text"]) == 90


def test_random_id_is_the_same_for_a_retried_delivery_and_differs_between_deliveries() -> None:
    assert random_id("outbox-5-2-0") == random_id("outbox-5-2-0")
    assert random_id("outbox-5-2-0") != random_id("outbox-5-2-1")
    assert 0 < random_id("anything") < 2**31
