"""The labelled sets: bench/understanding/messages.jsonl (written before the classifier was
touched) and holdout.jsonl (written after, to see how far it carries), one message a line.

Each line is ``{"text", "persona", "intent", "slots"}``: what a person typed (as typed, wrong
layout and all), who typed it (``student-7`` is a seventh-grader, ``parent``, ``librarian``),
the intent it means and the slots the bot needs to answer it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

MESSAGES = Path(__file__).with_name("messages.jsonl")
# Written after the classifier was built, and measured once before it was changed again.
HOLDOUT = Path(__file__).with_name("holdout.jsonl")
PERSONAS = ("student", "parent", "librarian")


@dataclass(frozen=True, slots=True)
class Message:
    text: str
    persona: str
    intent: str
    slots: dict[str, str] = field(default_factory=dict)


def load(path: Path = MESSAGES) -> list[Message]:
    """Every message of the set, in file order; a malformed line stops the bench, naming it."""
    messages = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        message = Message(row["text"], row["persona"], row["intent"], dict(row.get("slots", {})))
        if not message.text or message.persona.partition("-")[0] not in PERSONAS:
            raise ValueError(f"{path.name}:{number}: text and a known persona are required")
        messages.append(message)
    return messages
