"""Entity parsing as Telegram does it: HTML, MarkdownV2 and legacy Markdown to visible text and
entities (offsets and lengths in UTF-16 code units), refusing what Telegram refuses."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any


class EntityParseError(ValueError):
    """Markup Telegram would refuse with "can't parse entities"."""


def utf16_len(text: str) -> int:
    """The length Telegram counts offsets in: UTF-16 code units."""
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


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
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
