"""Refusals the library's rules give: each names its catalogue text and carries its details."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A request turned down with a reason the person should read; nothing was changed."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
