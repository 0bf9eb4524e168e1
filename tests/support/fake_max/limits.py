"""MAX's rules that are NOT IN THE SCHEMA of ../shared/spec/max, checked by hand — all here.

The schema already bounds what it can (text ≤ 4000 characters, a callback payload ≤ 1024, a
button's text 1…128, a link ≤ 2048, a webhook secret's pattern); openapi-core checks those.
What MAX documents only in prose, or in its developer guide (dev.max.ru, «Клавиатура для
чат-бота», «Форматирование»), is checked below:

- an inline keyboard: at most 210 buttons, 30 rows, 7 buttons in a row, 3 in a row holding a
  link, open_app, request_geo_location or request_contact button; no empty row; one keyboard
  per message;
- `format: "html"`: only the tags MAX keeps (the spec's «HTML support»: i/em, b/strong,
  del/s, ins/u, a href, pre/code, mark, h1), well-formed (every tag closed, properly nested),
  an `a` with an href and no other attribute; `format: "markdown"` is not parsed here;
- a webhook's URL is https:// (SubscriptionRequestBody.url's description); the fake lets
  http://127.0.0.1 and http://localhost through, for tests;
- a deep-link payload is at most 512 characters (longer ones reach the bot as no payload).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

MAX_BUTTONS = 210
MAX_ROWS = 30
MAX_ROW_WIDTH = 7
MAX_WIDE_ROW_WIDTH = 3
WIDE_BUTTONS = frozenset({"link", "open_app", "request_geo_location", "request_contact"})
HTML_TAGS = frozenset(
    {"i", "em", "b", "strong", "del", "s", "ins", "u", "a", "pre", "code", "mark", "h1"}
)
START_PAYLOAD_LIMIT = 512
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def message_problems(body: Any) -> list[str]:
    """NewMessageBody's rules outside the schema (body already valid by the schema)."""
    if not isinstance(body, dict):
        return []
    problems: list[str] = []
    attachments = body.get("attachments") or []
    keyboards = [
        a for a in attachments if isinstance(a, dict) and a.get("type") == "inline_keyboard"
    ]
    if len(keyboards) > 1:
        problems.append(f"attachments: {len(keyboards)} inline keyboards, one per message")
    for keyboard in keyboards:
        problems.extend(keyboard_problems(keyboard.get("payload", {}).get("buttons", [])))
    text = body.get("text")
    if body.get("format") == "html" and isinstance(text, str):
        problems.extend(html_problems(text))
    return problems


def keyboard_problems(rows: list[list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    total = sum(len(row) for row in rows)
    if total > MAX_BUTTONS:
        problems.append(f"inline keyboard: {total} buttons, at most {MAX_BUTTONS}")
    if len(rows) > MAX_ROWS:
        problems.append(f"inline keyboard: {len(rows)} rows, at most {MAX_ROWS}")
    for number, row in enumerate(rows):
        types = {button.get("type") for button in row if isinstance(button, dict)}
        width = MAX_WIDE_ROW_WIDTH if types & WIDE_BUTTONS else MAX_ROW_WIDTH
        if not row:
            problems.append(f"inline keyboard: row {number} is empty")
        elif len(row) > width:
            kinds = ", ".join(sorted(types & WIDE_BUTTONS)) or "buttons"
            problems.append(
                f"inline keyboard: row {number} has {len(row)} buttons, at most {width} "
                f"in a row of {kinds}"
            )
    return problems


def html_problems(text: str) -> list[str]:
    """What MAX would strip or misread in an HTML-formatted text."""
    checker = _HtmlChecker()
    checker.feed(text)
    checker.close()
    problems = checker.problems
    if checker.open:
        problems.append(f"html: <{checker.open[-1]}> is never closed")
    return [f"text (format html): {problem}" for problem in problems]


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in HTML_TAGS:
            self.problems.append(f"<{tag}> is not a tag MAX keeps ({', '.join(sorted(HTML_TAGS))})")
            return
        names = [name for name, _ in attrs]
        if tag == "a":
            href = dict(attrs).get("href")
            if not href:
                self.problems.append("<a> without an href")
            if set(names) - {"href"}:
                self.problems.append(f"<a> with attributes {names}: MAX keeps only href")
        elif names:
            self.problems.append(f"<{tag}> with attributes {names}: MAX keeps none")
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"<{tag}/> is not a tag MAX keeps (newlines are plain \\n)")

    def handle_endtag(self, tag: str) -> None:
        if tag not in HTML_TAGS:
            return  # its start tag was named already
        if not self.open or self.open[-1] != tag:
            expected = f"</{self.open[-1]}>" if self.open else "no closing tag"
            self.problems.append(f"</{tag}> where {expected} was due (tags must nest)")
            if tag in self.open:
                del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]
            return
        self.open.pop()


def subscription_url_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS:
        return None  # the tests' own server
    return f"url {url!r}: a webhook must be an https:// URL"
