"""Tracebacks for the log without personal data.

Exception messages can quote what a person typed or what a row held (a pupil's name, a card
number), so the log gets the frames and the exception types, never the messages.
"""

from __future__ import annotations

import traceback


def redacted_traceback(error: BaseException) -> str:
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None:
        frames = traceback.format_list(traceback.extract_tb(current.__traceback__))
        parts.append("".join(frames) + f"{type(current).__module__}.{type(current).__qualname__}")
        current = current.__cause__ or current.__context__
        if current is not None:
            parts.append("caused by / during handling of:")
    return "\n".join(reversed(parts))
