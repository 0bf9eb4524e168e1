"""A local VK API for tests (see server.py); the names tests use."""

from tests.support.fake_vk.callback import CallbackDelivery
from tests.support.fake_vk.conversations import BotMessage, Press, Version
from tests.support.fake_vk.files import Media
from tests.support.fake_vk.keyboard import Button
from tests.support.fake_vk.people import FakeVKUser
from tests.support.fake_vk.server import (
    DEFAULT_GROUP_ID,
    DEFAULT_TOKEN,
    FakeVK,
    running_fake_vk,
)
from tests.support.fake_vk.spec import API_VERSION, VkSpec, load_spec

__all__ = [
    "API_VERSION",
    "DEFAULT_GROUP_ID",
    "DEFAULT_TOKEN",
    "BotMessage",
    "Button",
    "CallbackDelivery",
    "FakeVK",
    "FakeVKUser",
    "Media",
    "Press",
    "Version",
    "VkSpec",
    "load_spec",
    "running_fake_vk",
]
