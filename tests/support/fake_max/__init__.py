"""A local MAX Bot API for tests (see server.py); the names tests use."""

from tests.support.fake_max.chats import Button, MaxMessage, Press, Version
from tests.support.fake_max.files import Uploaded
from tests.support.fake_max.people import FakeMaxUser
from tests.support.fake_max.server import (
    BOT_USER_ID,
    BOT_USERNAME,
    DEFAULT_TOKEN,
    FakeMax,
    MaxError,
    running_fake_max,
)
from tests.support.fake_max.spec import MaxSpec, load_spec
from tests.support.fake_max.updates import SECRET_HEADER, WebhookDelivery

__all__ = [
    "BOT_USERNAME",
    "BOT_USER_ID",
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "Button",
    "FakeMax",
    "FakeMaxUser",
    "MaxError",
    "MaxMessage",
    "MaxSpec",
    "Press",
    "Uploaded",
    "Version",
    "WebhookDelivery",
    "load_spec",
    "running_fake_max",
]
