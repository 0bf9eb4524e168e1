"""Telegram's limits beyond the spec's types: text and captions after entity parsing, markup,
callback data, inline buttons, commands, callback answers, chat actions, webhook secrets.

A call can be well-typed and still refused ("message is too long", "BUTTON_DATA_INVALID"); these
checks say what Telegram would refuse, one problem per line.
"""

from __future__ import annotations

import re
from typing import Any

from tests.support.fake_telegram.entities import (
    EntityParseError,
    parse_entities,
    trim,
    utf16_len,
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
INLINE_BUTTONS_LIMIT = 100
COMMANDS_LIMIT = 100
COMMAND_DESCRIPTION_LIMIT = 256
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Button fields that are not "the" action of an inline keyboard button.
BUTTON_DECORATIONS = frozenset({"text", "icon_custom_emoji_id", "style"})

Parsed = tuple[str, list[dict[str, Any]]]  # visible text and its entities


def check_limits(
    method: str, fields: dict[str, Any], params: dict[str, Any], ctx: dict[str, Any]
) -> list[str]:
    """What Telegram would refuse in a well-typed call of `method` (its spec `fields`). The
    parsed text and caption are kept in `ctx` ("text", "caption") for the method to use."""
    problems: list[str] = []
    if "parse_mode" in params and str(params["parse_mode"]).lower() not in (
        "html",
        "markdownv2",
        "markdown",
    ):
        problems.append(f"unsupported parse_mode {params['parse_mode']!r}")
        return problems
    if method in ("sendMessage", "editMessageText") and isinstance(params.get("text"), str):
        parsed = parse_text(
            params["text"], params.get("parse_mode"), params.get("entities"), "text", problems
        )
        if parsed is not None:
            ctx["text"] = parsed
            size = len(parsed[0])
            if size == 0:
                problems.append("message text is empty (after entity parsing)")
            elif size > TEXT_LIMIT:
                problems.append(
                    f"message is too long: text is {size} characters (max {TEXT_LIMIT})"
                )
    if "caption" in fields and isinstance(params.get("caption"), str):
        parsed = parse_text(
            params["caption"],
            params.get("parse_mode"),
            params.get("caption_entities"),
            "caption",
            problems,
        )
        if parsed is not None:
            ctx["caption"] = parsed
            if len(parsed[0]) > CAPTION_LIMIT:
                problems.append(
                    f"message caption is too long: caption is {len(parsed[0])} characters "
                    f"(max {CAPTION_LIMIT})"
                )
    if method == "sendMediaGroup" and isinstance(params.get("media"), list):
        for index, item in enumerate(params["media"]):
            if isinstance(item, dict) and isinstance(item.get("caption"), str):
                parsed = parse_text(
                    item["caption"],
                    item.get("parse_mode"),
                    item.get("caption_entities"),
                    f"media[{index}].caption",
                    problems,
                )
                if parsed is not None and len(parsed[0]) > CAPTION_LIMIT:
                    problems.append(
                        f"media[{index}].caption is {len(parsed[0])} characters "
                        f"(max {CAPTION_LIMIT})"
                    )
    if isinstance(params.get("reply_markup"), dict):
        problems.extend(check_markup(params["reply_markup"]))
    if method == "answerCallbackQuery":
        text = params.get("text")
        if isinstance(text, str) and len(text) > CALLBACK_ANSWER_LIMIT:
            problems.append(f"text is {len(text)} characters (max {CALLBACK_ANSWER_LIMIT})")
    if method == "setMyCommands" and isinstance(params.get("commands"), list):
        problems.extend(check_commands(params["commands"]))
    if method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
        problems.append(f"wrong parameter action {params.get('action')!r}")
    if method == "setWebhook":
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.fullmatch(str(secret)):
            problems.append("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    return problems


def parse_text(
    source: str, parse_mode: Any, entities: Any, name: str, problems: list[str]
) -> Parsed | None:
    """The visible text and entities of a text or caption, trimmed as Telegram trims it: from
    explicit `entities` (checked against the text), else from its `parse_mode` markup. None if
    the markup can't be parsed (the problem is added to `problems`)."""
    if isinstance(entities, list):
        size = utf16_len(source)
        for index, entity in enumerate(entities):
            if entity["offset"] < 0 or entity["length"] <= 0:
                problems.append(f"{name} entity {index} has a negative offset or no length")
            elif entity["offset"] + entity["length"] > size:
                problems.append(
                    f"{name} entity {index} ends at {entity['offset'] + entity['length']}, "
                    f"beyond the text ({size} UTF-16 code units)"
                )
        return trim(source, [dict(entity) for entity in entities])
    try:
        return trim(*parse_entities(source, parse_mode))
    except EntityParseError as error:
        problems.append(f"can't parse entities: {error} (in {name}, parse_mode {parse_mode})")
        return None


def check_markup(markup: dict[str, Any], path: str = "reply_markup") -> list[str]:
    """Buttons Telegram refuses: no text, not exactly one action, callback_data too long."""
    problems: list[str] = []
    rows = markup.get("inline_keyboard")
    if isinstance(rows, list):
        total = 0
        for r, row in enumerate(rows):
            for c, button in enumerate(row if isinstance(row, list) else []):
                if not isinstance(button, dict):
                    continue
                total += 1
                where = f"{path}.inline_keyboard[{r}][{c}]"
                if not button.get("text"):
                    problems.append(f"{where}.text must be non-empty")
                actions = sorted(key for key in button if key not in BUTTON_DECORATIONS)
                if len(actions) != 1:
                    problems.append(
                        f"{where} must have exactly one action field, has "
                        f"{', '.join(actions) or 'none'}"
                    )
                data = button.get("callback_data")
                if isinstance(data, str):
                    size = len(data.encode("utf-8"))
                    if not 1 <= size <= CALLBACK_DATA_LIMIT:
                        problems.append(
                            f"BUTTON_DATA_INVALID: {where}.callback_data is {size} bytes "
                            f"(1-{CALLBACK_DATA_LIMIT} allowed)"
                        )
                if "url" in button and not button["url"]:
                    problems.append(f"BUTTON_URL_INVALID: {where}.url is empty")
        if total > INLINE_BUTTONS_LIMIT:
            problems.append(
                f"too many inline keyboard buttons: {total} (max {INLINE_BUTTONS_LIMIT})"
            )
    keyboard = markup.get("keyboard")
    if isinstance(keyboard, list):
        for r, row in enumerate(keyboard):
            for c, button in enumerate(row if isinstance(row, list) else []):
                if isinstance(button, dict) and not button.get("text"):
                    problems.append(f"{path}.keyboard[{r}][{c}].text must be non-empty")
    return problems


def check_commands(commands: list[Any]) -> list[str]:
    """setMyCommands' limits: how many commands, their names and descriptions."""
    problems: list[str] = []
    if len(commands) > COMMANDS_LIMIT:
        problems.append(f"too many commands: {len(commands)} (max {COMMANDS_LIMIT})")
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        name = command.get("command")
        if isinstance(name, str) and not COMMAND_RE.fullmatch(name):
            problems.append(
                f"BOT_COMMAND_INVALID: commands[{index}].command {name!r} must be 1-32 "
                "characters of a-z, 0-9 and _"
            )
        description = command.get("description")
        if isinstance(description, str) and not 1 <= len(description) <= COMMAND_DESCRIPTION_LIMIT:
            problems.append(
                f"commands[{index}].description is {len(description)} characters "
                f"(1-{COMMAND_DESCRIPTION_LIMIT} allowed)"
            )
    return problems
