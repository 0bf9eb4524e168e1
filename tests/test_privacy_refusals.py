"""Every refusal is written for the person who reads it: a reader or a parent never gets a
librarian's wording, and never the private reason a librarian gave for a block."""

from __future__ import annotations

from messages import texts
from tests.support.chat import ChatFactory

REASON = "потеряла книгу"


async def _block_maria(chat: ChatFactory) -> None:
    librarian = chat("librarian")
    await librarian.send("/block 1001 " + REASON)
    assert REASON in librarian.text


async def test_a_blocked_reader_pressing_renew_hears_no_reason(chat: ChatFactory) -> None:
    await _block_maria(chat)
    student = chat("student")
    await student.send("мои книги")
    await student.press("🔄")
    assert student.text == texts.REFUSALS["reader_blocked_self"]
    assert REASON not in student.text and "/unblock" not in student.text


async def test_a_parent_of_a_blocked_child_hears_no_reason(chat: ChatFactory) -> None:
    await _block_maria(chat)
    parent = chat("parent")
    await parent.send("мои книги")
    await parent.press("🔄 1")  # Мария's first book, at the blocked card's school
    assert parent.text == texts.REFUSALS["child_blocked"]
    assert REASON not in parent.text and "разблокируйте" not in parent.text


async def test_the_librarian_still_hears_the_reason(chat: ChatFactory) -> None:
    await _block_maria(chat)
    librarian = chat("librarian")
    await librarian.send("/reader 1001")
    await librarian.press("🔄 1")
    assert REASON in librarian.text and "/unblock" in librarian.text


def test_staff_wording_is_marked_and_every_marked_key_exists() -> None:
    assert texts.STAFF_REFUSALS <= texts.REFUSALS.keys()
    for key, text in texts.REFUSALS.items():
        if key not in texts.STAFF_REFUSALS:
            # A text any reader may get does not speak of cards, other readers or unblocking.
            assert "{reason}" not in text and "/unblock" not in text, key
            assert "формуляр №" not in text.lower(), key
