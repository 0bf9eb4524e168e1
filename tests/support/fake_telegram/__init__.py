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
`FakeTelegram(rate_limits=True)` keeps Telegram's sending rates (30 a second overall, 1 a second
per chat) and answers 429 beyond them (`rates`).

The package: `server` (FakeTelegram and the methods it serves), `updates` (getUpdates, the
webhook, acknowledgements), `spec` (the spec and the check of parameters against it), `limits`
(Telegram's limits beyond the types), `entities` (HTML / MarkdownV2 / Markdown parsing),
`chats`, `files`, `people` (FakeUser) and `errors`; what is not about Telegram is shared with
the other fakes in tests/support/fake_http.py.
"""

from tests.support.fake_telegram.chats import BotMessage
from tests.support.fake_telegram.entities import parse_html, parse_markdown_v2
from tests.support.fake_telegram.people import FakeUser
from tests.support.fake_telegram.server import FakeTelegram, running_fake_telegram
from tests.support.fake_telegram.spec import load_spec

__all__ = [
    "BotMessage",
    "FakeTelegram",
    "FakeUser",
    "load_spec",
    "parse_html",
    "parse_markdown_v2",
    "running_fake_telegram",
]
