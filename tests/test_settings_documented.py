"""Every setting the bot reads is documented in `.env.example` with its default, and nothing
there is a setting the bot no longer reads: a newcomer configures from that one file."""

from __future__ import annotations

import re
from pathlib import Path

from bot.config import Settings

EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def documented() -> dict[str, str]:
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    return dict(
        (m.group(1), m.group(2)) for line in lines if (m := re.fullmatch(r"([A-Z_]+)=(.*)", line))
    )


def test_every_setting_is_in_env_example_and_nothing_else() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    assert set(documented()) == fields


def test_the_example_shows_the_defaults_and_no_secret() -> None:
    for name, value in documented().items():
        field = Settings.model_fields[name.lower()]
        default = field.default
        if value == "":  # a secret, or a setting that is off until given
            assert default in (None, ""), name
        else:
            assert str(default) == value, name
