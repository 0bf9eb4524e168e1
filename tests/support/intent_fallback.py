"""Free text read as the new intents, for as long as nlu.intents does not read them itself.

The conversation tests of subjects and recommendations send free text. Once the classifier
reads subjects and recommendations (probed with «фантастика» and «что почитать»), nothing here
is installed and every phrase goes through it. Until then, a phrase it does not read as one of
them is read here: a subject by nlu.subjects, a recommendation by the phrases given.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from handlers import dispatcher
from nlu.intents import Intent, classify
from nlu.subjects import find_subject

PROBES = {"фантастика": "browse_subject", "что почитать": "recommend"}


def classifier_knows_them() -> bool:
    return all(classify(text).name == name for text, name in PROBES.items())


def read_as_well(
    monkeypatch: pytest.MonkeyPatch, phrases: dict[str, Intent] | None = None
) -> Callable[[str], Intent]:
    """Install, while the classifier lacks them, a reader that falls back to `phrases` and
    subjects; returns the reader in use."""
    if classifier_knows_them():
        return classify
    known = {text.casefold(): intent for text, intent in (phrases or {}).items()}

    def reading(text: str) -> Intent:
        intent = classify(text)
        if intent.name in ("browse_subject", "recommend"):
            return intent
        wanted = known.get(text.strip().casefold())
        if wanted is not None:
            return wanted
        found = find_subject(text)
        if found is not None and intent.name == "search":
            slots = {"subject": found.key} | ({"query": found.query} if found.rest else {})
            return Intent("browse_subject", slots)
        return intent

    monkeypatch.setattr(dispatcher, "classify", reading)
    return reading
