"""The bench's figures, read from what the fake messenger saw, and their printout beside the
issue's goals and the baseline measured before issue 14."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bench.broadcast.people import chat_of, text_of
from bot.max.client import REQUESTS_PER_SECOND
from tests.support.fake_telegram import FakeTelegram

GOAL_RATE = 28.0  # messages a second
GOAL_LIVE_P95 = 1.0  # seconds
GOAL_PEAK = 30  # sends tried in any one second (Telegram's limit for one bot)
GOAL_VK_CALLS = 110  # API calls for
GOAL_VK_PEOPLE = 10_000  # people
MAX_LIMIT = 30  # requests a second MAX takes from one bot token; one message, one request
# Measured from outside before issue 14 (the text).
BASELINE_RATE = "≈10 msg/s (50 per 5-second tick); 1.1 msg/s with per-chat 429s"
BASELINE_PEAK = "42 with two processes"


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
    peak: int = 0  # sends that came to the fake in its busiest second, 429s included
    first: float | None = None  # seconds from the start to the first notice accepted
    senders: tuple[str, ...] = ()  # each sending process's own tally, when there were several

    @property
    def rate(self) -> float:
        """Messages a second through Telegram: the notices and the live replies meanwhile
        (Telegram's 30 a second is for the bot as a whole)."""
        return (self.size + len(self.live)) / self.seconds if self.seconds else float("nan")

    @property
    def notice_rate(self) -> float:
        return self.size / self.seconds if self.seconds else float("nan")

    @property
    def sending_rate(self) -> float:
        """From the first notice accepted on: a sending process's start-up left out."""
        if self.first is None or self.seconds <= self.first:
            return float("nan")
        return self.size / (self.seconds - self.first)


@dataclass(frozen=True)
class VkFigures:
    size: int  # people the broadcast went to
    queued: int  # outbox rows start_broadcast queued
    seconds: float
    calls: Counter[str]  # API calls the fake received, by method
    duplicates: int  # extra copies of the broadcast shown in a person's dialog
    lost: int  # people who never saw it
    suppressed: int  # repeated random_ids VK dropped (a retry that showed nothing twice)
    rate_errors: int  # calls answered with error 6
    errors: Counter[str] = field(default_factory=Counter)  # other error answers, «method code»
    violations: int = 0

    @property
    def goal(self) -> int:
        """The issue's ≤ 110 calls for 10,000 people, for this many people."""
        return math.ceil(GOAL_VK_CALLS * self.size / GOAL_VK_PEOPLE)


@dataclass(frozen=True)
class MaxFigures:
    size: int  # people the broadcast went to
    queued: int  # outbox rows start_broadcast queued
    seconds: float
    sends: list[float]  # when each POST /messages came (monotonic seconds), 429s included
    duplicates: int  # extra copies of the broadcast shown in a person's dialog
    lost: int  # people who never saw it
    rate_errors: int  # calls the fake answered 429
    errors: Counter[str] = field(default_factory=Counter)  # other error answers, «path status»
    violations: int = 0

    @property
    def ideal(self) -> float:
        """Seconds at best: MAX takes no many-recipient send, so one request a person at its
        limit is the whole baseline."""
        return self.size / MAX_LIMIT

    @property
    def people_rate(self) -> float:
        return self.size / self.seconds if self.seconds else float("nan")

    @property
    def request_rate(self) -> float:
        return len(self.sends) / self.seconds if self.seconds else float("nan")


def shown(dialogs: Iterable[Iterable[str]], text: str) -> tuple[int, int]:
    """Duplicates and losses of a broadcast: how often each person's dialog (the texts of the
    messages in it) shows `text`."""
    duplicates = lost = 0
    for dialog in dialogs:
        seen = sum(text in message for message in dialog)
        duplicates += max(0, seen - 1)
        lost += seen == 0
    return duplicates, lost


def count(tg: FakeTelegram, size: int) -> tuple[int, int]:
    """Duplicates and losses: how often each chat got its own notice."""
    duplicates = lost = 0
    for i in range(size):
        seen = Counter(m.text for m in tg.messages(chat_of(i)))[text_of(i)]
        duplicates += max(0, seen - 1)
        lost += seen == 0
    return duplicates, lost


def busiest_second(times: list[float]) -> int:
    """The most of `times` (seconds) within any one second."""
    ordered = sorted(times)
    most = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _verdict(ok: bool) -> str:
    return "✓" if ok else "✗"


def lines(figures: Figures) -> list[str]:
    p50, p95 = percentile(figures.live, 0.5), percentile(figures.live, 0.95)
    dup_goal = "0" if figures.in_flight is None else f"≤ {figures.in_flight} in flight at the kill"
    dup_ok = figures.duplicates <= (figures.in_flight or 0)
    first = "—" if figures.first is None else f"{figures.first:.1f} s"
    printed = [
        f"{'figure':<22}{'measured':>14}   goal",
        f"{'effective rate':<22}{figures.rate:>10.1f} /s   ≥ {GOAL_RATE:g} msg/s "
        f"{_verdict(figures.rate >= GOAL_RATE)} (notices and live replies; baseline "
        f"{BASELINE_RATE})",
        f"{'notices alone':<22}{figures.notice_rate:>10.1f} /s",
        f"{'from the first notice':<22}{figures.sending_rate:>10.1f} /s   "
        f"({figures.size} notices from the first accepted on)",
        f"{'wall time':<22}{figures.seconds:>12.1f} s   ({figures.size} notices; "
        f"the first after {first})",
        f"{'busiest second':<22}{figures.peak:>14}   ≤ {GOAL_PEAK} sends tried "
        f"{_verdict(figures.peak <= GOAL_PEAK)} (baseline {BASELINE_PEAK})",
        f"{'429s met':<22}{figures.refused:>14}   (baseline 708 for 884 delivered)",
        f"{'duplicates':<22}{figures.duplicates:>14}   {dup_goal} {_verdict(dup_ok)}",
        f"{'lost':<22}{figures.lost:>14}   0 {_verdict(figures.lost == 0)}",
        f"{'live replies':<22}{len(figures.live):>14}   (one every 0.5 s)",
        f"{'live reply p50':<22}{p50:>12.3f} s",
        f"{'live reply p95':<22}{p95:>12.3f} s   < {GOAL_LIVE_P95:g} s "
        f"{_verdict(p95 < GOAL_LIVE_P95)}",
        f"{'Bot API violations':<22}{figures.violations:>14}   0",
    ]
    for n, tally in enumerate(figures.senders, 1):
        printed.append(f"{f'sender {n}':<22}{tally:>14}")
    return printed


def vk_lines(figures: VkFigures) -> list[str]:
    total = sum(figures.calls.values())
    per = f"{total / figures.size * 100:.1f}" if figures.size else "—"
    printed = [
        f"{'figure':<22}{'measured':>14}   goal",
        f"{'API calls':<22}{total:>14}   ≤ {GOAL_VK_CALLS} for {GOAL_VK_PEOPLE:,} people, "
        f"≤ {figures.goal} for {figures.size:,} {_verdict(total <= figures.goal)}",
        f"{'calls per 100 people':<22}{per:>14}",
    ]
    printed += [f"{'  ' + method:<22}{n:>14}" for method, n in sorted(figures.calls.items())]
    rate = figures.size / figures.seconds if figures.seconds else float("nan")
    printed += [
        f"{'wall time':<22}{figures.seconds:>12.1f} s   ({figures.size} people, "
        f"{rate:.1f} people/s; {figures.queued} outbox rows)",
        f"{'errors 6 met':<22}{figures.rate_errors:>14}",
        f"{'other errors':<22}{sum(figures.errors.values()):>14}"
        + "".join(f"   {k} ×{v}" for k, v in sorted(figures.errors.items())),
        f"{'duplicates':<22}{figures.duplicates:>14}   0 {_verdict(figures.duplicates == 0)}",
        f"{'resends VK dropped':<22}{figures.suppressed:>14}   (same random_id: shown once)",
        f"{'lost':<22}{figures.lost:>14}   0 {_verdict(figures.lost == 0)}",
        f"{'VK API violations':<22}{figures.violations:>14}   0",
    ]
    return printed


def max_lines(figures: MaxFigures) -> list[str]:
    peak = busiest_second(figures.sends)
    share = figures.ideal / figures.seconds if figures.seconds else float("nan")
    return [
        f"{'figure':<22}{'measured':>14}   goal",
        f"{'people':<22}{figures.size:>14}   ({figures.queued} outbox rows)",
        f"{'wall time':<22}{figures.seconds:>12.1f} s   at best {figures.ideal:.1f} s "
        f"(N / {MAX_LIMIT} requests/s: no many-recipient send in MAX); {share:.0%} of it",
        f"{'people/s':<22}{figures.people_rate:>14.1f}   at best {MAX_LIMIT} (the transport's "
        f"pace: {REQUESTS_PER_SECOND})",
        f"{'requests/s':<22}{figures.request_rate:>14.1f}   ≤ {MAX_LIMIT} "
        f"(POST /messages over the run: {len(figures.sends)})",
        f"{'busiest second':<22}{peak:>14}   ≤ {MAX_LIMIT} requests "
        f"{_verdict(peak <= MAX_LIMIT)} (POST /messages in any one second, 429s included)",
        f"{'429s met':<22}{figures.rate_errors:>14}   0 {_verdict(figures.rate_errors == 0)}",
        f"{'duplicates':<22}{figures.duplicates:>14}   0 {_verdict(figures.duplicates == 0)}",
        f"{'lost':<22}{figures.lost:>14}   0 {_verdict(figures.lost == 0)}",
        f"{'MAX API violations':<22}{figures.violations:>14}   0 "
        f"{_verdict(figures.violations == 0)}",
        f"{'other errors':<22}{sum(figures.errors.values()):>14}"
        + "".join(f"   {k} ×{v}" for k, v in sorted(figures.errors.items())),
    ]
