"""Keyboards and button-press answers: the schema's shape and the limits VK enforces.

A keyboard is checked against messages_keyboard in messages.objects.json and then against the
limits in DESIGN.md (the strictest of VK's published ones): an inline keyboard has at most 6
rows, 4 buttons a row and 10 buttons in all; a regular one 10 rows, 5 a row, 40 in all; a label
is at most 40 characters; a payload at most 255 characters and itself JSON. VK answers a bad
keyboard with error 911.

Three things VK accepts that the schema words differently are normalised before the schema
check: an inline keyboard without one_time (VK's own examples omit it), the colour "secondary"
(VK's documentation lists it; the schema's enum still calls it "default"), and a payload of null
(vk_api's VkKeyboard sends one for a button without payload).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from tests.support.fake_vk.spec import VkSpec

INLINE_ROWS, INLINE_PER_ROW, INLINE_BUTTONS = 6, 4, 10
REGULAR_ROWS, REGULAR_PER_ROW, REGULAR_BUTTONS = 10, 5, 40
LABEL_LIMIT = 40
PAYLOAD_LIMIT = 255
SNACKBAR_LIMIT = 90
EVENT_ANSWER_TYPES = frozenset({"show_snackbar", "open_link", "open_app"})


@dataclass(frozen=True)
class Button:
    """One button as the person sees it."""

    label: str
    payload: str | None
    kind: str  # the action's type: "callback", "text", "open_link", …
    color: str | None = None


def keyboard_problems(spec: VkSpec, text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The keyboard decoded (None if it is no JSON object) and everything wrong with it."""
    try:
        keyboard = json.loads(text)
    except ValueError:
        return None, [f"keyboard is not valid JSON: {text[:60]!r}"]
    if not isinstance(keyboard, dict):
        return None, [f"keyboard must be a JSON object, got {text[:60]!r}"]
    problems = spec.check_json(_normalised(keyboard), "messages_keyboard", "keyboard")
    if not problems:
        problems = _limits(keyboard)
    return keyboard, problems


def buttons_of(keyboard: dict[str, Any] | None) -> list[list[Button]]:
    """The rows of buttons of a (valid) keyboard."""
    if not keyboard:
        return []
    rows = []
    for row in keyboard.get("buttons", []):
        buttons = []
        for button in row:
            action = button.get("action", {})
            buttons.append(
                Button(
                    label=str(action.get("label", "")),
                    payload=action.get("payload"),
                    kind=str(action.get("type", "")),
                    color=button.get("color"),
                )
            )
        rows.append(buttons)
    return rows


def event_answer_problems(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """messages.sendMessageEventAnswer's event_data: what the person is shown on a press."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, [f"event_data is not valid JSON: {text[:60]!r}"]
    if not isinstance(data, dict):
        return None, [f"event_data must be a JSON object, got {text[:60]!r}"]
    kind = data.get("type")
    if kind not in EVENT_ANSWER_TYPES:
        return data, [f"event_data.type {kind!r} is not one of {sorted(EVENT_ANSWER_TYPES)}"]
    required = {"show_snackbar": ("text",), "open_link": ("link",), "open_app": ("app_id",)}
    allowed = {
        "show_snackbar": {"type", "text"},
        "open_link": {"type", "link"},
        "open_app": {"type", "app_id", "owner_id", "hash"},
    }
    problems = [
        f"event_data.{key} is required for {kind}" for key in required[kind] if key not in data
    ]
    problems += [
        f"event_data.{key} is not a field of {kind}" for key in data if key not in allowed[kind]
    ]
    if kind == "show_snackbar" and "text" in data:
        snackbar = data["text"]
        if not isinstance(snackbar, str) or not snackbar:
            problems.append("event_data.text must be a non-empty string")
        elif len(snackbar) > SNACKBAR_LIMIT:
            problems.append(
                f"event_data.text is {len(snackbar)} characters (at most {SNACKBAR_LIMIT})"
            )
    return data, problems


def _normalised(keyboard: dict[str, Any]) -> dict[str, Any]:
    """The keyboard as the schema words what VK accepts (see the module docstring)."""
    keyboard = copy.deepcopy(keyboard)
    if keyboard.get("inline") is True:
        keyboard.setdefault("one_time", False)
    rows = keyboard.get("buttons")
    for row in rows if isinstance(rows, list) else []:
        for button in row if isinstance(row, list) else []:
            if not isinstance(button, dict):
                continue
            if button.get("color") == "secondary":
                button["color"] = "default"
            action = button.get("action")
            if isinstance(action, dict) and "payload" in action and action["payload"] is None:
                del action["payload"]
    return keyboard


def _limits(keyboard: dict[str, Any]) -> list[str]:
    inline = keyboard.get("inline") is True
    problems = []
    if inline and keyboard.get("one_time") is True:
        problems.append("keyboard: one_time is not supported by an inline keyboard")
    rows_limit, per_row, total_limit = (
        (INLINE_ROWS, INLINE_PER_ROW, INLINE_BUTTONS)
        if inline
        else (REGULAR_ROWS, REGULAR_PER_ROW, REGULAR_BUTTONS)
    )
    what = "an inline" if inline else "a"
    rows = keyboard["buttons"]
    if len(rows) > rows_limit:
        problems.append(f"keyboard has {len(rows)} rows ({what} keyboard: at most {rows_limit})")
    total = 0
    for r, row in enumerate(rows):
        if not row:
            problems.append(f"keyboard.buttons[{r}] is an empty row")
        if len(row) > per_row:
            problems.append(
                f"keyboard.buttons[{r}] has {len(row)} buttons "
                f"({what} keyboard: at most {per_row} a row)"
            )
        for c, button in enumerate(row):
            total += 1
            problems += _button_problems(button["action"], f"keyboard.buttons[{r}][{c}]")
    if total > total_limit:
        problems.append(f"keyboard has {total} buttons ({what} keyboard: at most {total_limit})")
    return problems


def _button_problems(action: dict[str, Any], where: str) -> list[str]:
    problems = []
    label = action.get("label")
    if isinstance(label, str):
        if not label.strip():
            problems.append(f"{where}.action.label is empty")
        elif len(label) > LABEL_LIMIT:
            problems.append(
                f"{where}.action.label is {len(label)} characters (at most {LABEL_LIMIT})"
            )
    payload = action.get("payload")
    if isinstance(payload, str):
        if len(payload) > PAYLOAD_LIMIT:
            problems.append(
                f"{where}.action.payload is {len(payload)} characters (at most {PAYLOAD_LIMIT})"
            )
        try:
            json.loads(payload)
        except ValueError:
            problems.append(f"{where}.action.payload is not valid JSON: {payload[:60]!r}")
    return problems
