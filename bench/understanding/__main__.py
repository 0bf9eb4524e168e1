"""The understanding bench.

    python -m bench.understanding
    python -m bench.understanding --per-intent 3 --misses 10 --json /tmp/understanding.json

Reads every labelled message of bench/understanding/messages.jsonl with today's classifier
(nlu.intents.classify) and with the one from before issue 13 (bench/understanding/baseline.py),
and prints accuracy per intent and persona side by side, the verdict against the goals, what
each intent was confused with, and the worst misses.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.search.machine import git_commit
from bench.understanding import baseline
from bench.understanding.messages import MESSAGES, Message, load
from bench.understanding.report import accuracy, confusions, figures, misses, verdict
from bench.understanding.score import read
from nlu import intents


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.understanding",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--set", type=Path, default=MESSAGES, help="the labelled messages")
    parser.add_argument(
        "--per-intent", type=int, help="only the first N messages of each intent (a quick look)"
    )
    parser.add_argument("--misses", type=int, default=30, help="worst misses to list (30)")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    return parser.parse_args(argv)


def sample(messages: list[Message], per_intent: int | None) -> list[Message]:
    if per_intent is None:
        return messages
    taken: dict[str, int] = {}
    chosen = []
    for message in messages:
        if taken.get(message.intent, 0) < per_intent:
            taken[message.intent] = taken.get(message.intent, 0) + 1
            chosen.append(message)
    return chosen


def _adapt(classify: Callable[[str], Any]) -> Callable[[str], tuple[str, dict[str, str]]]:
    def read_one(text: str) -> tuple[str, dict[str, str]]:
        intent = classify(text)
        return intent.name, dict(intent.slots)

    return read_one


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    messages = sample(load(args.set), args.per_intent)
    personas = {p: sum(m.persona.startswith(p) for m in messages) for p in ("student", "parent")}
    personas["librarian"] = len(messages) - sum(personas.values())
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Формуляр · understanding bench · commit {git_commit()} · {now}")
    print(
        f"messages: {len(messages)} ({', '.join(f'{p} {n}' for p, n in personas.items())}) · "
        f"{len({m.intent for m in messages})} intents · set: {args.set.name}"
    )
    ours = read("ours", _adapt(intents.classify), messages)
    base = read("baseline", _adapt(baseline.classify), messages)
    sections = [
        accuracy(ours, base),
        verdict(ours, base),
        ["confusions (meant → answered instead), ours:", *confusions(ours)],
        ["confusions, baseline:", *confusions(base)],
        [f"worst misses, ours (up to {args.misses}):", *misses(ours, args.misses)],
    ]
    print("\n\n".join("\n".join(section) for section in sections))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"commit": git_commit(), "when": now, "ours": figures(ours)}
        document["baseline"] = figures(base)
        args.json.write_text(json.dumps(_clean(document), ensure_ascii=False, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
