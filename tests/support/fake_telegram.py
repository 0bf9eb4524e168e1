"""A local Telegram Bot API for tests, every request checked against the machine-readable spec.

The real aiogram client talks HTTP to it::

    async with running_fake_telegram() as tg:
        session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
        bot = Bot(tg.token, session=session)

Requests are read the way Telegram reads them — a multipart or urlencoded form (every value a
string), a JSON body or a query string — and converted by the types the spec declares (digits to
Integer, "true"/"false" to Boolean, JSON strings to objects and arrays, "attach://…" to the file
part). Then they are checked: required fields, unknown fields, types (objects recursively against
`spec["types"]`, unions by their members), Telegram's limits (text and captions after entity
parsing, HTML / MarkdownV2 markup, callback_data, inline buttons, commands, callback answers) and
that chats and files exist. Each problem is answered as Telegram would (400 "Bad Request: …") and
kept in `violations`; `running_fake_telegram()` (and `async with FakeTelegram(...)`) fails the test
while any remain.

What a correct bot meets in production — 429 and other injected failures (`fail_next`), 403 from a
chat that blocked the bot, "message is not modified", "message to edit not found", 409 from
getUpdates while a webhook is set — is answered the same way but is not a violation.

People are simulated with `tg.user(id)`: they send text and photos and press buttons; what they
see is `tg.messages(chat_id)` (edits applied). Updates go to getUpdates, or to the webhook if one
is set.

What Telegram considers done is kept in `acknowledged`: an update the webhook answered 2xx, or
one a later getUpdates offset confirmed. Webhook deliveries not answered 2xx stay
`unacknowledged` and `retry_unacknowledged()` delivers them again, as Telegram retries (the
update_id unchanged). `hold("sendMessage", after=n)` stalls a slow Telegram: later calls wait
until `release`, and a held call whose client has died meanwhile does nothing;
`download_delay = 2.0` makes each file download (/file/bot<token>/…) take that long.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import io
import json
import math
import mimetypes
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientTimeout, MultipartReader, web

from db.clock import utcnow
from tests.support.fake_http import (
    Call,
    Failure,
    FakeHttpServer,
    Upload,
    client_alive,
    read_form,
    read_multipart,
)
from tests.support.shared import shared_path

SPEC_PARTS = ("spec", "telegram-bot-api.json")
DEFAULT_TOKEN = "123456789:AAHfakeTokenForFormulyarTests_0123456"
BOT_USERNAME = "formulyar_test_bot"

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
# Updates Telegram sends only when asked for them by name in allowed_updates.
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Button fields that are not "the" action of an inline keyboard button.
BUTTON_DECORATIONS = frozenset({"text", "icon_custom_emoji_id", "style"})
SEND_LIKE = frozenset({"copyMessage", "copyMessages", "forwardMessage", "forwardMessages"})

FAILURE_DESCRIPTIONS = {
    400: "Bad Request: simulated failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
BAD_QUERY = "Bad Request: query is too old and response timeout expired or query ID is invalid"
WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


# Spec ------------------------------------------------------------------------------------


def load_spec(path: str | Path | None = None) -> dict[str, Any]:
    """The Bot API spec: from `path`, or ../shared/spec (skips the test — fails under CI — if the
    shared folder is absent). Cached: do not mutate the result."""
    if path is None:
        path = shared_path(*SPEC_PARTS)
    return _read_spec(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _read_spec(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        spec = json.load(file)
    if not isinstance(spec, dict) or "methods" not in spec or "types" not in spec:
        raise ValueError(f"{path} is not a Bot API spec (no 'methods' and 'types')")
    return spec


_DISCRIMINATOR = re.compile(r"(?:must be|always)\s+[“\"*]?([a-z_]+)")
_INTEGER = re.compile(r"[+-]?\d+")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})
_PRIMITIVE_RANK = {"Integer": 0, "Float": 1, "Boolean": 2, "InputFile": 3, "String": 9}


class Unknown(str):
    """A parameter or field the spec does not have: Telegram ignores it, so the request is
    served — but it is still a violation (a typo, or a field of a newer Bot API)."""


def _fatal(problems: list[str]) -> list[str]:
    return [problem for problem in problems if not isinstance(problem, Unknown)]


def _rank(problems: list[str]) -> tuple[int, int]:
    return len(_fatal(problems)), len(problems)


def _describe(types: list[str]) -> str:
    return " or ".join(types)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class SpecValidator:
    """Converts request parameters by the spec's types and lists what does not fit."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.types: dict[str, Any] = spec["types"]
        self.methods: dict[str, Any] = spec["methods"]
        self._names = {name.lower(): name for name in self.methods}
        self._fields: dict[str, dict[str, Any]] = {}

    def method_name(self, name: str) -> str | None:
        """The spec's spelling of a method (Telegram ignores the case of method names)."""
        return self._names.get(name.lower())

    def fields(self, owner: str) -> dict[str, dict[str, Any]]:
        """The fields of a method or of a type, by name."""
        if owner not in self._fields:
            entry = self.methods.get(owner) or self.types.get(owner) or {}
            self._fields[owner] = {item["name"]: item for item in entry.get("fields", [])}
        return self._fields[owner]

    def returns(self, method: str) -> list[str]:
        return list(self.methods[method].get("returns", []))

    # Top level: strings from a form, or native JSON values ------------------------------

    def convert_params(
        self, method: str, raw: dict[str, Any], files: dict[str, Upload]
    ) -> tuple[dict[str, Any], list[str]]:
        fields = self.fields(method)
        raw = dict(raw)
        for name, upload in files.items():
            if name in fields and name not in raw:
                raw[name] = upload  # a file sent directly as the field, not via attach://
        used: set[str] = set()
        params: dict[str, Any] = {}
        problems: list[str] = []
        for name, value in raw.items():
            spec_field = fields.get(name)
            if spec_field is None:
                params[name] = value
                problems.append(Unknown(f"unknown parameter {name!r}"))
                continue
            if isinstance(value, Upload):
                used.add(value.name)
            converted, errors = self._convert(name, value, spec_field["types"], files, used)
            params[name] = converted
            problems.extend(errors)
        for name, spec_field in fields.items():
            if spec_field["required"] and name not in params:
                problems.append(f"{name} is required")
        for name, upload in files.items():
            if name not in used:
                problems.append(
                    f"file part {name!r} ({upload.filename}) is not referenced by any parameter"
                )
        return params, problems

    def _convert(
        self, name: str, value: Any, types: list[str], files: dict[str, Upload], used: set[str]
    ) -> tuple[Any, list[str]]:
        if isinstance(value, Upload):
            if "InputFile" in types:
                return value, []
            return value, [f"{name} is a file upload, but must be {_describe(types)}"]
        if isinstance(value, str):
            return self._from_string(name, value, types, files, used)
        return value, self.check_value(value, types, name, files, used)

    def _from_string(
        self, name: str, text: str, types: list[str], files: dict[str, Upload], used: set[str]
    ) -> tuple[Any, list[str]]:
        structured_errors: list[list[str]] = []
        for kind in sorted(types, key=lambda item: _PRIMITIVE_RANK.get(item, 5)):
            if kind == "Integer":
                if _INTEGER.fullmatch(text.strip()):
                    return int(text), []
            elif kind == "Float":
                with contextlib.suppress(ValueError):
                    number = float(text)
                    if math.isfinite(number):
                        return number, []
            elif kind == "Boolean":
                if text.strip().lower() in _TRUE | _FALSE:
                    return text.strip().lower() in _TRUE, []
            elif kind == "InputFile":
                if text.startswith("attach://"):
                    key = text.removeprefix("attach://")
                    if key in files:
                        used.add(key)
                        return files[key], []
                    return text, [f'{name} refers to "{text}", but no file part {key!r} was sent']
                if "String" in types:
                    continue
                return text, [f"{name} must be a file upload (multipart/form-data)"]
            elif kind == "String":
                return text, []
            else:
                try:
                    decoded = json.loads(text)
                except ValueError:
                    structured_errors.append([f"can't parse {name} as JSON ({kind})"])
                    continue
                errors = self.check_value(decoded, [kind], name, files, used)
                if not _fatal(errors):
                    return decoded, errors
                structured_errors.append(errors)
        if structured_errors:
            return text, min(structured_errors, key=len)
        return text, [f"{name} must be {_describe(types)}, got {_short(text)}"]

    # Nested values: JSON, strictly typed ------------------------------------------------

    def check_value(
        self,
        value: Any,
        types: list[str],
        path: str,
        files: dict[str, Upload] | None = None,
        used: set[str] | None = None,
    ) -> list[str]:
        """Problems of a JSON value against any of `types` (empty when it fits one)."""
        files = {} if files is None else files
        used = set() if used is None else used
        best: list[str] | None = None
        for kind in types:
            errors = self._check_type(value, kind, path, files, used)
            if not errors:
                return []
            if best is None or _rank(errors) < _rank(best):
                best = errors
        return best or [f"{path} has no declared type"]

    def _check_type(
        self, value: Any, kind: str, path: str, files: dict[str, Upload], used: set[str]
    ) -> list[str]:
        if kind.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{path} must be an array ({kind}), got {_short(value)}"]
            inner = kind.removeprefix("Array of ")
            errors: list[str] = []
            for index, item in enumerate(value):
                errors.extend(self._check_type(item, inner, f"{path}[{index}]", files, used))
            return errors
        if kind == "Integer":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif kind == "Float":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        elif kind == "Boolean":
            ok = isinstance(value, bool)
        elif kind in ("String", "InputFile"):
            if not isinstance(value, str):
                return [f"{path} must be {kind}, got {_short(value)}"]
            if value.startswith("attach://"):
                key = value.removeprefix("attach://")
                if key not in files:
                    return [f'{path} refers to "{value}", but no file part {key!r} was sent']
                used.add(key)
            return []
        else:
            return self._check_object(value, kind, path, files, used)
        return [] if ok else [f"{path} must be {kind}, got {_short(value)}"]

    def _check_object(
        self, value: Any, kind: str, path: str, files: dict[str, Upload], used: set[str]
    ) -> list[str]:
        entry = self.types.get(kind)
        if entry is None:
            return [f"{path}: the spec has no type {kind!r}"]
        if entry.get("subtypes"):
            return self._check_union(value, kind, entry["subtypes"], path, files, used)
        if not isinstance(value, dict):
            return [f"{path} must be a JSON object ({kind}), got {_short(value)}"]
        fields = self.fields(kind)
        errors: list[str] = []
        for key, item in value.items():
            spec_field = fields.get(key)
            if spec_field is None:
                errors.append(Unknown(f"{path}.{key} is not a field of {kind}"))
                continue
            errors.extend(self.check_value(item, spec_field["types"], f"{path}.{key}", files, used))
        for key, spec_field in fields.items():
            if spec_field["required"] and key not in value:
                errors.append(f"{path}.{key} is required in {kind}")
        tag = self._discriminator(kind)
        if tag is not None and value.get(tag[0]) not in (None, tag[1]):
            errors.append(f"{path}.{tag[0]} must be {tag[1]!r} in {kind}")
        return errors

    def _check_union(
        self,
        value: Any,
        kind: str,
        subtypes: list[str],
        path: str,
        files: dict[str, Upload],
        used: set[str],
    ) -> list[str]:
        candidates = subtypes
        if isinstance(value, dict):
            tagged = [
                (name, tag)
                for name in subtypes
                if (tag := self._discriminator(name)) is not None and tag[0] in value
            ]
            if tagged:
                candidates = [name for name, tag in tagged if value[tag[0]] == tag[1]]
                if not candidates:
                    field_name = tagged[0][1][0]
                    allowed = sorted({tag[1] for _, tag in tagged})
                    return [
                        f"{path}.{field_name} {_short(value[field_name])} is not one of "
                        f"{', '.join(allowed)} ({kind})"
                    ]
        return self.check_value(value, candidates, path, files, used)

    def placeholder(self, kind: str, depth: int = 0) -> Any:
        """A minimal value of a type: its required fields only, filled with zeros, empty
        strings and the tags unions need (for results the fake has nothing better for)."""
        primitives = {"Integer": 0, "Float": 0.0, "Boolean": False, "String": "", "True": True}
        if kind in primitives:
            return primitives[kind]
        if kind.startswith("Array of") or depth > 6:
            return []
        entry = self.types.get(kind, {})
        if entry.get("subtypes"):
            return self.placeholder(entry["subtypes"][0], depth + 1)
        value = {
            name: self.placeholder(spec_field["types"][0], depth + 1)
            for name, spec_field in self.fields(kind).items()
            if spec_field["required"]
        }
        tag = self._discriminator(kind)
        if tag is not None:
            value[tag[0]] = tag[1]
        return value

    def _discriminator(self, kind: str) -> tuple[str, str] | None:
        for name in ("type", "status", "source"):
            spec_field = self.fields(kind).get(name)
            if spec_field is not None:
                match = _DISCRIMINATOR.search(spec_field.get("description", ""))
                return (name, match.group(1)) if match else None
        return None


# Text: entity parsing as Telegram does it ----------------------------------------------


class EntityParseError(ValueError):
    """Markup Telegram would refuse with "can't parse entities"."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _Text:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.u16 = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.u16 += utf16_len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class _Open:
    name: str
    type: str
    start: int  # UTF-16 offset in the visible text
    attrs: dict[str, str]
    byte_offset: int


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_START_TAG = re.compile(
    r"<([A-Za-z][A-Za-z0-9-]*)"
    r"((?:\s+[A-Za-z_:][-\w:.]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*)\s*/?>"
)
_ATTRIBUTE = re.compile(r"([A-Za-z_:][-\w:.]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?")
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_HTML_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_PLAIN_HTML = re.compile(r"[^<&]+")


def _decode_html_entity(body: str, where: int) -> str:
    if body.startswith("#"):
        number = int(body[2:], 16) if body[1:2] in ("x", "X") else int(body[1:])
        if number == 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
            raise EntityParseError(f"invalid character reference &{body}; at byte offset {where}")
        return chr(number)
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body]
    raise EntityParseError(
        f'unsupported HTML entity "&{body};" at byte offset {where} '
        "(only &lt; &gt; &amp; &quot; and numeric ones)"
    )


def _html_attribute(value: str, where: int) -> str:
    if value[:1] in ("'", '"'):
        value = value[1:-1]
    return _HTML_ENTITY.sub(lambda m: _decode_html_entity(m.group(1), where), value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and the entities of Telegram-HTML; EntityParseError if malformed."""
    out = _Text()
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        plain = _PLAIN_HTML.match(source, index)
        if plain:
            out.add(plain.group())
            index = plain.end()
            continue
        where = _byte_offset(source, index)
        if source[index] == "&":
            entity = _HTML_ENTITY.match(source, index)
            if not entity:
                raise EntityParseError(f'unescaped "&" at byte offset {where}: write it as &amp;')
            out.add(_decode_html_entity(entity.group(1), where))
            index = entity.end()
            continue
        if source.startswith("</", index):
            end = _END_TAG.match(source, index)
            if not end:
                raise EntityParseError(f"unclosed end tag at byte offset {where}")
            name = end.group(1).lower()
            if not stack:
                raise EntityParseError(f'unexpected end tag "</{name}>" at byte offset {where}')
            if stack[-1].name != name:
                raise EntityParseError(
                    f'unmatched end tag at byte offset {where}, expected "</{stack[-1].name}>", '
                    f'found "</{name}>"'
                )
            _close_html(stack.pop(), out.u16, stack, entities)
            index = end.end()
            continue
        start = _START_TAG.match(source, index)
        if not start:
            raise EntityParseError(f'unexpected "<" at byte offset {where}: write it as &lt;')
        name = start.group(1).lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'unsupported start tag "{name}" at byte offset {where}')
        attrs = {
            key.lower(): _html_attribute(value, where)
            for key, value in _ATTRIBUTE.findall(start.group(2))
        }
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'tag "span" must have class "tg-spoiler" at byte offset {where}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id"):
            raise EntityParseError(f'tag "tg-emoji" needs an emoji-id at byte offset {where}')
        stack.append(_Open(name, _HTML_TAGS[name], out.u16, attrs, where))
        index = start.end()
    if stack:
        raise EntityParseError(
            f'can\'t find end tag corresponding to start tag "{stack[-1].name}" '
            f"(at byte offset {stack[-1].byte_offset})"
        )
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return out.text, entities


def _close_html(
    opened: _Open, end: int, stack: list[_Open], entities: list[dict[str, Any]]
) -> None:
    if opened.name == "code" and stack and stack[-1].name == "pre":
        language = opened.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language.removeprefix("language-")
        return
    if end == opened.start:
        return  # Telegram drops empty entities
    entity: dict[str, Any] = {
        "type": opened.type,
        "offset": opened.start,
        "length": end - opened.start,
    }
    if opened.type == "text_link":
        if not opened.attrs.get("href"):
            return
        entity["url"] = opened.attrs["href"]
    elif opened.type == "custom_emoji":
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    elif opened.type == "pre" and opened.attrs.get("language"):
        entity["language"] = opened.attrs["language"]
    elif opened.type == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.type == "date_time":
        with contextlib.suppress(ValueError):
            entity["unix_time"] = int(opened.attrs.get("unix", ""))
        if opened.attrs.get("format"):
            entity["date_time_format"] = opened.attrs["format"]
    entities.append(entity)


_MDV2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_MARKERS = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def _find_unescaped(source: str, needle: str, start: int) -> int:
    index = start
    while index < len(source):
        if source[index] == "\\":
            index += 2
            continue
        if source.startswith(needle, index):
            return index
        index += 1
    return -1


def _unescape_markdown(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text, flags=re.DOTALL)


def parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and entities of MarkdownV2; EntityParseError if Telegram would refuse."""
    out = _Text()
    stack: list[_Open] = []
    quote: _Open | None = None
    entities: list[dict[str, Any]] = []
    index = 0

    def fail_open(opened: _Open) -> EntityParseError:
        name = opened.type.replace("_", " ").title().replace(" ", "")
        return EntityParseError(
            f"can't find end of {name} entity at byte offset {opened.byte_offset}"
        )

    while index < len(source):
        char = source[index]
        where = _byte_offset(source, index)
        if char == "\\":
            if index + 1 < len(source) and 0 < ord(source[index + 1]) <= 126:
                out.add(source[index + 1])
                index += 2
                continue
            raise EntityParseError(f"a lone '\\' at byte offset {where}")
        if char == "`":
            fence = "```" if source.startswith("```", index) else "`"
            end = _find_unescaped(source, fence, index + len(fence))
            if end < 0:
                kind = "Pre" if fence == "```" else "Code"
                raise EntityParseError(f"can't find end of {kind} entity at byte offset {where}")
            body = source[index + len(fence) : end]
            entity: dict[str, Any] = {"type": "pre" if fence == "```" else "code"}
            if fence == "```" and "\n" in body:
                first, rest = body.split("\n", 1)
                if first and not any(ch.isspace() for ch in first):
                    entity["language"] = first
                body = rest if first == "" or "language" in entity else body
            content = _unescape_markdown(body)
            entity.update(offset=out.u16, length=utf16_len(content))
            out.add(content)
            if entity["length"]:
                entities.append(entity)
            index = end + len(fence)
            continue
        marker = next(
            (item for item in ("__", "||", "*", "_", "~") if source.startswith(item, index)),
            None,
        )
        if marker is not None:
            position = next(
                (pos for pos in range(len(stack) - 1, -1, -1) if stack[pos].name == marker), None
            )
            if position is None:
                stack.append(_Open(marker, _MDV2_MARKERS[marker], out.u16, {}, where))
            elif position != len(stack) - 1:
                raise fail_open(stack[-1])
            else:
                opened = stack.pop()
                if out.u16 > opened.start:
                    entities.append(
                        {
                            "type": opened.type,
                            "offset": opened.start,
                            "length": out.u16 - opened.start,
                        }
                    )
            index += len(marker)
            continue
        if char == "[" or source.startswith("![", index):
            link = "![" if char == "!" else "["
            kind = "custom_emoji" if link == "![" else "text_link"
            stack.append(_Open(link, kind, out.u16, {}, where))
            index += len(link)
            continue
        if char == "]" and stack and stack[-1].name in ("[", "!["):
            if not source.startswith("(", index + 1):
                raise EntityParseError(
                    f"a link at byte offset {stack[-1].byte_offset} has no (URL)"
                )
            end = _find_unescaped(source, ")", index + 2)
            if end < 0:
                raise EntityParseError(f"can't find end of a URL at byte offset {where}")
            url = _unescape_markdown(source[index + 2 : end])
            opened = stack.pop()
            if out.u16 > opened.start:
                entity = {
                    "type": opened.type,
                    "offset": opened.start,
                    "length": out.u16 - opened.start,
                }
                if opened.type == "custom_emoji":
                    entity["custom_emoji_id"] = url.rsplit("id=", 1)[-1]
                else:
                    entity["url"] = url
                entities.append(entity)
            index = end + 1
            continue
        if char == ">" and (index == 0 or source[index - 1] == "\n"):
            if quote is None:
                quote = _Open(">", "blockquote", out.u16, {}, where)
            index += 1
            continue
        if char == "\n" and quote is not None and not source.startswith(">", index + 1):
            if out.u16 > quote.start:
                entities.append(
                    {"type": "blockquote", "offset": quote.start, "length": out.u16 - quote.start}
                )
            quote = None
        elif char in _MDV2_RESERVED:
            raise EntityParseError(
                f"character '{char}' is reserved and must be escaped with the preceding '\\' "
                f"(byte offset {where})"
            )
        out.add(char)
        index += 1
    if stack:
        raise fail_open(stack[-1])
    if quote is not None and out.u16 > quote.start:
        entities.append(
            {"type": "blockquote", "offset": quote.start, "length": out.u16 - quote.start}
        )
    entities.sort(key=lambda item: (item["offset"], -item["length"]))
    return out.text, entities


def parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); no nesting."""
    out = _Text()
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(source):
        char = source[index]
        where = _byte_offset(source, index)
        if char == "\\" and source[index + 1 : index + 2] in ("_", "*", "`", "["):
            out.add(source[index + 1])
            index += 2
            continue
        closing = {"*": "*", "_": "_", "`": "`", "[": "]"}.get(char)
        if closing is None:
            out.add(char)
            index += 1
            continue
        if source.startswith("```", index):
            closing, char = "```", "```"
        end = source.find(closing, index + len(char))
        if end < 0:
            raise EntityParseError(f"can't find end of the entity starting at byte offset {where}")
        content = source[index + len(char) : end]
        kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre", "[": "text_link"}[char]
        entity: dict[str, Any] = {"type": kind, "offset": out.u16, "length": utf16_len(content)}
        index = end + len(closing)
        if kind == "text_link":
            if not source.startswith("(", index):
                raise EntityParseError(f"a link at byte offset {where} has no (URL)")
            url_end = source.find(")", index)
            if url_end < 0:
                raise EntityParseError(f"can't find end of a URL at byte offset {where}")
            entity["url"] = source[index + 1 : url_end]
            index = url_end + 1
        out.add(content)
        if entity["length"]:
            entities.append(entity)
    return out.text, entities


def parse_entities(source: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    """Visible text and entities for a parse_mode (None: plain text)."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return source, []
    if mode == "html":
        return parse_html(source)
    if mode == "markdownv2":
        return parse_markdown_v2(source)
    if mode == "markdown":
        return parse_markdown(source)
    raise ValueError(f"unsupported parse_mode {parse_mode!r}")


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace; entities follow the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


# What the fake records --------------------------------------------------------------------


@dataclass
class BotMessage:
    """A message from the bot as the person sees it now."""

    message_id: int
    chat_id: int
    text: str | None  # visible text: markup parsed away
    caption: str | None
    kind: str  # "text" | "photo" | "document" (other sends: "sticker", "voice", ...)
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    file: bytes | None = field(default=None, repr=False)
    file_name: str | None = None
    edited: bool = False
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)  # of the text or caption
    reply_markup: dict[str, Any] | None = None  # as sent (reply keyboards too)
    source: str | None = None  # the text or caption as the bot sent it, markup included
    date: int = 0
    edit_date: int | None = None
    media: dict[str, Any] = field(default_factory=dict, repr=False)  # "photo": [...] etc.


@dataclass
class WebhookDelivery:
    update_id: int
    status: int  # 0: the webhook could not be reached
    secret: str | None
    error: str | None = None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None


@dataclass
class _ChatState:
    chat: dict[str, Any]
    next_message_id: int = 1
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    blocked: bool = False


@dataclass
class _Queued:
    update: dict[str, Any]
    sent: bool = False


@dataclass
class _Poll:
    request: web.BaseRequest | None
    terminated: bool = False


@dataclass
class _Callback:
    user_id: int
    answered: bool = False


class _ApiError(Exception):
    def __init__(
        self,
        status: int,
        description: str,
        *,
        violation: str | None = None,
        parameters: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.violation = violation
        self.parameters = parameters


# People -----------------------------------------------------------------------------------


class FakeUser:
    """A person in a private chat with the bot."""

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        language_code: str | None,
        username: str | None,
    ) -> None:
        self.tg = tg
        self.user_id = user_id
        self.chat_id = user_id
        self.first_name = first_name
        self.answers: list[str | None] = []
        self.user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            self.user["username"] = username
        if language_code:
            self.user["language_code"] = language_code

    def __repr__(self) -> str:
        return f"FakeUser({self.user_id}, {self.first_name!r})"

    async def send(self, text: str) -> int:
        """A text message (a leading /command gets its bot_command entity); the update_id."""
        content: dict[str, Any] = {"text": text}
        command = re.match(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?", text)
        if command:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return await self.tg.deliver({"message": self.tg._user_message(self, content)})

    async def send_photo(self, data: bytes, caption: str | None = None) -> int:
        """A photo (2-3 sizes; the largest is `data`, fetchable by getFile); the update_id."""
        content: dict[str, Any] = {"photo": self.tg._store_photo(data, "AgACAgIAAxkBAAIU")[0]}
        if caption is not None:
            content["caption"] = caption
        return await self.tg.deliver({"message": self.tg._user_message(self, content)})

    async def press(self, label: str) -> int:
        """Press the button whose text contains `label` on the newest bot message having one."""
        for message in reversed(self.messages):
            for row in message.buttons:
                for button in row:
                    if label in str(button.get("text", "")):
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {button.get('text')!r} in message {message.message_id} "
                                f"has no callback_data: {button}"
                            )
                        return await self._callback(button["callback_data"], message.message_id)
        seen = [
            f"message {message.message_id}: "
            + " | ".join(str(button.get("text")) for row in message.buttons for button in row)
            for message in reversed(self.messages)
            if message.buttons
        ]
        raise AssertionError(
            f"no button containing {label!r} in chat {self.chat_id}; buttons, newest first: "
            + ("; ".join(seen) if seen else "none")
        )

    async def press_data(self, data: str, message_id: int | None = None) -> int:
        """A callback_query with any data (a forged payload): on `message_id` (a message the bot
        does not have appears as inaccessible), or on the newest bot message."""
        if message_id is None:
            message_id = self.last.message_id if self.last else 1
        return await self._callback(data, message_id)

    async def _callback(self, data: str, message_id: int) -> int:
        return await self.tg.deliver({"callback_query": self.tg._callback(self, data, message_id)})

    @property
    def messages(self) -> list[BotMessage]:
        return self.tg.messages(self.chat_id)

    @property
    def last(self) -> BotMessage | None:
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def blocked(self) -> bool:
        return self.tg._chats[self.chat_id].blocked


# The server -------------------------------------------------------------------------------


class FakeTelegram(FakeHttpServer):
    """A Telegram Bot API on 127.0.0.1 for tests; see the module docstring."""

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
    ) -> None:
        super().__init__(host=host, strict=strict)
        if not isinstance(spec, dict):
            spec = load_spec(spec)
        self.spec = spec
        self.validator = SpecValidator(spec)
        self.token = token
        self.webhook_timeout = webhook_timeout
        self._now = now
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Формуляр (тест)",
            "username": BOT_USERNAME,
        }
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.allowed_updates: list[str] | None = None
        self.dropped_updates: list[dict[str, Any]] = []  # not wanted by allowed_updates
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/
        self.download_delay = 0.0  # seconds each file download takes (a slow network)
        # (scope type, chat_id, language_code) → commands; scope type "chat_member:<user>" too
        self.commands: dict[tuple[str, int | None, str], list[dict[str, Any]]] = {}
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, _ChatState] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = 0
        self._pending: list[_Queued] = []
        self._history: dict[int, dict[str, Any]] = {}
        self._next_update_id = 1
        self._callbacks: dict[str, _Callback] = {}
        self._callback_counter = 0
        self._poll: _Poll | None = None
        self._last_webhook_error: tuple[int, str] | None = None
        # Acknowledged updates: a webhook delivery answered 2xx, or confirmed by a getUpdates
        # offset past them. Webhook deliveries not yet acknowledged wait for a retry.
        self.acknowledged: set[int] = set()
        self._unacknowledged: dict[int, dict[str, Any]] = {}
        self._posting: set[int] = set()
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
            self._chats[user_id] = _ChatState(chat=chat)
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

    @property
    def unacknowledged(self) -> list[int]:
        """Update ids delivered to the webhook and not yet answered 2xx."""
        return sorted(self._unacknowledged)

    async def retry_unacknowledged(self) -> int:
        """Deliver the unacknowledged webhook updates once more, as Telegram retries them: one
        chat's in order (a chat stops at its first failure), chats at once. Updates whose
        delivery is in progress are left alone. The number still unacknowledged."""
        by_chat: dict[Any, list[dict[str, Any]]] = {}
        for update_id in sorted(self._unacknowledged):
            if update_id not in self._posting:
                update = self._unacknowledged[update_id]
                by_chat.setdefault(_update_chat(update), []).append(update)

        async def chat(updates: list[dict[str, Any]]) -> None:
            for update in updates:
                if not 200 <= await self._post_update(update, self.webhook_secret) < 300:
                    return

        if self.webhook_url:
            await asyncio.gather(*(chat(updates) for updates in by_chat.values()))
        return len(self._unacknowledged)

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
        return self._files[file_id].data

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return [entry.update for entry in self._pending]

    async def deliver(self, update: dict[str, Any]) -> int:
        """An update from Telegram: to the webhook if one is set, else queued for getUpdates."""
        update = self._numbered(update)
        if not self._wanted(update):
            self.dropped_updates.append(update)
            return update["update_id"]
        if self.webhook_url:
            await self._post_update(update, self.webhook_secret)
        else:
            self._pending.append(_Queued(update))
            self.wake()
        return update["update_id"]

    async def post_to_webhook(self, update: dict[str, Any], *, secret: str | None) -> int:
        """POST an update to the webhook with exactly this secret header (None: no header);
        the HTTP status the bot answered (0 if it could not be reached)."""
        if not self.webhook_url:
            raise AssertionError("no webhook is set (the bot has not called setWebhook)")
        return await self._post_update(self._numbered(update), secret, track=False)

    async def redeliver(self, update_id: int) -> None:
        """The same update once more, as Telegram does when a webhook answer was lost."""
        update = copy.deepcopy(self._history[update_id])
        if self.webhook_url:
            await self._post_update(update, self.webhook_secret)
        else:
            self._pending.append(_Queued(update))
            self.wake()

    # HTTP ------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        form = await read_form(request, accept_json=True)
        raw, files, transport, problem = form.params, form.uploads, form.transport, form.problem
        name = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self.log_call(Call(name, raw, 401, transport, "Unauthorized"))
            return _error(401, "Unauthorized")
        if problem is not None:
            self.violations.append(f"{name}: {problem}")
            self.log_call(Call(name, raw, 400, transport, f"Bad Request: {problem}"))
            return _error(400, f"Bad Request: {problem}")
        status, payload = await self._dispatch(name, raw, files, transport, request)
        return web.json_response(
            payload, status=status, dumps=partial(json.dumps, ensure_ascii=False)
        )

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        stored = self._files_by_path.get(path)
        if request.match_info["token"] != self.token or stored is None:
            return _error(404, "Not Found")
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
            return 404, _payload(404, "Not Found: method not found")
        params, problems = self.validator.convert_params(method, raw, files)
        call = self.log_call(Call(method, params, 200, transport))
        ctx: dict[str, Any] = {"method": method, "request": request, "files": files}
        if not _fatal(problems):
            problems += self._check_limits(method, params, ctx)
        self.violations.extend(
            f"{method}: {problem}"
            + (" (Telegram ignores it)" if isinstance(problem, Unknown) else "")
            for problem in problems
        )
        try:
            if _fatal(problems):
                raise _ApiError(400, f"Bad Request: {_fatal(problems)[0]}")
            ctx["chat"] = self._target_chat(method, params)
            failure = self.take_failure(method)
            if failure is not None:
                raise _ApiError(failure.code, failure.description, parameters=failure.details)
            if ctx["chat"] is not None and ctx["chat"].blocked and self._is_send(method):
                raise _ApiError(403, "Forbidden: bot was blocked by the user")
            chat_id = params.get("chat_id")
            key = chat_id if isinstance(chat_id, int) else None
            if not await self.wait_if_held(method, key, request):
                raise _ApiError(499, "the client went away while the call was held")
            handler = self._handlers.get(method, self._generic)
            result = await handler(params, ctx)
        except _ApiError as error:
            if error.violation:
                self.violations.append(error.violation)
            call.status, call.description = error.status, error.description
            return error.status, _payload(error.status, error.description, error.parameters)
        answer: dict[str, Any] = {"ok": True, "result": result}
        if ctx.get("description"):
            answer["description"] = ctx["description"]
        return 200, answer

    # Checks beyond the types -----------------------------------------------------------

    def _check_limits(self, method: str, params: dict[str, Any], ctx: dict[str, Any]) -> list[str]:
        problems: list[str] = []
        fields = self.validator.fields(method)
        if "parse_mode" in params and str(params["parse_mode"]).lower() not in (
            "html",
            "markdownv2",
            "markdown",
        ):
            problems.append(f"unsupported parse_mode {params['parse_mode']!r}")
            return problems
        if method in ("sendMessage", "editMessageText") and isinstance(params.get("text"), str):
            parsed = self._parse(
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
            parsed = self._parse(
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
                    parsed = self._parse(
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
            problems.extend(_check_markup(params["reply_markup"]))
        if method == "answerCallbackQuery":
            text = params.get("text")
            if isinstance(text, str) and len(text) > CALLBACK_ANSWER_LIMIT:
                problems.append(f"text is {len(text)} characters (max {CALLBACK_ANSWER_LIMIT})")
        if method == "setMyCommands" and isinstance(params.get("commands"), list):
            problems.extend(_check_commands(params["commands"]))
        if method == "sendChatAction" and params.get("action") not in CHAT_ACTIONS:
            problems.append(f"wrong parameter action {params.get('action')!r}")
        if method == "setWebhook":
            secret = params.get("secret_token")
            if secret is not None and not SECRET_TOKEN_RE.fullmatch(str(secret)):
                problems.append("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return problems

    def _parse(
        self,
        source: str,
        parse_mode: Any,
        entities: Any,
        name: str,
        problems: list[str],
    ) -> tuple[str, list[dict[str, Any]]] | None:
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
            return _trim(source, [dict(entity) for entity in entities])
        try:
            return _trim(*parse_entities(source, parse_mode))
        except EntityParseError as error:
            problems.append(f"can't parse entities: {error} (in {name}, parse_mode {parse_mode})")
            return None

    def _target_chat(self, method: str, params: dict[str, Any]) -> _ChatState | None:
        if "chat_id" not in params:
            return None
        chat_id = params["chat_id"]
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _ApiError(
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

    async def _get_updates(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        if self.webhook_url:
            raise _ApiError(409, WEBHOOK_ACTIVE)
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"]) or None
        offset = params.get("offset")
        if isinstance(offset, int) and offset != 0:
            if offset < 0:
                self._pending = self._pending[offset:]
            else:
                kept = []
                for entry in self._pending:
                    if entry.sent and entry.update["update_id"] < offset:
                        self.acknowledged.add(entry.update["update_id"])
                    else:
                        kept.append(entry)
                self._pending = kept
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = max(0, int(params.get("timeout") or 0))
        request = ctx.get("request")
        previous = self._poll
        if previous is not None and previous.request is not None and client_alive(previous.request):
            previous.terminated = True
            self.violations.append(
                "getUpdates: two getUpdates requests at once (two bot instances polling?)"
            )
        poll = _Poll(request)
        self._poll = poll
        self.wake()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while True:
                if poll.terminated:
                    raise _ApiError(409, FAILURE_DESCRIPTIONS[409])
                if self.webhook_url:
                    raise _ApiError(409, WEBHOOK_ACTIVE)
                ready = self._pending[:limit]
                remaining = deadline - loop.time()
                if ready or remaining <= 0 or self.closing:
                    for entry in ready:
                        entry.sent = True
                    return [copy.deepcopy(entry.update) for entry in ready]
                if request is not None and not client_alive(request):
                    return []
                await self.sleep_until_woken(min(remaining, 0.1))
        finally:
            if self._poll is poll:
                self._poll = None

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
            raise _ApiError(
                400,
                "Bad Request: text must be non-empty",
                violation="editMessageText: no text to set",
            )
        message = self._message_to_edit("editMessageText", params, ctx)
        if message is None:
            return True
        if message.kind != "text":
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        text, entities = ctx["text"]
        markup = params.get("reply_markup")
        if (
            text == message.text
            and entities == message.entities
            and _same_markup(markup, message.reply_markup)
        ):
            raise _ApiError(400, NOT_MODIFIED)
        message.text, message.entities, message.source = text, entities, params["text"]
        message.parse_mode = params.get("parse_mode")
        self._edited(message, markup)
        return self.message_object(message)

    async def _edit_message_caption(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        message = self._message_to_edit("editMessageCaption", params, ctx)
        if message is None:
            return True
        if message.kind == "text":
            raise _ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, entities = ctx.get("caption", (None, []))
        markup = params.get("reply_markup")
        if (
            caption == message.caption
            and entities == message.entities
            and _same_markup(markup, message.reply_markup)
        ):
            raise _ApiError(400, NOT_MODIFIED)
        message.caption, message.entities = caption, entities
        message.source, message.parse_mode = params.get("caption"), params.get("parse_mode")
        self._edited(message, markup)
        return self.message_object(message)

    async def _edit_message_reply_markup(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        message = self._message_to_edit("editMessageReplyMarkup", params, ctx)
        if message is None:
            return True
        markup = params.get("reply_markup")
        if _same_markup(markup, message.reply_markup):
            raise _ApiError(400, NOT_MODIFIED)
        self._edited(message, markup)
        return self.message_object(message)

    async def _delete_message(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        chat: _ChatState = ctx["chat"]
        message_id = params["message_id"]
        if chat.bot_messages.pop(message_id, None) is None:
            if chat.user_messages.pop(message_id, None) is None:
                raise _ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _answer_callback_query(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        query_id = params["callback_query_id"]
        state = self._callbacks.get(query_id)
        if state is None:
            raise _ApiError(
                400,
                BAD_QUERY,
                violation=f"answerCallbackQuery: unknown callback_query_id {query_id!r}",
            )
        if state.answered:
            raise _ApiError(
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
            sizes, data = self._store_photo(photo.data, "AgACAgIAAxkDAAIB")
            file_name = photo.filename
        else:
            stored = self._known_file("sendPhoto", "photo", photo)
            data = stored.data if stored else None
            sizes = self._sizes_of(stored) if stored else _nominal_sizes(photo)
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
            stored = self._store_file(
                document.data, "BQACAgIAAxkDAAIC", "documents", document.filename, mime
            )
        else:
            stored = self._known_file("sendDocument", "document", document)
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
                    caption = _trim(*parse_entities(caption, item.get("parse_mode")))[0]
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
        stored = self._files.get(params["file_id"])
        if stored is None:
            raise _ApiError(
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

    async def _set_webhook(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        url = params["url"]
        if not url:
            return await self._delete_webhook(params, ctx)
        self.webhook_url = url
        self.webhook_secret = params.get("secret_token")
        if "allowed_updates" in params:
            self.allowed_updates = list(params["allowed_updates"]) or None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._last_webhook_error = None
        self.wake()
        if self._pending:
            pending, self._pending = [entry.update for entry in self._pending], []
            self.spawn(self._flush_to_webhook(pending))
        ctx["description"] = "Webhook was set"
        return True

    async def _delete_webhook(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        ctx["description"] = (
            "Webhook was deleted" if self.webhook_url else "Webhook is already deleted"
        )
        self.webhook_url = None
        self.webhook_secret = None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: dict[str, Any], ctx: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            if self._last_webhook_error:
                info["last_error_date"], info["last_error_message"] = self._last_webhook_error
        if self.allowed_updates:
            info["allowed_updates"] = list(self.allowed_updates)
        return info

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

    # Messages, files and updates -------------------------------------------------------

    def _chat_state(self, chat_id: int) -> _ChatState:
        if chat_id not in self._chats:
            raise KeyError(f"chat {chat_id} is unknown: create it with tg.user({chat_id})")
        return self._chats[chat_id]

    def _new_message(
        self,
        chat: _ChatState,
        kind: str,
        params: dict[str, Any],
        *,
        text: str | None = None,
        caption: str | None = None,
        entities: list[dict[str, Any]] | None = None,
        source: str | None = None,
        file: bytes | None = None,
        file_name: str | None = None,
        media: dict[str, Any] | None = None,
    ) -> BotMessage:
        markup = params.get("reply_markup")
        message = BotMessage(
            message_id=chat.next_message_id,
            chat_id=chat.chat["id"],
            text=text,
            caption=caption,
            kind=kind,
            buttons=_buttons(markup),
            file=file,
            file_name=file_name,
            parse_mode=params.get("parse_mode"),
            entities=list(entities or []),
            reply_markup=copy.deepcopy(markup) if isinstance(markup, dict) else None,
            source=source,
            date=int(self._now()),
            media=media or {},
        )
        chat.next_message_id += 1
        chat.bot_messages[message.message_id] = message
        return message

    def message_object(self, message: BotMessage) -> dict[str, Any]:
        """The Message object Telegram sends for a bot message, as it is now."""
        chat = self._chats[message.chat_id]
        result: dict[str, Any] = {
            "message_id": message.message_id,
            "from": dict(self.bot_user),
            "chat": dict(chat.chat),
            "date": message.date,
        }
        if message.edit_date is not None:
            result["edit_date"] = message.edit_date
        entities_key = "entities"
        if message.text is not None:
            result["text"] = message.text
        if message.caption is not None:
            result["caption"] = message.caption
            entities_key = "caption_entities"
        if message.entities and (message.text is not None or message.caption is not None):
            result[entities_key] = copy.deepcopy(message.entities)
        result.update(copy.deepcopy(message.media))
        markup = message.reply_markup
        if markup and markup.get("inline_keyboard"):
            result["reply_markup"] = {"inline_keyboard": copy.deepcopy(markup["inline_keyboard"])}
        return result

    def _message_to_edit(
        self, method: str, params: dict[str, Any], ctx: dict[str, Any]
    ) -> BotMessage | None:
        if params.get("inline_message_id") is not None:
            return None
        chat: _ChatState | None = ctx["chat"]
        if chat is None or "message_id" not in params:
            raise _ApiError(
                400,
                "Bad Request: message identifier is not specified",
                violation=f"{method}: needs chat_id and message_id (or inline_message_id)",
            )
        message = chat.bot_messages.get(params["message_id"])
        if message is None:
            if params["message_id"] in chat.user_messages:
                raise _ApiError(
                    400,
                    "Bad Request: message can't be edited",
                    violation=f"{method}: message {params['message_id']} is the person's own",
                )
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    def _edited(self, message: BotMessage, markup: Any) -> None:
        message.reply_markup = copy.deepcopy(markup) if isinstance(markup, dict) else None
        message.buttons = _buttons(markup)
        message.edited = True
        message.edit_date = int(self._now())

    def _check_reply(self, chat: _ChatState, params: dict[str, Any]) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or reply.get("allow_sending_without_reply"):
            return
        message_id = reply.get("message_id")
        if message_id not in chat.bot_messages and message_id not in chat.user_messages:
            raise _ApiError(400, "Bad Request: message to be replied not found")

    def _scope_key(self, method: str, params: dict[str, Any]) -> tuple[str, int | None, str]:
        scope = params.get("scope") or {"type": "default"}
        language = params.get("language_code") or ""
        kind = scope.get("type", "default")
        chat_id = scope.get("chat_id")
        if chat_id is not None:
            if not isinstance(chat_id, int) or chat_id not in self._chats:
                raise _ApiError(
                    400,
                    "Bad Request: chat not found",
                    violation=f"{method}: scope chat_id {chat_id!r} is not a known chat",
                )
        if kind == "chat_member":
            kind = f"chat_member:{scope.get('user_id')}"
        return kind, chat_id, language

    def _store_file(
        self,
        data: bytes,
        prefix: str,
        folder: str,
        file_name: str | None = None,
        mime_type: str | None = None,
        size: tuple[int, int] | None = None,
    ) -> StoredFile:
        self._file_counter += 1
        number = self._file_counter
        suffix = Path(file_name).suffix if file_name else ".jpg" if folder == "photos" else ""
        stored = StoredFile(
            file_id=f"{prefix}{number:06d}",
            file_unique_id=f"AQAD{number:06d}",
            data=data,
            file_path=f"{folder}/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_photo(self, data: bytes, prefix: str) -> tuple[list[dict[str, Any]], bytes]:
        """PhotoSize entries, smallest first; the largest is `data` itself. Real images get
        real thumbnails; other bytes get nominal sizes that all hold `data`."""
        variants = _photo_variants(data)
        sizes = []
        for width, height, blob in variants:
            stored = self._store_file(blob, prefix, "photos", None, "image/jpeg", (width, height))
            sizes.append(self._photo_size(stored))
        return sizes, data

    def _photo_size(self, stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "width": stored.width or 1280,
            "height": stored.height or 960,
            "file_size": len(stored.data),
        }

    def _sizes_of(self, stored: StoredFile) -> list[dict[str, Any]]:
        return [self._photo_size(stored)]

    def _known_file(self, method: str, name: str, value: Any) -> StoredFile | None:
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return None
        stored = self._files.get(value) if isinstance(value, str) else None
        if stored is None:
            raise _ApiError(
                400,
                "Bad Request: wrong file identifier/HTTP URL specified",
                violation=f"{method}: {name} {_short(value)} is neither a known file_id nor a URL",
            )
        return stored

    def _user_message(self, user: FakeUser, content: dict[str, Any]) -> dict[str, Any]:
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

    def _numbered(self, update: dict[str, Any]) -> dict[str, Any]:
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        self._history[update["update_id"]] = copy.deepcopy(update)
        return update

    def _wanted(self, update: dict[str, Any]) -> bool:
        kinds = [key for key in update if key != "update_id"]
        if not kinds:
            return True
        if self.allowed_updates:
            return kinds[0] in self.allowed_updates
        return kinds[0] not in NOT_SENT_BY_DEFAULT

    async def _flush_to_webhook(self, updates: list[dict[str, Any]]) -> None:
        for update in updates:
            await self._post_update(update, self.webhook_secret)

    async def _post_update(
        self, update: dict[str, Any], secret: str | None, *, track: bool = True
    ) -> int:
        assert self.webhook_url, "set a webhook first"
        update_id = update["update_id"]
        if track:
            self._posting.add(update_id)
            if update_id not in self.acknowledged:
                self._unacknowledged[update_id] = copy.deepcopy(update)
        try:
            status = await self._post_update_once(update, secret)
        finally:
            if track:
                self._posting.discard(update_id)
        if track and 200 <= status < 300:
            self.acknowledged.add(update_id)
            self._unacknowledged.pop(update_id, None)
        return status

    async def _post_update_once(self, update: dict[str, Any], secret: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = json.dumps(update, ensure_ascii=False).encode("utf-8")
        delivery = WebhookDelivery(update["update_id"], 0, secret)
        try:
            async with self.client.post(
                self.webhook_url,
                data=body,
                headers=headers,
                timeout=ClientTimeout(total=self.webhook_timeout),
            ) as response:
                delivery.status = response.status
                if 200 <= response.status < 300:
                    await self._webhook_reply(response)
                else:
                    delivery.error = f"Wrong response from the webhook: {response.status}"
        except (ClientError, TimeoutError) as error:
            delivery.error = f"Connection failed: {type(error).__name__}: {error}"
        self.webhook_deliveries.append(delivery)
        if delivery.error:
            self._last_webhook_error = (int(self._now()), delivery.error)
        return delivery.status

    async def _webhook_reply(self, response: Any) -> None:
        """A method call in the webhook's answer, as Telegram executes it."""
        if response.content_type == "multipart/form-data":
            raw, files = await read_multipart(MultipartReader(response.headers, response.content))
        elif response.content_type == "application/json":
            try:
                decoded = json.loads(await response.read() or b"{}")
            except ValueError:
                return
            if not isinstance(decoded, dict):
                return
            raw, files = decoded, {}
        else:
            return
        method = raw.pop("method", None)
        if method:
            await self._dispatch(str(method), raw, files, "webhook-reply", None)


# Helpers ----------------------------------------------------------------------------------


def _payload(
    status: int, description: str, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return payload


def _update_chat(update: dict[str, Any]) -> Any:
    if "message" in update:
        return update["message"].get("chat", {}).get("id")
    if "callback_query" in update:
        return update["callback_query"].get("from", {}).get("id")
    return None


def _error(status: int, description: str) -> web.Response:
    return web.json_response(_payload(status, description), status=status)


def _buttons(markup: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(markup, dict) or not isinstance(markup.get("inline_keyboard"), list):
        return []
    return [[dict(button) for button in row] for row in markup["inline_keyboard"]]


def _same_markup(new: Any, old: Any) -> bool:
    def inline(markup: Any) -> Any:
        if isinstance(markup, dict) and markup.get("inline_keyboard"):
            return markup["inline_keyboard"]
        return None

    return inline(new) == inline(old)


def _check_markup(markup: dict[str, Any], path: str = "reply_markup") -> list[str]:
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


def _check_commands(commands: list[Any]) -> list[str]:
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


def _image_size(data: bytes) -> tuple[int, int] | None:
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return None


def _thumbnail(data: bytes, side: int) -> tuple[int, int, bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        small = image.convert("RGB")
        small.thumbnail((side, side))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=80)
        return small.width, small.height, buffer.getvalue()


def _photo_variants(data: bytes) -> list[tuple[int, int, bytes]]:
    """(width, height, bytes) smallest first, 2-3 of them; the last is the original."""
    size = _image_size(data)
    if size is None:
        return [(90, 68, data), (320, 240, data), (1280, 960, data)]
    width, height = size
    smaller = [side for side in (90, 320) if max(width, height) > side]
    try:
        variants = [_thumbnail(data, side) for side in smaller] or [(width, height, data)]
    except Exception:
        variants = [(width, height, data)]
    return [*variants, (width, height, data)]


def _nominal_sizes(url: Any) -> list[dict[str, Any]]:
    return [{"file_id": f"url:{url}", "file_unique_id": "url", "width": 1280, "height": 960}]


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
