"""The bench's printout: accuracy per intent and persona beside the baseline, the verdict,
the confusions and the worst misses; and the same figures as a JSON document."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from bench.understanding.score import Answer, Run

GOAL_ALL = 0.95
GOAL_INTENT = 0.85
SEVERITY = {3: "command for a title", 2: "wrong command", 1: "search for a command", 0: "slots"}


def share(answers: Sequence[Answer], right: Callable[[Answer], bool]) -> float:
    return sum(map(right, answers)) / len(answers) if answers else float("nan")


def _intent_right(answer: Answer) -> bool:
    return answer.intent_right


def _right(answer: Answer) -> bool:
    return answer.right


def _groups(run: Run, key: Callable[[Answer], str]) -> dict[str, list[Answer]]:
    groups: dict[str, list[Answer]] = {}
    for answer in run.answers:
        groups.setdefault(key(answer), []).append(answer)
    return groups


def _intent_of(answer: Answer) -> str:
    return answer.message.intent


def _persona_of(answer: Answer) -> str:
    return answer.message.persona.partition("-")[0]


def figures(run: Run) -> dict[str, Any]:
    def row(answers: Sequence[Answer]) -> dict[str, Any]:
        return {
            "n": len(answers),
            "intent": share(answers, _intent_right),
            "meant": share(answers, _right),
        }

    return {
        "name": run.name,
        "all": row(run.answers),
        "intents": {k: row(v) for k, v in sorted(_groups(run, _intent_of).items())},
        "personas": {k: row(v) for k, v in sorted(_groups(run, _persona_of).items())},
        "p50_us": run.p50,
        "p95_us": run.p95,
    }


def _table(title: str, ours: dict[str, Any], base: dict[str, Any], keys: list[str]) -> list[str]:
    lines = [
        f"{title:<18} {'n':>4}  {'intent':>7} {'meant':>7}  │  baseline {'intent':>7} {'meant':>7}",
        "─" * 78,
    ]
    for key in keys:
        o, b = ours[key], base[key]
        lines.append(
            f"{key:<18} {o['n']:>4}  {o['intent']:>7.3f} {o['meant']:>7.3f}  │  "
            f"{'':>8} {b['intent']:>7.3f} {b['meant']:>7.3f}"
        )
    return lines


def accuracy(ours: Run, base: Run) -> list[str]:
    o, b = figures(ours), figures(base)
    lines = _table("intent", o["intents"], b["intents"], list(o["intents"]))
    lines.append("─" * 78)
    lines += _table("all", {"all": o["all"]}, {"all": b["all"]}, ["all"])[2:]
    lines.append("")
    lines += _table("persona", o["personas"], b["personas"], list(o["personas"]))
    return lines


def verdict(ours: Run, base: Run) -> list[str]:
    o, b = figures(ours), figures(base)
    worst_intent, worst = min(o["intents"].items(), key=lambda kv: kv[1]["meant"])
    passed = o["all"]["meant"] >= GOAL_ALL and worst["meant"] >= GOAL_INTENT
    return [
        f"answered as meant: {o['all']['meant']:.3f} (intent right: {o['all']['intent']:.3f}) · "
        f"baseline {b['all']['meant']:.3f} ({b['all']['intent']:.3f})",
        f"lowest intent: {worst_intent} {worst['meant']:.3f} · goals: ≥ {GOAL_ALL} overall, "
        f"no intent under {GOAL_INTENT} → {'met' if passed else 'NOT met'}",
        f"classify per message: p50 {o['p50_us']:.0f} µs, p95 {o['p95_us']:.0f} µs · "
        f"baseline p50 {b['p50_us']:.0f} µs, p95 {b['p95_us']:.0f} µs",
    ]


def confusions(run: Run) -> list[str]:
    """Per intent meant, what was answered instead and how often."""
    lines = []
    for intent, answers in sorted(_groups(run, _intent_of).items()):
        wrong = Counter(a.intent for a in answers if not a.intent_right)
        if wrong:
            listed = ", ".join(f"{name} {n}" for name, n in wrong.most_common())
            lines.append(f"  {intent:<16} → {listed}")
    return lines or ["  none"]


def _slots(slots: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}={v!r}" for k, v in sorted(slots.items())) + "}" if slots else ""


def misses(run: Run, limit: int) -> list[str]:
    wrong = [a for a in run.answers if not a.right]
    wrong.sort(key=lambda a: -a.severity)
    lines = []
    for answer in wrong[:limit]:
        m = answer.message
        lines.append(
            f"  [{SEVERITY[answer.severity]}] {m.persona}: «{m.text}»\n"
            f"      answered {answer.intent} {_slots(answer.slots)} · "
            f"meant {m.intent} {_slots(m.slots)}"
        )
    if len(wrong) > limit:
        lines.append(f"  … and {len(wrong) - limit} more")
    return lines or ["  none"]
