"""The bench's figures, read from what the fake Bot API saw, and their printout beside the
issue's goals and the baseline measured before issue 14."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bench.broadcast.people import chat_of, text_of
from tests.support.fake_telegram import FakeTelegram

GOAL_RATE = 28.0  # messages a second
GOAL_LIVE_P95 = 1.0  # seconds
# Measured from outside before issue 14 (the text).
BASELINE_RATE = "≈10 msg/s (50 per 5-second tick); 1.1 msg/s with per-chat 429s"


@dataclass(frozen=True)
class Figures:
    size: int
    seconds: float
    refused: int  # 429s the fake answered
    duplicates: int  # extra copies of a notice in its chat
    lost: int  # notices never seen in their chat
    live: list[float]  # each live reply's seconds
    in_flight: int | None = None  # deliveries planned but unrecorded at the kill
    violations: int = 0

    @property
    def rate(self) -> float:
        return self.size / self.seconds if self.seconds else float("nan")


def count(tg: FakeTelegram, size: int) -> tuple[int, int]:
    """Duplicates and losses: how often each chat got its own notice."""
    duplicates = lost = 0
    for i in range(size):
        seen = Counter(m.text for m in tg.messages(chat_of(i)))[text_of(i)]
        duplicates += max(0, seen - 1)
        lost += seen == 0
    return duplicates, lost


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def lines(figures: Figures) -> list[str]:
    def verdict(ok: bool) -> str:
        return "✓" if ok else "✗"

    p50, p95 = percentile(figures.live, 0.5), percentile(figures.live, 0.95)
    dup_goal = "0" if figures.in_flight is None else f"≤ {figures.in_flight} in flight at the kill"
    dup_ok = figures.duplicates <= (figures.in_flight or 0)
    return [
        f"{'figure':<22}{'measured':>14}   goal",
        f"{'effective rate':<22}{figures.rate:>10.1f} /s   ≥ {GOAL_RATE:g} msg/s "
        f"{verdict(figures.rate >= GOAL_RATE)} (baseline {BASELINE_RATE})",
        f"{'wall time':<22}{figures.seconds:>12.1f} s   ({figures.size} notices)",
        f"{'429s met':<22}{figures.refused:>14}   (baseline 708 for 884 delivered)",
        f"{'duplicates':<22}{figures.duplicates:>14}   {dup_goal} {verdict(dup_ok)}",
        f"{'lost':<22}{figures.lost:>14}   0 {verdict(figures.lost == 0)}",
        f"{'live replies':<22}{len(figures.live):>14}   (one every 0.5 s)",
        f"{'live reply p50':<22}{p50:>12.3f} s",
        f"{'live reply p95':<22}{p95:>12.3f} s   < {GOAL_LIVE_P95:g} s "
        f"{verdict(p95 < GOAL_LIVE_P95)}",
        f"{'Bot API violations':<22}{figures.violations:>14}   0",
    ]
