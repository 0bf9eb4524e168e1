"""One clock in tests: every "now" comes from db.clock, which the suite pins to FIXED_NOW.

A test that read the wall clock would pass or fail with the calendar (a link code made at the
fixed time and redeemed "today" failed every day after the 30th of November). These guards fail
when code reads the real time past db.clock, and prove the pin reaches subprocesses.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from db.clock import PIN_VARIABLE, utcnow, wall_clock
from tests.conftest import FIXED_NOW
from tests.support.clock import Clock

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "db", "handlers", "jobs", "messages", "nlu", "tests")
# The one place allowed to read the wall clock (and the benchmarks, which print when they ran).
ALLOWED = {ROOT / "db" / "clock.py"}
WALL_CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _wall_clock_reads(path: Path) -> list[str]:
    """Each `datetime.now`, `time.time`… in a file, called or passed along, as «file:line name»."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        f"{path.name}:{node.lineno} {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and (node.value.id, node.attr) in WALL_CLOCK_READS
    ]


def test_nothing_reads_the_wall_clock_but_db_clock() -> None:
    reads = [
        read
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in ALLOWED
        for read in _wall_clock_reads(path)
    ]
    assert reads == [], "read the time through db.clock.utcnow instead:\n" + "\n".join(reads)


# db.clock.wall_clock is the real time on purpose: only APScheduler's own timeline may use it.
WALL_CLOCK_USERS = {ROOT / "db" / "clock.py", ROOT / "jobs" / "scheduler.py", Path(__file__)}


def test_only_the_scheduler_timeline_asks_for_the_real_time() -> None:
    users = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in WALL_CLOCK_USERS and "wall_clock" in path.read_text(encoding="utf-8")
    ]
    assert users == []


def test_the_guard_sees_a_wall_clock_read(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import datetime as d\nfrom datetime import datetime\nx = datetime.now()\n")
    assert _wall_clock_reads(sneaky) == ["sneaky.py:3 datetime.now"]


def test_a_test_reads_the_fixed_clock_and_moves_it_by_hand(clock: Clock) -> None:
    assert utcnow() == FIXED_NOW
    clock.advance(days=3)
    assert (utcnow() - FIXED_NOW).days == 3
    assert wall_clock() != utcnow()  # the real time exists, and nobody in a test sees it


def test_subprocesses_inherit_the_fixed_clock() -> None:
    assert os.environ[PIN_VARIABLE] == FIXED_NOW.isoformat()
    printed = subprocess.run(
        [sys.executable, "-c", "from db.clock import utcnow; print(utcnow().isoformat())"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout.strip()  # fmt: skip
    assert printed == FIXED_NOW.isoformat()
